"""The Celery application: configuration from Django settings, tasks autodiscovered."""

import os
from contextvars import Token
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_process_shutdown, worker_ready

from circulate.core import context
from circulate.ops import task_runs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "circulate.settings")

app = Celery("circulate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_label(name: str) -> str:
    """``circulate.library.tasks.expire_reservations`` → ``task:library.expire_reservations``."""
    return "task:" + name.removeprefix("circulate.").replace(".tasks.", ".")


# The message header that carries the id of the request (or task) that enqueued a task.
REQUEST_ID_HEADER = "circulate_request_id"

# The context of each running task, by task id (a worker thread runs one task at a time).
_task_contexts: dict[str, Token[context.ExecutionContext]] = {}


@before_task_publish.connect
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    # A task enqueued while a request (or another task) runs carries its request id in the message.
    request_id = context.current().request_id
    if headers is not None and request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def request_id_of(task: Task) -> str:
    """The request id the task's message carries, or the one bound in this process (a task run in place)."""
    sent = context.valid_request_id(getattr(task.request, REQUEST_ID_HEADER, None))
    return sent or context.current().request_id


@task_prerun.connect
def _bind_task_context(task_id: str, task: Task, **kwargs: Any) -> None:
    # Audit entries written by the task name it as the actor, and keep the id of the request that enqueued it.
    _task_contexts[task_id] = context.enter(
        actor_label=task_label(task.name), client_ip=None, request_id=request_id_of(task)
    )
    task_runs.started(task_id)


@task_postrun.connect
def _unbind_task_context(task_id: str, task: Task, state: str | None = None, **kwargs: Any) -> None:
    task_runs.finished(task_id, task.name, state)
    token = _task_contexts.pop(task_id, None)
    if token is not None:
        context.leave(token)


@worker_ready.connect
def _serve_worker_metrics(**kwargs: Any) -> None:
    # The worker has no HTTP server of its own: with CELERY_METRICS_PORT it serves its task metrics for Prometheus.
    port = os.environ.get("CELERY_METRICS_PORT")
    if port:
        from circulate.ops import metrics

        metrics.serve(int(port), os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"))  # noqa: S104 - the worker's network


@worker_process_shutdown.connect
def _forget_pool_process(pid: int | None = None, **kwargs: Any) -> None:
    from circulate.ops import metrics

    metrics.mark_process_dead(pid or os.getpid())
