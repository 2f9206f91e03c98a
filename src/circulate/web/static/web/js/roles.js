// What the signed-in person may do decides what the page shows. The API stays the authority:
// a hidden button is a convenience, never the permission check.
//
// Mark elements with data-for="<audience> ...": a role name (librarian, fleet_manager,
// dealer_staff), "staff" (is_staff) or "signed-in"; "!" in front means "everyone but".
// An element is shown when any of its audiences matches.

import { api, getSession, saveSession } from "./api.js";

export function hasRole(user, role) {
  return Boolean(user && ((user.roles || []).includes(role) || user.is_superuser));
}

export function isStaff(user) {
  return Boolean(user && (user.is_staff || user.is_superuser));
}

function matches(user, audience) {
  if (audience.startsWith("!")) return !matches(user, audience.slice(1));
  if (audience === "signed-in") return Boolean(user);
  if (audience === "staff") return isStaff(user);
  return hasRole(user, audience);
}

export function showFor(user, root = document) {
  for (const node of root.querySelectorAll("[data-for]")) {
    const audiences = node.dataset.for.split(/\s+/).filter(Boolean);
    node.hidden = !audiences.some((audience) => matches(user, audience));
  }
}

// The signed-in user's profile, read fresh from the API (roles may have changed since sign-in).
export async function loadProfile() {
  if (!getSession()?.access) return null;
  const result = await api("GET", "/api/auth/me/");
  if (result.ok) {
    saveSession({ user: result.data });
    return result.data;
  }
  return getSession()?.user || null;
}
