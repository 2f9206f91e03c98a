"""The one place that reads the environment.

Every setting that varies between machines comes from an environment variable
read here; each has an embedded default so that a fresh checkout runs with no
configuration at all (SQLite, in-memory channel layer, local-memory cache, a dev
outbox for e-mail and a file-system Celery broker).
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(environ.Env().str("CIRCULATE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEFAULT_SECRET_KEY = "django-insecure-circulate-development-key-do-not-use-in-production"

DJANGO_ENV: str = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"
# Django Debug Toolbar: the development profile only, and only when asked (``make run`` asks).
DEBUG_TOOLBAR: bool = env.bool("DEBUG_TOOLBAR", default=False) and not IS_PRODUCTION
