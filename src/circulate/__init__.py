"""Circulate: one Django backend for organisations whose things change hands."""

from .celery import app as celery_app

__all__ = ["celery_app"]
