import { api } from "./api.js";
import { $, busy, formValues, outcome } from "./ui.js";

const params = new URLSearchParams(window.location.search);
const uid = params.get("uid");
const token = params.get("token");
const requestForm = $("#reset-request-form");
const confirmForm = $("#reset-confirm-form");

if (uid && token) {
  requestForm.hidden = true;
  confirmForm.hidden = false;
}

requestForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await busy(requestForm.querySelector("button"), () =>
    api("POST", "/api/auth/password/reset/", formValues(requestForm), { auth: false }),
  );
  outcome($("#reset-request-outcome"), result, "If the address belongs to an account, a link is on its way.");
});

confirmForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { new_password } = formValues(confirmForm);
  const result = await busy(confirmForm.querySelector("button"), () =>
    api("POST", "/api/auth/password/reset/confirm/", { uid, token, new_password }, { auth: false }),
  );
  outcome($("#reset-confirm-outcome"), result, "Your password is changed. You can sign in with it.");
  if (result.ok) confirmForm.querySelector("button").disabled = true;
});
