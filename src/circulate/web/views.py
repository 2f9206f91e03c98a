"""Console pages. They only render templates: the data comes from the public API,
called by each page's JavaScript module with the signed-in user's token."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from circulate.web.pages import DOMAIN_PAGES


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "web/landing.html", {"domain_pages": DOMAIN_PAGES})


@require_safe
def sign_in(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sign_in.html")


@require_safe
def sign_up(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sign_up.html")


@require_safe
def sign_out(request: HttpRequest) -> HttpResponse:
    return render(request, "web/sign_out.html")


@require_safe
def confirm_email(request: HttpRequest) -> HttpResponse:
    """The target of the link in the confirmation e-mail (``?token=...``)."""
    return render(request, "web/confirm_email.html")


@require_safe
def reset_password(request: HttpRequest) -> HttpResponse:
    """Asks for a reset link, or sets the new password when opened from one (``?uid=...&token=...``)."""
    return render(request, "web/reset_password.html")


@require_safe
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's profile, password and e-mail address (``/api/auth/me/`` and friends)."""
    return render(request, "web/account.html")


@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    """The dev outbox for staff; it does not exist when mail goes out through SMTP."""
    if not settings.DEV_OUTBOX_ENABLED:
        raise Http404("The dev outbox is off: e-mail is sent through SMTP.")
    return render(request, "web/outbox.html")


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "web/library.html")


@require_safe
def library_relations(request: HttpRequest) -> HttpResponse:
    return render(request, "web/library_relations.html")
