"""HTTP through the production topology, beside two baselines measured in the same run.

    python -m bench.http [--books 100000] [--database circulate_bench] [--rounds 2] [--seconds 8]
                         [--clients 32,256] [--workers N] [--only NAME,...]

Starts on loopback what compose runs: nginx with ``deploy/nginx.conf`` in front of gunicorn
with ``deploy/gunicorn.conf.py`` (synchronous WSGI workers: ``--workers``, default the shipped 2 x cores + 1; the
psycopg pool, Redis for the cache and the broker: a private ``redis-server``), over a
PostgreSQL database of 100,000 books (``generate_library``), 1,000 stations with 10,000
bikes (``generate_fleet``) and a car market of 100 dealerships with 20,000 past sales
(``bench.dealership``'s bulk fill). The benchmark's URLconf (``bench/http_urls.py``) adds two
baselines: *bare* (a constant JSON answer, no database) and *hand-written* (the same JSON as
the API's book list, by hand, see ``bench/baselines.py``).

Rounds interleave every endpoint so that drift on a shared machine hits all of them alike.
Reads run under ``wrk`` (2 threads, ``--clients`` connections); writes (a loan issued and
returned, a ride started and finished) run in Python threads, 32 at a time. For each
endpoint and client count: requests per second (median of the rounds), p50 and p99 latency,
the answers that were not 2xx or took longer than 2 s (wrk's timeouts), and the ratio to
*bare* and to *hand-written*. Between two measurements the server is given time to finish
what is still queued, so one endpoint's backlog does not count against the next.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-http-" + "h" * 50
WRITERS = 32
# Past sales behind the dealership statistics (bench.dealership fills 100,000 for its own run).
MARKET_SALES = 20_000


@dataclass
class Endpoint:
    name: str
    path: str = ""
    auth: bool = True
    # Whose token the reads send (a key of _prepare's answer): the librarian's, or the market staff's.
    token: str = "token"
    # A write: one iteration of a client loop, returning the statuses it got (measured in Python).
    write: Callable[[str, int], list[tuple[int, float]]] | None = None


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    # What the failures were: wrk's "Non-2xx" count and its socket errors (connect/read/write/timeout).
    detail: str = ""


@dataclass
class Result:
    samples: dict[int, list[Sample]] = field(default_factory=dict)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--database", default="circulate_bench")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", default="32,256")
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: deploy/gunicorn.conf.py's, 2 x cores + 1)"
    )
    parser.add_argument("--only", default="", help="comma-separated endpoint names (default: all)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=f"{args.server}/{args.database}",
        CIRCULATE_VAR_DIR=str(REPO / "var" / "bench-http"),
        DJANGO_SETTINGS_MODULE="circulate.settings",
        SECRET_KEY=SECRET,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])),
        **extra,
    )


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.measure:
        return _measure(args)
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        print("bench.http needs wrk (apt-get install wrk) and nginx")
        return 1
    from bench.library import _ensure_database

    try:
        _ensure_database(args.server, args.database)
    except Exception as exc:  # no server: say so instead of a traceback
        print(f"bench.http needs PostgreSQL at {args.server}: {exc}")
        return 1
    child = [sys.executable, "-m", "bench.http", "--measure", *argv]
    return subprocess.run(child, cwd=REPO, env=_env(args), check=False).returncode


# --- Inside the benchmark database --------------------------------------------------------------------


def _prepare(args: argparse.Namespace) -> dict[str, Any]:
    """The data, and the tokens and ids the endpoints need."""
    from django.core.management import call_command
    from django.db.models import Count
    from rest_framework_simplejwt.tokens import AccessToken

    from bench.dealership import _fill as fill_market
    from bench.library import _prepare as prepare_library
    from circulate.accounts.models import User
    from circulate.accounts.roles import LIBRARIAN
    from circulate.accounts.services import grant_role
    from circulate.bikes import services as bikes
    from circulate.bikes.models import Bike, Rental, Station
    from circulate.dealership.models import Dealership
    from circulate.library import services as library
    from circulate.library.models import Book, Loan, Member, MembershipTier

    prepare_library(args.books)
    if not Station.objects.exists():
        call_command("generate_fleet", stations=1000, bikes=10_000, verbosity=0)
    if not Dealership.objects.exists():
        fill_market(argparse.Namespace(dealerships=100, sales=MARKET_SALES, offers=1000))
    staff, _ = User.objects.get_or_create(
        email="staff@bench.local", defaults={"username": "bench-staff", "is_staff": True}
    )
    librarian, _ = User.objects.get_or_create(email="librarian@bench.local", defaults={"username": "bench-librarian"})
    grant_role(user=librarian, role=LIBRARIAN)
    tier, _ = MembershipTier.objects.get_or_create(name="Bench", defaults={"loan_limit": 10_000, "hold_limit": 10})
    borrowers = list(Member.objects.filter(name__startswith="Bench borrower"))
    for n in range(len(borrowers), WRITERS):
        member = Member.objects.create(name=f"Bench borrower {n}")
        library.issue_or_renew_card(actor=librarian, member_id=member.pk, tier=tier)
        borrowers.append(member)
    riders = [
        User.objects.get_or_create(email=f"rider{n}@bench.local", defaults={"username": f"bench-rider-{n}"})[0]
        for n in range(WRITERS)
    ]
    # Loans and rides left open by an interrupted run are closed, so no writer starts with a refusal.
    for loan in Loan.objects.filter(member__in=borrowers, returned_at__isnull=True):
        library.return_loan(actor=librarian, loan_id=loan.pk)
    for rental in Rental.objects.filter(rider__in=riders, ended_at__isnull=True).select_related("rider"):
        bikes.finish_rental(actor=rental.rider, rental_id=rental.pk, station_id=rental.start_station_id)
    # Each writer rides its own docked bikes and docks each where it began: no two writers want
    # the same bike, and no station ever holds more bikes than before, so no answer is a 409.
    docked = list(
        Bike.objects.filter(status=Bike.Status.AVAILABLE, station__is_renting=True, station__is_returning=True)
        .order_by("pk")
        .values_list("pk", "station_id")[: WRITERS * 8]
    )
    # Books with enough copies for 32 writers issuing and returning at once.
    busy = list(Book.objects.annotate(n=Count("loans")).order_by("pk").values_list("pk", flat=True)[:WRITERS])
    Book.objects.filter(pk__in=busy).update(copies_total=1000, copies_available=1000)
    middle = Book.objects.order_by("pk")[Book.objects.count() // 2].pk
    return {
        "token": str(AccessToken.for_user(librarian)),
        "staff_token": str(AccessToken.for_user(staff)),
        "rider_tokens": [str(AccessToken.for_user(rider)) for rider in riders],
        "borrowers": [member.pk for member in borrowers],
        "books": busy,
        "book": middle,
        "rides": [docked[n::WRITERS] for n in range(WRITERS)],
    }


@contextlib.contextmanager
def _nginx(web_port: int) -> Iterator[str]:
    """nginx with deploy/nginx.conf, its upstreams pointed at loopback ports (as deploy/local-stack.sh does)."""
    from circulate.core.asgi_server import free_loopback_port

    port = free_loopback_port()
    work = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    work.chmod(0o755)  # nginx workers run unprivileged and keep the GBFS cache under it
    site = (REPO / "deploy" / "nginx.conf").read_text()
    site = site.replace("server web:8000;", f"server 127.0.0.1:{web_port};")
    site = site.replace("server ws:8001;", f"server 127.0.0.1:{web_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("alias /srv/static/;", f"alias {work}/static/;").replace(
        "alias /srv/media/;", f"alias {work}/media/;"
    )
    site = site.replace("/var/cache/nginx/gbfs", f"{work}/cache-gbfs")
    (work / "site.conf").write_text(site)
    temp = "".join(
        f"  {kind}_temp_path {work}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        f"worker_processes 2;\npid {work}/nginx.pid;\nerror_log {work}/error.log warn;\n"
        f"events {{ worker_connections 4096; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n{temp}  include {work}/site.conf;\n}}\n"
    )
    subprocess.run(["nginx", "-c", str(work / "nginx.conf")], check=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int((work / "nginx.pid").read_text()), 15)


# --- Load ----------------------------------------------------------------------------------------------------

WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_PERCENTILE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


# An answer slower than this counts as a failure (wrk's timeout errors): a request still queued when
# the run ends would otherwise count as nothing at all, and an overloaded server would look idle.
TIMEOUT_SECONDS = 2


def _wrk(url: str, token: str | None, clients: int, seconds: float) -> Sample:
    # One request first, as a server that has been up a while has served it: the run measures the
    # steady state, not the one build of a missing cache entry that all the clients would wait on.
    # (What a build costs: bench.library, in process.)
    first = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with contextlib.suppress(OSError), urllib.request.urlopen(first, timeout=30):
        pass
    command = ["wrk", "-t2", f"-c{clients}", f"-d{round(seconds)}s", "--latency", "--timeout", f"{TIMEOUT_SECONDS}s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = WRK_RATE.search(output)
    percentiles = {match[0]: float(match[1]) * UNIT_MS[match[2]] for match in WRK_PERCENTILE.findall(output)}
    non_2xx = int(m[1]) if (m := WRK_NON2XX.search(output)) else 0
    detail = f"non-2xx {non_2xx}" if non_2xx else ""
    if errors := WRK_ERRORS.search(output):
        non_2xx += sum(int(n) for n in errors.groups())
        detail = " ".join(filter(None, [detail, errors[0]]))
    rps = float(rate[1]) if rate else 0.0
    return Sample(rps, percentiles.get("50", 0.0), percentiles.get("99", 0.0), non_2xx, detail)


def _drain(base: str, limit: float = 60.0) -> None:
    """Wait until the server answers at once again: requests still queued from one run (wrk hangs
    up, nginx and gunicorn still serve them) must not eat the next endpoint's time."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base}/bench/bare/", timeout=5):
            if time.perf_counter() - started < 0.05:
                return
        time.sleep(0.5)


def _post(url: str, token: str, body: dict[str, Any]) -> tuple[int, Any, float]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, None, (time.perf_counter() - started) * 1000


def _writes(base: str, seconds: float, iteration: Callable[[str, int], list[tuple[int, float]]]) -> Sample:
    deadline = time.monotonic() + seconds
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        while time.monotonic() < deadline:
            got = iteration(base, n)
            with lock:
                results.extend(got)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    times = sorted(ms for _, ms in results)
    bad = sum(1 for status, _ in results if not 200 <= status < 300)
    return Sample(len(results) / elapsed, _pct(times, 0.5), _pct(times, 0.99), bad)


def _pct(values: list[float], q: float) -> float:
    return values[min(int(len(values) * q), len(values) - 1)] if values else 0.0


def _endpoints(data: dict[str, Any]) -> list[Endpoint]:
    def loan_cycle(base: str, n: int) -> list[tuple[int, float]]:
        issued = _post(
            f"{base}/api/library/loans/", data["token"], {"book": data["books"][n], "member": data["borrowers"][n]}
        )
        if issued[0] != 201:
            return [issued[::2]]
        returned = _post(f"{base}/api/library/loans/{issued[1]['id']}/return/", data["token"], {})
        return [issued[::2], returned[::2]]

    turns = [0] * WRITERS

    def ride_cycle(base: str, n: int) -> list[tuple[int, float]]:
        token = data["rider_tokens"][n]
        bike, station = data["rides"][n][turns[n] % len(data["rides"][n])]
        turns[n] += 1
        started = _post(f"{base}/api/bikes/rentals/", token, {"bike": bike})
        if started[0] != 201:
            return [started[::2]]
        finished = _post(f"{base}/api/bikes/rentals/{started[1]['id']}/finish/", token, {"station": station})
        return [started[::2], finished[::2]]

    endpoints = [
        Endpoint("bare", "/bench/bare/", auth=False),
        Endpoint("hand-written book list", "/bench/hand-written/books/"),
        Endpoint("book list", "/api/library/books/"),
        Endpoint("book list, search=river", "/api/library/books/?search=river"),
        Endpoint("book list, most liked", "/api/library/books/?ordering=-likes_count"),
        Endpoint("book list, page 2", "/api/library/books/?page=2"),
        Endpoint("book detail", f"/api/library/books/{data['book']}/"),
        Endpoint("bike list, available", "/api/bikes/bikes/?available=true"),
        Endpoint("GBFS station_status", "/gbfs/v3/station_status.json", auth=False),
        Endpoint("dealership stock list", "/api/dealership/stock/"),
        Endpoint("market statistics overview", "/api/dealership/stats/overview/", token="staff_token"),
        Endpoint("loan issue + return", write=loan_cycle),
        Endpoint("ride start + finish", write=ride_cycle),
    ]
    return endpoints


def _measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection

    from circulate.core.asgi_server import running_gunicorn, running_redis

    data = _prepare(args)
    connection.close()
    clients_levels = [int(n) for n in args.clients.split(",")]
    endpoints = _endpoints(data)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")} | {"bare", "hand-written book list"}
        endpoints = [endpoint for endpoint in endpoints if endpoint.name in wanted]
    results = {endpoint.name: Result() for endpoint in endpoints}
    with running_redis() as redis:
        env = _env(
            args,
            DJANGO_ENV="production",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            ROOT_URLCONF="bench.http_urls",
            **({"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}),
            THROTTLE_USER="100000000/minute",
            THROTTLE_ANON="100000000/minute",
            REDIS_URL=f"{redis}/0",
            CELERY_BROKER_URL=f"{redis}/1",
            CELERY_RESULT_BACKEND=f"{redis}/1",
        )
        with running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env) as web:
            web_port = int(web.rsplit(":", 1)[1])
            with _nginx(web_port) as base:
                workers = args.workers or os.cpu_count() * 2 + 1  # type: ignore[operator]
                rounds = f"{args.rounds} rounds of {args.seconds:.0f} s"
                print(f"nginx {base} -> gunicorn {web} ({workers} WSGI workers); {rounds}")
                for round_number in range(1, args.rounds + 1):
                    for clients in clients_levels:
                        for endpoint in endpoints:
                            if endpoint.write is not None:
                                if clients != clients_levels[0]:
                                    continue
                                sample = _writes(base, args.seconds, endpoint.write)
                            else:
                                token = data[endpoint.token] if endpoint.auth else None
                                sample = _wrk(base + endpoint.path, token, clients, args.seconds)
                            _drain(base)
                            results[endpoint.name].samples.setdefault(clients, []).append(sample)
                            print(
                                f"  round {round_number}, {clients:>3} clients, {endpoint.name:28} "
                                f"{sample.rps:8.1f} rps  p50 {sample.p50_ms:7.1f} ms  p99 {sample.p99_ms:7.1f} ms  "
                                f"failed {sample.non_2xx} {sample.detail}",
                                flush=True,
                            )
    _report(results, clients_levels)
    print(f"\nload average at the end: {os.getloadavg()}")
    return 0


def _report(results: dict[str, Result], clients_levels: list[int]) -> None:
    print("\nMedian of the rounds; ratios to the baselines at the same number of clients:\n")
    print("| endpoint | clients | rps | p50 ms | p99 ms | non-2xx | to bare | to hand-written |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def median_rps(name: str, clients: int) -> float:
        samples = results.get(name, Result()).samples.get(clients, [])
        return statistics.median(s.rps for s in samples) if samples else 0.0

    for clients in clients_levels:
        bare, hand = median_rps("bare", clients), median_rps("hand-written book list", clients)
        for name, result in results.items():
            samples = result.samples.get(clients)
            if not samples:
                continue
            rps = statistics.median(s.rps for s in samples)
            p50 = statistics.median(s.p50_ms for s in samples)
            p99 = statistics.median(s.p99_ms for s in samples)
            non_2xx = sum(s.non_2xx for s in samples)
            to_bare = f"{rps / bare:.2f}" if bare else "—"
            to_hand = f"{rps / hand:.2f}" if hand else "—"
            print(f"| {name} | {clients} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {non_2xx} | {to_bare} | {to_hand} |")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
