// Every console page loads this: it shows who is signed in, the sign-out button and
// the live notification bell in the navbar.

import { api, clearSession, getSession, saveSession } from "./api.js";
import { startNotifications } from "./notifications.js";
import { showFor } from "./roles.js";
import { h } from "./ui.js";

const ACCOUNT_URL = "/account/";

let notifications = null;
let renderedFor = undefined;

export async function signOut() {
  const refresh = getSession()?.refresh;
  if (refresh) await api("POST", "/api/auth/logout/", { refresh });
  clearSession();
}

function bellIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z");
  svg.append(path);
  return svg;
}

function roleText(user) {
  return (user.roles || []).join(", ");
}

function render() {
  const area = document.getElementById("user-area");
  if (!area) return;
  const session = getSession();
  const user = session?.access ? session.user : null;
  // Staff-only links (dev outbox, admin, audit) only for staff; the pages themselves still ask the API.
  const nav = document.querySelector(".navbar nav");
  if (nav) showFor(user, nav);
  // A refreshed token keeps the same user: leave the navbar and its WebSocket alone.
  const key = user ? JSON.stringify([user.id, user.username, user.roles, user.email_verified_at]) : "";
  if (key === renderedFor) return;
  renderedFor = key;
  if (notifications) {
    notifications.stop();
    notifications = null;
  }
  if (!user) {
    area.replaceChildren(
      h("a", { href: "/sign-in/", class: "button secondary" }, "Sign in"),
      h("a", { href: "/sign-up/", class: "button" }, "Sign up"),
    );
    return;
  }
  const badge = h("span", { id: "bell-count", class: "badge", "aria-hidden": "true" }, "0");
  const bell = h(
    "button",
    { type: "button", id: "bell", class: "bell", "aria-haspopup": "true", "aria-expanded": "false", "aria-controls": "notifications-panel" },
    bellIcon(),
    badge,
  );
  const list = h("ol", { id: "notifications-list" });
  const panel = h(
    "section",
    { id: "notifications-panel", class: "notifications-panel", hidden: true, "aria-label": "Notifications", tabindex: "-1" },
    h("h2", {}, "Notifications"),
    list,
  );
  const signOutButton = h("button", { type: "button", id: "sign-out", class: "secondary" }, "Sign out");
  signOutButton.addEventListener("click", async () => {
    await signOut();
    window.location.assign("/sign-in/?signed_out=1");
  });
  const role = roleText(user);
  area.replaceChildren(
    h(
      "span",
      { id: "nav-user", class: "nav-user" },
      h("span", { class: "muted" }, "Signed in as "),
      h(
        "a",
        {
          id: "nav-account",
          href: ACCOUNT_URL,
          title: "Your account",
          "aria-current": window.location.pathname === ACCOUNT_URL ? "page" : null,
        },
        h("strong", {}, user.username || user.email),
      ),
      role ? h("span", { class: "role" }, role) : null,
      user.email_verified_at ? null : h("span", { class: "warning-pill" }, "e-mail not confirmed"),
    ),
    h("div", { class: "bell-wrap" }, bell, panel),
    signOutButton,
  );
  notifications = startNotifications({ bell, badge, panel, list });
}

async function refreshProfile() {
  if (!getSession()?.access) return;
  const result = await api("GET", "/api/auth/me/");
  if (result.ok) saveSession({ user: result.data });
}

window.addEventListener("circulate:session", () => render());
// Another tab signed in or out.
window.addEventListener("storage", (event) => {
  if (event.key === "circulate.auth") render();
});

render();
refreshProfile();
