"""Hostile requests under /api/ answer a clear 4xx in the one JSON error shape, never a 500 or HTML."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.bikes.tests.factories import make_bike, make_fleet_manager
from circulate.core.errors import csrf_failure
from circulate.core.limits import PayloadTooLarge
from circulate.core.parsers import JSONParser, depth_of
from circulate.library.models import Author

pytestmark = pytest.mark.django_db

AUTHORS = "/api/library/authors/"


def assert_json_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = dict(json.loads(response.content))
    # The one error shape; through the middleware it also carries the answer's request id.
    expected = {"detail", "code", "errors"} | ({"request_id"} if response.has_header("X-Request-ID") else set())
    assert set(body) == expected
    if "request_id" in body:
        assert body["request_id"] == response["X-Request-ID"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def librarian() -> Any:
    return UserFactory(roles=[LIBRARIAN])


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class TestCsrf:
    def test_an_unsafe_method_on_an_unrouted_api_path_with_a_bearer_token_is_the_json_404(self, librarian: Any) -> None:
        # given a client that checks CSRF as a browser's server would, a bearer token and no cookie
        client = Client(enforce_csrf_checks=True)
        # when
        response = client.delete(
            "/api/library/authors/%C2%84/", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(librarian)}"
        )
        # then
        assert_json_error(response, 404, "not_found")

    def test_a_session_post_without_the_csrf_token_is_a_json_403(self, librarian: Any) -> None:
        # given a console session and no CSRF token
        client = Client(enforce_csrf_checks=True)
        client.force_login(librarian)
        # when
        response = client.post(AUTHORS, {"name": "Ursula"}, content_type="application/json")
        # then
        assert_json_error(response, 403)
        assert not Author.objects.exists()

    def test_django_csrf_refusal_is_json_under_api_and_html_elsewhere(self) -> None:
        # given
        factory = RequestFactory()
        # when
        api = csrf_failure(factory.post("/api/anything/"), reason="CSRF cookie not set.")
        page = csrf_failure(factory.post("/sign-in/"), reason="CSRF cookie not set.")
        # then
        assert_json_error(api, 403, "csrf_failed")
        assert page.status_code == 403
        assert page["Content-Type"].startswith("text/html")

    def test_an_admin_form_without_the_csrf_token_still_gets_django_s_403_page(self) -> None:
        # when
        response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})
        # then
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")


class TestJsonNesting:
    def test_a_body_nested_50000_levels_deep_is_a_400_not_a_500(
        self, auth_client: Callable[[Any], APIClient], librarian: Any
    ) -> None:
        # when
        response = auth_client(librarian).generic("POST", AUTHORS, nested(50_000), content_type="application/json")
        # then
        body = assert_json_error(response, 400, "parse_error")
        assert "JSON" in body["detail"]

    @pytest.mark.parametrize("depth", [1024, 1025])
    def test_a_body_nested_around_orjson_s_own_limit_is_a_400(
        self, auth_client: Callable[[Any], APIClient], librarian: Any, depth: int
    ) -> None:
        # when
        response = auth_client(librarian).generic("POST", AUTHORS, nested(depth), content_type="application/json")
        # then
        assert_json_error(response, 400, "parse_error")

    def test_one_level_past_the_limit_is_a_400(
        self, auth_client: Callable[[Any], APIClient], librarian: Any, settings: Any
    ) -> None:
        # given a body one level deeper than the limit (the object itself is the first level)
        body = '{"name": ' + nested(settings.JSON_MAX_DEPTH) + "}"
        # when
        response = auth_client(librarian).generic("POST", AUTHORS, body, content_type="application/json")
        # then
        assert_json_error(response, 400, "parse_error")

    def test_nesting_within_the_limit_is_parsed_and_validated(
        self, auth_client: Callable[[Any], APIClient], librarian: Any, settings: Any
    ) -> None:
        # given a body as deep as the limit allows
        body = '{"name": ' + nested(settings.JSON_MAX_DEPTH - 1) + "}"
        # when
        response = auth_client(librarian).generic("POST", AUTHORS, body, content_type="application/json")
        # then it reaches the serializer, which names the field
        assert set(assert_json_error(response, 400, "invalid")["errors"]) == {"name"}

    def test_depth_counts_arrays_and_objects_only(self) -> None:
        assert depth_of(1) == 0
        assert depth_of([]) == 1
        assert depth_of({"a": [1, {"b": []}], "c": "x"}) == 4

    def test_a_well_formed_body_still_creates(self, auth_client: Callable[[Any], APIClient], librarian: Any) -> None:
        # when
        response = auth_client(librarian).post(AUTHORS, {"name": "Ursula K. Le Guin"}, format="json")
        # then
        assert response.status_code == 201, response.content
        assert Author.objects.get().name == "Ursula K. Le Guin"


class TestBodySize:
    def test_a_5_mb_json_body_is_a_json_413(self, auth_client: Callable[[Any], APIClient], librarian: Any) -> None:
        # given a body over the 2.5 MB limit
        body = '{"name": "' + "a" * (5 * 1024 * 1024) + '"}'
        # when
        response = auth_client(librarian).generic("POST", AUTHORS, body, content_type="application/json")
        # then
        assert_json_error(response, 413, "payload_too_large")
        assert response["Connection"] == "close"
        assert not Author.objects.exists()

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_the_limit_is_the_setting(self, auth_client: Callable[[Any], APIClient], librarian: Any) -> None:
        # given
        client = auth_client(librarian)
        # when
        small = client.post(AUTHORS, {"name": "a" * 100}, format="json")
        large = client.post(AUTHORS, {"name": "a" * 1000}, format="json")
        # then
        assert small.status_code == 201, small.content
        body = assert_json_error(large, 413, "payload_too_large")
        assert "1000 bytes" in body["detail"]

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_the_parser_refuses_a_body_longer_than_the_limit_without_a_content_length(self) -> None:
        # given a stream that says nothing of its length
        stream = io.BytesIO(b'"' + b"a" * 2000 + b'"')
        # when / then
        with pytest.raises(PayloadTooLarge):
            JSONParser().parse(stream, "application/json", {})

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000, UPLOAD_IMAGE_MAX_BYTES=1000)
    def test_a_multipart_body_may_carry_an_upload_but_no_more(
        self, auth_client: Callable[[Any], APIClient], librarian: Any
    ) -> None:
        # given a multipart body over the body limit plus the upload limit
        payload = {"name": "a" * 2500}
        # when
        response = auth_client(librarian).post(AUTHORS, payload, format="multipart")
        # then
        assert_json_error(response, 413, "payload_too_large")

    def test_a_large_form_post_to_a_console_page_is_a_plain_413(self) -> None:
        # when
        body = "a=" + "b" * (3 * 1024 * 1024)
        response = Client().post("/sign-in/", body, content_type="application/x-www-form-urlencoded")
        # then
        assert response.status_code == 413
        assert response["Content-Type"].startswith("text/plain")

    def test_a_refused_body_is_read_away_so_a_proxy_sending_it_sees_the_413(self) -> None:
        # given a WSGI request whose 3 MB body is still in its input stream (as behind nginx)
        from circulate.core.middleware import RequestSizeLimitMiddleware

        body = io.BytesIO(b"x" * (3 * 1024 * 1024))
        request = RequestFactory().post("/api/library/authors/", content_type="application/json")
        request.META.update({"CONTENT_LENGTH": str(len(body.getvalue())), "wsgi.input": body})
        # when
        response = RequestSizeLimitMiddleware(lambda request: pytest.fail("the view ran"))(request)
        # then the answer is the 413 and nothing is left unread for the sender's write to fail on
        assert response.status_code == 413
        assert body.read() == b""


class TestPagination:
    @pytest.mark.parametrize("page_size", ["101", "0", "-1", "abc", "1.5", "\u0661\u0660"])
    def test_a_page_size_outside_1_to_100_is_a_400_naming_it(
        self, auth_client: Callable[[Any], APIClient], librarian: Any, page_size: str
    ) -> None:
        # when
        response = auth_client(librarian).get(AUTHORS, {"page_size": page_size})
        # then
        body = assert_json_error(response, 400, "invalid")
        assert body["errors"] == {"page_size": ["A whole number from 1 to 100."]}

    def test_the_largest_page_size_is_served(self, auth_client: Callable[[Any], APIClient], librarian: Any) -> None:
        # when
        response = auth_client(librarian).get(AUTHORS, {"page_size": "100"})
        # then
        assert response.status_code == 200

    def test_a_page_past_the_last_is_a_json_404(self, auth_client: Callable[[Any], APIClient], librarian: Any) -> None:
        # when
        response = auth_client(librarian).get(AUTHORS, {"page": "999"})
        # then
        assert_json_error(response, 404, "not_found")

    def test_a_cursor_list_refuses_a_page_size_over_the_maximum(
        self, auth_client: Callable[[Any], APIClient], librarian: Any
    ) -> None:
        # when
        response = auth_client(librarian).get("/api/notifications/", {"page_size": "1000"})
        # then
        assert_json_error(response, 400, "invalid")


class TestUploads:
    def _image(self, image_format: str, size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
        return SimpleUploadedFile(f"bike.{image_format.lower()}", buffer.getvalue())

    def test_an_image_of_a_type_not_accepted_is_a_400_naming_the_types(
        self, auth_client: Callable[[Any], APIClient]
    ) -> None:
        # given a fleet manager and a bike
        fleet = make_fleet_manager()
        bike = make_bike(fleet=fleet)
        # when a GIF is uploaded
        response = auth_client(fleet).post(
            f"/api/bikes/bikes/{bike.pk}/photo/", {"photo": self._image("GIF")}, format="multipart"
        )
        # then
        body = assert_json_error(response, 400, "invalid")
        assert body["errors"]["photo"] == ["GIF images are not accepted; send JPEG, PNG, WEBP."]

    def test_an_image_over_the_upload_limit_is_a_400(
        self, auth_client: Callable[[Any], APIClient], settings: Any
    ) -> None:
        # given an upload limit smaller than the image
        settings.UPLOAD_IMAGE_MAX_BYTES = 100
        fleet = make_fleet_manager()
        bike = make_bike(fleet=fleet)
        # when
        response = auth_client(fleet).post(
            f"/api/bikes/bikes/{bike.pk}/photo/", {"photo": self._image("PNG", (64, 64))}, format="multipart"
        )
        # then
        assert "larger than" in assert_json_error(response, 400, "invalid")["errors"]["photo"][0]
