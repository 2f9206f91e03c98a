"""``manage.py restore FILE``: replace the database and the media files with a backup's (``make restore FILE=...``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from circulate.ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`: the database's content and the media files are replaced."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .tar.gz made by `manage.py backup`")
        parser.add_argument("--database-url", help="restore into this database instead of the configured one")
        parser.add_argument("--media-root", type=Path, help="restore the media files here instead of MEDIA_ROOT")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["file"]
        if not archive.is_file():
            raise CommandError(f"No backup at {archive}.")
        target = options["database_url"] or "the configured database"
        if not options["yes"]:
            answer = input(f"Replace the content of {target} and the media files with {archive}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Nothing restored.")
        try:
            report = restore_backup(
                archive=archive, database_url=options["database_url"], media_root=options["media_root"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {report.rows} rows in {report.tables} tables (every count matches the backup) "
            f"and {report.media_files} media files."
        )
