// A paged table over one API list: page controls, a page-size choice, the total (or "about N"
// when the API estimates it), filters from a form, all kept in the URL under the table's name
// (?books.search=river&books.page=2&books.page_size=50), so a filtered view can be bookmarked.
//
// Markup (inside one element with data-table="<name>"):
//   <form class="filters"> inputs named like the API's query parameters </form>   (optional)
//   <table><caption></caption><thead>...</thead><tbody></tbody></table>
//   <nav class="pager"></nav>
// A row action answers beside its button: note(id, result, success) keeps the answer for that
// row, and the row is rendered again from the API's fresh data (reload() or updateRow()).
//
// A list with cursor pagination (no count, e.g. the audit trail) passes `cursor: true`: the
// pager then follows the API's next / previous links ("Older" / "Newer") and the URL keeps the
// cursor (?audit.cursor=...) instead of a page number.

import { api, query } from "./api.js";
import { answerNode, fillTable, h, report } from "./ui.js";
import { paramsWithPrefix, writeParams } from "./url-state.js";

const PAGE_SIZES = [5, 10, 20, 50, 100];
// Rows turn into cards on a phone, so fewer of them fit a screen.
const PHONE = window.matchMedia("(max-width: 40rem)");

export class PagedTable {
  constructor(root, { path, row, empty = "Nothing here.", pageSize = PHONE.matches ? 5 : 20, fixed = {}, toQuery = (filters) => filters, cursor = false }) {
    this.root = root;
    this.name = root.dataset.table;
    this.path = path;
    this.row = row;
    this.empty = empty;
    this.fixed = fixed; // parameters the page always sends (not in the URL)
    this.toQuery = toQuery; // the form's values as the API's query parameters, when they differ
    this.form = root.querySelector("form.filters");
    this.body = root.querySelector("tbody");
    this.caption = root.querySelector("caption");
    this.pager = root.querySelector(".pager");
    this.notes = new Map();
    this.items = [];
    this.loaded = false;
    this.defaults = this.form ? this.filters() : {};
    const saved = paramsWithPrefix(this.name);
    this.page = Number(saved.page) || 1;
    this.cursorMode = cursor;
    this.cursor = cursor ? saved.cursor || null : null;
    this.pageSize = PAGE_SIZES.includes(Number(saved.page_size)) ? Number(saved.page_size) : pageSize;
    this.defaultPageSize = pageSize;
    if (this.form) {
      for (const element of this.form.elements) {
        if (!element.name || !(element.name in saved)) continue;
        if (element.type === "checkbox") element.checked = saved[element.name] === element.value;
        else element.value = saved[element.name];
      }
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.first();
        this.notes.clear();
        this.load();
      });
      this.form.addEventListener("reset", () => {
        setTimeout(() => {
          for (const element of this.form.elements) if (element.type === "hidden") element.value = "";
          this.first();
          this.load();
        });
      });
    }
  }

  filters() {
    const values = {};
    if (!this.form) return values;
    for (const element of this.form.elements) {
      if (!element.name || element.disabled) continue;
      if (element.type === "checkbox" && !element.checked) continue;
      const value = String(element.value ?? "").trim();
      if (value) values[element.name] = value;
    }
    return values;
  }

  setFilter(name, value) {
    const element = this.form?.elements[name];
    if (element) element.value = value ?? "";
    this.first();
  }

  // Back to the first page (or the newest entries of a cursor list).
  first() {
    this.page = 1;
    this.cursor = null;
  }

  remember(filters) {
    const state = {};
    for (const element of this.form?.elements || []) if (element.name) state[`${this.name}.${element.name}`] = null;
    for (const [key, value] of Object.entries(filters)) {
      if (value !== this.defaults[key]) state[`${this.name}.${key}`] = value;
    }
    state[`${this.name}.page`] = this.page > 1 ? this.page : null;
    state[`${this.name}.cursor`] = this.cursor;
    state[`${this.name}.page_size`] = this.pageSize !== this.defaultPageSize ? this.pageSize : null;
    writeParams(state);
  }

  async load() {
    const filters = this.filters();
    this.remember(filters);
    const base = typeof this.path === "function" ? this.path() : this.path;
    const position = this.cursorMode ? { cursor: this.cursor } : { page: this.page };
    const params = { ...this.fixed, ...this.toQuery(filters), ...position, page_size: this.pageSize };
    const result = await api("GET", `${base}${query(params)}`);
    if (result.status === 404 && (this.page > 1 || this.cursor)) {
      this.first(); // the list shrank under this page (or the URL named a page past the last, or a stale cursor)
      return this.load();
    }
    if (!result.ok) {
      this.items = [];
      fillTable(this.body, [], report(result));
      this.caption.textContent = "";
      this.pager.replaceChildren();
      return result;
    }
    this.items = result.data.results || [];
    this.loaded = true;
    fillTable(this.body, this.items.map((item) => this.render(item)), this.empty);
    this.renderCaption(result.data);
    this.renderPager(result.data);
    return result;
  }

  reload() {
    return this.load();
  }

  render(item) {
    const tr = this.row(item, this);
    tr.dataset.id = String(item.id);
    const note = this.notes.get(String(item.id));
    if (note) tr.lastElementChild?.append(answerNode(note.message, note.ok));
    return tr;
  }

  // Replace one row with fresh data from the API, in place.
  updateRow(item) {
    const index = this.items.findIndex((known) => String(known.id) === String(item.id));
    if (index >= 0) this.items[index] = item;
    const old = this.body.querySelector(`tr[data-id="${item.id}"]`);
    if (!old) return;
    const tr = this.render(item);
    fillTable(this.body, [...this.body.children].map((child) => (child === old ? tr : child)), this.empty);
  }

  // Keep the answer of an action on row `id`, shown in that row until its next action.
  note(id, result, success = "") {
    const message = report(result, success);
    this.notes.set(String(id), { message, ok: result.ok });
    return message;
  }

  // An answer about a row that is no longer listed (e.g. deleted): shown under the table.
  announce(result, success = "") {
    const message = report(result, success);
    let node = this.root.querySelector(":scope > .outcome");
    if (!node) {
      node = h("p", { class: "outcome" });
      this.root.append(node);
    }
    node.replaceWith(answerNode(message, result.ok));
    return message;
  }

  renderCaption(data) {
    if (this.cursorMode) {
      this.caption.textContent = this.items.length ? `${this.items.length} shown, newest first` : "None found";
      return;
    }
    const count = data.count ?? this.items.length;
    const about = data.count_is_estimate ? "about " : "";
    const first = this.items.length ? (this.page - 1) * this.pageSize + 1 : 0;
    const last = (this.page - 1) * this.pageSize + this.items.length;
    this.caption.textContent = this.items.length ? `${first}–${last} of ${about}${count}` : `${about}${count} found`;
  }

  renderPager(data) {
    const count = data.count ?? 0;
    const pages = Math.max(1, Math.ceil(count / this.pageSize));
    const go = (page) => {
      this.page = page;
      this.notes.clear();
      this.load();
    };
    const size = h(
      "select",
      { "aria-label": "Rows per page" },
      ...PAGE_SIZES.map((value) => h("option", { value: String(value), selected: value === this.pageSize }, `${value} per page`)),
    );
    size.addEventListener("change", () => {
      this.pageSize = Number(size.value);
      this.cursor = null;
      go(1);
    });
    if (this.cursorMode) {
      const follow = (link) => {
        this.cursor = link ? new URL(link, window.location.origin).searchParams.get("cursor") : null;
        this.notes.clear();
        this.load();
      };
      this.pager.replaceChildren(
        h("button", { type: "button", class: "small secondary", disabled: !data.previous, onclick: () => follow(data.previous) }, "Newer"),
        h("button", { type: "button", class: "small secondary", disabled: !data.next, onclick: () => follow(data.next) }, "Older"),
        size,
      );
      return;
    }
    this.pager.replaceChildren(
      h("button", { type: "button", class: "small secondary", disabled: !data.previous, onclick: () => go(this.page - 1) }, "Previous"),
      h("span", { class: "muted", "aria-live": "polite" }, data.count_is_estimate ? `Page ${this.page}` : `Page ${this.page} of ${pages}`),
      h("button", { type: "button", class: "small secondary", disabled: !data.next, onclick: () => go(this.page + 1) }, "Next"),
      size,
    );
  }
}
