"""Bike rental at scale: GBFS status feeds over 1,000 stations and 10,000 bikes, and rides over HTTP.

    python -m bench.bikes [--stations 1000] [--bikes 10000] [--riders 16] [--ride-seconds 20]
                          [--database circulate_bench_bikes] [--server postgres://postgres@127.0.0.1:5432]

Recreates the PostgreSQL database, migrates it and fills it with ``manage.py generate_fleet``.
Then:

1. the GBFS feeds ``station_status.json``, ``vehicle_status.json`` and
   ``station_information.json`` through Django's full request stack in process (URL routing,
   middleware, the view, JSON encoding): the median and p90 of 30 requests, the queries each
   ran and the size of the answer;
2. rides over HTTP through the production HTTP tier (gunicorn with ``deploy/gunicorn.conf.py``,
   2 workers, production profile) with a Celery worker pricing the rides through a private
   Redis: ``--riders`` riders each find a bike at a random station, start a ride and finish it
   at another, for ``--ride-seconds``; rides per second, p50/p99 of starting and finishing,
   any non-2xx answer other than the expected 409s, and whether every ride got priced.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-bikes-" + "s" * 48
TARGET_MS = 50.0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bikes", description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--bikes", type=int, default=10_000)
    parser.add_argument("--riders", type=int, default=16)
    parser.add_argument("--ride-seconds", type=float, default=20.0)
    parser.add_argument("--database", default="circulate_bench_bikes")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"{args.server}/{args.database}",
        CIRCULATE_VAR_DIR=str(REPO / "var" / "bench-bikes"),
        DJANGO_SETTINGS_MODULE="circulate.settings",
        SECRET_KEY=SECRET,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])),
        **extra,
    )


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.measure:
        return _measure(args)
    try:
        _recreate_database(args.server, args.database)
    except Exception as exc:  # no server: say so instead of a traceback
        print(f"bench.bikes needs PostgreSQL at {args.server}: {exc}")
        return 1
    child = [sys.executable, "-m", "bench.bikes", "--measure", *argv]
    return subprocess.run(child, cwd=REPO, env=_env(args), check=False).returncode


# --- Inside the benchmark database ------------------------------------------------------------------


def _prepare(args: argparse.Namespace) -> list[str]:
    """Migrate, generate the fleet, and make the riders; returns their access tokens."""
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from circulate.accounts.models import User

    call_command("migrate", verbosity=0, interactive=False)
    started = time.monotonic()
    call_command("generate_fleet", stations=args.stations, bikes=args.bikes, verbosity=0)
    print(f"generated {args.stations} stations and {args.bikes} bikes in {time.monotonic() - started:.1f} s")
    riders = User.objects.bulk_create(
        [User(email=f"rider{n}@bench.local", username=f"rider{n}") for n in range(args.riders)]
    )
    return [str(AccessToken.for_user(rider)) for rider in riders]


def _feeds() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print("\nGBFS feeds, in process through the whole request stack (30 requests each):")
    print(f"{'feed':28} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'KiB':>8}")
    for feed in ("station_status", "vehicle_status", "station_information"):
        client.get(f"/gbfs/v3/{feed}.json")  # warm up
        times = []
        for _ in range(30):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(f"/gbfs/v3/{feed}.json")
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        median, p90 = statistics.median(times), times[int(len(times) * 0.9)]
        flag = "" if median < TARGET_MS else f"  (over the {TARGET_MS:.0f} ms target)"
        size = len(response.content) / 1024
        print(f"{feed + '.json':28} {median:10.1f} {p90:8.1f} {len(queries.captured_queries):8d} {size:8.0f}{flag}")


def _free_port() -> int:
    from circulate.core.asgi_server import free_loopback_port

    return free_loopback_port()


def _call(url: str, token: str, body: dict[str, Any] | None = None) -> tuple[int, Any, float]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = json.loads(response.read())
            return response.status, data, (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), (time.perf_counter() - started) * 1000


def _rides(args: argparse.Namespace, tokens: list[str]) -> None:
    from circulate.bikes.models import Rental, Station
    from circulate.core.asgi_server import running_gunicorn

    station_ids = list(Station.objects.values_list("pk", flat=True))
    redis_port = _free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    broker = f"redis://127.0.0.1:{redis_port}/0"
    env = _env(
        args,
        DJANGO_ENV="production",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="2",
        THROTTLE_USER="1000000/minute",
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/1",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "circulate", "worker", "--concurrency=1", "--loglevel=WARNING"],
        cwd=REPO,
        env=env,
    )
    starts: list[float] = []
    finishes: list[float] = []
    unexpected: list[tuple[int, str]] = []
    lock = threading.Lock()
    try:
        with running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env) as base:
            deadline = time.monotonic() + args.ride_seconds

            def ride(token: str, seed: int) -> None:
                rng = random.Random(seed)
                while time.monotonic() < deadline:
                    station = rng.choice(station_ids)
                    status, found, _ = _call(
                        f"{base}/api/bikes/bikes/?available=true&station={station}&page_size=1", token
                    )
                    if status != 200 or not found["results"]:
                        continue
                    status, started, start_ms = _call(
                        f"{base}/api/bikes/rentals/", token, {"bike": found["results"][0]["id"]}
                    )
                    if status != 201:
                        if status != 409:
                            with lock:
                                unexpected.append((status, "start"))
                        continue
                    status, _, finish_ms = _call(
                        f"{base}/api/bikes/rentals/{started['id']}/finish/", token, {"station": rng.choice(station_ids)}
                    )
                    with lock:
                        starts.append(start_ms)
                        if status == 202:
                            finishes.append(finish_ms)
                        elif status != 409:
                            unexpected.append((status, "finish"))

            began = time.monotonic()
            threads = [threading.Thread(target=ride, args=(token, n)) for n, token in enumerate(tokens)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - began
        for _ in range(120):
            pending = Rental.objects.filter(ended_at__isnull=False, cost_status="pending").count()
            if not pending:
                break
            time.sleep(0.5)
        priced = Rental.objects.filter(cost_status="priced").count()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(int(len(ordered) * q), len(ordered) - 1)] if ordered else float("nan")

    print(f"\nRides over HTTP through gunicorn (2 WSGI workers) with {args.riders} riders for {elapsed:.0f} s:")
    print(f"  rides finished: {len(finishes)} ({len(finishes) / elapsed:.1f} per second)")
    print(f"  start  p50 {pct(starts, 0.5):6.1f} ms   p99 {pct(starts, 0.99):6.1f} ms")
    print(f"  finish p50 {pct(finishes, 0.5):6.1f} ms   p99 {pct(finishes, 0.99):6.1f} ms")
    print(f"  unexpected answers: {len(unexpected)} {unexpected[:5]}")
    print(f"  priced by the worker: {priced} of {len(finishes)} finished rides")


def _measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    tokens = _prepare(args)
    _feeds()
    _rides(args, tokens)
    print(f"\nload average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
