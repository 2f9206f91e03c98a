"""Alembic environment: the service hands over its own connection (``db.migrate``)."""

from __future__ import annotations

from alembic import context

from circulate_branch.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
