// For one book or one member, the linked objects of every relation kind, read through the API.

import { api, currentUser, query } from "./api.js";
import { entryRow } from "./audit-entries.js";
import { PagedTable } from "./paged-table.js";
import { isStaff, loadProfile, showFor } from "./roles.js";
import { renderPartnerPanel } from "./partners-panel.js";
import { $, formValues, h, options, outcome, report, requireSignIn, when } from "./ui.js";

const BASE = "/api/library";

// Staff see the object's history from the audit trail under its relations.
let history = null;

async function showHistory(ref) {
  if (!history) return;
  history.fixed = { object: ref };
  history.first();
  $("#history-link").href = `/audit/?audit.object=${encodeURIComponent(ref)}`;
  await history.load();
}

async function list(path) {
  const result = await api("GET", path);
  report(result);
  if (!result.ok) return { error: result.data?.detail || `HTTP ${result.status}`, items: [] };
  return { items: Array.isArray(result.data) ? result.data : result.data?.results || [] };
}

function relation(kind, title, explanation, items, render) {
  const body = items.error
    ? h("p", { class: "error" }, items.error)
    : items.items.length
      ? h("ul", {}, ...items.items.map((item) => h("li", {}, render(item))))
      : h("p", { class: "muted" }, "None.");
  return h(
    "article",
    { class: "relation", dataset: { kind } },
    h("div", { class: "kind" }, kind),
    h("h3", {}, title),
    h("p", { class: "muted" }, explanation),
    body,
  );
}

function userLabel(id) {
  return id === currentUser()?.id ? `you (user #${id})` : `user #${id}`;
}

function name(value, field, fallback) {
  if (value && typeof value === "object") return value[field] || value.username || value.email || `#${value.id}`;
  return value ? `${fallback} #${value}` : "—";
}

async function showBook(id) {
  const result = await api("GET", `${BASE}/books/${id}/`);
  outcome($("#relations-outcome"), result, "Book loaded.");
  if (!result.ok) return;
  const book = result.data;
  const [loans, reservations] = await Promise.all([
    list(`${BASE}/loans/${query({ book: id, page_size: 100 })}`),
    list(`${BASE}/reservations/${query({ book: id, page_size: 100 })}`),
  ]);
  $("#relations-title").textContent = `Book: ${book.title}`;
  showHistory(`library.book:${id}`);
  const authors = { items: (book.authors || []).map((author) => (typeof author === "object" ? author : { id: author })) };
  const addedBy = { items: book.added_by ? [book.added_by] : [] };
  $("#relations").replaceChildren(
    relation("many-to-many", "Authors", "A book has any number of authors; an author writes any number of books.", authors, (a) =>
      name(a, "name", "Author"),
    ),
    relation(
      "many-to-many",
      "Likes",
      "Members like any number of books; a book is liked by any number of members.",
      { items: [{ count: book.likes_count ?? 0, mine: book.liked_by_me }] },
      (like) => `${like.count} like(s)${like.mine ? ", including yours" : ""}`,
    ),
    relation("many-to-one", "Added by", "Many books are added by one user.", addedBy, userLabel),
    relation("one-to-many", "Loans of this book", "One book, many loans over time (yours only, unless you are a librarian).", loans, (loan) =>
      `${loan.member_name} · ${loan.returned_at ? `returned ${when(loan.returned_at)}` : `due ${when(loan.due_at)}`}`,
    ),
    relation("one-to-many", "Reservations of this book", "One book, a queue of reservations.", reservations, (reservation) =>
      `${reservation.member_name} · ${reservation.status}${reservation.position ? ` · position ${reservation.position} in the queue` : ""}`,
    ),
  );
  // Copies of this book at other library branches, with a button to reserve one there.
  const host = h("div", { class: "answer-host" });
  $("#relations").append(
    h(
      "article",
      { class: "relation", dataset: { kind: "partner-branches" } },
      h("div", { class: "kind" }, "partner branches"),
      h("h3", {}, "At partner branches"),
      h("p", { class: "muted" }, "Copies of this book at other library branches; reserve one there and collect it at that branch."),
      host,
    ),
  );
  await renderPartnerPanel(host, id, { user: currentUser() });
}

async function showMember(id) {
  const result = await api("GET", `${BASE}/members/${id}/`);
  outcome($("#relations-outcome"), result, "Member loaded.");
  if (!result.ok) return;
  const member = result.data;
  const [card, loans, reservations] = await Promise.all([
    api("GET", `${BASE}/members/${id}/card/`),
    list(`${BASE}/members/${id}/loans/${query({ page_size: 100 })}`),
    list(`${BASE}/reservations/${query({ member: id, page_size: 100 })}`),
  ]);
  report(card);
  $("#relations-title").textContent = `Member: ${member.name}`;
  showHistory(`library.member:${id}`);
  const books = new Map();
  for (const loan of loans.items) books.set(loan.book, { id: loan.book, title: loan.book_title });
  $("#relations").replaceChildren(
    relation(
      "one-to-one",
      "Membership card",
      "A member has at most one card; a card belongs to exactly one member.",
      card.ok ? { items: [card.data] } : card.status === 404 ? { items: [] } : { error: card.data?.detail, items: [] },
      (c) => `${c.number} · ${c.tier?.name || ""} tier · ${c.is_valid ? "valid until" : "expired"} ${c.valid_until}`,
    ),
    relation(
      "many-to-one",
      "Card tier",
      "Many cards share one tier, which sets the loan limit and period.",
      { items: card.ok && card.data.tier ? [card.data.tier] : [] },
      (tier) => `${tier.name}: ${tier.loan_limit} loans of ${tier.loan_period_days} days, ${tier.max_renewals} renewals`,
    ),
    relation(
      "one-to-one",
      "User account",
      "A self-service member is linked to one user account; walk-in readers have none.",
      { items: member.user ? [member.user] : [] },
      userLabel,
    ),
    relation("one-to-many", "Loans", "One member, many loans (all of them, returned or not).", loans, (loan) =>
      `${loan.book_title} · ${loan.returned_at ? `returned ${when(loan.returned_at)}` : `due ${when(loan.due_at)}`}`,
    ),
    relation("one-to-many", "Reservations", "One member, many reservations.", reservations, (reservation) =>
      `${reservation.book_title} · ${reservation.status}${reservation.position ? ` · position ${reservation.position}` : ""}`,
    ),
    relation(
      "many-to-many",
      "Books borrowed (through loans)",
      "Members and books meet through loans: a member borrows many books, a book is borrowed by many members.",
      { items: [...books.values()] },
      (book) => name(book, "title", "Book"),
    ),
  );
}

async function fillChoices() {
  const [books, members] = await Promise.all([
    list(`${BASE}/books/${query({ ordering: "title", page_size: 100 })}`),
    list(`${BASE}/members/${query({ ordering: "name", page_size: 100 })}`),
  ]);
  const params = new URLSearchParams(window.location.search);
  options($("#relations-book"), books.items, { label: (b) => b.title, blank: "—", selected: params.get("book") || "" });
  options($("#relations-member"), members.items, { label: (m) => m.name, blank: "—", selected: params.get("member") || "" });
  if (params.get("book")) await showBook(params.get("book"));
  else if (params.get("member")) await showMember(params.get("member"));
}

if (requireSignIn()) {
  const user = await loadProfile();
  showFor(user, document.querySelector("main"));
  if (isStaff(user)) {
    history = new PagedTable($('[data-table="history"]'), { path: "/api/audit/", cursor: true, row: (entry) => entryRow(entry), empty: "No recorded changes." });
  }
  $("#relations-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { book, member } = formValues(event.target);
    const search = book ? `?book=${book}` : member ? `?member=${member}` : "";
    window.history.replaceState(null, "", `${window.location.pathname}${search}`);
    if (book) await showBook(book);
    else if (member) await showMember(member);
  });
  // Choosing one kind clears the other, so the form always says what it will show.
  $("#relations-book").addEventListener("change", () => ($("#relations-member").value = ""));
  $("#relations-member").addEventListener("change", () => ($("#relations-book").value = ""));
  await fillChoices();
  document.body.dataset.ready = "true";
}
