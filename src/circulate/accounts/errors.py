"""Errors the account services raise; core's exception handler renders them in the one error shape."""

from __future__ import annotations

from rest_framework import status

from circulate.core.errors import DomainError, InvalidInputError


class InvalidCredentialsError(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    default_detail = "No active account matches this e-mail or username and password."


class AccountLockedError(DomainError):
    """Too many failed logins for one account from one address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "account_locked"


class InvalidTokenError(DomainError):
    """A JWT that is malformed, expired, blacklisted or issued before a password change."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    default_detail = "Token is invalid or expired."


class InvalidLinkError(InvalidInputError):
    """A confirmation or reset link that is forged, expired or already used."""

    code = "invalid_link"


class EmailAlreadyVerifiedError(DomainError):
    code = "email_already_verified"
    default_detail = "This e-mail address is already confirmed."


class EmailTakenError(DomainError):
    code = "email_taken"
    default_detail = "Another account uses this e-mail address now."
