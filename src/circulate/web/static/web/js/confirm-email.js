import { api, getSession, saveSession } from "./api.js";
import { $, outcome } from "./ui.js";

const token = new URLSearchParams(window.location.search).get("token");
const target = $("#confirm-outcome");
if (!token) {
  target.textContent = "This link has no token: open the link from the e-mail as it is.";
  target.className = "outcome error";
} else {
  const result = await api("POST", "/api/auth/email/confirm/", { token }, { auth: false });
  outcome(target, result, "Your e-mail address is confirmed. You can sign in.");
  if (result.ok && getSession()?.access) {
    const me = await api("GET", "/api/auth/me/");
    if (me.ok) saveSession({ user: me.data });
  }
}
