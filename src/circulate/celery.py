"""The Celery application: configuration from Django settings, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "circulate.settings")

app = Celery("circulate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
