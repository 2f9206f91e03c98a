"""``manage.py backup``: the configured database and the media files in one archive (``make backup``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from circulate.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the configured database (SQLite online backup, pg_dump or mysqldump) and the media files."

    def add_arguments(self, parser: CommandParser) -> None:
        default = Path(settings.BACKUP_DIR)
        parser.add_argument("--output-dir", type=Path, default=default, help=f"where the archive goes ({default})")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = create_backup(output_dir=options["output_dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(archive))
