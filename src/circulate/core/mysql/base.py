"""The MariaDB/MySQL database wrapper: Django's, with the schema editor of ``schema.py``."""

from __future__ import annotations

from django.db.backends.mysql import base

from circulate.core.mysql.schema import DatabaseSchemaEditor


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
