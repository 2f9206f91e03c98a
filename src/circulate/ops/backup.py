"""Backups of the configured database and the media files, and restoring them.

A backup is one ``.tar.gz``: ``manifest.json`` (when, which database engine, the number of rows
of every table), the database (``database.sqlite3`` made with SQLite's online backup API,
``database.pgdump`` from ``pg_dump --format=custom``, or ``database.sql`` from ``mysqldump
--single-transaction``) and ``media/``, the uploads under ``MEDIA_ROOT``. Every dump is taken
while the application runs: SQLite's backup API, pg_dump and mysqldump's single transaction
each read one consistent snapshot.

Restoring replaces the target database's content (``pg_restore --clean``, ``mysql`` reading
the dump, or SQLite's backup API in the other direction) and the media directory, then counts
the rows of every table against the manifest and fails when one differs.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler

MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump", "mysql": "database.sql"}


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    media_files: int


def database_config(url: str | None = None) -> dict[str, Any]:
    """The settings of the configured database, or of the database at ``url``."""
    if url is None:
        return dict(settings.DATABASES["default"])
    return dict(environ.Env.db_url_config(url))


@contextmanager
def database(config: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own to the database described by ``config`` (closed afterwards)."""
    options = {key: value for key, value in config.get("OPTIONS", {}).items() if key != "pool"}
    handler = ConnectionHandler({"default": {**config, "OPTIONS": options, "CONN_MAX_AGE": 0}})
    wrapper = handler["default"]
    try:
        yield wrapper
    finally:
        wrapper.close()


def row_counts(wrapper: BaseDatabaseWrapper) -> dict[str, int]:
    """The number of rows of every table of the database."""
    with wrapper.cursor() as cursor:
        tables = sorted(wrapper.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {wrapper.ops.quote_name(table)}")  # noqa: S608 - table names from the catalogue
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _vendor(config: dict[str, Any]) -> str:
    engine = str(config["ENGINE"])
    vendors = {"sqlite3": "sqlite", "postgresql": "postgresql", "mysql": "mysql"}
    for suffix, vendor in vendors.items():
        if engine.endswith(suffix):
            return vendor
    raise BackupError(f"Cannot back up a database of engine {engine}.")


def _client_env(config: dict[str, Any], vendor: str) -> dict[str, str]:
    """Server and credentials for pg_dump / mysqldump in their environment variables (never on the command line)."""
    env = dict(os.environ)
    if vendor == "postgresql":
        values = {"PGHOST": config.get("HOST"), "PGPORT": config.get("PORT"), "PGUSER": config.get("USER")}
        values["PGPASSWORD"] = config.get("PASSWORD")
        values["PGDATABASE"] = config["NAME"]
    else:
        values = {"MYSQL_HOST": config.get("HOST"), "MYSQL_TCP_PORT": config.get("PORT")}
        values["MYSQL_PWD"] = config.get("PASSWORD")
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _mysql_args(config: dict[str, Any]) -> list[str]:
    args = [f"--user={config.get('USER') or 'root'}"]
    if config.get("HOST"):
        args += [f"--host={config['HOST']}", "--protocol=TCP"]
    if config.get("PORT"):
        args.append(f"--port={config['PORT']}")
    return args


def _run(command: list[str], env: dict[str, str], **kwargs: Any) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, check=False, **kwargs)  # noqa: S603 - fixed tools
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (it comes with the database's client tools).") from exc
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) else str(result.stderr)
        raise BackupError(f"{command[0]} failed ({result.returncode}): {stderr.strip()}")


def _dump(config: dict[str, Any], vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        source = sqlite3.connect(str(config["NAME"]))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # SQLite's online backup API: a consistent copy while others write
        finally:
            copy.close()
            source.close()
    elif vendor == "postgresql":
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
        _run(command, _client_env(config, vendor))
    else:
        command = ["mysqldump", *_mysql_args(config), "--single-transaction", "--routines", "--triggers"]
        command += ["--no-tablespaces", f"--result-file={target}", str(config["NAME"])]
        _run(command, _client_env(config, vendor))


def _load(config: dict[str, Any], vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(str(config["NAME"]))
        try:
            source.backup(target)  # replaces every page of the target
        finally:
            target.close()
            source.close()
    elif vendor == "postgresql":
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        _run([*command, f"--dbname={config['NAME']}", str(dump)], _client_env(config, vendor))
    else:
        with dump.open("rb") as sql:
            _run(["mysql", *_mysql_args(config), str(config["NAME"])], _client_env(config, vendor), stdin=sql)


def _media_root() -> Path | None:
    """The media directory, or None when uploads live elsewhere (an S3 bucket keeps its own versions)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(settings.MEDIA_ROOT)
    return None


def create_backup(*, output_dir: Path, now: datetime | None = None) -> Path:
    """Write a backup of the configured database and the media files; return the archive's path."""
    config = database_config()
    vendor = _vendor(config)
    stamp = (now or datetime.now(tz=UTC)).strftime("%Y%m%dT%H%M%SZ")
    output_dir.mkdir(parents=True, exist_ok=True)
    archive = output_dir / f"circulate-{stamp}.tar.gz"
    media = _media_root()
    with tempfile.TemporaryDirectory(prefix="circulate-backup-") as scratch:
        dump = Path(scratch) / DUMP_NAMES[vendor]
        with database(config) as wrapper:
            counts = row_counts(wrapper)
        _dump(config, vendor, dump)
        media_files = sorted(p for p in media.rglob("*") if p.is_file()) if media and media.exists() else []
        manifest = {
            "created_at": (now or datetime.now(tz=UTC)).isoformat(),
            "vendor": vendor,
            "database": DUMP_NAMES[vendor],
            "tables": counts,
            "media": "media/" if media is not None else "not included: uploads live in the S3 bucket",
            "media_files": len(media_files),
        }
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(scratch) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP_NAMES[vendor])
            for path in media_files:
                tar.add(path, arcname=f"media/{path.relative_to(media)}")  # type: ignore[arg-type]
        partial.rename(archive)
    return archive


def restore_backup(*, archive: Path, database_url: str | None = None, media_root: Path | None = None) -> RestoreReport:
    """Replace the database (the configured one, or the one at ``database_url``) and the media files with a backup's."""
    config = database_config(database_url)
    vendor = _vendor(config)
    with tempfile.TemporaryDirectory(prefix="circulate-restore-") as scratch:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(scratch, filter="data")
        manifest = json.loads((Path(scratch) / MANIFEST).read_text())
        if manifest["vendor"] != vendor:
            raise BackupError(f"The backup is of a {manifest['vendor']} database; the target is {vendor}.")
        if database_url is None:
            connections.close_all()  # our own connections must not hold the database while it is replaced
        _load(config, vendor, Path(scratch) / manifest["database"])
        with database(config) as wrapper:
            restored = row_counts(wrapper)
        expected: dict[str, int] = manifest["tables"]
        different = {
            table: (count, restored.get(table)) for table, count in expected.items() if restored.get(table) != count
        }
        if different:
            raise BackupError(f"Rows differ after restoring (backup, restored): {different}")
        media_files = 0
        target_media = media_root or _media_root()
        extracted_media = Path(scratch) / "media"
        if target_media is not None and extracted_media.exists():
            shutil.rmtree(target_media, ignore_errors=True)
            shutil.copytree(extracted_media, target_media)
            media_files = sum(1 for path in target_media.rglob("*") if path.is_file())
    return RestoreReport(tables=len(expected), rows=sum(expected.values()), media_files=media_files)
