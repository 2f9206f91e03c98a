// Small DOM helpers shared by every console page. Text from the API always goes in
// through textContent (never innerHTML), so nothing a user typed can run as markup.

import { describe, getSession } from "./api.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function formValues(form) {
  const values = {};
  for (const [key, value] of new FormData(form).entries()) values[key] = typeof value === "string" ? value.trim() : value;
  return values;
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

// The page's "API answers" log: every call made by a button is listed with its
// method, path and the answer in words; the raw JSON is one click away.
export function report(result, success = "") {
  const message = describe(result, success);
  const log = document.getElementById("api-log");
  if (log) {
    const entry = h(
      "li",
      { class: result.ok ? "ok" : "error", dataset: { status: String(result.status) } },
      h("code", {}, `${result.method} ${result.path}`),
      " → ",
      h("span", { class: "message" }, message),
    );
    if (result.data !== null && result.data !== undefined) {
      entry.append(h("details", {}, h("summary", {}, "JSON"), h("pre", {}, JSON.stringify(result.data, null, 2))));
    }
    log.prepend(entry);
    while (log.children.length > 30) log.lastElementChild.remove();
  }
  return message;
}

// Shows the outcome of one action next to the control that started it, and in the log.
export function outcome(target, result, success = "") {
  const message = report(result, success);
  if (target) {
    target.textContent = message;
    target.className = `outcome ${result.ok ? "ok" : "error"}`;
    target.setAttribute("role", result.ok ? "status" : "alert");
  }
  return message;
}

// An answer as a paragraph: green for a success, red for a refusal, read out by screen readers.
export function answerNode(message, ok) {
  return h("p", { class: `outcome ${ok ? "ok" : "error"}`, role: ok ? "status" : "alert" }, message);
}

// Shows an action's answer right beside the control that started it (in its table cell,
// form or fieldset), and in the page's API log.
export function answer(control, result, success = "") {
  const message = report(result, success);
  const holder = control.closest("td, form, fieldset, .answer-host") || control.parentElement;
  let node = holder.querySelector(":scope > .outcome");
  if (!node) {
    node = h("p", { class: "outcome" });
    holder.append(node);
  }
  node.textContent = message;
  node.className = `outcome ${result.ok ? "ok" : "error"}`;
  node.setAttribute("role", result.ok ? "status" : "alert");
  return message;
}

export function toast(text, kind = "info") {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", class: "toasts", "aria-live": "polite" });
    document.body.append(region);
  }
  const item = h("div", { class: `toast ${kind}`, role: "status" }, text);
  region.append(item);
  setTimeout(() => item.remove(), 6000);
}

// Pages that need a signed-in user send the visitor to the sign-in page (and back).
export function requireSignIn() {
  if (getSession()?.access) return true;
  const next = encodeURIComponent(window.location.pathname + window.location.search);
  window.location.assign(`/sign-in/?next=${next}`);
  return false;
}

// Runs an async action with the button disabled, so a double click sends one request.
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } finally {
    if (button) button.disabled = false;
  }
}

// A small button for a table row; it is disabled while its action runs.
export function actionButton(text, onClick, attrs = {}) {
  const node = h("button", { type: "button", class: "small secondary", ...attrs }, text);
  node.addEventListener("click", () => busy(node, () => onClick(node)));
  return node;
}

// Fills a table body; each cell carries its column's name, shown on narrow screens.
export function fillTable(body, rows, empty = "Nothing here.") {
  const headers = [...body.closest("table").querySelectorAll("thead th")].map((th) => th.textContent.trim());
  if (!rows.length) rows = [h("tr", {}, h("td", { colspan: String(headers.length || 1), class: "muted" }, empty))];
  for (const row of rows) {
    [...row.children].forEach((cell, index) => {
      if (headers[index] && cell.colSpan === 1) cell.dataset.label = headers[index];
    });
  }
  body.replaceChildren(...rows);
}

export function options(select, items, { label, value = (item) => item.id, blank = null, selected = null }) {
  const current = selected ?? select.value;
  select.replaceChildren();
  if (blank !== null) select.append(h("option", { value: "" }, blank));
  for (const item of items) {
    const optionValue = String(value(item));
    select.append(h("option", { value: optionValue, selected: optionValue === String(current) }, label(item)));
  }
}
