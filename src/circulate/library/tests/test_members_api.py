"""Members and their cards over the API: librarians manage, members see only themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.library import services
from circulate.library.models import Member, MembershipTier
from circulate.library.tests.factories import BookFactory, MemberFactory, TierFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db

API = "/api/library"


def test_librarian_registers_walk_in_and_self_service_members(auth_client) -> None:
    # given
    librarian = auth_client(make_librarian())
    user = UserFactory()
    # when
    walk_in = librarian.post(f"{API}/members/", {"name": "Walter", "phone": "+44 1"})
    linked = librarian.post(f"{API}/members/", {"name": "Alice", "email": "alice@example.com", "user": user.pk})
    twice = librarian.post(f"{API}/members/", {"name": "Alice again", "user": user.pk})
    # then
    assert walk_in.status_code == 201
    assert walk_in.json() | {"id": 0, "created_at": "", "updated_at": ""} == {
        "id": 0,
        "name": "Walter",
        "email": "",
        "phone": "+44 1",
        "user": None,
        "card": None,
        "created_at": "",
        "updated_at": "",
    }
    assert linked.json()["user"] == user.pk
    assert twice.status_code == 409
    assert twice.json()["code"] == "user_already_member"


def test_members_cannot_manage_members_and_see_only_themselves(auth_client) -> None:
    # given
    user = UserFactory()
    own = member_with_card(user=user)
    other = MemberFactory()
    client = auth_client(user)
    # when
    listed = client.get(f"{API}/members/").json()
    # then
    assert [m["id"] for m in listed["results"]] == [own.pk]
    assert client.get(f"{API}/members/{other.pk}/").status_code == 404
    assert client.get(f"{API}/members/{other.pk}/card/").status_code == 404
    assert client.get(f"{API}/members/{other.pk}/loans/").status_code == 404
    assert client.post(f"{API}/members/", {"name": "Me too"}).status_code == 403
    assert client.patch(f"{API}/members/{own.pk}/", {"name": "Renamed"}).status_code == 403
    assert client.put(f"{API}/members/{own.pk}/card/", {}, format="json").status_code == 403
    assert client.get(f"{API}/members/{own.pk}/card/").status_code == 200


def test_librarian_edits_searches_and_closes_members(auth_client) -> None:
    # given
    librarian = auth_client(make_librarian())
    member = MemberFactory(name="Zoe Quill", email="zoe@example.com")
    MemberFactory(name="Adam Smith")
    # when
    edited = librarian.patch(f"{API}/members/{member.pk}/", {"phone": "555"})
    found = librarian.get(f"{API}/members/", {"search": "quill"}).json()
    closed = librarian.delete(f"{API}/members/{member.pk}/")
    # then
    assert edited.json()["phone"] == "555"
    assert [m["name"] for m in found["results"]] == ["Zoe Quill"]
    assert closed.status_code == 204
    assert Member.all_objects.get(pk=member.pk).is_active is False
    assert librarian.get(f"{API}/members/{member.pk}/").status_code == 404


def test_card_is_issued_on_the_default_tier_renewed_and_revoked(auth_client) -> None:
    # given
    librarian = auth_client(make_librarian())
    member = MemberFactory()
    url = f"{API}/members/{member.pk}/card/"
    today = timezone.localdate()
    # when
    missing = librarian.get(url)
    issued = librarian.put(url, {}, format="json")
    renewed = librarian.put(url, {}, format="json")
    revoked = librarian.delete(url)
    after = librarian.get(url)
    reissued = librarian.put(url, {}, format="json")
    # then
    assert missing.status_code == 404
    assert issued.status_code == 201
    card = issued.json()
    assert card["tier"]["name"] == "Standard"
    assert card["valid_until"] == str(today + timedelta(days=365))
    assert card["is_valid"] is True
    assert card["number"].startswith("LIB-")
    assert renewed.status_code == 200
    assert renewed.json()["number"] == card["number"]
    assert renewed.json()["valid_until"] == str(today + timedelta(days=730))
    assert revoked.status_code == 204
    assert after.status_code == 404
    assert reissued.status_code == 201
    assert reissued.json()["number"] != card["number"]
    assert librarian.get(f"{API}/members/{member.pk}/").json()["card"]["number"] == reissued.json()["number"]


def test_card_on_a_chosen_tier_and_date(auth_client) -> None:
    # given
    librarian = auth_client(make_librarian())
    member = MemberFactory()
    premium = TierFactory(name="Premium", loan_limit=6)
    until = timezone.localdate() + timedelta(days=30)
    # when
    response = librarian.put(
        f"{API}/members/{member.pk}/card/", {"tier": premium.pk, "valid_until": str(until)}, format="json"
    )
    bad_date = librarian.put(f"{API}/members/{member.pk}/card/", {"valid_until": "2000-01-01"}, format="json")
    bad_tier = librarian.put(f"{API}/members/{member.pk}/card/", {"tier": 99999}, format="json")
    # then
    assert response.status_code == 201
    assert (response.json()["tier"]["loan_limit"], response.json()["valid_until"]) == (6, str(until))
    assert bad_date.status_code == 400
    assert set(bad_date.json()["errors"]) == {"valid_until"}
    assert bad_tier.status_code == 400


def test_tiers_are_listed_for_choosing(auth_client) -> None:
    TierFactory(name="Student", loan_limit=2)
    names = [t["name"] for t in auth_client(UserFactory()).get(f"{API}/tiers/").json()["results"]]
    assert names == sorted(MembershipTier.objects.values_list("name", flat=True))
    assert "Student" in names


def test_member_loans_all_or_only_unreturned(auth_client) -> None:
    # given a member with one returned and one open loan
    librarian_user = make_librarian()
    member = member_with_card()
    first = services.issue_loan(actor=librarian_user, book_id=BookFactory().pk, member_id=member.pk)
    second = services.issue_loan(actor=librarian_user, book_id=BookFactory().pk, member_id=member.pk)
    services.return_loan(actor=librarian_user, loan_id=first.pk)
    client = auth_client(librarian_user)
    url = f"{API}/members/{member.pk}/loans/"
    # when / then
    assert {row["id"] for row in client.get(url).json()["results"]} == {first.pk, second.pk}
    assert [row["id"] for row in client.get(url, {"active": "true"}).json()["results"]] == [second.pk]
    assert [row["id"] for row in client.get(url, {"active": "false"}).json()["results"]] == [first.pk]
    assert client.get(url, {"active": "perhaps"}).status_code == 400


@pytest.mark.parametrize("rows", [2, 10])
def test_member_list_runs_a_constant_number_of_queries(auth_client, django_assert_num_queries, rows: int) -> None:
    # given members with cards
    for _ in range(rows):
        member_with_card()
    client = auth_client(make_librarian())
    # when / then: auth user, roles, count, page (cards and tiers joined)
    with django_assert_num_queries(4):
        response = client.get(f"{API}/members/")
    assert len(response.json()["results"]) == rows
    assert all(row["card"]["tier"]["name"] == "Standard" for row in response.json()["results"])
