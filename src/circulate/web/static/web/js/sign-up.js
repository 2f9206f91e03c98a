import { api } from "./api.js";
import { $, busy, formValues, outcome } from "./ui.js";

const form = $("#sign-up-form");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = formValues(form);
  const result = await busy(form.querySelector("button"), () => api("POST", "/api/auth/register/", values, { auth: false }));
  outcome($("#sign-up-outcome"), result, "Account created.");
  if (result.ok) {
    $("#sign-up-email").textContent = result.data?.email || values.email;
    $("#sign-up-next").hidden = false;
    form.hidden = true;
  }
});
