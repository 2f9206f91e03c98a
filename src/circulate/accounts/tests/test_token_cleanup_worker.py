"""The token clean-up task runs in a real Celery worker process, consuming from the broker."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from circulate.accounts import services
from circulate.accounts.tasks import flush_expired_tokens
from circulate.accounts.tests.factories import UserFactory
from circulate.core.testing import database_url_of_this_connection

REPO = Path(__file__).resolve().parents[4]


def _make_tokens(user, *, expired: int, valid: int) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    for i in range(expired):
        OutstandingToken.objects.create(user=user, jti=f"old-{i}", token="x", expires_at=now - timedelta(hours=1))
    for i in range(valid):
        OutstandingToken.objects.create(user=user, jti=f"new-{i}", token="x", expires_at=now + timedelta(days=1))


@pytest.mark.django_db
def test_flush_expired_tokens_keeps_valid_ones() -> None:
    # given
    _make_tokens(UserFactory(), expired=3, valid=2)
    # when
    deleted = services.flush_expired_tokens()
    # then
    assert deleted == 3
    assert set(OutstandingToken.objects.values_list("jti", flat=True)) == {"new-0", "new-1"}


@pytest.mark.django_db(transaction=True)
def test_task_runs_in_a_separate_worker_process(tmp_path: Path) -> None:
    # given expired tokens committed to the test database, and a broker private to this test
    _make_tokens(UserFactory(), expired=2, valid=1)
    var_dir = tmp_path / "var"
    env = dict(os.environ, CIRCULATE_VAR_DIR=str(var_dir), DATABASE_URL=database_url_of_this_connection())
    env.pop("TEST_DATABASE_NAME", None)
    if not os.environ.get("CELERY_BROKER_URL"):
        for sub in ("queue", "processed", "results", "control"):
            (var_dir / "celery" / sub).mkdir(parents=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "circulate",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            f"--hostname=test-{os.getpid()}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A sender of its own, so that no broker connection cached by earlier tests points elsewhere.
    sender = Celery("sender", broker=settings.CELERY_BROKER_URL, backend=settings.CELERY_RESULT_BACKEND)
    if not os.environ.get("CELERY_BROKER_URL"):
        sender.conf.broker_transport_options = {
            "data_folder_in": str(var_dir / "celery" / "queue"),
            "data_folder_out": str(var_dir / "celery" / "queue"),
            "processed_folder": str(var_dir / "celery" / "processed"),
            "control_folder": str(var_dir / "celery" / "control"),
            "store_processed": False,
        }
        sender.conf.result_backend = f"file://{var_dir / 'celery' / 'results'}"
    try:
        # when
        result = sender.send_task(flush_expired_tokens.name, ignore_result=False)
        outcome = result.get(timeout=60)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
    # then the worker (not this process) did the work
    assert outcome["worker_pid"] == worker.pid, output
    assert outcome["worker_pid"] != os.getpid()
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["new-0"]
