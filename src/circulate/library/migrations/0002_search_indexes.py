"""PostgreSQL search indexes (pg_trgm).

``library_book.search_text`` is stored upper-cased and searched with ``LIKE``
(see ``circulate.library.search``), so its trigram index is on the column itself.
Author names are searched with ``icontains`` (``UPPER(name) LIKE UPPER('%q%')``), so
that index is on ``UPPER(name)``. SQLite has no trigram indexes: there these
operations do nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_INDEXES = [
    (
        "library_book_search_trgm",
        "CREATE INDEX IF NOT EXISTS library_book_search_trgm ON library_book "
        "USING gin (search_text gin_trgm_ops) WHERE is_active",
    ),
    (
        "library_author_name_trgm",
        "CREATE INDEX IF NOT EXISTS library_author_name_trgm ON library_author "
        "USING gin (UPPER(name) gin_trgm_ops) WHERE is_active",
    ),
    (
        "library_book_isbn_prefix",
        "CREATE INDEX IF NOT EXISTS library_book_isbn_prefix ON library_book (isbn text_pattern_ops) WHERE is_active",
    ),
]


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _name, sql in POSTGRES_INDEXES:
        schema_editor.execute(sql)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes),
    ]
