import { api, saveSession } from "./api.js";
import { $, busy, formValues, outcome } from "./ui.js";

const params = new URLSearchParams(window.location.search);
if (params.has("signed_out")) $("#signed-out-notice").hidden = false;

// Only a path on this site, so a crafted link cannot send the visitor elsewhere after sign-in.
function nextPage() {
  const next = params.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/library/";
}

const form = $("#sign-in-form");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { login, password } = formValues(form);
  const body = login.includes("@") ? { email: login, password } : { username: login, password };
  const result = await busy(form.querySelector("button"), () => api("POST", "/api/auth/login/", body, { auth: false }));
  outcome($("#sign-in-outcome"), result, "Signed in.");
  if (result.ok) {
    saveSession(result.data);
    window.location.assign(nextPage());
  }
});
