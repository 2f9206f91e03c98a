// The catalogue tab: the paged book list with its filters, likes, holds, and (for librarians
// and whoever added a book) editing. Every answer shows in the book's row.

import { api, query } from "./api.js";
import { PagedTable } from "./paged-table.js";
import { $, actionButton, answer, busy, formValues, h } from "./ui.js";

const BASE = "/api/library";

export function authorNames(book) {
  return (book.authors || []).map((author) => author.name).join(", ");
}

export function setUp({ user, librarian, desk }) {
  const chosenAuthors = new Map(); // id -> name, for the book form
  const table = new PagedTable($('[data-table="books"]'), {
    path: `${BASE}/books/`,
    row: bookRow,
    empty: "No books match.",
  });

  const canEdit = (book) => librarian || book.added_by === user?.id;

  async function refreshBook(book, result, success) {
    table.note(book.id, result, success);
    const fresh = await api("GET", `${BASE}/books/${book.id}/`);
    if (fresh.ok) table.updateRow(fresh.data);
    else await table.reload();
  }

  function bookRow(book) {
    const available = book.copies_available > 0;
    const liked = Boolean(book.liked_by_me);
    return h(
      "tr",
      {},
      h("td", {}, h("strong", {}, book.title), book.year ? h("span", { class: "muted" }, ` (${book.year})`) : null),
      h("td", {}, authorNames(book) || h("span", { class: "muted" }, "—")),
      h("td", { class: "optional" }, book.isbn),
      h(
        "td",
        { class: "nowrap" },
        `${book.copies_available} / ${book.copies_total} `,
        h("span", { class: `tag ${available ? "yes" : "no"}` }, available ? "available" : "all out"),
      ),
      h(
        "td",
        { class: "nowrap" },
        h("span", { class: "likes-count", "aria-label": `${book.likes_count} likes` }, String(book.likes_count)),
        " ",
        actionButton(liked ? "Unlike" : "Like", (node) => toggleLike(book, node), {
          class: "small secondary like",
          "aria-pressed": liked ? "true" : "false",
          "aria-label": `${liked ? "Unlike" : "Like"} ${book.title}`,
        }),
      ),
      h(
        "td",
        { class: "actions" },
        librarian
          ? actionButton("Lend", () => desk.prepareIssue(book.isbn), { "aria-label": `Lend ${book.title} at the desk` })
          : actionButton("Reserve", (node) => reserve(book, node), { "aria-label": `Reserve ${book.title}` }),
        canEdit(book) ? actionButton("Edit", () => edit(book), { "aria-label": `Edit ${book.title}` }) : null,
        h("a", { class: "button small secondary", href: `/library/relations/?book=${book.id}` }, "Relations"),
        h("a", { class: "button small secondary", href: `/partners/?book=${book.id}`, "aria-label": `${book.title} at partner branches` }, "At branches"),
        canEdit(book)
          ? actionButton("Delete", (node) => remove(book, node), { class: "small danger", "aria-label": `Delete ${book.title}` })
          : null,
      ),
    );
  }

  async function toggleLike(book) {
    const result = await api(book.liked_by_me ? "DELETE" : "POST", `${BASE}/books/${book.id}/like/`);
    await refreshBook(book, result, book.liked_by_me ? `You no longer like “${book.title}”.` : `You like “${book.title}”.`);
  }

  async function reserve(book) {
    const result = await api("POST", `${BASE}/reservations/`, { book: book.id });
    const ready = result.data?.status === "ready";
    const place = result.data?.position ? ` You are number ${result.data.position} in the queue.` : "";
    await refreshBook(book, result, ready ? `Reserved: a copy is set aside for you (see My holds).` : `Reserved.${place}`);
  }

  async function remove(book) {
    const result = await api("DELETE", `${BASE}/books/${book.id}/`);
    if (result.ok) {
      table.announce(result, `“${book.title}” removed from the catalogue.`);
      await table.reload();
    } else {
      table.note(book.id, result);
      table.updateRow(book);
    }
  }

  // --- the book form: add, or edit one book ----------------------------------------------------

  const form = $("#book-form");
  const editor = $("#book-editor");

  function renderAuthorChoices(found = []) {
    const seen = new Set(chosenAuthors.keys());
    const choices = [
      ...[...chosenAuthors].map(([id, name]) => ({ id, name, checked: true })),
      ...found.filter((author) => !seen.has(author.id)).map((author) => ({ ...author, checked: false })),
    ];
    $("#book-authors-choices").replaceChildren(
      ...(choices.length
        ? choices.map((author) => {
            const box = h("input", { type: "checkbox", value: String(author.id), checked: author.checked });
            box.addEventListener("change", () => {
              if (box.checked) chosenAuthors.set(author.id, author.name);
              else chosenAuthors.delete(author.id);
            });
            return h("label", { class: "check" }, box, author.name);
          })
        : [h("span", { class: "muted" }, "No author chosen.")]),
    );
  }

  let searchTimer = null;
  $("#book-author-search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    const text = event.target.value.trim();
    searchTimer = setTimeout(async () => {
      if (!text) return renderAuthorChoices();
      const result = await api("GET", `${BASE}/authors/${query({ search: text, page_size: 10 })}`);
      renderAuthorChoices(result.ok ? result.data.results : []);
    }, 250);
  });

  function edit(book) {
    for (const field of ["id", "title", "isbn", "year", "copies_total", "description"]) form.elements[field].value = book[field] ?? "";
    chosenAuthors.clear();
    for (const author of book.authors || []) chosenAuthors.set(author.id, author.name);
    renderAuthorChoices();
    $("#book-form-title").textContent = `Edit “${book.title}”`;
    $("#book-save").textContent = "Save the book";
    $("#book-cancel").hidden = false;
    editor.open = true;
    form.elements.title.focus();
  }

  function resetForm() {
    form.reset();
    form.elements.id.value = "";
    chosenAuthors.clear();
    renderAuthorChoices();
    $("#book-form-title").textContent = "Add a book";
    $("#book-save").textContent = "Add the book";
    $("#book-cancel").hidden = true;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const body = {
      title: values.title,
      isbn: values.isbn,
      year: values.year === "" ? null : Number(values.year),
      copies_total: Number(values.copies_total),
      description: values.description,
      authors: [...chosenAuthors.keys()],
    };
    const id = values.id;
    const button = $("#book-save");
    const result = await busy(button, () => (id ? api("PATCH", `${BASE}/books/${id}/`, body) : api("POST", `${BASE}/books/`, body)));
    answer(button, result, id ? `“${body.title}” saved.` : `“${body.title}” added.`);
    if (result.ok) {
      resetForm();
      await table.reload();
    }
  });
  $("#book-cancel").addEventListener("click", resetForm);
  renderAuthorChoices();

  return {
    load: () => table.load(),
    filterByAuthor(authorId) {
      table.setFilter("author", authorId);
      if (table.loaded) table.load();
    },
    onEvent(type) {
      if (type.startsWith("book.") || type.startsWith("loan.") || type.startsWith("reservation.")) table.reload();
    },
  };
}
