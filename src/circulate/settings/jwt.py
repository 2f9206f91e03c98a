"""JSON Web Tokens (djangorestframework-simplejwt)."""

from datetime import timedelta

from .env import env

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a hash of the password hash: after a password change or reset, access
    # tokens issued before it are refused at once (refresh tokens are blacklisted too).
    "CHECK_REVOKE_TOKEN": True,
}
