"""The catalogue cache: a page or a book is kept for every caller, and every change forgets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.core.services import restore
from circulate.core.testing import cache_reads
from circulate.library import catalogue_cache, services
from circulate.library.models import Book, Loan
from circulate.library.tests.factories import AuthorFactory, BookFactory, make_librarian, member_with_card

API = "/api/library"


@pytest.fixture(autouse=True)
def _read_cache_on(settings: Any) -> None:
    """On, as with Redis; the suite's in-process memory cache is shared by everything a test runs."""
    settings.READ_CACHE_SECONDS = 30


pytestmark = pytest.mark.django_db


def _row(client: Any, book: Book) -> dict[str, Any]:
    """The book as the list shows it (the default order) and as its detail does; both must agree."""
    listed = {row["id"]: row for row in client.get(f"{API}/books/").json()["results"]}[book.pk]
    detail = client.get(f"{API}/books/{book.pk}/").json()
    assert listed == detail
    return detail


def _issue(librarian: Any, book: Book, borrower: Any) -> None:
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=borrower.pk)


def _return(librarian: Any, book: Book, borrower: Any) -> None:
    loan = Loan.objects.get(book=book, member=borrower, returned_at__isnull=True)
    services.return_loan(actor=librarian, loan_id=loan.pk)


def _rename_author(librarian: Any, book: Book, borrower: Any) -> None:
    services.update_author(actor=librarian, author_id=book.authors.get().pk, name="Renamed Author")


def _remove_author(librarian: Any, book: Book, borrower: Any) -> None:
    services.delete_author(actor=librarian, author_id=book.authors.get().pk)


def _edit(librarian: Any, book: Book, borrower: Any) -> None:
    services.update_book(actor=librarian, book_id=book.pk, title="A New Title", copies_total=5)


def _like(librarian: Any, book: Book, borrower: Any) -> None:
    services.like_book(actor=borrower.user, book_id=book.pk)


def _unlike(librarian: Any, book: Book, borrower: Any) -> None:
    services.unlike_book(actor=borrower.user, book_id=book.pk)


def _nothing(librarian: Any, book: Book, borrower: Any) -> None:
    pass


# name: (what was true before the reader's first read, the change, what the reader must see after it)
CHANGES: dict[str, tuple[Callable[..., None], Callable[..., None], dict[str, Any]]] = {
    "a loan takes a copy": (_nothing, _issue, {"copies_available": 1}),
    "a returned copy is back": (_issue, _return, {"copies_available": 2}),
    "the author is renamed": (_nothing, _rename_author, {"authors": ["Renamed Author"]}),
    "the author is removed": (_nothing, _remove_author, {"authors": []}),
    "the book is edited": (_nothing, _edit, {"title": "A New Title", "copies_total": 5, "copies_available": 5}),
    "another member likes it": (_nothing, _like, {"likes_count": 1, "liked_by_me": False}),
    "a like is taken back": (_like, _unlike, {"likes_count": 0}),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_through_the_services_shows_at_once(auth_client, change: str) -> None:
    # given a book, read (and so kept in the cache) by a reader
    librarian = make_librarian()
    borrower = member_with_card(UserFactory())
    book = BookFactory(title="Kept Book", copies_total=2, copies_available=2, authors=[AuthorFactory(name="Ann")])
    given, apply, expected = CHANGES[change]
    given(librarian, book, borrower)
    reader = auth_client(UserFactory())
    before = _row(reader, book)
    # when the change is made
    apply(librarian, book, borrower)
    # then the reader's next read shows it, in the list and in the detail
    after = _row(reader, book)
    for field, value in expected.items():
        shown = [author["name"] for author in after["authors"]] if field == "authors" else after[field]
        assert shown == value, field
    assert any(before[field] != after[field] for field in expected)


def test_a_removed_book_leaves_the_kept_list_and_detail_and_comes_back_restored(auth_client) -> None:
    # given a book read by a reader
    librarian = make_librarian()
    book = BookFactory(title="Kept Book")
    reader = auth_client(UserFactory())
    _row(reader, book)
    # when a librarian removes it
    services.delete_book(actor=librarian, book_id=book.pk)
    # then it is gone from both
    assert reader.get(f"{API}/books/").json()["results"] == []
    assert reader.get(f"{API}/books/{book.pk}/").status_code == 404
    # and once restored (a conditional UPDATE, no post_save) it is back
    restore(instance=Book.all_objects.get(pk=book.pk))
    assert _row(reader, book)["title"] == "Kept Book"


def test_liked_by_me_is_each_callers_own_over_one_kept_page(auth_client) -> None:
    # given a page kept after a first reader saw it, and a second reader who likes a book on it
    book, other = BookFactory(title="A"), BookFactory(title="B")
    alice, bob = UserFactory(), UserFactory()
    services.like_book(actor=bob, book_id=book.pk)
    alice_client, bob_client = auth_client(alice), auth_client(bob)
    alice_page = alice_client.get(f"{API}/books/").json()["results"]
    # when the second reader reads the same page
    bob_page = bob_client.get(f"{API}/books/").json()["results"]
    # then each sees their own likes over the same rows
    assert [(row["id"], row["liked_by_me"]) for row in alice_page] == [(book.pk, False), (other.pk, False)]
    assert [(row["id"], row["liked_by_me"]) for row in bob_page] == [(book.pk, True), (other.pk, False)]
    assert bob_client.get(f"{API}/books/{book.pk}/").json()["liked_by_me"] is True
    assert alice_client.get(f"{API}/books/{book.pk}/").json()["liked_by_me"] is False


def test_a_page_built_while_the_catalogue_changes_is_not_kept() -> None:
    # given a build that sees the catalogue change while it runs (a concurrent writer)
    builds: list[int] = []

    def build() -> dict[str, Any]:
        builds.append(1)
        if len(builds) == 1:
            catalogue_cache.changed()
        return {"n": len(builds)}

    # when the same URL is asked three times
    answers = [catalogue_cache.CATALOGUE.shared("http://testserver/x", build) for _ in range(3)]
    # then the first answer was not kept, the second was, and the third came from the cache
    assert answers == [{"n": 1}, {"n": 2}, {"n": 2}]
    assert len(builds) == 2


def test_a_bad_filter_stays_a_400(auth_client) -> None:
    client = auth_client(UserFactory())
    for _ in range(2):
        response = client.get(f"{API}/books/", {"ordering": "nonsense"})
        assert response.status_code == 400
        assert "ordering" in response.json()["errors"]


def test_with_the_cache_off_every_read_is_built(auth_client, settings, django_assert_num_queries) -> None:
    settings.READ_CACHE_SECONDS = 0
    BookFactory()
    client = auth_client(UserFactory())
    client.get(f"{API}/books/")
    # auth user, count, page, authors prefetch, the caller's likes
    with django_assert_num_queries(5):
        client.get(f"{API}/books/")


def test_a_callers_own_like_and_a_member_moved_to_another_account_show_at_once(auth_client) -> None:
    # given a reader who has read a book (page, detail and their likes kept)
    librarian = make_librarian()
    book = BookFactory()
    alice, bob = UserFactory(), UserFactory()
    alice_client, bob_client = auth_client(alice), auth_client(bob)
    assert _row(alice_client, book)["liked_by_me"] is False
    # when she likes it over the API, then her next read says so
    alice_client.post(f"{API}/books/{book.pk}/like/")
    assert _row(alice_client, book)["liked_by_me"] is True
    assert _row(bob_client, book)["liked_by_me"] is False
    # when a librarian moves her member record (and its like) to Bob's account
    member = services.get_or_create_member_for_user(user=alice)
    services.update_member(actor=librarian, member_id=member.pk, user=bob)
    # then the like is Bob's at once, and no longer hers
    assert _row(bob_client, book)["liked_by_me"] is True
    assert _row(alice_client, book)["liked_by_me"] is False


@pytest.mark.parametrize("path", ["/books/", "/books/{pk}/"], ids=["list", "detail"])
def test_a_kept_answer_the_callers_row_and_likes_come_in_one_read_of_the_cache(
    auth_client, django_assert_num_queries, path: str
) -> None:
    # given a page or book read once (kept, with the caller's row and likes)
    book = BookFactory()
    client = auth_client(UserFactory())
    url = API + path.format(pk=book.pk)
    first = client.get(url).json()
    # when it is read again
    with cache_reads() as reads, django_assert_num_queries(0):
        again = client.get(url).json()
    # then one read of the cache brought everything: the accounts' generation, the caller's row, the
    # catalogue's generation, the answer and the likes; and nothing was asked of the database
    assert again == first
    assert [len(keys) for keys in reads] == [5]
