"""A partner branch's own service (Flask 3, SQLAlchemy 2).

Other libraries ask it over HTTP whether it holds copies of a book (``GET /status/<isbn>``)
and reserve one for their members (``POST /reserve``). It keeps its own database: its books,
the reservations made by other libraries and a log of every request it answered.
"""

from circulate_branch.app import create_app

__all__ = ["create_app"]
