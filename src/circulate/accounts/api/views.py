"""Account endpoints under /api/auth/ and the dev outbox under /api/dev/.

Each view parses its input serializer, calls one service (or selector) and renders
an output serializer. Errors come out of the services and core's exception handler.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from circulate.accounts import selectors, services
from circulate.accounts.api import serializers as s
from circulate.accounts.api.schema import NOT_AUTHENTICATED, THROTTLED, TOKEN_NOT_VALID, error, invalid
from circulate.accounts.models import OutboxMessage, User
from circulate.core.errors import error_body
from circulate.core.schema import request_example, response_example

TAGS = ["auth"]

USER_EXAMPLE: dict[str, Any] = {
    "id": 7,
    "email": "ada@example.com",
    "username": "ada",
    "full_name": "Ada Lovelace",
    "email_verified": True,
    "email_verified_at": "2026-01-05T09:41:00Z",
    "roles": [],
    "is_staff": False,
    "date_joined": "2026-01-05T09:30:00Z",
}
ACCESS = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6Ijcif0.access-signature"
REFRESH = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsInVzZXJfaWQiOiI3In0.refresh-signature"
PAIR_EXAMPLE = {"access": ACCESS, "refresh": REFRESH}
RESET_LINK_NOT_VALID = "This password reset link is not valid: it was already used, it expired, or it was mistyped."
RESET_SENT = "If an active account uses this address, we have sent it a link to reset the password."


def parse(serializer_class: type[Serializer[Any]], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def user_data(user: User) -> dict[str, Any]:
    return dict(s.UserSerializer(user).data)


class PublicView(APIView):
    """An endpoint that needs no sign-in; a stale Authorization header is ignored, not refused."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]


class RegisterView(PublicView):
    throttle_scope = "register"

    @extend_schema(
        tags=TAGS,
        summary="Create an account",
        description="Creates an account with an unconfirmed e-mail address and e-mails a confirmation link "
        "(`{PUBLIC_URL}/confirm-email/?token=...`). The password is stored hashed with Argon2.",
        request=s.RegisterInputSerializer,
        responses={
            201: s.UserSerializer,
            400: error(
                400,
                invalid(("email", "An account with this e-mail address already exists.")),
                invalid(("username", "This username is taken.")),
                invalid(("password", "This password is too common.")),
            ),
            429: error(429, THROTTLED),
        },
        examples=[
            request_example(
                "register",
                {
                    "email": "ada@example.com",
                    "username": "ada",
                    "full_name": "Ada Lovelace",
                    "password": "an4lytical-engine",
                },
            ),
            response_example("created", dict(USER_EXAMPLE, email_verified=False, email_verified_at=None), 201),
        ],
    )
    def post(self, request: Request) -> Response:
        user = services.register_user(**parse(s.RegisterInputSerializer, request))
        return Response(user_data(user), status=status.HTTP_201_CREATED)


class EmailConfirmView(PublicView):
    @extend_schema(
        tags=TAGS,
        summary="Confirm an e-mail address",
        description="Confirms the address of a new account, or completes an e-mail change, with the token of the "
        "e-mailed link. Tokens are signed, expire after `EMAIL_CONFIRMATION_DAYS` (3 by default) and work once.",
        request=s.EmailTokenInputSerializer,
        responses={
            200: s.UserSerializer,
            400: error(
                400,
                ("link_used", error_body("This link was already used or is no longer valid.", "link_used", {})),
                ("link_expired", error_body("This confirmation link has expired; ask for a new one.", "link_expired")),
            ),
            409: error(
                409,
                (
                    "email_taken",
                    error_body(
                        "Another account now uses new@example.com; the e-mail address was not changed.", "email_taken"
                    ),
                ),
            ),
        },
        examples=[
            request_example("confirm", {"token": "eyJ1IjoxLCJlIjoiYWRhQGV4YW1wbGUuY29tIiwidiI6bnVsbH0:1tQ:sig"}),
            response_example("confirmed", USER_EXAMPLE),
        ],
    )
    def post(self, request: Request) -> Response:
        user = services.confirm_email(**parse(s.EmailTokenInputSerializer, request))
        return Response(user_data(user))


class EmailResendView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "email"

    @extend_schema(
        tags=TAGS,
        summary="Send the confirmation e-mail again",
        description="Sends a new confirmation link to the signed-in user's address.",
        request=None,
        responses={
            202: s.MessageSerializer,
            401: error(401, NOT_AUTHENTICATED),
            409: error(
                409,
                ("already_verified", error_body("This e-mail address is already confirmed.", "email_already_verified")),
            ),
            429: error(429, THROTTLED),
        },
        examples=[
            response_example("sent", {"detail": "A new confirmation link is on its way to ada@example.com."}, 202)
        ],
    )
    def post(self, request: Request) -> Response:
        services.resend_email_confirmation(user=request.user)  # type: ignore[arg-type]
        return Response(
            {"detail": f"A new confirmation link is on its way to {request.user.email}."},  # type: ignore[union-attr]
            status=status.HTTP_202_ACCEPTED,
        )


class LoginView(PublicView):
    throttle_scope = "login"

    @extend_schema(
        tags=TAGS,
        summary="Sign in",
        description="Exchanges an e-mail address or username (`login`, or `email`/`username`) and the password for a "
        "JWT pair: the access token lives `JWT_ACCESS_MINUTES` (30), the refresh token `JWT_REFRESH_DAYS` (7). "
        "After `AXES_FAILURE_LIMIT` failed attempts for one account from one address, it is locked for "
        "`AXES_COOLOFF_MINUTES` (429 with `Retry-After`).",
        request=s.LoginInputSerializer,
        responses={
            200: s.LoginOutputSerializer,
            400: error(400, invalid(("login", "Give your e-mail address or username."))),
            401: error(
                401,
                (
                    "invalid_credentials",
                    error_body(
                        "No active account matches this e-mail or username and password.", "invalid_credentials"
                    ),
                ),
            ),
            429: error(
                429,
                THROTTLED,
                (
                    "account_locked",
                    error_body(
                        "Too many failed sign-ins for this account from your address: it is locked for 15 minutes. "
                        "Try again later, or reset your password.",
                        "account_locked",
                    ),
                ),
            ),
        },
        examples=[
            request_example("with e-mail", {"login": "ada@example.com", "password": "an4lytical-engine"}),
            request_example("with username", {"username": "ada", "password": "an4lytical-engine"}),
            response_example("signed in", dict(PAIR_EXAMPLE, user=USER_EXAMPLE)),
        ],
    )
    def post(self, request: Request) -> Response:
        user, pair = services.log_in(request=request._request, **parse(s.LoginInputSerializer, request))
        return Response({"access": pair.access, "refresh": pair.refresh, "user": user_data(user)})


class TokenRefreshView(PublicView):
    throttle_classes = []

    @extend_schema(
        tags=TAGS,
        summary="Refresh the access token",
        description="Returns a new access token and a new refresh token. The refresh token sent is blacklisted: "
        "each one works once. Refused after logout, after a password change or reset, and once expired.",
        request=s.RefreshInputSerializer,
        responses={
            200: s.TokenPairSerializer,
            400: error(400, invalid(("refresh", "This field is required."))),
            401: error(401, TOKEN_NOT_VALID),
        },
        examples=[request_example("refresh", {"refresh": REFRESH}), response_example("new pair", PAIR_EXAMPLE)],
    )
    def post(self, request: Request) -> Response:
        pair = services.refresh_tokens(**parse(s.RefreshInputSerializer, request))
        return Response(s.TokenPairSerializer(pair).data)


class TokenVerifyView(PublicView):
    throttle_classes = []

    @extend_schema(
        tags=TAGS,
        summary="Check a token",
        description="200 when the API would accept the token now: signature, expiry, blacklist, active account, "
        "password unchanged since it was issued.",
        request=s.TokenVerifyInputSerializer,
        responses={
            200: s.VerifiedTokenSerializer,
            400: error(400, invalid(("token", "This field is required."))),
            401: error(401, ("token_not_valid", error_body("Token is invalid or expired", "token_not_valid"))),
        },
        examples=[
            request_example("verify", {"token": ACCESS}),
            response_example("valid", {"token_type": "access", "user_id": 7, "expires_at": "2026-01-05T10:11:00Z"}),
        ],
    )
    def post(self, request: Request) -> Response:
        token = selectors.verified_token(parse(s.TokenVerifyInputSerializer, request)["token"])
        return Response(s.VerifiedTokenSerializer(token).data)


class LogoutView(PublicView):
    throttle_classes = []

    @extend_schema(
        tags=TAGS,
        summary="Sign out",
        description="Blacklists the refresh token; it no longer works. The access token expires on its own.",
        request=s.RefreshInputSerializer,
        responses={
            204: OpenApiResponse(description="Signed out."),
            400: error(400, invalid(("refresh", "This field is required."))),
            401: error(401, TOKEN_NOT_VALID),
        },
        examples=[request_example("logout", {"refresh": REFRESH})],
    )
    def post(self, request: Request) -> Response:
        services.log_out(**parse(s.RefreshInputSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The signed-in user",
        responses={200: s.UserSerializer, 401: error(401, NOT_AUTHENTICATED)},
        examples=[response_example("me", dict(USER_EXAMPLE, roles=["librarian"]))],
    )
    def get(self, request: Request) -> Response:
        return Response(user_data(request.user))  # type: ignore[arg-type]

    @extend_schema(
        tags=TAGS,
        summary="Change the full name or username",
        description="A new username needs the current `password`. The e-mail address changes through `email/change/`.",
        request=s.ProfileInputSerializer,
        responses={
            200: s.UserSerializer,
            400: error(
                400,
                invalid(("password", "Enter your current password.")),
                invalid(("username", "This username is taken.")),
            ),
            401: error(401, NOT_AUTHENTICATED),
        },
        examples=[
            request_example("rename", {"full_name": "Augusta Ada King"}),
            request_example("new username", {"username": "countess", "password": "an4lytical-engine"}),
            response_example("updated", dict(USER_EXAMPLE, full_name="Augusta Ada King")),
        ],
    )
    def patch(self, request: Request) -> Response:
        user = services.update_profile(user=request.user, **parse(s.ProfileInputSerializer, request))  # type: ignore[arg-type]
        return Response(user_data(user))


class PasswordChangeView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        tags=TAGS,
        summary="Change the password",
        description="Sets the new password and ends every session of the user: all refresh tokens are blacklisted "
        "and access tokens issued before are refused. Returns a fresh pair for the caller.",
        request=s.PasswordChangeInputSerializer,
        responses={
            200: s.TokenPairSerializer,
            400: error(
                400,
                invalid(("old_password", "This is not your current password.")),
                invalid(("new_password", "This password is too short. It must contain at least 8 characters.")),
            ),
            401: error(401, NOT_AUTHENTICATED),
            429: error(429, THROTTLED),
        },
        examples=[
            request_example("change", {"old_password": "an4lytical-engine", "new_password": "difference-engine-2"}),
            response_example("new pair", PAIR_EXAMPLE),
        ],
    )
    def post(self, request: Request) -> Response:
        pair = services.change_password(user=request.user, **parse(s.PasswordChangeInputSerializer, request))  # type: ignore[arg-type]
        return Response(s.TokenPairSerializer(pair).data)


class PasswordResetView(PublicView):
    throttle_scope = "password_reset"

    @extend_schema(
        tags=TAGS,
        summary="Ask for a password reset link",
        description="Always 202 with the same body, whether or not the address belongs to an account. An active "
        "account gets a single-use link `{PUBLIC_URL}/reset-password/?uid=...&token=...` that expires after "
        "`PASSWORD_RESET_TIMEOUT` seconds.",
        request=s.PasswordResetInputSerializer,
        responses={
            202: s.MessageSerializer,
            400: error(400, invalid(("email", "Enter a valid email address."))),
            429: error(429, THROTTLED),
        },
        examples=[
            request_example("reset", {"email": "ada@example.com"}),
            response_example("sent", {"detail": RESET_SENT}, 202),
        ],
    )
    def post(self, request: Request) -> Response:
        services.request_password_reset(**parse(s.PasswordResetInputSerializer, request))
        return Response({"detail": RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(PublicView):
    throttle_scope = "password_reset"

    @extend_schema(
        tags=TAGS,
        summary="Set a new password from a reset link",
        description="Sets the password, ends every session of the user and lifts a login lockout of the account.",
        request=s.PasswordResetConfirmInputSerializer,
        responses={
            200: s.MessageSerializer,
            400: error(
                400,
                (
                    "invalid_link",
                    error_body(
                        RESET_LINK_NOT_VALID,
                        "invalid_link",
                        {"token": [RESET_LINK_NOT_VALID]},
                    ),
                ),
                invalid(("new_password", "This password is entirely numeric.")),
            ),
            429: error(429, THROTTLED),
        },
        examples=[
            request_example(
                "confirm",
                {
                    "uid": "Nw",
                    "token": "cl3xyz-0123456789abcdef0123456789abcdef",
                    "new_password": "difference-engine-2",
                },
            ),
            response_example("reset", {"detail": "Your password has been reset; sign in with the new one."}),
        ],
    )
    def post(self, request: Request) -> Response:
        services.reset_password(**parse(s.PasswordResetConfirmInputSerializer, request))
        return Response({"detail": "Your password has been reset; sign in with the new one."})


class EmailChangeView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "email"

    @extend_schema(
        tags=TAGS,
        summary="Change the e-mail address",
        description="E-mails a confirmation link to the new address and a notice to the current one. The address "
        "changes only when the link is confirmed with `email/confirm/`.",
        request=s.EmailChangeInputSerializer,
        responses={
            202: s.MessageSerializer,
            400: error(
                400,
                invalid(("password", "This is not your current password.")),
                invalid(("new_email", "An account with this e-mail address already exists.")),
            ),
            401: error(401, NOT_AUTHENTICATED),
            429: error(429, THROTTLED),
        },
        examples=[
            request_example("change", {"new_email": "ada@lovelace.org", "password": "an4lytical-engine"}),
            response_example(
                "sent", {"detail": "Open the link we sent to ada@lovelace.org to confirm the new address."}, 202
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        data = parse(s.EmailChangeInputSerializer, request)
        services.request_email_change(user=request.user, **data)  # type: ignore[arg-type]
        new_email = services.normalize_email(data["new_email"])
        return Response(
            {"detail": f"Open the link we sent to {new_email} to confirm the new address."},
            status=status.HTTP_202_ACCEPTED,
        )


class DevOutboxEnabled(BasePermission):
    """The dev outbox exists only while e-mail goes to it; otherwise the endpoint is a 404 for everyone."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not settings.DEV_OUTBOX_ENABLED:
            raise NotFound("The dev outbox is off: e-mail goes out through SMTP.")
        return True


@extend_schema(
    tags=["dev"],
    summary="The dev outbox (staff, embedded profile only)",
    description="E-mails the application would have sent, newest first, so that a confirmation or reset link can be "
    "followed on one machine. Exists only when no SMTP server is configured; otherwise 404.",
    parameters=[
        OpenApiParameter("to", OpenApiTypes.STR, description="Only messages to an address containing this text."),
    ],
    responses={
        200: s.OutboxMessageSerializer(many=True),
        401: error(401, NOT_AUTHENTICATED),
        403: error(
            403,
            ("not_staff", error_body("You do not have permission to perform this action.", "permission_denied")),
        ),
        404: error(
            404, ("outbox_off", error_body("The dev outbox is off: e-mail goes out through SMTP.", "not_found"))
        ),
    },
    examples=[
        # drf-spectacular wraps a list example in the pagination envelope: this is one message.
        response_example(
            "outbox",
            {
                "id": 12,
                "to": ["ada@example.com"],
                "from_email": "Circulate <no-reply@circulate.local>",
                "subject": "Confirm your e-mail address for Circulate",
                "body": "Hello Ada Lovelace,\n\nPlease confirm ...\n\nhttp://127.0.0.1:8000/confirm-email/?token=...",
                "html": "<!doctype html>...",
                "sent_at": "2026-01-05T09:30:01Z",
            },
        )
    ],
)
class DevOutboxView(generics.ListAPIView[OutboxMessage]):
    permission_classes = [DevOutboxEnabled, IsAuthenticated, IsAdminUser]
    serializer_class = s.OutboxMessageSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[OutboxMessage]:
        return selectors.outbox_messages(to=self.request.query_params.get("to"))
