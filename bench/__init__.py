"""Benchmarks: run all with ``make bench`` (``python -m bench``), one with ``python -m bench.<name>``.

Each module has a ``main(argv)`` that prints its figures; none of them is a test.
"""
