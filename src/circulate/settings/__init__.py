"""Circulate settings: a base module plus one small module per integration.

The environment is read in ``env.py`` only. ``DJANGO_ENV=production`` switches on
the production profile, which refuses to start with the development secret key.
"""

import django_stubs_ext

from .base import *
from .celery import *
from .channels import *
from .debug_toolbar import *
from .email import *
from .env import IS_PRODUCTION
from .jwt import *
from .storage import *

# Lets generic classes such as ModelAdmin[Book] be subscripted at run time.
django_stubs_ext.monkeypatch()

if IS_PRODUCTION:
    from .production import *
