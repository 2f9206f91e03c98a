// Partner branches: find a book's copies at other branches and reserve there; your reservations
// (everyone's for librarians) with cancel; the branches with their health; the call log (staff).

import { api } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { renderPartnerPanel } from "./partners-panel.js";
import { hasRole, isStaff, loadProfile, showFor } from "./roles.js";
import { setUpTabs } from "./tabs.js";
import { $, actionButton, h, requireSignIn, when } from "./ui.js";

function setUpFind(context) {
  const panel = $("#partner-panel");
  async function show(book) {
    $("#partner-book-title").textContent = `${book.title} (ISBN ${book.isbn})`;
    await renderPartnerPanel(panel, book.id, { user: context.user, onReserved: () => context.reservations?.reload() });
  }
  const books = new PagedTable($('[data-table="partner-books"]'), {
    path: "/api/library/books/",
    empty: "No book matches.",
    pageSize: 5,
    row: (book) =>
      h(
        "tr",
        { dataset: { id: book.id } },
        h("td", {}, h("strong", {}, book.title)),
        h("td", {}, book.isbn),
        h("td", { class: "actions" }, actionButton("Show branches", () => show(book), { "aria-label": `Show ${book.title} at the branches` })),
      ),
  });
  async function load() {
    await books.load();
    const wanted = new URLSearchParams(window.location.search).get("book");
    if (wanted && /^\d+$/.test(wanted)) {
      const result = await api("GET", `/api/library/books/${wanted}/`);
      if (result.ok) await show(result.data);
    }
  }
  return { find: { load } };
}

function setUpReservations(context) {
  const table = new PagedTable($('[data-table="partner-reservations"]'), {
    path: "/api/partners/reservations/",
    empty: "No reservation at a partner branch yet.",
    row: (reservation) =>
      h(
        "tr",
        { dataset: { id: reservation.id } },
        h("td", {}, reservation.book.title),
        h("td", {}, reservation.branch.name),
        context.librarian ? h("td", {}, reservation.member.name) : h("td", {}, "you"),
        h("td", {}, h("span", { class: `tag ${reservation.status}` }, reservation.status), reservation.pickup_until ? ` · collect by ${when(reservation.pickup_until)}` : ""),
        h(
          "td",
          { class: "actions" },
          ["requested", "pending", "ready"].includes(reservation.status)
            ? actionButton(
                "Cancel",
                async () => {
                  const result = await api("POST", `/api/partners/reservations/${reservation.id}/cancel/`);
                  table.note(reservation.id, result, "Cancelled; the copy goes back on the branch's shelf.");
                  if (result.ok) table.updateRow(result.data);
                  else table.reload();
                },
                { "aria-label": `Cancel ${reservation.book.title} at ${reservation.branch.name}` },
              )
            : null,
        ),
      ),
  });
  context.reservations = table;
  return {
    reservations: {
      load: () => table.load(),
      onEvent: (type) => type.startsWith("partner_reservation.") && table.reload(),
    },
  };
}

function setUpBranches() {
  const table = new PagedTable($('[data-table="partner-branches"]'), {
    path: "/api/partners/branches/",
    empty: "No partner branch is registered.",
    row: (branch) =>
      h(
        "tr",
        { dataset: { id: branch.id } },
        h("td", {}, h("strong", {}, branch.name), h("span", { class: "muted" }, ` · ${branch.code}`)),
        h("td", {}, h("span", { class: `tag ${branch.healthy ? "yes" : "no"}` }, branch.healthy ? "healthy" : "failing"), ` breaker ${branch.breaker}`),
        h("td", {}, branch.last_error || "—"),
        h("td", {}, when(branch.last_refresh_at)),
      ),
  });
  return { branches: { load: () => table.load() } };
}

function setUpCalls(context) {
  if (!context.staff) return {};
  const table = new PagedTable($('[data-table="partner-calls"]'), {
    path: "/api/partners/calls/",
    empty: "No call to a branch yet.",
    row: (call) =>
      h(
        "tr",
        { dataset: { id: call.id } },
        h("td", {}, when(call.created_at)),
        h("td", {}, h("code", {}, `${call.method} ${call.url}`)),
        h("td", {}, call.status === null ? "no answer" : String(call.status)),
        h("td", {}, `${call.duration_ms} ms · attempt ${call.attempt}`),
        h("td", {}, call.error || "—"),
      ),
  });
  return { calls: { load: () => table.load() } };
}

async function start() {
  const user = await loadProfile();
  const main = document.querySelector("main");
  showFor(user, main);
  const context = { user, librarian: hasRole(user, "librarian"), staff: hasRole(user, "librarian") || isStaff(user) };
  const sections = { ...setUpFind(context), ...setUpReservations(context), ...setUpBranches(), ...setUpCalls(context) };
  let first = null;
  const shown = new Set();
  setUpTabs(main.querySelector(".tabs"), {
    onShow(name) {
      shown.add(name);
      const loading = sections[name]?.load();
      first ??= loading;
    },
  });
  window.addEventListener("circulate:event", (event) => {
    const type = String(event.detail?.type || "");
    for (const name of shown) sections[name]?.onEvent?.(type, event.detail);
  });
  await first;
  document.body.dataset.ready = "true";
}

if (requireSignIn()) await start();
