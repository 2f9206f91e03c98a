"""The notification endpoints under /api/notifications/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.realtime.audience import ROLE, USERS
from circulate.realtime.models import ReadCursor
from circulate.realtime.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

AuthClient = Callable[[Any], APIClient]

LIST = "/api/notifications/"
UNREAD = "/api/notifications/unread-count/"
MARK_SEEN = "/api/notifications/mark-seen/"


@pytest.mark.parametrize(("method", "path"), [("get", LIST), ("get", UNREAD), ("post", MARK_SEEN)])
def test_anonymous_is_401_in_the_error_shape(api_client: APIClient, method: str, path: str) -> None:
    response = getattr(api_client, method)(path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors", "request_id"}


class TestList:
    def test_lists_visible_events_newest_first_with_the_unread_flag(self, auth_client: AuthClient) -> None:
        # given
        reader = UserFactory(roles=[LIBRARIAN])
        seen = EventFactory(payload={"title": "Old"})
        to_role = EventFactory(type="loan.issued", audience=ROLE, role=LIBRARIAN, payload={"loan": 1})
        to_reader = EventFactory(type="reservation.ready", audience=USERS, recipients=[reader])
        EventFactory(actor=reader)
        EventFactory(audience=USERS, recipients=[UserFactory()])
        ReadCursor.objects.create(user=reader, last_seen_seq=seen.seq)
        # when
        response = auth_client(reader).get(LIST)
        # then
        assert response.status_code == 200
        body = response.json()
        assert [(item["seq"], item["unread"]) for item in body["results"]] == [
            (to_reader.seq, True),
            (to_role.seq, True),
            (seen.seq, False),
        ]
        assert body["results"][1] == {
            "type": "loan.issued",
            "seq": to_role.seq,
            "at": to_role.created_at.isoformat().replace("+00:00", "Z"),
            "data": {"loan": 1},
            "unread": True,
        }

    def test_pages_by_cursor_without_gaps(self, auth_client: AuthClient) -> None:
        # given
        reader = UserFactory()
        events = EventFactory.create_batch(5)
        client = auth_client(reader)
        # when
        first = client.get(LIST, {"page_size": 2}).json()
        second = client.get(first["next"]).json()
        third = client.get(second["next"]).json()
        # then
        pages = [first, second, third]
        assert [item["seq"] for page in pages for item in page["results"]] == [e.seq for e in reversed(events)]
        assert third["next"] is None

    def test_filters_by_type(self, auth_client: AuthClient) -> None:
        reader = UserFactory()
        EventFactory(type="book.created")
        wanted = EventFactory(type="book.deleted")
        response = auth_client(reader).get(LIST, {"type": "book.deleted"})
        assert [item["seq"] for item in response.json()["results"]] == [wanted.seq]

    @pytest.mark.parametrize("size", [2, 12])
    def test_runs_a_constant_number_of_queries(
        self, auth_client: AuthClient, django_assert_num_queries: Any, size: int
    ) -> None:
        # given
        reader = UserFactory(roles=[LIBRARIAN])
        EventFactory.create_batch(size)
        EventFactory.create_batch(size, audience=USERS, recipients=[reader])
        client = auth_client(reader)
        # when / then: user, roles, cursor, page
        with django_assert_num_queries(4):
            response = client.get(LIST)
        assert len(response.json()["results"]) == min(2 * size, 20)

    def test_a_bad_cursor_is_404_in_the_error_shape(self, auth_client: AuthClient) -> None:
        response = auth_client(UserFactory()).get(LIST, {"cursor": "garbage"})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestUnreadCountAndMarkSeen:
    def test_mark_seen_without_seq_marks_everything_and_the_count_agrees(self, auth_client: AuthClient) -> None:
        # given
        reader = UserFactory()
        events = EventFactory.create_batch(3)
        client = auth_client(reader)
        assert client.get(UNREAD).json() == {"count": 3, "last_seen_seq": 0}
        # when
        response = client.post(MARK_SEEN, {}, format="json")
        # then
        assert response.status_code == 200
        assert response.json() == {"count": 0, "last_seen_seq": events[-1].seq}
        assert client.get(UNREAD).json() == {"count": 0, "last_seen_seq": events[-1].seq}

    def test_mark_seen_up_to_a_seq_leaves_the_rest_unread(self, auth_client: AuthClient) -> None:
        reader = UserFactory()
        first, _, _ = EventFactory.create_batch(3)
        response = auth_client(reader).post(MARK_SEEN, {"seq": first.seq}, format="json")
        assert response.json() == {"count": 2, "last_seen_seq": first.seq}

    def test_an_older_seq_does_not_move_the_cursor_back(self, auth_client: AuthClient) -> None:
        reader = UserFactory()
        first, second = EventFactory.create_batch(2)
        client = auth_client(reader)
        client.post(MARK_SEEN, {"seq": second.seq}, format="json")
        response = client.post(MARK_SEEN, {"seq": first.seq}, format="json")
        assert response.json() == {"count": 0, "last_seen_seq": second.seq}

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"seq": "latest"}, "valid integer"),
            ({"seq": -1}, "greater than or equal to 0"),
            ({"seq": 10**6}, "no event"),
        ],
    )
    def test_bad_seq_is_400_in_the_error_shape(
        self, auth_client: AuthClient, body: dict[str, Any], message: str
    ) -> None:
        EventFactory()
        response = auth_client(UserFactory()).post(MARK_SEEN, body, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert message in response.json()["errors"]["seq"][0]


def test_the_endpoints_are_in_the_schema(api_client: APIClient) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"get"} <= set(schema["paths"]["/api/notifications/"])
    assert {"get"} <= set(schema["paths"]["/api/notifications/unread-count/"])
    mark_seen = schema["paths"]["/api/notifications/mark-seen/"]["post"]
    assert {"200", "400", "401"} <= set(mark_seen["responses"])
