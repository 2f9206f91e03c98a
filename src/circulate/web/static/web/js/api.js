// The console's one door to the REST API. It behaves as any client would: the JWT pair
// from POST /api/auth/login/ is kept in localStorage (shared by the tabs of one browser),
// sent as "Authorization: Bearer", and refreshed once when an answer is 401.

const STORAGE_KEY = "circulate.auth";

const STATUS_LABELS = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "Done",
  400: "Invalid input",
  401: "Not signed in",
  403: "Not allowed",
  404: "Not found",
  405: "Method not allowed",
  409: "Refused",
  429: "Too many requests",
  500: "Server error",
  503: "Service unavailable",
};

export function getSession() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

export function saveSession({ access, refresh, user }) {
  const previous = getSession() || {};
  const next = {
    access: access ?? previous.access,
    refresh: refresh ?? previous.refresh,
    user: user ?? previous.user,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  window.dispatchEvent(new CustomEvent("circulate:session", { detail: next }));
  return next;
}

export function clearSession() {
  localStorage.removeItem(STORAGE_KEY);
  window.dispatchEvent(new CustomEvent("circulate:session", { detail: null }));
}

export function currentUser() {
  return getSession()?.user || null;
}

let refreshing = null;

// One refresh at a time: parallel 401s wait for the same new token.
export function refreshAccess() {
  if (!refreshing) {
    refreshing = (async () => {
      const refresh = getSession()?.refresh;
      if (!refresh) return false;
      const result = await send("POST", "/api/auth/token/refresh/", { refresh }, null);
      if (result.ok && result.data?.access) {
        saveSession({ access: result.data.access, refresh: result.data.refresh });
        return true;
      }
      clearSession();
      return false;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function send(method, path, body, token, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined && body !== null) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body !== undefined && body !== null ? JSON.stringify(body) : undefined,
      credentials: "omit",
    });
  } catch (error) {
    return { ok: false, status: 0, statusText: "Network error", data: { detail: String(error) }, method, path };
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: text.slice(0, 300) };
    }
  }
  return {
    ok: response.ok,
    status: response.status,
    statusText: response.statusText,
    data,
    method,
    path,
    replayed: response.headers.get("Idempotent-Replayed") === "true",
  };
}

// Call the API. Resolves to {ok, status, statusText, data, method, path, replayed}; never throws.
export async function api(method, path, body = undefined, { auth = true, headers = {} } = {}) {
  const token = auth ? getSession()?.access : null;
  const result = await send(method, path, body, token, headers);
  if (result.status === 401 && auth && getSession()?.refresh) {
    if (await refreshAccess()) return send(method, path, body, getSession().access, headers);
  }
  return result;
}

// crypto.randomUUID exists only on HTTPS and localhost; getRandomValues everywhere.
function randomKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// An action that must not happen twice (starting or finishing a ride): one Idempotency-Key per
// intent, reused when the network fails and the person presses the button again.
export function idempotentAction() {
  let key = null;
  return async (method, path, body) => {
    key ??= randomKey();
    const result = await api(method, path, body, { headers: { "Idempotency-Key": key } });
    if (result.status !== 0) key = null; // an answer arrived: the next press is a new intent
    return result;
  };
}

// A query string from an object, leaving out empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function statusLabel(status) {
  if (status === 0) return "Network error";
  return STATUS_LABELS[status] || (status >= 200 && status < 300 ? "OK" : `HTTP ${status}`);
}

// A sentence a person can read for any answer, e.g.
// "409 Refused: The member already has 3 unreturned loans, the limit of their tier."
export function describe(result, success = "") {
  const head = `${result.status || ""} ${statusLabel(result.status)}`.trim();
  if (result.ok) return success ? `${head}: ${success}` : head;
  const data = result.data || {};
  const parts = [];
  const errors = data.errors && typeof data.errors === "object" ? data.errors : {};
  // A 400 with field errors: the fields say it better than the summary sentence.
  const fieldsOnly = data.code === "invalid" && Object.keys(errors).length > 0;
  if (data.detail && !fieldsOnly) parts.push(String(data.detail));
  for (const [field, messages] of Object.entries(errors)) {
    const text = [].concat(messages).join(" ");
    if (text && text !== data.detail) parts.push(field === "non_field_errors" ? text : `${field}: ${text}`);
  }
  return parts.length ? `${head}: ${parts.join(" ")}` : head;
}
