// The page's state lives in its URL query string, so any view can be bookmarked and shared:
// the open tab (?tab=loans) and each table's filters and page (?books.search=river&books.page=2).

export function readParam(key) {
  return new URLSearchParams(window.location.search).get(key);
}

// Set (or, with "", null or undefined, remove) some parameters without reloading or adding history entries.
export function writeParams(values) {
  const params = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null || value === "") params.delete(key);
    else params.set(key, String(value));
  }
  const text = params.toString();
  const url = `${window.location.pathname}${text ? `?${text}` : ""}${window.location.hash}`;
  window.history.replaceState(window.history.state, "", url);
}

// Every parameter that starts with `${prefix}.`, without the prefix.
export function paramsWithPrefix(prefix) {
  const out = {};
  for (const [key, value] of new URLSearchParams(window.location.search)) {
    if (key.startsWith(`${prefix}.`)) out[key.slice(prefix.length + 1)] = value;
  }
  return out;
}
