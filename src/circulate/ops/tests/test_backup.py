"""make backup → make restore: every row of every table and every media file comes back.

The backup of the test database (with the demo data of every domain and an upload) is restored
into a scratch database, never over the one the test reads: SQLite here, PostgreSQL when the
suite runs on it (pg_dump / pg_restore), MariaDB when it runs there (mysqldump / mysql).
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from circulate.ops.backup import BackupError, database, database_config, restore_backup

pytestmark = pytest.mark.django_db(transaction=True)


def all_rows(wrapper: BaseDatabaseWrapper) -> dict[str, list[tuple[Any, ...]]]:
    rows = {}
    with wrapper.cursor() as cursor:
        for table in sorted(wrapper.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {wrapper.ops.quote_name(table)}")
            rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    return rows


@pytest.fixture
def scratch_database_url(tmp_path: Path) -> Iterator[str]:
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    config = database_config()
    name = f"{config['NAME']}_restore"
    if connection.vendor == "mysql":
        yield from _scratch_mysql_database(config, name)
        return
    import psycopg

    server = {"host": config["HOST"] or "127.0.0.1", "port": config["PORT"] or 5432, "user": config["USER"]}
    with psycopg.connect(**server, password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    yield f"postgres://{config['USER']}{password}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(**server, password=config["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _scratch_mysql_database(config: dict[str, Any], name: str) -> Iterator[str]:
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        cursor.execute(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    yield f"mysql://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 3306}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_a_backup_restored_into_a_scratch_database_has_every_row_and_file(
    tmp_path: Path, media: Path, scratch_database_url: str
) -> None:
    # given the demo data of every domain and an uploaded file
    call_command("seed_demo", stdout=io.StringIO())
    default_storage.save("bikes/photos/demo.png", ContentFile(b"\x89PNG demo"))
    # when it is backed up
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    archive = Path(out.getvalue().strip())
    # and restored into a scratch database and media directory
    restored_media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command(
        "restore", str(archive), database_url=scratch_database_url, media_root=restored_media, yes=True, stdout=out
    )
    # then every row of every table is there, the same
    expected = all_rows(connection)
    assert sum(len(rows) for rows in expected.values()) > 100
    with database(database_config(scratch_database_url)) as restored:
        assert all_rows(restored) == expected
    # and the media file
    assert (restored_media / "bikes/photos/demo.png").read_bytes() == b"\x89PNG demo"
    assert "every count matches the backup" in out.getvalue()


def test_a_restore_whose_rows_do_not_match_the_manifest_fails(
    tmp_path: Path, media: Path, scratch_database_url: str
) -> None:
    # given a backup whose manifest claims one more user than it holds
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    archive = Path(out.getvalue().strip())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name == "manifest.json" and data is not None:
                manifest = json.loads(data.read())
                manifest["tables"]["accounts_user"] += 1
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                target.addfile(member, io.BytesIO(raw))
            else:
                target.addfile(member, data)
    # when it is restored, then the restore says which table differs
    with pytest.raises(BackupError, match="accounts_user"):
        restore_backup(archive=tampered, database_url=scratch_database_url, media_root=tmp_path / "m")
