"""Library catalogue at scale: book list and search on 100,000 books, measured at the database.

    python -m bench.library [--books 100000] [--database circulate_bench]
                            [--server postgres://postgres@127.0.0.1:5432] [--repeat 15]

Creates the PostgreSQL database if needed, migrates it, fills it with
``manage.py generate_library`` until it holds ``--books`` books, then runs each list
and search the API runs (the same selector and filters, page size 20) and reports,
per scenario, the median EXPLAIN ANALYZE execution time of its queries (page, count,
authors prefetch) and the median wall time of evaluating them from Django.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PAGE_SIZE = 20
TARGET_MS = 50.0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.library", description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--database", default="circulate_bench")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _ensure_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.measure:
        return _measure(args)
    try:
        _ensure_database(args.server, args.database)
    except Exception as exc:  # no server: say so instead of a traceback
        print(f"bench.library needs PostgreSQL at {args.server}: {exc}")
        return 1
    env = dict(
        os.environ,
        DATABASE_URL=f"{args.server}/{args.database}",
        CIRCULATE_VAR_DIR=str(REPO / "var" / "bench"),
        DJANGO_SETTINGS_MODULE="circulate.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])),
    )
    child = [sys.executable, "-m", "bench.library", "--measure", *argv]
    return subprocess.run(child, cwd=REPO, env=env, check=False).returncode


# --- Inside the benchmark database ------------------------------------------------------------------


def _prepare(books: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from circulate.library.models import Book

    call_command("migrate", verbosity=0, interactive=False)
    missing = books - Book.objects.count()
    if missing > 0:
        print(f"generating {missing} books (once; the database is kept for the next run) ...", flush=True)
        call_command("generate_library", books=missing, members=500)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _scenarios() -> list[tuple[str, dict[str, str]]]:
    from django.db.models import Count

    from circulate.library.models import Author, Book

    prolific = Author.objects.annotate(n=Count("books")).order_by("-n").values_list("pk", flat=True)[0]
    surname = Author.objects.get(pk=prolific).name.split()[-1]
    sample = Book.objects.order_by("pk")[Book.objects.count() // 2]
    return [
        ("list, default order (title)", {}),
        ("list, newest first", {"ordering": "-created_at"}),
        ("list, most liked first", {"ordering": "-likes_count"}),
        ("list, available only", {"available": "true"}),
        ("list, by one author", {"author": str(prolific)}),
        ("list, page 200 by title", {"page": "200"}),
        ("search a common word: 'river'", {"search": "river"}),
        ("search a very common word: 'the'", {"search": "the"}),
        ("search two words: 'silent garden'", {"search": "silent garden"}),
        ("search a rare word: 'samarkand'", {"search": "samarkand"}),
        (f"search an author: '{surname.lower()}'", {"search": surname.lower()}),
        ("search a full ISBN", {"search": sample.isbn}),
        ("search an ISBN prefix", {"search": sample.isbn[:10]}),
        ("search + most liked", {"search": "garden", "ordering": "-likes_count"}),
    ]


def _run_once(params: dict[str, str], user: Any) -> list[str]:
    """Evaluate the list as the API does (page of 20, count, authors); return the SQL it ran."""
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from circulate.library import selectors
    from circulate.library.filters import BookFilter

    filterset = BookFilter(params, queryset=selectors.books_for(user=user))
    assert filterset.is_valid(), filterset.errors
    with CaptureQueriesContext(connection) as queries:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(params.get("page", 1))
        rows = list(page.object_list)
        assert rows, f"no rows for {params}"
    return [q["sql"] for q in queries.captured_queries]


def _execution_ms(sql: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return float(plan["Execution Time"])


def _measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection

    from circulate.accounts.models import User

    if connection.vendor != "postgresql":
        print("bench.library measures PostgreSQL; DATABASE_URL is not PostgreSQL")
        return 1
    _prepare(args.books)
    user, _ = User.objects.get_or_create(email="bench@bench.invalid", defaults={"username": "bench-reader"})
    from circulate.library.models import Book

    total = Book.objects.count()
    print(f"\nPostgreSQL {connection.pg_version // 10000}, {total} books, page size {PAGE_SIZE}, "
          f"median of {args.repeat} runs (ms)\n")  # fmt: skip
    header = f"{'scenario':<36} {'queries':>7} {'EXPLAIN ANALYZE (sum)':>22} {'slowest query':>14} {'Django wall':>12}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, params in _scenarios():
        statements = _run_once(params, user)  # warm-up, and the SQL the API runs
        walls, sums, slowest = [], [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            _run_once(params, user)
            walls.append((time.perf_counter() - started) * 1000)
            times = [_execution_ms(sql) for sql in statements]
            sums.append(sum(times))
            slowest.append(max(times))
        db_ms = statistics.median(sums)
        worst = max(worst, db_ms)
        print(
            f"{name:<36} {len(statements):>7} {db_ms:>22.2f} {statistics.median(slowest):>14.2f} "
            f"{statistics.median(walls):>12.2f}"
        )
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"\nslowest scenario at the database: {worst:.2f} ms ({verdict} the {TARGET_MS:.0f} ms target)")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
