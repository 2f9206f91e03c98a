"""Branch books, reservations and the request log.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from circulate_branch.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branch_books",
        sa.Column("isbn", sa.String(13), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("copies_total", sa.Integer(), nullable=False),
        sa.Column("copies_available", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("copies_total >= 0", name="ck_branch_books_total"),
        sa.CheckConstraint("copies_available >= 0", name="ck_branch_books_available_min"),
        sa.CheckConstraint("copies_available <= copies_total", name="ck_branch_books_available_max"),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("isbn", sa.String(13), nullable=False),
        sa.Column("requesting_library", sa.String(100), nullable=False),
        sa.Column("member_ref", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pickup_days", sa.Integer(), nullable=False),
        sa.Column("pickup_until", UTCDateTime(), nullable=True),
        sa.Column("idempotency_key", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("requesting_library", "idempotency_key", name="uq_reservations_idempotency"),
        sa.CheckConstraint("status IN ('pending', 'ready', 'cancelled', 'collected')", name="ck_reservations_status"),
    )
    op.create_index("ix_reservations_isbn_status", "reservations", ["isbn", "status"])
    op.create_table(
        "request_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(100), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_request_log_created_at", "request_log", ["created_at"])


def downgrade() -> None:
    op.drop_table("request_log")
    op.drop_table("reservations")
    op.drop_table("branch_books")
