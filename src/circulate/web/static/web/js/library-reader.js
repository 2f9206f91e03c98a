// A member's own view: my loans (due dates, renew), my holds (place in the queue, cancel), my card.

import { api } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answerNode, h, report, when } from "./ui.js";

const BASE = "/api/library";

const STATUS_WORDS = { active: "on loan", overdue: "overdue", returned: "returned" };

export function setUp({ librarian }) {
  if (librarian) return {};

  const everything = ({ active, ...rest }) => (active === "all" ? rest : { active, ...rest });
  const loans = new PagedTable($('[data-table="myloans"]'), {
    path: `${BASE}/loans/`,
    fixed: { ordering: "due_at" },
    toQuery: everything,
    empty: "You have no loans here.",
    row: (loan) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, loan.book_title)),
        h("td", {}, loan.returned_at ? h("span", { class: "muted" }, `returned ${when(loan.returned_at)}`) : when(loan.due_at)),
        h("td", {}, h("span", { class: `tag ${loan.status === "overdue" ? "no" : ""}` }, STATUS_WORDS[loan.status] || loan.status)),
        h("td", { class: "optional" }, loan.returned_at ? "—" : String(loan.renewals_left ?? "—")),
        h(
          "td",
          { class: "actions" },
          loan.returned_at ? null : actionButton("Renew", () => renew(loan), { "aria-label": `Renew ${loan.book_title}` }),
        ),
      ),
  });

  async function renew(loan) {
    const result = await api("POST", `${BASE}/loans/${loan.id}/renew/`);
    loans.note(loan.id, result, result.ok ? `Renewed: now due ${when(result.data.due_at)}.` : "");
    if (result.ok) loans.updateRow(result.data);
    else loans.updateRow(loan);
  }

  const holds = new PagedTable($('[data-table="myholds"]'), {
    path: `${BASE}/reservations/`,
    toQuery: everything,
    empty: "You hold no reservations here.",
    row: (hold) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, hold.book_title)),
        h("td", {}, h("span", { class: `tag ${hold.status === "ready" ? "yes" : ""}` }, hold.status === "ready" ? "ready for pickup" : hold.status)),
        h("td", {}, hold.position ? `${hold.position}` : "—"),
        h("td", {}, hold.ready_until ? when(hold.ready_until) : "—"),
        h(
          "td",
          { class: "actions" },
          ["waiting", "ready"].includes(hold.status)
            ? actionButton("Cancel", () => cancel(hold), { "aria-label": `Cancel the hold on ${hold.book_title}` })
            : null,
        ),
      ),
  });

  async function cancel(hold) {
    const result = await api("POST", `${BASE}/reservations/${hold.id}/cancel/`);
    holds.note(hold.id, result, "Hold cancelled.");
    if (result.ok) holds.updateRow(result.data);
    else holds.updateRow(hold);
  }

  async function loadCard() {
    const box = $("#my-card");
    const result = await api("GET", `${BASE}/members/`);
    if (!result.ok) {
      box.replaceChildren(answerNode(report(result), false));
      return;
    }
    const [member] = result.data.results || [];
    const card = member?.card;
    if (!card) {
      box.replaceChildren(
        h("p", {}, member ? `${member.name}, you have no membership card yet.` : "You are not a library member yet."),
        h("p", { class: "muted" }, "A librarian issues cards at the desk; with one you can borrow and reserve."),
      );
      return;
    }
    const tier = card.tier || {};
    box.replaceChildren(
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Member"), h("dd", {}, member.name),
        h("dt", {}, "Card number"), h("dd", { id: "my-card-number" }, card.number),
        h("dt", {}, "Tier"), h("dd", {}, `${tier.name}: up to ${tier.loan_limit} loans of ${tier.loan_period_days} days, ${tier.hold_limit} holds`),
        h("dt", {}, "Valid until"), h("dd", {}, card.valid_until, card.is_valid ? "" : " (expired: ask at the desk)"),
      ),
    );
  }

  return {
    "my-loans": { load: () => loans.load(), onEvent: (type) => type.startsWith("loan.") && loans.reload() },
    "my-holds": {
      load: () => holds.load(),
      onEvent: (type) => (type.startsWith("reservation.") || type.startsWith("loan.")) && holds.reload(),
    },
    "my-card": { load: loadCard, onEvent: (type) => type.startsWith("member.") && loadCard() },
  };
}
