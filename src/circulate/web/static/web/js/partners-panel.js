// Copies of one book at the partner branches, each with a "Reserve at <branch>" button that
// answers beside itself. Used by the partners page, and by the relations view of a book.
// Librarians reserve for a member (by id); members for themselves.

import { api } from "./api.js";
import { hasRole } from "./roles.js";
import { actionButton, answer, fillTable, h, report, when } from "./ui.js";

function copies(entry) {
  if (entry.outcome === "not_held") return "not held there";
  if (entry.outcome === "unavailable") {
    return entry.copies_available === null ? "branch not answering" : `${entry.copies_available} free (last known; branch not answering)`;
  }
  return `${entry.copies_available} of ${entry.copies_total} free · ${entry.holds} on hold`;
}

export async function renderPartnerPanel(container, bookId, { user, onReserved } = {}) {
  const librarian = hasRole(user, "librarian");
  const result = await api("GET", `/api/library/books/${bookId}/partner-status/`);
  report(result);
  if (!result.ok) {
    container.replaceChildren(h("p", { class: "outcome error", role: "alert" }, result.data?.detail || `HTTP ${result.status}`));
    return;
  }
  const memberField = librarian
    ? h("label", {}, "For member (id) ", h("input", { name: "member", type: "number", min: "1", class: "narrow", id: `partner-member-${bookId}` }))
    : null;
  const body = h("tbody");
  const table = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", { class: "muted" }, `At partner branches (ISBN ${result.data.isbn})`),
      h("thead", {}, h("tr", {}, h("th", {}, "Branch"), h("th", {}, "Copies"), h("th", {}, "Checked"), h("th", {}, "Actions"))),
      body,
    ),
  );
  const rows = result.data.branches.map((entry) =>
    h(
      "tr",
      { dataset: { branch: entry.branch.code } },
      h("td", {}, entry.branch.name, entry.branch.breaker === "closed" ? null : h("span", { class: "tag no" }, ` breaker ${entry.branch.breaker}`)),
      h("td", {}, copies(entry)),
      h("td", {}, `${when(entry.checked_at)} (${entry.origin})`),
      h(
        "td",
        { class: "actions" },
        actionButton(
          `Reserve at ${entry.branch.name}`,
          async (node) => {
            const body = { branch: entry.branch.id };
            const member = container.querySelector('input[name="member"]')?.value;
            if (member) body.member = Number(member);
            const reserved = await api("POST", `/api/library/books/${bookId}/partner-reservations/`, body);
            answer(node, reserved, reserved.ok ? `Reserved at ${entry.branch.name}: ${reserved.data.status}.` : "");
            if (reserved.ok) onReserved?.(reserved.data);
          },
          { disabled: entry.outcome !== "ok" || entry.copies_available < 1 },
        ),
      ),
    ),
  );
  container.replaceChildren(...[memberField ? h("p", {}, memberField) : null, table].filter(Boolean));
  fillTable(body, rows, "No partner branch is registered.");
}
