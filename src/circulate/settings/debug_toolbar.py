"""Django Debug Toolbar in the development profile (``DEBUG_TOOLBAR=true``, which ``make run`` sets).

Never in production (``env.DEBUG_TOOLBAR`` is false there whatever the variable says) and
never in the test suite (the variable is unset). It shows on the console's HTML pages for
requests from this machine: SQL queries and their time, templates, cache, signals.
"""

from .base import INSTALLED_APPS, MIDDLEWARE
from .env import DEBUG_TOOLBAR

if DEBUG_TOOLBAR:
    INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
    # Right after the request-context middleware, before anything that encodes the response.
    MIDDLEWARE = [MIDDLEWARE[0], "debug_toolbar.middleware.DebugToolbarMiddleware", *MIDDLEWARE[1:]]
    INTERNAL_IPS = ["127.0.0.1", "::1"]
