// One audit entry as a table row, shared by the audit page and the history panels.

import { h, when } from "./ui.js";

function value(v) {
  if (v === null || v === undefined || v === "") return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function changesList(changes) {
  const fields = Object.entries(changes || {});
  if (!fields.length) return h("span", { class: "muted" }, "—");
  return h(
    "ul",
    { class: "changes" },
    ...fields.map(([field, [before, after]]) => h("li", {}, h("code", {}, field), `: ${value(before)} → ${value(after)}`)),
  );
}

// onObject(ref) / onRequest(id), when given, turn the object and the request id into filter buttons.
export function entryRow(entry, { onObject = null, onRequest = null } = {}) {
  const ref = `${entry.object.type}:${entry.object.id}`;
  const object = onObject
    ? h("button", { type: "button", class: "small secondary", title: `History of ${ref}`, onclick: () => onObject(ref) }, entry.object.label || ref)
    : h("span", {}, entry.object.label || ref);
  const request = entry.request_id
    ? onRequest
      ? h("button", { type: "button", class: "small secondary", title: "Entries of this request", onclick: () => onRequest(entry.request_id) }, entry.request_id.slice(0, 8))
      : h("code", {}, entry.request_id.slice(0, 8))
    : h("span", { class: "muted" }, "—");
  return h(
    "tr",
    {},
    h("td", {}, when(entry.at)),
    h("td", {}, entry.actor.label, entry.client_ip ? h("div", { class: "muted" }, entry.client_ip) : ""),
    h("td", {}, h("code", {}, entry.action)),
    h("td", {}, object, h("div", { class: "muted" }, ref)),
    h("td", {}, changesList(entry.changes)),
    h("td", {}, request),
  );
}
