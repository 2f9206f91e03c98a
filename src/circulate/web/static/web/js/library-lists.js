// The librarian's lists: members (with their card), loans, holds and authors, each a paged
// table with filters kept in the URL; every answer shows in the row or form that caused it.

import { api, query } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answer, busy, formValues, h, options, when } from "./ui.js";

const BASE = "/api/library";

function cardSummary(card) {
  if (!card) return h("span", { class: "muted" }, "no card");
  const state = card.is_valid ? `valid until ${card.valid_until}` : `expired ${card.valid_until}`;
  return h("span", {}, card.number, h("span", { class: "muted" }, ` · ${card.tier?.name ?? ""} · ${state}`));
}

export function setUp({ librarian, open }) {
  if (!librarian) return {};
  const sections = {};

  // --- members and their card ----------------------------------------------------------------
  let cardMember = null;
  const members = new PagedTable($('[data-table="members"]'), {
    path: `${BASE}/members/`,
    empty: "No member matches.",
    row: (member) =>
      h(
        "tr",
        {},
        h("td", {}, h("strong", {}, member.name), member.user ? h("span", { class: "muted" }, " · has an account") : null),
        h("td", {}, cardSummary(member.card)),
        h("td", { class: "optional" }, member.email || "—"),
        h(
          "td",
          { class: "actions" },
          actionButton("Card", () => showCard(member), { "aria-label": `Card of ${member.name}` }),
          actionButton("Edit", () => editMember(member), { "aria-label": `Edit ${member.name}` }),
          h("a", { class: "button small secondary", href: `/library/relations/?member=${member.id}` }, "Relations"),
          actionButton("Delete", () => deleteMember(member), { class: "small danger", "aria-label": `Delete ${member.name}` }),
        ),
      ),
  });

  const memberForm = $("#member-form");
  function editMember(member) {
    for (const field of ["id", "name", "email", "phone"]) memberForm.elements[field].value = member[field] ?? "";
    memberForm.elements.user.value = member.user ?? "";
    $("#member-form-title").textContent = `Edit ${member.name}`;
    $("#member-save").textContent = "Save the member";
    $("#member-cancel").hidden = false;
    $("#member-editor").open = true;
    memberForm.elements.name.focus();
  }
  function resetMemberForm() {
    memberForm.reset();
    memberForm.elements.id.value = "";
    $("#member-form-title").textContent = "Add a member";
    $("#member-save").textContent = "Add the member";
    $("#member-cancel").hidden = true;
  }
  memberForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(memberForm);
    const body = { name: values.name, email: values.email, phone: values.phone, user: values.user ? Number(values.user) : null };
    const button = $("#member-save");
    const result = await busy(button, () =>
      values.id ? api("PATCH", `${BASE}/members/${values.id}/`, body) : api("POST", `${BASE}/members/`, body),
    );
    answer(button, result, values.id ? `${body.name} saved.` : `${body.name} is a member.`);
    if (result.ok) {
      resetMemberForm();
      await members.reload();
    }
  });
  $("#member-cancel").addEventListener("click", resetMemberForm);

  async function deleteMember(member) {
    const result = await api("DELETE", `${BASE}/members/${member.id}/`);
    if (result.ok) {
      members.announce(result, `${member.name}'s membership is closed.`);
      await members.reload();
    } else {
      members.note(member.id, result);
      members.updateRow(member);
    }
  }

  async function showCard(member) {
    cardMember = member;
    $("#card-member-name").textContent = member.name;
    $("#card-view").textContent = member.card ? `${member.card.number}, ${member.card.tier?.name} tier, valid until ${member.card.valid_until}.` : "No card yet.";
    const tiers = await api("GET", `${BASE}/tiers/${query({ page_size: 100 })}`);
    options($("#card-tier"), tiers.ok ? tiers.data.results : [], {
      label: (t) => `${t.name}: ${t.loan_limit} loans of ${t.loan_period_days} days${t.is_default ? " (default)" : ""}`,
      blank: "Keep the current tier (new card: the default)",
    });
    $("#card-editor").open = true;
    $("#card-editor").scrollIntoView({ block: "nearest" });
  }

  async function afterCard(button, result, success) {
    answer(button, result, success);
    const fresh = await api("GET", `${BASE}/members/${cardMember.id}/`);
    if (fresh.ok) {
      cardMember = fresh.data;
      members.updateRow(fresh.data);
      const card = fresh.data.card;
      $("#card-view").textContent = card ? `${card.number}, ${card.tier?.name} tier, valid until ${card.valid_until}.` : "No card.";
    }
  }
  $("#card-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { tier } = formValues(event.target);
    const button = $("#card-issue");
    const result = await busy(button, () => api("PUT", `${BASE}/members/${cardMember.id}/card/`, tier ? { tier: Number(tier) } : {}));
    await afterCard(button, result, `Card ${result.data?.number ?? ""} ${result.status === 201 ? "issued" : "renewed"} until ${result.data?.valid_until ?? ""}.`);
  });
  $("#card-revoke").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const result = await busy(button, () => api("DELETE", `${BASE}/members/${cardMember.id}/card/`));
    await afterCard(button, result, `The card of ${cardMember.name} is revoked.`);
  });
  sections.members = { load: () => members.load(), onEvent: (type) => type.startsWith("member.") && members.reload() };

  // --- loans -------------------------------------------------------------------------------------
  const LOAN_STATES = { active: { active: "true" }, overdue: { overdue: "true" }, returned: { active: "false" }, all: {} };
  const loans = new PagedTable($('[data-table="loans"]'), {
    path: `${BASE}/loans/`,
    empty: "No loans match.",
    toQuery: ({ state = "active", ...rest }) => ({ ...(LOAN_STATES[state] || {}), ...rest }),
    row: (loan) =>
      h(
        "tr",
        {},
        h("td", {}, loan.book_title),
        h("td", {}, loan.member_name),
        h("td", {}, loan.returned_at ? h("span", { class: "muted" }, `returned ${when(loan.returned_at)}`) : when(loan.due_at)),
        h("td", {}, h("span", { class: `tag ${loan.status === "overdue" ? "no" : ""}` }, loan.status)),
        h(
          "td",
          { class: "actions" },
          loan.returned_at ? null : actionButton("Return", () => loanAction(loan, "return"), { "aria-label": `Return ${loan.book_title}` }),
          loan.returned_at ? null : actionButton("Renew", () => loanAction(loan, "renew"), { "aria-label": `Renew ${loan.book_title}` }),
        ),
      ),
  });
  async function loanAction(loan, action) {
    const result = await api("POST", `${BASE}/loans/${loan.id}/${action}/`);
    const success = action === "renew" ? `Renewed: now due ${when(result.data?.due_at)}.` : `Returned by ${loan.member_name}.`;
    loans.note(loan.id, result, success);
    loans.updateRow(result.ok ? result.data : loan);
  }
  sections.loans = { load: () => loans.load(), onEvent: (type) => type.startsWith("loan.") && loans.reload() };

  // --- holds -------------------------------------------------------------------------------------
  const holds = new PagedTable($('[data-table="holds"]'), {
    path: `${BASE}/reservations/`,
    empty: "No holds match.",
    toQuery: ({ status, ...rest }) => (status ? { status, ...rest } : { active: "true", ...rest }),
    row: (hold) =>
      h(
        "tr",
        {},
        h("td", {}, hold.book_title),
        h("td", {}, hold.member_name),
        h("td", {}, h("span", { class: `tag ${hold.status === "ready" ? "yes" : ""}` }, hold.status)),
        h("td", {}, hold.position ? String(hold.position) : hold.ready_until ? `pick up by ${when(hold.ready_until)}` : "—"),
        h(
          "td",
          { class: "actions" },
          ["waiting", "ready"].includes(hold.status)
            ? actionButton("Cancel", () => cancelHold(hold), { "aria-label": `Cancel the hold of ${hold.member_name}` })
            : null,
        ),
      ),
  });
  async function cancelHold(hold) {
    const result = await api("POST", `${BASE}/reservations/${hold.id}/cancel/`);
    holds.note(hold.id, result, "Hold cancelled.");
    holds.updateRow(result.ok ? result.data : hold);
  }
  sections.holds = { load: () => holds.load(), onEvent: (type) => type.startsWith("reservation.") && holds.reload() };

  // --- authors -----------------------------------------------------------------------------------
  const authors = new PagedTable($('[data-table="authors"]'), {
    path: `${BASE}/authors/`,
    fixed: { ordering: "name" },
    empty: "No author matches.",
    row: (author) =>
      h(
        "tr",
        {},
        h("td", {}, author.name),
        h(
          "td",
          { class: "actions" },
          actionButton("Books", () => open("catalogue", { author: author.id }), { "aria-label": `Books by ${author.name}` }),
          actionButton("Rename", () => renameAuthor(author), { "aria-label": `Rename ${author.name}` }),
          actionButton("Delete", () => deleteAuthor(author), { class: "small danger", "aria-label": `Delete ${author.name}` }),
        ),
      ),
  });
  const authorForm = $("#author-form");
  function renameAuthor(author) {
    authorForm.elements.id.value = author.id;
    authorForm.elements.name.value = author.name;
    $("#author-save").textContent = "Save the name";
    $("#author-cancel").hidden = false;
    authorForm.elements.name.focus();
  }
  function resetAuthorForm() {
    authorForm.reset();
    authorForm.elements.id.value = "";
    $("#author-save").textContent = "Add the author";
    $("#author-cancel").hidden = true;
  }
  authorForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { id, name } = formValues(authorForm);
    const button = $("#author-save");
    const result = await busy(button, () => (id ? api("PATCH", `${BASE}/authors/${id}/`, { name }) : api("POST", `${BASE}/authors/`, { name })));
    answer(button, result, id ? `Renamed to ${name}.` : `${name} added.`);
    if (result.ok) {
      resetAuthorForm();
      await authors.reload();
    }
  });
  $("#author-cancel").addEventListener("click", resetAuthorForm);
  async function deleteAuthor(author) {
    const result = await api("DELETE", `${BASE}/authors/${author.id}/`);
    if (result.ok) {
      authors.announce(result, `${author.name} removed.`);
      await authors.reload();
    } else {
      authors.note(author.id, result);
      authors.updateRow(author);
    }
  }
  sections.authors = { load: () => authors.load() };

  return sections;
}
