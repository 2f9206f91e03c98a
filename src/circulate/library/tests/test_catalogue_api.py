"""Authors and books over the API: CRUD, who may change what, search, filters, ordering, likes, query counts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, transaction
from PIL import Image

from circulate.accounts.tests.factories import UserFactory
from circulate.library import search, services
from circulate.library.models import Book, Like
from circulate.library.tests.factories import AuthorFactory, BookFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db

API = "/api/library"


# --- Authors ----------------------------------------------------------------------------------------


def test_any_member_adds_authors_but_only_librarians_rename_or_remove(auth_client) -> None:
    # given
    member = auth_client(UserFactory())
    librarian = auth_client(make_librarian())
    # when
    created = member.post(f"{API}/authors/", {"name": "Mary Shelley"})
    renamed_by_member = member.patch(f"{API}/authors/{created.json()['id']}/", {"name": "M. Shelley"})
    renamed = librarian.put(f"{API}/authors/{created.json()['id']}/", {"name": "Mary W. Shelley"})
    removed = librarian.delete(f"{API}/authors/{created.json()['id']}/")
    # then
    assert created.status_code == 201
    assert renamed_by_member.status_code == 403
    assert renamed.json()["name"] == "Mary W. Shelley"
    assert removed.status_code == 204
    assert member.get(f"{API}/authors/{created.json()['id']}/").status_code == 404


def test_authors_are_searched_and_ordered(auth_client) -> None:
    # given
    AuthorFactory(name="Jane Austen")
    AuthorFactory(name="Charlotte Bronte")
    AuthorFactory(name="Emily Bronte")
    client = auth_client(UserFactory())
    # when
    found = client.get(f"{API}/authors/", {"search": "bront", "ordering": "-name"}).json()
    # then
    assert [a["name"] for a in found["results"]] == ["Emily Bronte", "Charlotte Bronte"]


def test_lists_need_a_signed_in_user(api_client) -> None:
    response = api_client.get(f"{API}/books/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- Books: writes and permissions ------------------------------------------------------------------


def test_a_member_adds_a_book_and_edits_only_their_own(auth_client) -> None:
    # given
    alice, bob = UserFactory(), UserFactory()
    author = AuthorFactory()
    # when
    created = auth_client(alice).post(
        f"{API}/books/", {"title": "Frankenstein", "isbn": "978-0-306-40615-7", "authors": [author.pk], "year": 1818}
    )
    book_id = created.json()["id"]
    own_edit = auth_client(alice).patch(f"{API}/books/{book_id}/", {"description": "A modern Prometheus."})
    other_edit = auth_client(bob).patch(f"{API}/books/{book_id}/", {"title": "Mine now"})
    other_delete = auth_client(bob).delete(f"{API}/books/{book_id}/")
    # then
    assert created.status_code == 201
    body = created.json()
    assert body["added_by"] == alice.pk
    assert (body["copies_total"], body["copies_available"], body["is_available"]) == (1, 1, True)
    assert own_edit.status_code == 200
    assert own_edit.json()["description"] == "A modern Prometheus."
    assert other_edit.status_code == 403
    assert other_edit.json()["code"] == "permission_denied"
    assert other_delete.status_code == 403


def test_librarian_edits_and_soft_deletes_any_book(auth_client) -> None:
    # given
    book = BookFactory(added_by=UserFactory())
    librarian = auth_client(make_librarian())
    # when
    edited = librarian.put(f"{API}/books/{book.pk}/", {"title": "Renamed", "isbn": book.isbn, "copies_total": 3})
    deleted = librarian.delete(f"{API}/books/{book.pk}/")
    # then
    assert edited.status_code == 200
    assert (edited.json()["copies_total"], edited.json()["copies_available"]) == (3, 3)
    assert deleted.status_code == 204
    assert librarian.get(f"{API}/books/{book.pk}/").status_code == 404
    assert Book.all_objects.get(pk=book.pk).is_active is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "X", "isbn": "9780306406158"}, "isbn"),
        ({"title": "", "isbn": "9780306406157"}, "title"),
        ({"title": "X", "isbn": "9780306406157", "copies_total": 0}, "copies_total"),
        ({"title": "X", "isbn": "9780306406157", "authors": [999999]}, "authors"),
        ({"title": "X", "isbn": "9780306406157", "year": "soon"}, "year"),
    ],
)
def test_bad_book_input_is_a_400_naming_the_field(auth_client, payload: dict, field: str) -> None:
    response = auth_client(UserFactory()).post(f"{API}/books/", payload)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_an_isbn_is_unique_among_active_books_only(auth_client) -> None:
    # given an active book and a removed one
    client = auth_client(make_librarian())
    first = client.post(f"{API}/books/", {"title": "One", "isbn": "0306406152"}).json()
    # when the same ISBN (as ISBN-13) is added again, then after the first is removed
    duplicate = client.post(f"{API}/books/", {"title": "Two", "isbn": "9780306406157"})
    client.delete(f"{API}/books/{first['id']}/")
    after_removal = client.post(f"{API}/books/", {"title": "Three", "isbn": "9780306406157"})
    # then
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "isbn_taken"
    assert duplicate.json()["errors"] == {"isbn": ["A book with ISBN 9780306406157 is already in the catalogue."]}
    assert after_removal.status_code == 201


def test_the_database_refuses_a_second_active_isbn_and_more_available_than_total() -> None:
    # given
    book = BookFactory(copies_total=2)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        BookFactory(isbn=book.isbn)
    with pytest.raises(IntegrityError), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(copies_available=3)
    # (MariaDB's unsigned column refuses a negative number before the check constraint: a DataError)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Book.objects.filter(pk=book.pk).update(copies_available=-1)


def test_copies_total_cannot_drop_below_the_copies_on_loan(auth_client) -> None:
    # given two copies, one on loan
    librarian_user = make_librarian()
    book = BookFactory(copies_total=2)
    services.issue_loan(actor=librarian_user, book_id=book.pk, member_id=member_with_card().pk)
    client = auth_client(librarian_user)
    # when
    too_few = client.patch(f"{API}/books/{book.pk}/", {"copies_total": 0})
    one = client.patch(f"{API}/books/{book.pk}/", {"copies_total": 1})
    delete = client.delete(f"{API}/books/{book.pk}/")
    # then
    assert too_few.status_code == 400  # copies_total must be at least 1
    assert one.status_code == 200
    assert (one.json()["copies_total"], one.json()["copies_available"]) == (1, 0)
    assert delete.status_code == 409
    assert delete.json()["code"] == "copies_on_loan"


def test_lowering_copies_below_those_on_loan_is_a_conflict(auth_client) -> None:
    # given three copies, two on loan
    librarian_user = make_librarian()
    book = BookFactory(copies_total=3)
    for _ in range(2):
        services.issue_loan(actor=librarian_user, book_id=book.pk, member_id=member_with_card().pk)
    # when
    response = auth_client(librarian_user).patch(f"{API}/books/{book.pk}/", {"copies_total": 1})
    # then
    assert response.status_code == 409
    assert response.json()["errors"] == {
        "copies_total": ["2 copies are on loan or set aside for pickup; copies_total cannot go below 2."]
    }


def test_unknown_and_malformed_book_ids_are_json_404s(auth_client) -> None:
    client = auth_client(UserFactory())
    assert client.get(f"{API}/books/999999/").json()["code"] == "not_found"
    response = client.get(f"{API}/books/abc/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "books/?author=99999999999999999999999",
        "books/?added_by=0",
        "loans/?member=-230836869537956541851477475328",
        "loans/?book=abc",
        "reservations/?book=99999999999999999999999",
        "reservations/?member=1.5",
    ],
)
def test_id_filters_out_of_range_or_not_whole_numbers_are_400s(auth_client, path: str) -> None:
    # given a librarian, who may list everything
    client = auth_client(make_librarian())
    # when
    response = client.get(f"{API}/{path}")
    # then the parameter is named, and the database never sees the value
    assert response.status_code == 400
    parameter = path.split("?")[1].split("=")[0]
    assert list(response.json()["errors"]) == [parameter]


# --- Books: search, filters, ordering -------------------------------------------------------------------


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_search_matches_title_author_and_isbn(auth_client) -> None:
    # given
    tolkien = AuthorFactory(name="J. R. R. Tolkien")
    BookFactory(title="The Hobbit", authors=[tolkien])
    BookFactory(title="Dune", isbn="9780441172719")
    BookFactory(title="Hobbies for Beginners")
    BookFactory(title="Unrelated")
    client = auth_client(UserFactory())
    # when / then
    assert _titles(client.get(f"{API}/books/", {"search": "hobb"})) == ["Hobbies for Beginners", "The Hobbit"]
    assert _titles(client.get(f"{API}/books/", {"search": "tolkien"})) == ["The Hobbit"]
    assert _titles(client.get(f"{API}/books/", {"search": "978-0-441-17271-9"})) == ["Dune"]
    assert _titles(client.get(f"{API}/books/", {"search": "0441172717"})) == ["Dune"]
    assert _titles(client.get(f"{API}/books/", {"search": "97804411"})) == ["Dune"]


@pytest.mark.parametrize("sort_matches_up_to", [2, 5_000])
def test_search_results_keep_the_requested_order_however_many_match(
    auth_client, monkeypatch: pytest.MonkeyPatch, sort_matches_up_to: int
) -> None:
    # given matches above and below the threshold between sorting matches and walking an index
    monkeypatch.setattr(search, "SORT_MATCHES_UP_TO", sort_matches_up_to)
    for title, likes in [("Moon B", 1), ("Moon A", 3), ("Moon C", 2), ("Sun", 9)]:
        Book.objects.filter(pk=BookFactory(title=title).pk).update(likes_count=likes)
    client = auth_client(UserFactory())
    # when / then
    assert _titles(client.get(f"{API}/books/", {"search": "moon"})) == ["Moon A", "Moon B", "Moon C"]
    assert _titles(client.get(f"{API}/books/", {"search": "moon", "ordering": "-likes_count"})) == [
        "Moon A",
        "Moon C",
        "Moon B",
    ]
    assert _titles(client.get(f"{API}/books/", {"search": "moon", "ordering": "-created_at"})) == [
        "Moon C",
        "Moon A",
        "Moon B",
    ]
    assert _titles(client.get(f"{API}/books/", {"search": "moon", "ordering": "year"})) == [
        "Moon A",
        "Moon B",
        "Moon C",
    ]


def test_search_wants_every_word_and_short_words_at_a_word_start(auth_client) -> None:
    # given
    BookFactory(title="The Hobbit", authors=[AuthorFactory(name="J. R. R. Tolkien")])
    BookFactory(title="Hobbies for Beginners", authors=[AuthorFactory(name="Ming Xu")])
    BookFactory(title="Luxury Hotels")
    client = auth_client(UserFactory())
    # when / then
    assert _titles(client.get(f"{API}/books/", {"search": "tolkien  HOBBIT"})) == ["The Hobbit"]
    assert _titles(client.get(f"{API}/books/", {"search": "hobbit beginners"})) == []
    assert _titles(client.get(f"{API}/books/", {"search": "ho"})) == [
        "Hobbies for Beginners",
        "Luxury Hotels",
        "The Hobbit",
    ]
    assert _titles(client.get(f"{API}/books/", {"search": "xu"})) == ["Hobbies for Beginners"]
    assert _titles(client.get(f"{API}/books/", {"search": "bb"})) == []
    assert _titles(client.get(f"{API}/books/", {"search": "100%"})) == []


def test_filters_by_availability_and_author(auth_client) -> None:
    # given
    author = AuthorFactory()
    BookFactory(title="On the shelf", authors=[author])
    BookFactory(title="All out", copies_total=1, copies_available=0)
    client = auth_client(UserFactory())
    # when / then
    assert _titles(client.get(f"{API}/books/", {"available": "true"})) == ["On the shelf"]
    assert _titles(client.get(f"{API}/books/", {"available": "false"})) == ["All out"]
    assert _titles(client.get(f"{API}/books/", {"author": author.pk})) == ["On the shelf"]
    assert client.get(f"{API}/books/", {"available": "maybe"}).status_code == 400
    assert client.get(f"{API}/books/", {"author": "x"}).status_code == 400


def test_ordering_by_title_newest_and_likes(auth_client) -> None:
    # given
    b = BookFactory(title="B")
    BookFactory(title="A")
    c = BookFactory(title="C")
    Book.objects.filter(pk=c.pk).update(likes_count=5)
    Book.objects.filter(pk=b.pk).update(likes_count=2)
    client = auth_client(UserFactory())
    # when / then
    assert _titles(client.get(f"{API}/books/")) == ["A", "B", "C"]
    assert _titles(client.get(f"{API}/books/", {"ordering": "title"})) == ["A", "B", "C"]
    assert _titles(client.get(f"{API}/books/", {"ordering": "-created_at"})) == ["C", "A", "B"]
    assert _titles(client.get(f"{API}/books/", {"ordering": "-likes_count"})) == ["C", "B", "A"]
    bad = client.get(f"{API}/books/", {"ordering": "isbn"})
    assert bad.status_code == 400
    assert "ordering" in bad.json()["errors"]


@pytest.mark.parametrize("rows", [2, 10])
def test_book_list_runs_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, settings, rows: int
) -> None:
    settings.READ_CACHE_SECONDS = 30  # the catalogue cache on, as with Redis
    # given books with two authors each, some liked by the caller
    user = UserFactory()
    authors = [AuthorFactory(), AuthorFactory()]
    books = [BookFactory(authors=authors) for _ in range(rows)]
    services.like_book(actor=user, book_id=books[0].pk)
    client = auth_client(user)
    query = {"search": "book", "ordering": "-likes_count"}
    # when / then: auth user and its roles (both kept: accounts.authentication), capped count of
    # matches, count, page, authors prefetch, the caller's likes
    with django_assert_num_queries(7):
        response = client.get(f"{API}/books/", query)
    assert len(response.json()["results"]) == rows
    assert response.json()["results"][0]["liked_by_me"] is True
    # and the same page again comes from the cache, the caller's likes and user row with it: no query
    with django_assert_num_queries(0):
        again = client.get(f"{API}/books/", query)
    assert again.json() == response.json()


# --- Likes ---------------------------------------------------------------------------------------------


def test_like_and_unlike_are_idempotent_and_per_user(auth_client) -> None:
    # given
    book = BookFactory()
    alice, bob = auth_client(UserFactory()), auth_client(UserFactory())
    # when
    alice.post(f"{API}/books/{book.pk}/like/")
    twice = alice.post(f"{API}/books/{book.pk}/like/").json()
    seen_by_bob = bob.get(f"{API}/books/{book.pk}/").json()
    bob.post(f"{API}/books/{book.pk}/like/")
    alice.delete(f"{API}/books/{book.pk}/like/")
    after_unlike = alice.delete(f"{API}/books/{book.pk}/like/").json()
    again = alice.post(f"{API}/books/{book.pk}/like/").json()
    # then
    assert (twice["likes_count"], twice["liked_by_me"]) == (1, True)
    assert (seen_by_bob["likes_count"], seen_by_bob["liked_by_me"]) == (1, False)
    assert (after_unlike["likes_count"], after_unlike["liked_by_me"]) == (1, False)
    assert (again["likes_count"], again["liked_by_me"]) == (2, True)
    assert Like.all_objects.filter(book=book).count() == 2


def test_liking_an_unknown_book_is_404(auth_client) -> None:
    assert auth_client(UserFactory()).post(f"{API}/books/424242/like/").status_code == 404


def test_search_follows_author_renames_and_removals(auth_client) -> None:
    # given a book whose author is renamed, then removed
    librarian_user = make_librarian()
    author = AuthorFactory(name="Mary Westmacott")
    BookFactory(title="Giant's Bread", authors=[author])
    client = auth_client(librarian_user)
    # when / then
    client.patch(f"{API}/authors/{author.pk}/", {"name": "Agatha Christie"})
    assert _titles(client.get(f"{API}/books/", {"search": "christie"})) == ["Giant's Bread"]
    assert _titles(client.get(f"{API}/books/", {"search": "westmacott"})) == []
    client.delete(f"{API}/authors/{author.pk}/")
    assert _titles(client.get(f"{API}/books/", {"search": "christie"})) == []
    book = client.get(f"{API}/books/", {"search": "giant"}).json()["results"][0]
    assert book["authors"] == []


def test_search_follows_book_edits(auth_client) -> None:
    # given
    user = UserFactory()
    client = auth_client(user)
    book = client.post(f"{API}/books/", {"title": "Working Title", "isbn": "9780306406157"}).json()
    author = AuthorFactory(name="Ann Leckie")
    # when
    client.patch(f"{API}/books/{book['id']}/", {"title": "Ancillary Justice", "authors": [author.pk]})
    # then
    assert _titles(client.get(f"{API}/books/", {"search": "leckie"})) == ["Ancillary Justice"]
    assert _titles(client.get(f"{API}/books/", {"search": "working"})) == []


def test_fields_left_out_of_a_put_keep_their_value(auth_client) -> None:
    # given
    client = auth_client(make_librarian())
    book = client.post(
        f"{API}/books/", {"title": "Kept", "isbn": "9780306406157", "copies_total": 4, "year": 1999}
    ).json()
    # when
    updated = client.put(f"{API}/books/{book['id']}/", {"title": "Kept, revised", "isbn": "9780306406157"}).json()
    # then
    assert (updated["title"], updated["copies_total"], updated["year"]) == ("Kept, revised", 4, 1999)


def test_a_cover_image_is_uploaded_with_multipart(auth_client, settings, tmp_path) -> None:
    # given a small PNG
    settings.MEDIA_ROOT = str(tmp_path)
    image = io.BytesIO()
    Image.new("RGB", (4, 6), "teal").save(image, format="PNG")
    upload = SimpleUploadedFile("cover.png", image.getvalue(), content_type="image/png")
    not_an_image = SimpleUploadedFile("cover.png", b"plain text", content_type="image/png")
    client = auth_client(UserFactory())
    # when
    created = client.post(
        f"{API}/books/", {"title": "Covered", "isbn": "9780306406157", "cover": upload}, format="multipart"
    )
    refused = client.post(
        f"{API}/books/", {"title": "Fake", "isbn": "9780141036144", "cover": not_an_image}, format="multipart"
    )
    # then
    assert created.status_code == 201, created.json()
    assert created.json()["cover"].startswith("http://testserver/media/library/covers/cover")
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"cover"}


def test_a_scanned_isbn_finds_its_book_and_a_card_number_its_member(auth_client) -> None:  # type: ignore[no-untyped-def]
    # given a book known by its ISBN-13 and a member known by their card number
    librarian = make_librarian()
    book = BookFactory(isbn="9780553383041")
    BookFactory()
    member = member_with_card()
    member_with_card()
    client = auth_client(librarian)
    # when / then: the ISBN-10 form, with hyphens, finds the same book
    found = client.get(f"{API}/books/", {"isbn": "0-553-38304-3"}).json()["results"]
    assert [row["id"] for row in found] == [book.pk]
    number = member.card.number.lower()
    assert [row["id"] for row in client.get(f"{API}/members/", {"card": number}).json()["results"]] == [member.pk]
    # and a malformed ISBN is a 400 naming the parameter
    refused = client.get(f"{API}/books/", {"isbn": "12345"})
    assert refused.status_code == 400
    assert "isbn" in refused.json()["errors"]
