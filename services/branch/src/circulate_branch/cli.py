"""``circulate-branch serve`` (migrate, then serve with waitress) and ``circulate-branch migrate``."""

from __future__ import annotations

import argparse
import logging

from circulate_branch.config import Settings
from circulate_branch.db import make_engine, migrate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="circulate-branch", description=__doc__)
    parser.add_argument("command", choices=["serve", "migrate"], nargs="?", default="serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    if args.command == "migrate":
        migrate(make_engine(settings.database_url))
        return
    from waitress import serve  # type: ignore[import-untyped]

    from circulate_branch.app import create_app

    app = create_app(settings)  # applies the migrations first
    logging.getLogger("circulate_branch").info(
        "%s listening on http://%s:%d/", settings.name, settings.host, settings.port
    )
    serve(app, host=settings.host, port=settings.port, threads=8, ident="circulate-branch")


if __name__ == "__main__":
    main()
