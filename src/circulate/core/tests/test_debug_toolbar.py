"""Django Debug Toolbar: on in the development profile when asked (make run asks), never in tests or production."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "from django.urls import reverse; "
    "print('debug_toolbar' in settings.INSTALLED_APPS, "
    "'debug_toolbar.middleware.DebugToolbarMiddleware' in settings.MIDDLEWARE)"
)


def _probe(**env: str) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "circulate.settings", **env}
    environment.pop("DEBUG_TOOLBAR", None)
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_test_suite_runs_without_the_toolbar() -> None:
    assert "debug_toolbar" not in settings.INSTALLED_APPS
    assert settings.DEBUG_TOOLBAR is False


def test_the_development_profile_turns_it_on_when_asked() -> None:
    assert _probe(DEBUG_TOOLBAR="true") == "True True"
    assert _probe() == "False False"


def test_production_never_has_it() -> None:
    secret = "p" * 60
    assert _probe(DEBUG_TOOLBAR="true", DJANGO_ENV="production", SECRET_KEY=secret, ALLOWED_HOSTS="x") == "False False"
