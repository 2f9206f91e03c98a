"""Which service functions record audit entries, and which do not and why.

A test walks every ``services`` module (or package) of every Circulate app: each public
function must be marked with ``@audited(...)`` or be listed here with the reason it
changes no state worth an entry. A new service that is neither fails the build.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps

NOT_AUDITED: dict[str, str] = {
    # accounts
    "circulate.accounts.services.normalize_email": "a pure function",
    "circulate.accounts.services.issue_tokens": "issues a session token pair; sessions are not business records",
    "circulate.accounts.services.log_in": "sessions are not business records; django-axes logs failed logins",
    "circulate.accounts.services.refresh_tokens": "rotates a session token",
    "circulate.accounts.services.log_out": "ends a session",
    "circulate.accounts.services.revoke_all_tokens": "part of the audited password change and reset",
    "circulate.accounts.services.flush_expired_tokens": "housekeeping: deletes tokens that can never be used again",
    "circulate.accounts.services.resend_email_confirmation": "sends an e-mail; nothing changes until the link is used",
    "circulate.accounts.services.request_password_reset": "sends an e-mail; nothing changes until the link is used",
    "circulate.accounts.services.request_email_change": "sends an e-mail; nothing changes until the link is used",
    # audit
    "circulate.audit.services.audited": "the marker itself",
    "circulate.audit.services.object_type_of": "a pure function",
    "circulate.audit.services.snapshot": "reads field values",
    "circulate.audit.services.changes_since": "a pure function",
    "circulate.audit.services.created": "a pure function",
    "circulate.audit.services.record": "writes the entries",
    "circulate.audit.services.retention_cutoff": "a pure function",
    "circulate.audit.services.purge_expired_entries": "the retention job: the one way entries leave the trail",
    # core
    "circulate.core.services.soft_delete": "called inside audited domain services and admin actions, which record",
    "circulate.core.services.restore": "called inside audited domain services and admin actions, which record",
    # library
    "circulate.library.services.catalogue.refresh_search_text": "rebuilds a derived column; its cause is audited",
    # partners
    "circulate.partners.services.availability.partner_status": "a read; caches the branch's answer",
    "circulate.partners.services.availability.refresh_availability": "refreshes a cache of what branches hold",
    # realtime
    "circulate.realtime.services.publish": "events are stored by the realtime app itself",
    "circulate.realtime.services.serialize_event": "a pure function",
    "circulate.realtime.services.mark_seen": "moves a user's own read cursor; not a business record",
}


def service_modules() -> Iterator[Any]:
    """Every ``circulate.<app>.services`` module, and each submodule when it is a package."""
    for config in apps.get_app_configs():
        if not config.name.startswith("circulate."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.services":
                raise
            continue
        yield module
        if hasattr(module, "__path__"):
            # Submodules whose name starts with "_" are the package's private helpers, not services.
            for info in pkgutil.walk_packages(module.__path__, prefix=f"{module.__name__}."):
                if not info.name.rsplit(".", 1)[-1].startswith("_"):
                    yield importlib.import_module(info.name)


def public_service_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """``(dotted name, function)`` for every public function defined in a service module."""
    for module in service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            yield f"{module.__name__}.{name}", function


def declared_actions(function: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(getattr(function, "audit_actions", ()))
