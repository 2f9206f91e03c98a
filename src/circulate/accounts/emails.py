"""Account e-mails: a text and an HTML template each, sent once the transaction commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from circulate.accounts.models import User

TEMPLATE_DIR = "accounts/email"


def send_templated_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render ``<template>.txt`` and ``<template>.html``; send after commit, so a rolled-back write sends nothing.

    ``robust``: the write has committed; a mail server that is down is logged and the
    person can ask for the e-mail again (resend, reset), instead of the request failing.
    """
    full_context = {"public_url": settings.PUBLIC_URL, "subject": subject, **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{TEMPLATE_DIR}/{template}.txt", full_context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{TEMPLATE_DIR}/{template}.html", full_context), "text/html")
    transaction.on_commit(message.send, robust=True)


def describe_duration(duration: timedelta) -> str:
    """'3 days', '1 day', '24 hours', '30 minutes': how long a link stays valid, for the e-mail text."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def send_email_confirmation(*, user: User, link: str) -> None:
    send_templated_email(
        to=user.email,
        subject="Confirm your e-mail address for Circulate",
        template="confirm_email",
        context={"user": user, "link": link, "valid_for": describe_duration(settings.EMAIL_CONFIRMATION_MAX_AGE)},
    )


def send_email_change_confirmation(*, user: User, new_email: str, link: str) -> None:
    send_templated_email(
        to=new_email,
        subject="Confirm your new e-mail address for Circulate",
        template="change_email",
        context={
            "user": user,
            "new_email": new_email,
            "link": link,
            "valid_for": describe_duration(settings.EMAIL_CONFIRMATION_MAX_AGE),
        },
    )


def send_email_change_notice(*, user: User, new_email: str) -> None:
    send_templated_email(
        to=user.email,
        subject="Your Circulate e-mail address is about to change",
        template="email_change_notice",
        context={"user": user, "new_email": new_email},
    )


def send_password_reset(*, user: User, link: str) -> None:
    send_templated_email(
        to=user.email,
        subject="Reset your Circulate password",
        template="password_reset",
        context={
            "user": user,
            "link": link,
            "valid_for": describe_duration(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)),
        },
    )
