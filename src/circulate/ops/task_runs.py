"""One log line and the metrics of each Celery task run: name, id, outcome, duration (and the request id).

Called from the task signals in ``circulate/celery.py``; importing it does not set Django up.
"""

from __future__ import annotations

import logging
import time

from circulate.ops import metrics

logger = logging.getLogger("circulate.task")

# When each running task started, by task id (a worker process or thread runs one task at a time).
_started: dict[str, float] = {}


def started(task_id: str) -> None:
    _started[task_id] = time.perf_counter()


def finished(task_id: str, name: str, state: str | None) -> None:
    """Log the run (inside the task's context, so the line carries its request id)."""
    began = _started.pop(task_id, None)
    duration = time.perf_counter() - began if began is not None else 0.0
    outcome = (state or "unknown").lower()
    metrics.observe_task(name=name, outcome=outcome, duration=duration)
    level = logging.ERROR if outcome == "failure" else logging.INFO
    logger.log(
        level,
        "task %s %s",
        name,
        outcome,
        extra={"task": name, "task_id": task_id, "outcome": outcome, "duration_ms": round(duration * 1000, 2)},
    )
