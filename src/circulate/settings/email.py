"""E-mail: a dev outbox kept in the database by default, SMTP when configured.

``EMAIL_URL`` (for example ``smtp+tls://user:password@mail.example.com:587``) or the
usual ``EMAIL_HOST``/``EMAIL_PORT``/``EMAIL_HOST_USER``/``EMAIL_HOST_PASSWORD``/
``EMAIL_USE_TLS`` variables switch to SMTP. The dev outbox never exists in production.
"""

from .env import IS_PRODUCTION, env

DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Circulate <no-reply@circulate.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_email_url = env.str("EMAIL_URL", default="")
if _email_url:
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
elif env.str("EMAIL_HOST", default="") or IS_PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "circulate.accounts.outbox.DevOutboxBackend"

DEV_OUTBOX_ENABLED = EMAIL_BACKEND == "circulate.accounts.outbox.DevOutboxBackend"
