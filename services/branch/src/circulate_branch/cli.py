"""``circulate-branch serve`` (migrate, then serve with waitress; expires uncollected holds every minute),
``circulate-branch migrate`` and ``circulate-branch expire`` (expire uncollected holds once)."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any

from circulate_branch.config import Settings
from circulate_branch.db import make_engine, make_sessionmaker, migrate
from circulate_branch.services import expire_pickups

logger = logging.getLogger("circulate_branch")


def _expire_every_minute(sessions: Any) -> None:
    """A daemon thread: uncollected holds give their copies back without anyone asking."""

    def loop() -> None:
        while not stop.wait(60):
            try:
                if expired := expire_pickups(sessions):
                    logger.info("%d uncollected reservation(s) expired", expired)
            except Exception:  # the next round tries again; the service keeps answering
                logger.exception("expiring uncollected reservations failed")

    stop = threading.Event()
    threading.Thread(target=loop, name="expire-pickups", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="circulate-branch", description=__doc__)
    parser.add_argument("command", choices=["serve", "migrate", "expire"], nargs="?", default="serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    if args.command == "migrate":
        migrate(make_engine(settings.database_url))
        return
    if args.command == "expire":
        engine = make_engine(settings.database_url)
        migrate(engine)
        print(f"{expire_pickups(make_sessionmaker(engine))} uncollected reservation(s) expired")  # noqa: T201
        return
    from waitress import serve  # type: ignore[import-untyped]

    from circulate_branch.app import create_app

    app = create_app(settings)  # applies the migrations first
    _expire_every_minute(app.extensions["branch"]["sessions"])
    logging.getLogger("circulate_branch").info(
        "%s listening on http://%s:%d/", settings.name, settings.host, settings.port
    )
    serve(app, host=settings.host, port=settings.port, threads=8, ident="circulate-branch")


if __name__ == "__main__":
    main()
