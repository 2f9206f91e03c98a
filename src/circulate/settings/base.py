"""Django and REST framework settings shared by every profile."""

import os
import re
from datetime import timedelta

from .env import DEFAULT_SECRET_KEY, IS_PRODUCTION, VAR_DIR, env

VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY: str = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
DEBUG: bool = env.bool("DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Links in e-mails point here (confirmation, password reset, reminders).
PUBLIC_URL: str = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "django_countries",
    "circulate.core",
    "circulate.accounts",
    "circulate.realtime",
    "circulate.audit",
    "circulate.ops",
    "circulate.library",
    "circulate.bikes",
    "circulate.partners",
    "circulate.dealership",
    "circulate.web",
]

MIDDLEWARE = [
    # First: every later middleware, view and log line sees the request id and client address.
    "circulate.core.middleware.RequestContextMiddleware",
    # Second: the request's log line (and metrics) cover everything below, with the request id.
    "circulate.ops.middleware.RequestLogMiddleware",
    # Third: a body over its limit is a 413 before anything reads it.
    "circulate.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication (failed logins are counted and locked).
    "axes.middleware.AxesMiddleware",
]

# Only the HTTP benchmark changes it (bench/http_urls.py adds its baselines to the application).
ROOT_URLCONF: str = env.str("ROOT_URLCONF", default="circulate.urls")
WSGI_APPLICATION = "circulate.wsgi.application"
ASGI_APPLICATION = "circulate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# PostgreSQL (psycopg 3) in production; a SQLite file by default; MariaDB/MySQL via mysql:// (README).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the worker write the same file.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a worker process started by a test sees the test database.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_POOL", default=True):
    # A pool per process (psycopg_pool): the ASGI server runs each request's sync code in a thread of
    # its own, and persistent per-thread connections (CONN_MAX_AGE) would pile up until PostgreSQL
    # refuses clients. Connections go back to the pool at the end of each request; the pool checks a
    # connection before lending it, so one killed by the server is replaced, not handed out.
    _db["CONN_MAX_AGE"] = 0
    _db["CONN_HEALTH_CHECKS"] = True  # with a pool: check each connection as it is lent
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
        # A request waits this long for a free connection, then answers 503.
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        "max_idle": 300,
    }
elif _db["ENGINE"] == "django.db.backends.mysql":
    # Django's backend with partial unique constraints kept by generated columns (core/mysql/schema.py).
    _db["ENGINE"] = "circulate.core.mysql"
    # Django warns that these constraints are not created (W036); that backend creates them.
    SILENCED_SYSTEM_CHECKS = ["models.W036"]
    # MariaDB/MySQL (mysqlclient, the `mysql` extra). utf8mb4 for all of Unicode; strict mode so
    # a too-long or invalid value is an error, not a silently truncated row; READ COMMITTED as
    # on PostgreSQL, so a statement after a row lock sees what the lock holder committed.
    # Times are stored in UTC (TIME_ZONE is UTC, so no server time zone tables are needed).
    _db["OPTIONS"] = {
        "charset": "utf8mb4",
        "isolation_level": "read committed",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES', time_zone='+00:00'",
    }
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
else:
    _db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
_db.setdefault("TEST", {})
if env.str("TEST_DATABASE_NAME", default=""):
    _db["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")
# Put before every cache key and channel-layer channel this deployment keeps in Redis, so that two
# deployments can share one Redis database (the cache's clear() then deletes only its own keys).
# Under pytest-xdist each test worker adds its own (``test-gw0``...): the workers' test databases
# number their rows alike, so a shared key ("user 1") would mean two different rows.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
REDIS_KEY_PREFIX: str = ".".join(
    part for part in (env.str("REDIS_KEY_PREFIX", default=""), f"test-{_xdist_worker}" if _xdist_worker else "") if part
)
if not re.fullmatch(r"[A-Za-z0-9_.-]*", REDIS_KEY_PREFIX):
    raise ValueError("REDIS_KEY_PREFIX: letters, digits, '_', '.' and '-' only (it also names channels)")
CACHES = {
    "default": (
        {
            # Fails soft: an unreachable Redis is a cache miss, not a 500 (core/cache.py).
            "BACKEND": "circulate.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "circulate"}
    )
}

# --- Accounts and passwords --------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "circulate.accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "username", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How long an e-mail confirmation or e-mail change link stays valid.
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=env.int("EMAIL_CONFIRMATION_DAYS", default=3))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 24)

# Failed logins: lock one account from one address after AXES_FAILURE_LIMIT failures (recorded in the database).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
# authenticate() is called with username=<e-mail or username>; failures count against the account's e-mail.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "circulate.accounts.lockout.lockout_username"
# Keep a log of every failed login (admin → Axes → Access failures), the latest 1000 per account.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# 429 in the one JSON error shape with Retry-After for the API; plain text for the admin login.
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "circulate.accounts.lockout.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Internationalisation and time --------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve app static files straight from the packages in development (no collectstatic needed).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Images people upload (bike photos, book covers) are refused above this size.
UPLOAD_IMAGE_MAX_BYTES: int = env.int("UPLOAD_IMAGE_MAX_BYTES", default=5 * 1024 * 1024)
# The largest request body (JSON, form fields) in bytes: larger is a 413. A multipart upload may be
# larger by UPLOAD_IMAGE_MAX_BYTES (core.middleware.RequestSizeLimitMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE: int = env.int("REQUEST_BODY_MAX_BYTES", default=2_621_440)
# Arrays and objects in a JSON body may nest this deep; deeper is a 400 (core.parsers).
JSON_MAX_DEPTH: int = env.int("JSON_MAX_DEPTH", default=32)
# Django answers a CSRF refusal with an HTML page; under /api/ it is the JSON error shape.
CSRF_FAILURE_VIEW = "circulate.core.errors.csrf_failure"

# Proxies in front of the app that append to X-Forwarded-For (1 behind the compose nginx).
# Throttling and login lockouts trust exactly that many entries and no more.
NUM_PROXIES: int = env.int("NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES or None
# X-Request-ID from the proxy is trusted only when a proxy stands in front; otherwise ids are generated.
TRUST_REQUEST_ID_HEADER: bool = env.bool("TRUST_REQUEST_ID_HEADER", default=NUM_PROXIES > 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if NUM_PROXIES else ["REMOTE_ADDR"]

# --- REST framework ---------------------------------------------------------------------
# Lists count exactly up to this many rows; above it PostgreSQL answers its planner's
# estimate with ``count_is_estimate: true`` (core/pagination.py). 0 always counts exactly.
PAGINATION_EXACT_COUNT_LIMIT = env.int("PAGINATION_EXACT_COUNT_LIMIT", default=10_000)
# Seconds the shared read caches keep an answer (the catalogue's book pages and details, the bike
# fleet's list and details, the dealership stock as buyers see it, the market statistics of the
# staff, each access token's user row: core/read_cache.py; every change through the services
# forgets them at once).
# 0 turns them off: the default without Redis, where each process has its own memory cache and would
# not hear what another process (a second web worker, the Celery worker) changed.
READ_CACHE_SECONDS: int = env.int("READ_CACHE_SECONDS", default=30 if REDIS_URL else 0)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "circulate.accounts.authentication.KeptUserJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # orjson writes what REST framework's renderer writes, faster (core.renderers).
    "DEFAULT_RENDERER_CLASSES": [
        "circulate.core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # orjson: nesting deeper than JSON_MAX_DEPTH is a 400, not a RecursionError (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "circulate.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "circulate.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "circulate.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="300/minute"),
        "user": env.str("THROTTLE_USER", default="1200/minute"),
        "login": env.str("THROTTLE_LOGIN", default="10/minute"),
        "register": env.str("THROTTLE_REGISTER", default="10/hour"),
        "email": env.str("THROTTLE_EMAIL", default="5/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="5/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # How many proxies (nginx) stand in front: throttles then key on the client's address, not the proxy's.
    "NUM_PROXIES": NUM_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Circulate API",
    "DESCRIPTION": (
        "One backend for organisations whose things change hands: a library, a bike "
        "rental and a car dealership network. Authenticate with `Authorization: Bearer "
        "<access>` from `POST /api/auth/login/`. Every error has the shape "
        '`{"detail": "...", "code": "...", "errors": {"field": ["..."]}}`.'
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Nothing is fetched off the machine: no online validator badge, no web fonts (system fonts instead).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "headings": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"},
                "code": {"fontFamily": "ui-monospace, 'DejaVu Sans Mono', monospace"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {},
    # Every answer an operation can give is documented (401, 429, CSRF 403, 404 past the last page, 413...).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "circulate.core.schema.document_shared_answers",
    ],
}

# Answers to requests sent with an Idempotency-Key are kept this long (core.idempotency).
IDEMPOTENCY_KEY_HOURS: int = env.int("IDEMPOTENCY_KEY_HOURS", default=24)

# --- Bike rental and its GBFS feeds ----------------------------------------------------------
BIKES_SYSTEM_ID: str = env.str("BIKES_SYSTEM_ID", default="circulate-bikes")
BIKES_SYSTEM_NAME: str = env.str("BIKES_SYSTEM_NAME", default="Circulate Bikes")
BIKES_TIMEZONE: str = env.str("BIKES_TIMEZONE", default="Europe/Tallinn")
BIKES_OPENING_HOURS: str = env.str("BIKES_OPENING_HOURS", default="24/7")
BIKES_FEED_CONTACT_EMAIL: str = env.str("BIKES_FEED_CONTACT_EMAIL", default="fleet@circulate.local")
# Seconds a GBFS consumer may keep a feed: the station and vehicle status, and the rest.
GBFS_REALTIME_TTL: int = env.int("GBFS_REALTIME_TTL", default=15)
GBFS_STATIC_TTL: int = env.int("GBFS_STATIC_TTL", default=300)

# --- Partner branches (circulate.partners) ------------------------------------------------
# How we name ourselves to partner branches (their reservations' requesting library).
PARTNERS_LIBRARY_CODE: str = env.str("PARTNERS_LIBRARY_CODE", default="circulate")
# Circuit breaker: after this many failed calls in a row a branch is not asked for COOLDOWN seconds.
PARTNERS_BREAKER_THRESHOLD: int = env.int("PARTNERS_BREAKER_THRESHOLD", default=3)
PARTNERS_BREAKER_COOLDOWN: float = env.float("PARTNERS_BREAKER_COOLDOWN", default=30.0)
# Retries wait a random time up to BACKOFF * 2^(attempt-1) seconds, at most BACKOFF_MAX.
PARTNERS_RETRY_BACKOFF: float = env.float("PARTNERS_RETRY_BACKOFF", default=0.2)
PARTNERS_RETRY_BACKOFF_MAX: float = env.float("PARTNERS_RETRY_BACKOFF_MAX", default=2.0)
# A stored availability younger than this answers partner-status without asking the branch.
PARTNERS_AVAILABILITY_FRESH_MINUTES: int = env.int("PARTNERS_AVAILABILITY_FRESH_MINUTES", default=20)
PARTNERS_REFRESH_BATCH: int = env.int("PARTNERS_REFRESH_BATCH", default=200)
# seed_demo registers the local branch service (services/branch) as "Riverside branch".
PARTNERS_DEMO_BRANCH_URL: str = env.str(
    "PARTNERS_DEMO_BRANCH_URL", default=f"http://127.0.0.1:{env.int('BRANCH_PORT', default=5013)}"
)
PARTNERS_DEMO_BRANCH_TOKEN: str = env.str("BRANCH_API_TOKEN", default="circulate-branch-dev-token")
BRANCH_DATABASE_URL: str = env.str("BRANCH_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'branch.sqlite3'}")

# --- Audit trail -------------------------------------------------------------------------
# Entries older than this are removed by the daily audit.purge_expired_entries job.
AUDIT_RETENTION_DAYS: int = env.int("AUDIT_RETENTION_DAYS", default=365)

# --- Metrics (GET /metrics, Prometheus text format) -----------------------------------------
# Served to a bearer of METRICS_TOKEN, or to a direct peer in METRICS_ALLOWED_IPS (addresses or networks).
METRICS_TOKEN: str = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS: list[str] = env.list("METRICS_ALLOWED_IPS", default=[] if IS_PRODUCTION else ["127.0.0.1", "::1"])

# --- Backups (manage.py backup / restore, make backup / restore) --------------------------------
BACKUP_DIR: str = env.str("BACKUP_DIR", default=str(VAR_DIR / "backups"))

# --- Logs ---------------------------------------------------------------------------------
# json: one JSON object per line (production default); text: readable lines (development default).
LOG_FORMAT: str = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ValueError(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line names the request (or task) it was written for: the filter sits on the handler.
    "filters": {"request_context": {"()": "circulate.ops.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "circulate.ops.logging.JsonFormatter"},
        "text": {"()": "circulate.ops.logging.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Our request lines replace Django's own per-request warnings for 4xx/5xx (which would say it twice).
        "django.request": {"level": "ERROR"},
    },
}
