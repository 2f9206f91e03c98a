"""Account writes: registration, e-mail confirmation, sessions (JWT), passwords, e-mail change, roles.

Every account rule lives here; the API, the admin, the console and the tasks call
these functions. Problems with the input raise Django's ``ValidationError`` (one
message list per field) or a domain error from ``circulate.accounts.errors``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from axes.utils import reset as reset_axes_lockout
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from circulate.accounts import emails, links, selectors
from circulate.accounts.errors import (
    AccountLockedError,
    EmailAlreadyVerifiedError,
    EmailTakenError,
    InvalidCredentialsError,
    InvalidLinkError,
    InvalidTokenError,
)
from circulate.accounts.lockout import lockout_message
from circulate.accounts.models import User
from circulate.accounts.roles import ALL_ROLES
from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError

logger = logging.getLogger(__name__)

# Letters, digits and . + - _ ; no "@", so a username can never be mistaken for an e-mail address at login.
USERNAME_PATTERN = re.compile(r"^[\w.+-]+\Z")
USERNAME_MAX_LENGTH = 150


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _username_errors(username: str, *, user: User | None = None) -> list[str]:
    if not username:
        return ["A username is required."]
    if len(username) > USERNAME_MAX_LENGTH:
        return [f"Use at most {USERNAME_MAX_LENGTH} characters."]
    if not USERNAME_PATTERN.match(username):
        return ["Use only letters, digits and the characters . + - _ (no spaces, no @)."]
    if selectors.username_in_use(username, exclude=user):
        return ["This username is taken."]
    return []


def _password_errors(password: str, *, user: User) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _raise_if_errors(errors: dict[str, list[str]]) -> None:
    problems = {field: messages for field, messages in errors.items() if messages}
    if problems:
        raise ValidationError(problems)


# --- Registration and e-mail confirmation ------------------------------------------------


@audit.audited("accounts.user.register")
@transaction.atomic
def register_user(*, email: str, username: str, password: str, full_name: str = "") -> User:
    """Create an account with an unconfirmed e-mail address and send the confirmation link."""
    email = normalize_email(email)
    username = username.strip()
    candidate = User(email=email, username=username, full_name=full_name.strip())
    _raise_if_errors(
        {
            "email": ["An account with this e-mail address already exists."] if selectors.email_in_use(email) else [],
            "username": _username_errors(username),
            "password": _password_errors(password, user=candidate),
        }
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, username, password, full_name=candidate.full_name)
    except IntegrityError as exc:
        # Someone registered the same address or username between our check and the insert.
        _raise_if_errors(
            {
                "email": ["An account with this e-mail address already exists."]
                if selectors.email_in_use(email)
                else [],
                "username": ["This username is taken."] if selectors.username_in_use(username) else [],
            }
        )
        raise ValidationError({"email": ["This account could not be created; try again."]}) from exc
    audit.record(
        "accounts.user.register",
        actor=user,
        target=user,
        changes=audit.created(user, ("email", "username", "full_name")),
    )
    emails.send_email_confirmation(user=user, link=links.confirm_email_url(links.make_email_token(user=user)))
    return user


@transaction.atomic
def resend_email_confirmation(*, user: User) -> None:
    """Send a new confirmation link for the account's current address."""
    if user.email_verified_at is not None:
        raise EmailAlreadyVerifiedError()
    emails.send_email_confirmation(user=user, link=links.confirm_email_url(links.make_email_token(user=user)))


@audit.audited("accounts.user.email_confirm")
@transaction.atomic
def confirm_email(*, token: str) -> User:
    """Mark the address as confirmed, or switch to the new address of an e-mail change. Each link works once."""
    claim = links.read_email_token(token)
    # The row lock makes "works once" hold when the same link is opened twice at the same moment.
    user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
    if user is None or user.email != claim.email or links.verification_state(user) != claim.verified_at:
        raise InvalidLinkError("This link was already used or is no longer valid.", code="link_used", field="token")
    before = audit.snapshot(user, ("email", "email_verified_at"))
    update_fields = ["email_verified_at"]
    if claim.new_email:
        if selectors.email_in_use(claim.new_email, exclude=user):
            raise EmailTakenError(f"Another account now uses {claim.new_email}; the e-mail address was not changed.")
        user.email = claim.new_email
        update_fields.append("email")
    user.email_verified_at = timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise EmailTakenError(
            f"Another account now uses {claim.new_email}; the e-mail address was not changed."
        ) from exc
    audit.record("accounts.user.email_confirm", actor=user, target=user, changes=audit.changes_since(before, user))
    return user


# --- Sessions: JWT pairs -------------------------------------------------------------------


def issue_tokens(*, user: User) -> TokenPair:
    """A new access/refresh pair; the refresh token is recorded as outstanding so it can be blacklisted."""
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def log_in(*, request: HttpRequest, login: str, password: str) -> tuple[User, TokenPair]:
    """Check the credentials through ``django.contrib.auth.authenticate`` and issue a token pair.

    django-axes counts each failure per account and client address and locks the pair
    out for ``AXES_COOLOFF_TIME`` after ``AXES_FAILURE_LIMIT`` failures. Not atomic on
    purpose: axes must keep the failure it records even though this function then raises.
    """
    user = authenticate(request=request, username=login, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise AccountLockedError(lockout_message())
        raise InvalidCredentialsError()
    assert isinstance(user, User)
    with transaction.atomic():
        # Updates last_login; axes records the success and clears the failures.
        user_logged_in.send(sender=User, request=request, user=user)
        return user, issue_tokens(user=user)


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidTokenError(str(exc)) from exc


def _lock_outstanding(token: RefreshToken) -> OutstandingToken:
    """Lock the token's row, refusing a token that is unknown or already blacklisted."""
    # order_by("pk"): the model's default ordering joins the user, a join FOR UPDATE cannot lock on PostgreSQL.
    outstanding = (
        OutstandingToken.objects.select_for_update().filter(jti=token[jwt_settings.JTI_CLAIM]).order_by("pk").first()
    )
    if outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise InvalidTokenError("Token is blacklisted.")
    return outstanding


def _lock_token_owner(token: RefreshToken) -> User:
    """Lock the token's user first, then its row: every token write takes the locks in this order.

    So two uses of one refresh token cannot both succeed, and a refresh cannot slip
    past a password change that is blacklisting the user's tokens.
    """
    user = User.objects.select_for_update().filter(pk=token.get(jwt_settings.USER_ID_CLAIM), is_active=True).first()
    if user is None:
        raise InvalidTokenError("No active account found for the given token.")
    if not selectors.token_matches_user(token, user):
        raise InvalidTokenError("The password was changed after this token was issued.")
    return user


@transaction.atomic
def refresh_tokens(*, refresh: str) -> TokenPair:
    """Rotate: blacklist ``refresh`` and issue a new pair. A refresh token works once."""
    token = _parse_refresh(refresh)
    user = _lock_token_owner(token)
    BlacklistedToken.objects.create(token=_lock_outstanding(token))
    return issue_tokens(user=user)


@transaction.atomic
def log_out(*, refresh: str) -> None:
    """Blacklist the refresh token: it cannot be used again."""
    token = _parse_refresh(refresh)
    _lock_token_owner(token)
    BlacklistedToken.objects.create(token=_lock_outstanding(token))


def revoke_all_tokens(*, user: User) -> int:
    """Blacklist every refresh token of ``user`` that has not expired yet; returns how many.

    The caller holds the lock on the user's row (see ``_lock_token_owner``).
    """
    pending = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("pk")
    created = BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in pending])
    return len(created)


# --- Profile, password and e-mail changes ---------------------------------------------------


@audit.audited("accounts.user.update")
@transaction.atomic
def update_profile(
    *, user: User, full_name: str | None = None, username: str | None = None, password: str | None = None
) -> User:
    """Change the full name and/or the username; a new username needs the current password."""
    actor = user
    user = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user, ("full_name", "username"))
    update_fields: list[str] = []
    if full_name is not None:
        user.full_name = full_name.strip()
        update_fields.append("full_name")
    if username is not None and username.strip() != user.username:
        username = username.strip()
        _raise_if_errors(
            {
                "password": [] if password and user.check_password(password) else ["Enter your current password."],
                "username": _username_errors(username, user=user),
            }
        )
        user.username = username
        update_fields.append("username")
    if update_fields:
        try:
            with transaction.atomic():
                user.save(update_fields=update_fields)
        except IntegrityError as exc:
            raise ValidationError({"username": ["This username is taken."]}) from exc
        audit.record("accounts.user.update", actor=actor, target=user, changes=audit.changes_since(before, user))
    return user


def _set_password(*, user: User, new_password: str, field: str, action: str) -> None:
    _raise_if_errors({field: _password_errors(new_password, user=user)})
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(action, actor=user, target=user, changes={"password": ("", "")})
    # Access tokens carry a hash of the old password and stop working (SIMPLE_JWT CHECK_REVOKE_TOKEN).
    revoke_all_tokens(user=user)


@audit.audited("accounts.user.password_change")
@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> TokenPair:
    """Set a new password and end every other session; returns a fresh pair for the caller's own session."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["This is not your current password."]})
    _set_password(user=user, new_password=new_password, field="new_password", action="accounts.user.password_change")
    return issue_tokens(user=user)


@transaction.atomic
def request_password_reset(*, email: str) -> None:
    """E-mail a reset link when an active account uses ``email``; say nothing either way."""
    user = selectors.active_user_with_email(normalize_email(email))
    if user is None:
        logger.info("Password reset asked for an address without an active account")
        return
    uid, token = links.make_password_reset(user)
    emails.send_password_reset(user=user, link=links.reset_password_url(uid, token))


@audit.audited("accounts.user.password_reset")
@transaction.atomic
def reset_password(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link; ends every session and lifts a login lockout of the account."""
    user_id = links.user_id_from_uid(uid)
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not links.password_reset_token_is_valid(user, token):
        raise InvalidLinkError(
            "This password reset link is not valid: it was already used, it expired, or it was mistyped.",
            field="token",
        )
    _set_password(user=user, new_password=new_password, field="new_password", action="accounts.user.password_reset")
    reset_axes_lockout(username=user.email)
    return user


@transaction.atomic
def request_email_change(*, user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to ``new_email`` and a notice to the current address; nothing changes yet."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        new_email_errors = ["This is already your e-mail address."]
    elif selectors.email_in_use(new_email, exclude=user):
        new_email_errors = ["An account with this e-mail address already exists."]
    else:
        new_email_errors = []
    _raise_if_errors(
        {
            "password": [] if user.check_password(password) else ["This is not your current password."],
            "new_email": new_email_errors,
        }
    )
    link = links.confirm_email_url(links.make_email_token(user=user, new_email=new_email))
    emails.send_email_change_confirmation(user=user, new_email=new_email, link=link)
    emails.send_email_change_notice(user=user, new_email=new_email)


# --- Roles and housekeeping ------------------------------------------------------------------


@audit.audited("accounts.user.role_grant")
@transaction.atomic
def grant_role(*, user: User, role: str, actor: User | None = None) -> None:
    """Give ``user`` a staff role (idempotent)."""
    if role not in ALL_ROLES:
        raise InvalidInputError(f"Unknown role {role!r}; choose one of {', '.join(ALL_ROLES)}.", field="role")
    group, _ = Group.objects.get_or_create(name=role)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        audit.record("accounts.user.role_grant", actor=actor, target=user, changes={"roles": (None, role)})


@audit.audited("accounts.user.role_revoke")
@transaction.atomic
def revoke_role(*, user: User, role: str, actor: User | None = None) -> None:
    """Take a staff role away from ``user`` (idempotent)."""
    held = list(user.groups.filter(name=role))
    if held:
        user.groups.remove(*held)
        audit.record("accounts.user.role_revoke", actor=actor, target=user, changes={"roles": (role, None)})


def flush_expired_tokens() -> int:
    """Delete refresh tokens (and their blacklist rows) that expired; they can never be used again."""
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    logger.info("Flushed %d expired token rows", deleted)
    return deleted
