"""Prometheus metrics: HTTP requests and latency, database queries, Celery task runs, WebSockets, domain gauges.

Counters and histograms are kept by the process that observes them. Under gunicorn (several
worker processes) and the Celery prefork pool, ``PROMETHEUS_MULTIPROC_DIR`` names a directory
where every process writes its values (prometheus_client's multi-process mode) and
``/metrics`` adds them up; ``deploy/gunicorn*.conf.py`` set one and mark exited workers dead.
The directory must be set before this module is imported (prometheus_client reads it then).

Domain gauges (open loans, active rentals, ...) are read from the database when ``/metrics``
is scraped, so they are the same whichever process answers: each domain declares its own in
a ``metrics.py`` module with :func:`domain_gauge` (discovered when Django starts).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric

HTTP_REQUESTS = Counter(
    "circulate_http_requests_total", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "circulate_http_request_duration_seconds",
    "Time to answer an HTTP request, by view, method and status.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HTTP_QUERIES = Histogram(
    "circulate_http_request_db_queries",
    "Database queries run to answer one HTTP request, by view.",
    ["view"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100),
)
DB_QUERIES = Counter("circulate_db_queries_total", "Database queries run, by database alias.", ["database"])
TASK_RUNS = Counter(
    "circulate_celery_task_runs_total",
    "Celery task runs, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_FAILURES = Counter("circulate_celery_task_failures_total", "Celery task runs that raised, by task.", ["task"])
TASK_DURATION = Histogram(
    "circulate_celery_task_duration_seconds",
    "Time a Celery task run took, by task.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
# livesum: the sockets of the processes alive now (an exited worker's count is dropped by mark_process_dead).
WEBSOCKETS_OPEN = Gauge(
    "circulate_websocket_connections_open", "WebSocket connections open now.", multiprocess_mode="livesum"
)

# --- Database queries -------------------------------------------------------------------------
# The queries of the request being answered in this context (None outside a request).
_request_queries: ContextVar[list[int] | None] = ContextVar("circulate_request_queries", default=None)


def count_queries(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """A database execute wrapper: counts every query, per database and for the current request."""
    DB_QUERIES.labels(database=context["connection"].alias).inc()
    counter = _request_queries.get()
    if counter is not None:
        counter[0] += 1
    return execute(sql, params, many, context)


def install_query_counter(connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: wrap every query of the connection (first, so others' wrappers nest)."""
    if count_queries not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, count_queries)


def start_request() -> tuple[float, list[int]]:
    counter = [0]
    _request_queries.set(counter)
    return time.perf_counter(), counter


def observe_request(*, view: str, method: str, status: int, started: float, queries: list[int]) -> None:
    _request_queries.set(None)
    HTTP_REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    HTTP_LATENCY.labels(view=view, method=method, status=str(status)).observe(time.perf_counter() - started)
    HTTP_QUERIES.labels(view=view).observe(queries[0])


def observe_task(*, name: str, outcome: str, duration: float) -> None:
    TASK_RUNS.labels(task=name, outcome=outcome).inc()
    if outcome == "failure":
        TASK_FAILURES.labels(task=name).inc()
    TASK_DURATION.labels(task=name).observe(duration)


# --- Domain gauges ------------------------------------------------------------------------------
_domain_gauges: dict[str, tuple[str, Callable[[], float]]] = {}


def domain_gauge(name: str, documentation: str) -> Callable[[Callable[[], float]], Callable[[], float]]:
    """Declare a gauge read when ``/metrics`` is scraped: ``@domain_gauge("circulate_library_open_loans", "...")``."""

    def register(read: Callable[[], float]) -> Callable[[], float]:
        _domain_gauges[name] = (documentation, read)
        return read

    return register


def domain_gauge_names() -> list[str]:
    return sorted(_domain_gauges)


class DomainGauges:
    """A collector reading every declared domain gauge."""

    def collect(self) -> Iterator[Metric]:
        for name, (documentation, read) in sorted(_domain_gauges.items()):
            yield GaugeMetricFamily(name, documentation, value=float(read()))


_domain_registry = CollectorRegistry()
_domain_registry.register(DomainGauges())


# --- Exposition ---------------------------------------------------------------------------------
def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_registry() -> CollectorRegistry:
    """What the processes counted: every process's files in multi-process mode, else this process's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    """The whole text exposition: the processes' counters, histograms and gauges, then the domain gauges."""
    return generate_latest(process_registry()) + generate_latest(_domain_registry)


def mark_process_dead(pid: int) -> None:
    """For gunicorn's ``child_exit`` and Celery's ``worker_process_shutdown``: drop an exited process's live gauges."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


def serve(port: int, address: str) -> None:
    """Serve the process metrics (no domain gauges: those need the database) on a port of their own (Celery worker)."""
    start_http_server(port, addr=address, registry=process_registry())
