"""LOG_FORMAT=json: every line is one JSON object; a line per request and one per task run, with their fields."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.tasks import purge_expired_entries
from circulate.ops.logging import JsonFormatter, TextFormatter

REPO = Path(__file__).resolve().parents[4]


def json_lines(log_output: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_output.lines()]


@pytest.mark.django_db
def test_each_request_writes_one_json_line_with_its_fields(log_output: Any, auth_client: Any) -> None:
    # given JSON logs and a signed-in user
    log_output.use_formatter(JsonFormatter())
    user = UserFactory()
    client = auth_client(user)
    # when the user makes a request, and someone else a refused one
    answer = client.get("/api/auth/me/", HTTP_X_REQUEST_ID="ignored-untrusted")
    refused = auth_client(UserFactory()).get("/api/audit/")
    # then every line parses, and each request has one line with its fields
    lines = [line for line in json_lines(log_output) if line["logger"] == "circulate.request"]
    assert len(lines) == 2
    me, audit = lines
    assert me["method"] == "GET"
    assert me["path"] == "/api/auth/me/"
    assert me["status"] == 200
    assert me["user_id"] == user.pk
    assert me["request_id"] == answer["X-Request-ID"]
    assert me["view"] == "accounts:me"
    assert isinstance(me["duration_ms"], float)
    assert me["level"] == "INFO"
    assert (audit["status"], audit["level"], audit["request_id"]) == (403, "WARNING", refused["X-Request-ID"])


@pytest.mark.django_db
def test_each_task_run_writes_one_json_line(log_output: Any) -> None:
    # given JSON logs
    log_output.use_formatter(JsonFormatter())
    # when a task runs
    result = purge_expired_entries.apply()
    # then its line names it, with its id, outcome and duration
    (line,) = [line for line in json_lines(log_output) if line["logger"] == "circulate.task"]
    assert line["task"] == "circulate.audit.tasks.purge_expired_entries"
    assert line["task_id"] == result.id
    assert line["outcome"] == "success"
    assert isinstance(line["duration_ms"], float)


def test_a_failed_task_logs_failure_with_the_traceback_in_json() -> None:
    # given a record of an error raised while logging in JSON
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failure = sys.exc_info()
    record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed %s", ("job",), failure)
    # when it is formatted
    line = json.loads(JsonFormatter().format(record))
    # then the message and the traceback are fields of the one line
    assert line["message"] == "failed job"
    assert "RuntimeError: boom" in line["exception"]


def test_text_lines_stay_readable() -> None:
    record = logging.getLogger("x").makeRecord(
        "circulate.request", logging.INFO, __file__, 1, "GET / 200", (), None, extra={"status": 200}
    )
    record.request_id = "abc"
    assert TextFormatter().format(record).endswith("circulate.request [abc] GET / 200 status=200")


@pytest.mark.parametrize(("profile", "expected"), [("production", "json"), ("development", "text")])
def test_the_production_profile_logs_json_and_development_text(profile: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "DJANGO_ENV", "SECRET_KEY"}}
    env.update(DJANGO_ENV=profile, SECRET_KEY="s" * 60)
    code = "from django.conf import settings; print(settings.LOG_FORMAT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO, env={**env, "DJANGO_SETTINGS_MODULE": "circulate.settings", "PYTHONPATH": str(REPO / "src")},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.stdout.strip() == expected, result.stderr
