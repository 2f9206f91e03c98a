"""Django's MariaDB/MySQL backend, with partial unique constraints that hold (see ``schema.py``).

``settings`` selects it for every ``mysql://`` ``DATABASE_URL``.
"""
