"""The Celery application: configuration from Django settings, tasks autodiscovered."""

import os
from contextvars import Token
from typing import Any

from celery import Celery, Task
from celery.signals import task_postrun, task_prerun

from circulate.core import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "circulate.settings")

app = Celery("circulate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_label(name: str) -> str:
    """``circulate.library.tasks.expire_reservations`` → ``task:library.expire_reservations``."""
    return "task:" + name.removeprefix("circulate.").replace(".tasks.", ".")


# The context of each running task, by task id (a worker thread runs one task at a time).
_task_contexts: dict[str, Token[context.ExecutionContext]] = {}


@task_prerun.connect
def _bind_task_context(task_id: str, task: Task, **kwargs: Any) -> None:
    # Audit entries written by the task name it as the actor.
    _task_contexts[task_id] = context.enter(actor_label=task_label(task.name), client_ip=None)


@task_postrun.connect
def _unbind_task_context(task_id: str, task: Task, **kwargs: Any) -> None:
    token = _task_contexts.pop(task_id, None)
    if token is not None:
        context.leave(token)
