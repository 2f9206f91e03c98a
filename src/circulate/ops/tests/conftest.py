"""Fixtures of the operations tests: the lines the configured log handler writes."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest


class LogOutput:
    """What the root logger's configured ``console`` handler wrote (its filter and formatter included)."""

    def __init__(self, handler: logging.StreamHandler[io.StringIO], stream: io.StringIO) -> None:
        self.handler = handler
        self.stream = stream

    def lines(self) -> list[str]:
        return [line for line in self.stream.getvalue().splitlines() if line.strip()]

    def use_formatter(self, formatter: logging.Formatter) -> None:
        self.handler.setFormatter(formatter)


@pytest.fixture
def log_output() -> Iterator[LogOutput]:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(stream), handler.formatter  # type: ignore[arg-type]
    try:
        yield LogOutput(handler, stream)
    finally:
        handler.setStream(previous_stream)
        handler.setFormatter(previous_formatter)
