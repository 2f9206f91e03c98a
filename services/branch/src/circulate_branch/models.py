"""The branch's tables: its books, the reservations other libraries made, and the request log.

``copies_available`` only moves by conditional ``UPDATE``s (``... - 1 WHERE copies_available > 0``)
and check constraints keep it within ``0..copies_total``, so parallel reservations of the
last copy cannot both succeed, on SQLite and MariaDB alike. A reservation's idempotency key
is unique per requesting library, so a retried ``/reserve`` never reserves twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, TypeDecorator, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

PENDING, READY, CANCELLED, COLLECTED = "pending", "ready", "cancelled", "collected"
STATUSES = (PENDING, READY, CANCELLED, COLLECTED)
OPEN_STATUSES = (PENDING, READY)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps (naive UTC)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[datetime]:
        if dialect.name in ("mysql", "mariadb"):  # keep the microseconds
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class BranchBook(Base):
    __tablename__ = "branch_books"
    __table_args__ = (
        CheckConstraint("copies_total >= 0", name="ck_branch_books_total"),
        CheckConstraint("copies_available >= 0", name="ck_branch_books_available_min"),
        CheckConstraint("copies_available <= copies_total", name="ck_branch_books_available_max"),
    )

    isbn: Mapped[str] = mapped_column(String(13), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    copies_total: Mapped[int] = mapped_column(Integer, default=0)
    copies_available: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reservation(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("requesting_library", "idempotency_key", name="uq_reservations_idempotency"),
        CheckConstraint(f"status IN {STATUSES!r}", name="ck_reservations_status"),
        Index("ix_reservations_isbn_status", "isbn", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    isbn: Mapped[str] = mapped_column(String(13))
    requesting_library: Mapped[str] = mapped_column(String(100))
    member_ref: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    pickup_days: Mapped[int] = mapped_column(Integer)
    pickup_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RequestLog(Base):
    __tablename__ = "request_log"
    __table_args__ = (Index("ix_request_log_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    client: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
