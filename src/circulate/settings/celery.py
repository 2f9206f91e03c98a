"""Celery: a file-system broker on one machine, Redis or RabbitMQ when configured.

With no CELERY_BROKER_URL the broker is kombu's file-system transport under
``var/celery/`` and results are files too, so tasks really run in a separate
worker process without any server. Set ``CELERY_BROKER_URL`` (``redis://...`` or
``amqp://...``) and optionally ``CELERY_RESULT_BACKEND`` in production.
"""

from datetime import timedelta

from celery.schedules import crontab

from .env import VAR_DIR, env

_celery_dir = VAR_DIR / "celery"
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "results", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    _default_results = f"file://{_celery_dir / 'results'}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    _default_results = env.str("REDIS_URL", default="") or "rpc://"
CELERY_RESULT_BACKEND: str = env.str("CELERY_RESULT_BACKEND", default=_default_results)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Nothing in Circulate reads a task's result (tasks record their effect in the database), and
# with a result backend every enqueue also subscribed to the result: with Redis away that
# retried for 20 s inside the request that enqueued. A caller that wants a result asks for it
# (``apply_async(ignore_result=False)``, as deploy/check_stack.py does).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Run tasks in place only where a test asks for it; the default is a real worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The worker logs through Django's LOGGING (LOG_FORMAT, the request id filter), not Celery's own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(_celery_dir / "beat-schedule")

# Periodic jobs. Each domain adds its own entries in its ``tasks.py`` docstring table
# and here, so the whole schedule can be read in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "accounts.flush_expired_tokens": {
        "task": "circulate.accounts.tasks.flush_expired_tokens",
        "schedule": timedelta(hours=1),
    },
    "library.send_loan_reminders": {
        "task": "circulate.library.tasks.send_loan_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "library.expire_reservations": {
        "task": "circulate.library.tasks.expire_reservations",
        "schedule": timedelta(minutes=15),
    },
    "audit.purge_expired_entries": {
        "task": "circulate.audit.tasks.purge_expired_entries",
        "schedule": crontab(hour=3, minute=30),
    },
    "core.purge_idempotency_keys": {
        "task": "circulate.core.tasks.purge_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "partners.refresh_availability": {
        "task": "circulate.partners.tasks.refresh_availability",
        "schedule": timedelta(minutes=15),
    },
    "partners.sync_reservations": {
        "task": "circulate.partners.tasks.sync_reservations",
        "schedule": timedelta(minutes=5),
    },
    "bikes.reprice_overdue": {
        "task": "circulate.bikes.tasks.reprice_overdue",
        "schedule": timedelta(minutes=1),
    },
    "dealership.restock": {
        "task": "circulate.dealership.tasks.restock",
        "schedule": timedelta(minutes=10),
    },
    "dealership.match_offers": {
        "task": "circulate.dealership.tasks.match_offers",
        "schedule": timedelta(minutes=1),
    },
}
