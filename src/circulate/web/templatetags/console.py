"""Template tags for the console layout."""

from __future__ import annotations

from django import template
from django.conf import settings

from circulate.web.pages import DOMAIN_PAGES, ConsolePage

register = template.Library()


@register.simple_tag
def console_pages() -> tuple[ConsolePage, ...]:
    return DOMAIN_PAGES


@register.simple_tag
def dev_outbox_enabled() -> bool:
    return bool(getattr(settings, "DEV_OUTBOX_ENABLED", False))
