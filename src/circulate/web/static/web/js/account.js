// The account page: the signed-in user's profile (GET/PATCH /api/auth/me/), password
// change (which answers with a fresh token pair for this session), e-mail change and the
// confirmation e-mail sent again.

import { api, saveSession } from "./api.js";
import { $, busy, formValues, outcome, report, requireSignIn, when } from "./ui.js";

let profile = null;

function show(user) {
  profile = user;
  $("#profile-email").textContent = user.email;
  $("#profile-confirmed").textContent = user.email_verified
    ? `Yes, on ${when(user.email_verified_at)}`
    : "No, not yet";
  $("#profile-username").textContent = user.username;
  $("#profile-full-name").textContent = user.full_name || "—";
  $("#profile-roles").textContent = (user.roles || []).join(", ") || "Member (no staff role)";
  $("#profile-joined").textContent = when(user.date_joined);
  $("#resend-area").hidden = Boolean(user.email_verified);
  const form = $("#profile-form");
  form.elements.full_name.value = user.full_name || "";
  form.elements.username.value = user.username;
  form.elements.password.value = "";
}

async function load() {
  const result = await api("GET", "/api/auth/me/");
  if (result.ok) {
    report(result, "Your profile.");
    saveSession({ user: result.data });
    show(result.data);
  } else {
    outcome($("#profile-outcome"), result);
  }
  return result.ok;
}

const profileForm = $("#profile-form");
profileForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { full_name, username, password } = formValues(profileForm);
  const body = {};
  if (full_name !== (profile?.full_name || "")) body.full_name = full_name;
  if (username !== profile?.username) {
    body.username = username;
    if (password) body.password = password;
  }
  const target = $("#profile-form-outcome");
  if (!Object.keys(body).length) {
    target.textContent = "Nothing to save: the full name and the username are unchanged.";
    target.className = "outcome ok";
    target.setAttribute("role", "status");
    return;
  }
  const result = await busy(profileForm.querySelector("button"), () => api("PATCH", "/api/auth/me/", body));
  outcome(target, result, "Your profile is saved.");
  if (result.ok) {
    saveSession({ user: result.data });
    show(result.data);
  }
});

const passwordForm = $("#password-form");
passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await busy(passwordForm.querySelector("button"), () =>
    api("POST", "/api/auth/password/change/", formValues(passwordForm)),
  );
  // The answer is a fresh pair for this session: tokens issued before are refused from now on.
  if (result.ok) {
    saveSession({ access: result.data.access, refresh: result.data.refresh });
    passwordForm.reset();
  }
  outcome($("#password-outcome"), result, "Your password is changed. You stay signed in here; your other sessions end.");
});

const emailForm = $("#email-form");
emailForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = formValues(emailForm);
  const result = await busy(emailForm.querySelector("button"), () => api("POST", "/api/auth/email/change/", values));
  outcome(
    $("#email-outcome"),
    result,
    `Follow the link we sent to ${values.new_email} to confirm it; until then you keep signing in with ${profile?.email || "your current address"}.`,
  );
  if (result.ok) emailForm.reset();
});

$("#resend-button").addEventListener("click", async (event) => {
  const result = await busy(event.currentTarget, () => api("POST", "/api/auth/email/resend/"));
  outcome($("#resend-outcome"), result, `A new confirmation link is on its way to ${profile?.email || "your address"}.`);
});

if (requireSignIn()) {
  load().finally(() => {
    document.body.dataset.ready = "true";
  });
}
