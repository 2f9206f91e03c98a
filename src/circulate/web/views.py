"""Console pages. They only render templates: the data comes from the public API,
called by each page's JavaScript module with the signed-in user's token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.generic import TemplateView

from circulate.web.pages import DOMAIN_PAGES


class ConsolePage(TemplateView):
    """A console page: a template and its JS module; GET and HEAD only."""

    http_method_names = ["get", "head", "options"]


class LandingPage(ConsolePage):
    template_name = "web/landing.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(domain_pages=DOMAIN_PAGES, **kwargs)


class OutboxPage(ConsolePage):
    """The dev outbox for staff; it does not exist when mail goes out through SMTP."""

    template_name = "web/outbox.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEV_OUTBOX_ENABLED:
            raise Http404("The dev outbox is off: e-mail is sent through SMTP.")
        return super().get(request, *args, **kwargs)
