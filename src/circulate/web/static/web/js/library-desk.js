// The librarian's desk: issue and take back by ISBN and card number (typed, or from a barcode
// scanner, which types and presses Enter), the holds to set aside, and the overdue loans.

import { api, query } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answer, busy, formValues, h, when } from "./ui.js";

const BASE = "/api/library";

// A refusal of ours (nothing matched a lookup), in the same words as the API's answers.
function notFound(path, detail) {
  return { ok: false, status: 404, statusText: "Not Found", data: { detail, code: "not_found" }, method: "GET", path };
}

async function lookUp(path, params, missing) {
  const result = await api("GET", `${path}${query(params)}`);
  if (!result.ok) return { error: result };
  const [first] = result.data.results || [];
  return first ? { found: first } : { error: notFound(result.path, missing) };
}

const bookByIsbn = (isbn) => lookUp(`${BASE}/books/`, { isbn }, `No book with ISBN ${isbn} is in the catalogue.`);
const memberByCard = (card) => lookUp(`${BASE}/members/`, { card }, `No member holds the active card ${card}.`);

export function setUp({ librarian }) {
  if (!librarian) return { load: async () => {}, prepareIssue() {} };

  const ready = new PagedTable($('[data-table="ready"]'), {
    path: `${BASE}/reservations/`,
    fixed: { status: "ready", ordering: "created_at" },
    empty: "No hold is waiting to be set aside.",
    row: (hold) =>
      h(
        "tr",
        {},
        h("td", {}, hold.book_title),
        h("td", {}, hold.member_name),
        h("td", {}, when(hold.ready_until)),
        h("td", { class: "actions" }, actionButton("Cancel", () => cancel(hold), { "aria-label": `Cancel the hold of ${hold.member_name}` })),
      ),
  });
  const overdue = new PagedTable($('[data-table="overdue"]'), {
    path: `${BASE}/loans/`,
    fixed: { overdue: "true", ordering: "due_at" },
    empty: "Nothing is overdue.",
    row: (loan) =>
      h(
        "tr",
        {},
        h("td", {}, loan.book_title),
        h("td", {}, loan.member_name),
        h("td", {}, when(loan.due_at)),
        h("td", { class: "actions" }, actionButton("Return", () => giveBack(loan), { "aria-label": `Return ${loan.book_title}` })),
      ),
  });

  async function cancel(hold) {
    const result = await api("POST", `${BASE}/reservations/${hold.id}/cancel/`);
    ready.note(hold.id, result, "Hold cancelled; the copy passes to the next in line.");
    if (result.ok) ready.announce(result, `Hold of ${hold.member_name} on “${hold.book_title}” cancelled.`);
    await ready.reload();
  }

  async function giveBack(loan) {
    const result = await api("POST", `${BASE}/loans/${loan.id}/return/`);
    if (result.ok) overdue.announce(result, `“${loan.book_title}” is back from ${loan.member_name}.`);
    else overdue.note(loan.id, result);
    await Promise.all([overdue.reload(), ready.reload()]);
  }

  $("#desk-issue").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("#desk-issue-button");
    const { isbn, card } = formValues(event.target);
    await busy(button, async () => {
      const [book, member] = await Promise.all([bookByIsbn(isbn), memberByCard(card)]);
      const failed = book.error || member.error;
      if (failed) return answer(button, failed);
      const result = await api("POST", `${BASE}/loans/`, { book: book.found.id, member: member.found.id });
      const due = result.ok ? ` Due ${when(result.data.due_at)}.` : "";
      answer(button, result, `“${book.found.title}” lent to ${member.found.name}.${due}`);
      if (result.ok) {
        event.target.reset();
        $("#desk-issue-isbn").focus();
        await ready.reload();
      }
    });
  });

  $("#desk-return").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("#desk-return-button");
    const { isbn, card } = formValues(event.target);
    await busy(button, async () => {
      const book = await bookByIsbn(isbn);
      if (book.error) return answer(button, book.error);
      const params = { book: book.found.id, active: "true" };
      if (card) {
        const member = await memberByCard(card);
        if (member.error) return answer(button, member.error);
        params.member = member.found.id;
      }
      const open = await api("GET", `${BASE}/loans/${query(params)}`);
      if (!open.ok) return answer(button, open);
      const loans = open.data.results;
      if (loans.length !== 1) {
        const detail = loans.length
          ? `${open.data.count} copies of “${book.found.title}” are out; add the member's card number.`
          : `No copy of “${book.found.title}” is out on loan${card ? " to this member" : ""}.`;
        return answer(button, { ...notFound(open.path, detail), status: loans.length ? 409 : 404 });
      }
      const result = await api("POST", `${BASE}/loans/${loans[0].id}/return/`);
      answer(button, result, `“${book.found.title}” is back from ${loans[0].member_name}.`);
      if (result.ok) {
        event.target.reset();
        $("#desk-return-isbn").focus();
        await Promise.all([ready.reload(), overdue.reload()]);
      }
    });
  });

  return {
    load: () => Promise.all([ready.load(), overdue.load()]),
    prepareIssue(isbn) {
      $("#desk-issue-isbn").value = isbn;
      document.querySelector('[role="tab"][data-tab="desk"]').click();
      $("#desk-issue-card").focus();
    },
    onEvent(type) {
      if (type.startsWith("loan.") || type.startsWith("reservation.")) Promise.all([ready.reload(), overdue.reload()]);
    },
  };
}
