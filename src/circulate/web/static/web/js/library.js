// The library page: every entity of /api/library/ with buttons. Each action calls the
// public API and shows its answer (or error) next to the button and in the API log.

import { api, currentUser, query } from "./api.js";
import { $, busy, fillTable, formValues, h, options, outcome, report, requireSignIn, when } from "./ui.js";

const BASE = "/api/library";
const state = {
  authors: [],
  bookChoices: [],
  members: [],
  booksUrl: null,
  selectedMember: null,
};

// --- small helpers -------------------------------------------------------------------

function pathOf(url) {
  if (!url) return null;
  const parsed = new URL(url, window.location.origin);
  return parsed.pathname + parsed.search;
}

async function fetchAll(path) {
  const result = await api("GET", `${path}${path.includes("?") ? "&" : "?"}page_size=100`);
  if (!result.ok) {
    report(result);
    return [];
  }
  return Array.isArray(result.data) ? result.data : result.data?.results || [];
}

function idOf(value) {
  return value && typeof value === "object" ? value.id : value;
}

function bookLabel(value, fallback) {
  if (value && typeof value === "object") return value.title || `Book #${value.id}`;
  if (fallback) return fallback;
  const known = state.bookChoices.find((book) => book.id === value);
  return known ? known.title : `Book #${value}`;
}

function memberLabel(value, fallback) {
  if (value && typeof value === "object") return value.name || `Member #${value.id}`;
  if (fallback) return fallback;
  const known = state.members.find((member) => member.id === value);
  return known ? known.name : `Member #${value}`;
}

function authorNames(book) {
  return (book.authors || [])
    .map((author) => (typeof author === "object" ? author.name : state.authors.find((a) => a.id === author)?.name || `#${author}`))
    .join(", ");
}

function button(text, onClick, attrs = {}) {
  const node = h("button", { type: "button", class: "small secondary", ...attrs }, text);
  node.addEventListener("click", () => busy(node, () => onClick(node)));
  return node;
}

function numberOrNull(value) {
  return value === "" || value === undefined ? null : Number(value);
}

function cardSummary(card) {
  if (!card) return "no card";
  const tier = card.tier ? `${card.tier.name} tier (${card.tier.loan_limit} loans, ${card.tier.loan_period_days} days)` : "";
  const valid = `${card.is_valid === false ? "expired" : "valid until"} ${card.valid_until}`;
  return [card.number, tier, valid].filter(Boolean).join(" · ");
}

// --- authors (the other side of the many-to-many) -------------------------------------

async function loadAuthors() {
  state.authors = await fetchAll(`${BASE}/authors/${query({ ordering: "name" })}`);
  fillTable(
    $("#authors-body"),
    state.authors.map((author) =>
      h(
        "tr",
        { dataset: { authorId: String(author.id) } },
        h("td", {}, author.name),
        h(
          "td",
          { class: "actions" },
          button("Rename", () => editAuthor(author)),
          button("Delete", () => deleteAuthor(author), { class: "small danger" }),
        ),
      ),
    ),
    "No authors yet.",
  );
  options($("#filter-author"), state.authors, { label: (a) => a.name, blank: "Any author" });
  renderAuthorPicker(selectedAuthorIds());
}

function selectedAuthorIds() {
  return [...document.querySelectorAll("#book-authors-choices input:checked")].map((input) => Number(input.value));
}

function renderAuthorPicker(checked) {
  $("#book-authors-choices").replaceChildren(
    ...(state.authors.length
      ? state.authors.map((author) =>
          h(
            "label",
            { class: "check" },
            h("input", { type: "checkbox", name: "authors", value: String(author.id), checked: checked.includes(author.id) }),
            author.name,
          ),
        )
      : [h("span", { class: "muted" }, "No authors yet: add one under Authors.")]),
  );
}

function editAuthor(author) {
  const form = $("#author-form");
  form.elements.id.value = author.id;
  form.elements.name.value = author.name;
  $("#author-save").textContent = "Save the name";
  $("#author-cancel").hidden = false;
  form.elements.name.focus();
}

function resetAuthorForm() {
  const form = $("#author-form");
  form.reset();
  form.elements.id.value = "";
  $("#author-save").textContent = "Add the author";
  $("#author-cancel").hidden = true;
}

async function saveAuthor(event) {
  event.preventDefault();
  const form = event.target;
  const { id, name } = formValues(form);
  const result = await busy($("#author-save"), () =>
    id ? api("PATCH", `${BASE}/authors/${id}/`, { name }) : api("POST", `${BASE}/authors/`, { name }),
  );
  outcome($("#author-outcome"), result, id ? `Author renamed to ${name}.` : `Author ${name} added.`);
  if (result.ok) {
    resetAuthorForm();
    await Promise.all([loadAuthors(), loadBooks()]);
  }
}

async function deleteAuthor(author) {
  const result = await api("DELETE", `${BASE}/authors/${author.id}/`);
  outcome($("#author-outcome"), result, `Author ${author.name} deleted.`);
  if (result.ok) await loadAuthors();
}

// --- books ----------------------------------------------------------------------------

function booksPath() {
  const values = formValues($("#book-filters"));
  return `${BASE}/books/${query({ search: values.search, author: values.author, ordering: values.ordering, available: values.available })}`;
}

async function loadBooks(path = null) {
  state.booksUrl = path || booksPath();
  const result = await api("GET", state.booksUrl);
  if (!result.ok) {
    outcome($("#books-outcome"), result);
    return;
  }
  const books = result.data.results || [];
  $("#books-caption").textContent = `${result.data.count ?? books.length} book(s)`;
  fillTable($("#books-body"), books.map(bookRow), "No books match.");
  const pager = $("#books-pager");
  pager.replaceChildren();
  if (result.data.previous) pager.append(button("Previous page", () => loadBooks(pathOf(result.data.previous))));
  if (result.data.next) pager.append(button("Next page", () => loadBooks(pathOf(result.data.next))));
}

function bookRow(book) {
  const liked = Boolean(book.liked_by_me);
  const available = book.is_available ?? book.copies_available > 0;
  return h(
    "tr",
    { dataset: { bookId: String(book.id) } },
    h("td", {}, h("strong", {}, book.title)),
    h("td", {}, authorNames(book) || h("span", { class: "muted" }, "—")),
    h("td", { class: "optional" }, book.isbn || "—"),
    h("td", { class: "optional" }, book.year ?? "—"),
    h(
      "td",
      {},
      `${book.copies_available ?? "?"} / ${book.copies_total ?? "?"} `,
      h("span", { class: `tag ${available ? "yes" : "no"}` }, available ? "available" : "all out"),
    ),
    h(
      "td",
      {},
      h("span", { class: "likes-count", "aria-label": `${book.likes_count ?? 0} likes` }, String(book.likes_count ?? 0)),
      " ",
      button(liked ? "Unlike" : "Like", () => toggleLike(book), {
        class: "small secondary like",
        "aria-pressed": liked ? "true" : "false",
        "aria-label": `${liked ? "Unlike" : "Like"} ${book.title}`,
      }),
    ),
    h(
      "td",
      { class: "actions" },
      button("Edit", () => editBook(book), { "aria-label": `Edit ${book.title}` }),
      button("Reserve", () => reserve(book.id, ""), { "aria-label": `Reserve ${book.title}` }),
      button("Lend", () => prepareLoan(book.id), { "aria-label": `Lend ${book.title}` }),
      h("a", { class: "button small secondary", href: `/library/relations/?book=${book.id}` }, "Relations"),
      button("Delete", () => deleteBook(book), { class: "small danger", "aria-label": `Delete ${book.title}` }),
    ),
  );
}

async function toggleLike(book) {
  const method = book.liked_by_me ? "DELETE" : "POST";
  const result = await api(method, `${BASE}/books/${book.id}/like/`);
  outcome($("#books-outcome"), result, book.liked_by_me ? `You no longer like “${book.title}”.` : `You like “${book.title}”.`);
  await loadBooks(state.booksUrl);
}

function editBook(book) {
  const form = $("#book-form");
  for (const field of ["id", "title", "isbn", "year", "copies_total", "description"]) {
    form.elements[field].value = book[field] ?? "";
  }
  renderAuthorPicker((book.authors || []).map(idOf));
  $("#book-form-title").textContent = `Edit “${book.title}”`;
  $("#book-save").textContent = "Save the book";
  $("#book-cancel").hidden = false;
  form.elements.title.focus();
}

function resetBookForm() {
  const form = $("#book-form");
  form.reset();
  form.elements.id.value = "";
  renderAuthorPicker([]);
  $("#book-form-title").textContent = "Add a book";
  $("#book-save").textContent = "Add the book";
  $("#book-cancel").hidden = true;
}

async function saveBook(event) {
  event.preventDefault();
  const form = event.target;
  const values = formValues(form);
  const body = {
    title: values.title,
    isbn: values.isbn,
    year: numberOrNull(values.year),
    copies_total: numberOrNull(values.copies_total),
    description: values.description,
    authors: selectedAuthorIds(),
  };
  const id = values.id;
  const result = await busy($("#book-save"), () =>
    id ? api("PATCH", `${BASE}/books/${id}/`, body) : api("POST", `${BASE}/books/`, body),
  );
  outcome($("#book-form-outcome"), result, id ? `“${body.title}” saved.` : `“${body.title}” added.`);
  if (result.ok) {
    resetBookForm();
    await Promise.all([loadBooks(state.booksUrl), loadBookChoices()]);
  }
}

async function deleteBook(book) {
  const result = await api("DELETE", `${BASE}/books/${book.id}/`);
  outcome($("#books-outcome"), result, `“${book.title}” deleted.`);
  if (result.ok) await Promise.all([loadBooks(state.booksUrl), loadBookChoices()]);
}

async function loadBookChoices() {
  state.bookChoices = await fetchAll(`${BASE}/books/${query({ ordering: "title" })}`);
  for (const select of [$("#loan-book"), $("#reservation-book")]) {
    options(select, state.bookChoices, { label: (b) => `${b.title} (${b.copies_available ?? "?"} free)`, blank: "Choose a book" });
  }
}

// --- members and their card -----------------------------------------------------------

async function loadMembers() {
  state.members = await fetchAll(`${BASE}/members/${query({ ordering: "name" })}`);
  fillTable($("#members-body"), state.members.map(memberRow), "No members you can see.");
  options($("#loan-member"), state.members, { label: (m) => m.name, blank: "Choose a member" });
  options($("#reservation-member"), state.members, { label: (m) => m.name, blank: "Myself" });
}

function memberRow(member) {
  const account = member.user && typeof member.user === "object" ? member.user.username || member.user.email : member.user;
  return h(
    "tr",
    { dataset: { memberId: String(member.id) } },
    h("td", {}, h("strong", {}, member.name)),
    h("td", { class: "optional" }, member.email || "—"),
    h("td", { class: "optional" }, account ? `user ${account}` : h("span", { class: "muted" }, "walk-in")),
    h("td", {}, cardSummary(member.card)),
    h(
      "td",
      { class: "actions" },
      button("Card and loans", () => selectMember(member), { "aria-label": `Card and loans of ${member.name}` }),
      button("Edit", () => editMember(member), { "aria-label": `Edit ${member.name}` }),
      h("a", { class: "button small secondary", href: `/library/relations/?member=${member.id}` }, "Relations"),
      button("Delete", () => deleteMember(member), { class: "small danger", "aria-label": `Delete ${member.name}` }),
    ),
  );
}

function editMember(member) {
  const form = $("#member-form");
  for (const field of ["id", "name", "email", "phone"]) form.elements[field].value = member[field] ?? "";
  form.elements.user.value = idOf(member.user) ?? "";
  $("#member-form-title").textContent = `Edit ${member.name}`;
  $("#member-save").textContent = "Save the member";
  $("#member-cancel").hidden = false;
  form.elements.name.focus();
}

function resetMemberForm() {
  const form = $("#member-form");
  form.reset();
  form.elements.id.value = "";
  $("#member-form-title").textContent = "Add a member";
  $("#member-save").textContent = "Add the member";
  $("#member-cancel").hidden = true;
}

async function saveMember(event) {
  event.preventDefault();
  const form = event.target;
  const values = formValues(form);
  const body = { name: values.name, email: values.email, phone: values.phone, user: numberOrNull(values.user) };
  const id = values.id;
  const result = await busy($("#member-save"), () =>
    id ? api("PATCH", `${BASE}/members/${id}/`, body) : api("POST", `${BASE}/members/`, body),
  );
  outcome($("#member-form-outcome"), result, id ? `${body.name} saved.` : `${body.name} is a member.`);
  if (result.ok) {
    resetMemberForm();
    await loadMembers();
  }
}

async function deleteMember(member) {
  const result = await api("DELETE", `${BASE}/members/${member.id}/`);
  outcome($("#members-outcome"), result, `${member.name} deleted.`);
  if (result.ok) {
    if (state.selectedMember?.id === member.id) $("#member-detail").hidden = true;
    await loadMembers();
  }
}

async function selectMember(member) {
  state.selectedMember = member;
  $("#member-detail").hidden = false;
  $("#member-detail-name").textContent = member.name;
  $("#card-outcome").textContent = "";
  await Promise.all([loadCard(), loadMemberLoans()]);
  $("#member-detail").scrollIntoView({ block: "nearest" });
}

function showCard(card) {
  const view = $("#card-view");
  view.className = card ? "" : "muted";
  view.textContent = card ? cardSummary(card) : "No card: issue one to let this member borrow.";
}

async function loadTiers() {
  const tiers = await fetchAll(`${BASE}/tiers/`);
  options($("#card-tier"), tiers, {
    label: (t) => `${t.name}: ${t.loan_limit} loans of ${t.loan_period_days} days${t.is_default ? " (default)" : ""}`,
    blank: "Keep the current tier (new card: the default)",
  });
}

async function loadCard() {
  const member = state.selectedMember;
  const result = await api("GET", `${BASE}/members/${member.id}/card/`);
  if (result.ok) showCard(result.data);
  else if (result.status === 404) showCard(null);
  else outcome($("#card-outcome"), result);
}

async function issueCard(event) {
  event.preventDefault();
  const member = state.selectedMember;
  const { tier } = formValues(event.target);
  const result = await busy($("#card-issue"), () => api("PUT", `${BASE}/members/${member.id}/card/`, tier ? { tier: Number(tier) } : {}));
  const done = result.status === 201 ? "issued" : "renewed";
  outcome($("#card-outcome"), result, `Card ${result.data?.number || ""} for ${member.name} ${done}.`);
  if (result.ok) showCard(result.data);
  await loadMembers();
}

async function revokeCard() {
  const member = state.selectedMember;
  const result = await api("DELETE", `${BASE}/members/${member.id}/card/`);
  outcome($("#card-outcome"), result, `Card of ${member.name} revoked.`);
  if (result.ok) showCard(null);
  await loadMembers();
}

async function loadMemberLoans() {
  const member = state.selectedMember;
  if (!member) return;
  const active = document.querySelector('input[name="member-loans-scope"]:checked').value;
  const result = await api("GET", `${BASE}/members/${member.id}/loans/${query({ active })}`);
  const list = $("#member-loans");
  if (!result.ok) {
    list.replaceChildren(h("li", { class: "error" }, report(result)));
    return;
  }
  const loans = Array.isArray(result.data) ? result.data : result.data.results || [];
  list.replaceChildren(
    ...(loans.length
      ? loans.map((loan) =>
          h(
            "li",
            {},
            bookLabel(loan.book, loan.book_title),
            h("span", { class: "muted" }, loan.returned_at ? ` · returned ${when(loan.returned_at)}` : ` · due ${when(loan.due_at)}`),
          ),
        )
      : [h("li", { class: "muted" }, active ? "No active loans." : "No loans.")]),
  );
}

// --- loans ------------------------------------------------------------------------------

function prepareLoan(bookId) {
  $("#loan-book").value = String(bookId);
  $("#loans").scrollIntoView({ block: "start" });
  $("#loan-member").focus();
}

async function loadLoans() {
  const { active } = formValues($("#loan-filters"));
  const result = await api("GET", `${BASE}/loans/${query({ active, page_size: 100 })}`);
  if (!result.ok) {
    outcome($("#loan-outcome"), result);
    return;
  }
  const loans = result.data.results || [];
  fillTable($("#loans-body"), loans.map(loanRow), "No loans.");
}

function loanRow(loan) {
  const open = !loan.returned_at;
  return h(
    "tr",
    { dataset: { loanId: String(loan.id) } },
    h("td", {}, bookLabel(loan.book, loan.book_title)),
    h("td", {}, memberLabel(loan.member, loan.member_name)),
    h("td", { class: "optional" }, when(loan.issued_at)),
    h("td", {}, when(loan.due_at)),
    h("td", {}, loan.returned_at ? when(loan.returned_at) : h("span", { class: "tag" }, "out")),
    h("td", { class: "optional" }, loan.renewals ?? 0),
    h(
      "td",
      { class: "actions" },
      open ? button("Return", () => loanAction(loan, "return", "Returned.")) : null,
      open ? button("Renew", () => loanAction(loan, "renew", "Renewed.")) : null,
    ),
  );
}

async function issueLoan(event) {
  event.preventDefault();
  const { book, member } = formValues(event.target);
  const result = await busy($("#loan-issue"), () => api("POST", `${BASE}/loans/`, { book: Number(book), member: Number(member) }));
  const due = result.ok && result.data?.due_at ? ` Due ${when(result.data.due_at)}.` : "";
  outcome($("#loan-outcome"), result, `Loan issued: ${bookLabel(Number(book))} to ${memberLabel(Number(member))}.${due}`);
  if (result.ok) await afterCirculation();
}

async function loanAction(loan, action, success) {
  const result = await api("POST", `${BASE}/loans/${loan.id}/${action}/`);
  const due = action === "renew" && result.ok && result.data?.due_at ? ` Now due ${when(result.data.due_at)}.` : "";
  outcome($("#loan-outcome"), result, `${success}${due}`);
  if (result.ok) await afterCirculation();
}

async function afterCirculation() {
  await Promise.all([loadLoans(), loadBooks(state.booksUrl), loadBookChoices(), loadReservations(), loadMemberLoans()]);
}

// --- reservations -------------------------------------------------------------------------

async function loadReservations() {
  const result = await api("GET", `${BASE}/reservations/${query({ page_size: 100 })}`);
  if (!result.ok) {
    outcome($("#reservation-outcome"), result);
    return;
  }
  const reservations = result.data.results || [];
  fillTable($("#reservations-body"), reservations.map(reservationRow), "No reservations.");
}

function reservationRow(reservation) {
  const open = ["waiting", "ready"].includes(reservation.status);
  return h(
    "tr",
    { dataset: { reservationId: String(reservation.id) } },
    h("td", {}, bookLabel(reservation.book, reservation.book_title)),
    h("td", {}, memberLabel(reservation.member, reservation.member_name)),
    h("td", {}, h("span", { class: "tag" }, reservation.status)),
    h("td", {}, reservation.position ?? "—"),
    h("td", { class: "optional" }, when(reservation.ready_until)),
    h("td", { class: "actions" }, open ? button("Cancel", () => cancelReservation(reservation)) : null),
  );
}

async function reserve(bookId, memberId) {
  const body = { book: Number(bookId) };
  if (memberId) body.member = Number(memberId);
  const result = await api("POST", `${BASE}/reservations/`, body);
  const status = result.ok && result.data?.status ? ` Status: ${result.data.status}.` : "";
  outcome($("#reservation-outcome"), result, `${bookLabel(Number(bookId))} reserved.${status}`);
  if (result.ok) await Promise.all([loadReservations(), loadBooks(state.booksUrl), loadBookChoices()]);
}

async function cancelReservation(reservation) {
  const result = await api("POST", `${BASE}/reservations/${reservation.id}/cancel/`);
  outcome($("#reservation-outcome"), result, "Reservation cancelled.");
  if (result.ok) await Promise.all([loadReservations(), loadBooks(state.booksUrl), loadBookChoices()]);
}

// --- wiring ---------------------------------------------------------------------------------

function wire() {
  $("#book-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadBooks();
  });
  $("#book-form").addEventListener("submit", saveBook);
  $("#book-cancel").addEventListener("click", resetBookForm);
  $("#author-form").addEventListener("submit", saveAuthor);
  $("#author-cancel").addEventListener("click", resetAuthorForm);
  $("#member-form").addEventListener("submit", saveMember);
  $("#member-cancel").addEventListener("click", resetMemberForm);
  $("#member-me").addEventListener("click", () => {
    const me = currentUser();
    if (me) $("#member-user").value = me.id;
  });
  $("#card-form").addEventListener("submit", issueCard);
  $("#card-revoke").addEventListener("click", (event) => busy(event.target, revokeCard));
  for (const radio of document.querySelectorAll('input[name="member-loans-scope"]')) {
    radio.addEventListener("change", loadMemberLoans);
  }
  $("#loan-form").addEventListener("submit", issueLoan);
  $("#loan-filters").addEventListener("submit", (event) => {
    event.preventDefault();
    loadLoans();
  });
  $("#reservation-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const { book, member } = formValues(event.target);
    busy($("#reservation-create"), () => reserve(book, member));
  });
  // Someone else acted: refresh what their event touched.
  window.addEventListener("circulate:event", (event) => {
    const type = String(event.detail?.type || "");
    if (type.startsWith("book.")) Promise.all([loadBooks(state.booksUrl), loadBookChoices()]);
    if (type.startsWith("member.")) loadMembers();
    if (type.startsWith("loan.") || type.startsWith("reservation.")) afterCirculation();
  });
}

if (requireSignIn()) {
  wire();
  await loadAuthors();
  await Promise.all([loadBooks(), loadBookChoices(), loadMembers(), loadLoans(), loadReservations(), loadTiers()]);
  document.body.dataset.ready = "true";
}
