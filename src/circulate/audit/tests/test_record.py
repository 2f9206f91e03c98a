"""Recording entries: diffs, redaction, actors, request ids, same transaction, append-only, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.audit import services as audit
from circulate.audit.models import AppendOnlyError, AuditEntry
from circulate.core.context import acting_as, bound
from circulate.library.models import Author
from circulate.library.tests.factories import AuthorFactory, BookFactory

pytestmark = pytest.mark.django_db


def test_an_entry_names_the_actor_the_object_and_the_changes_old_to_new() -> None:
    # given
    user = UserFactory(email="ann@example.com")
    author = AuthorFactory(name="Old")
    before = audit.snapshot(author, ("name",))
    author.name = "New"
    # when
    with bound(request_id="req-1", client_ip="10.0.0.7"):
        entry = audit.record(
            "library.author.update", actor=user, target=author, changes=audit.changes_since(before, author)
        )
    # then
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_label) == (user.pk, "ann@example.com")
    assert (entry.object_type, entry.object_id, entry.object_label) == ("library.author", str(author.pk), "New")
    assert entry.changes == {"name": ["Old", "New"]}
    assert (entry.request_id, entry.client_ip) == ("req-1", "10.0.0.7")


def test_values_become_json_and_many_to_many_fields_list_ids() -> None:
    # given a book with two authors
    first, second = AuthorFactory(), AuthorFactory()
    book = BookFactory(authors=[first, second])
    # when
    changes = audit.created(book, ("title", "authors", "added_by", "cover"))
    # then
    assert changes == {
        "title": (None, book.title),
        "authors": (None, sorted([first.pk, second.pk])),
        "added_by": (None, None),
        "cover": (None, None),
    }


def test_secrets_never_reach_the_trail() -> None:
    # when
    entry = audit.record(
        "accounts.user.update",
        actor=None,
        object_type="accounts.user",
        object_id=1,
        changes={"password": ("old-hash", "new-hash"), "api_token": ("a", "b"), "name": ("x", "y")},
    )
    # then
    assert entry.changes == {
        "password": ["[redacted]", "[redacted]"],
        "api_token": ["[redacted]", "[redacted]"],
        "name": ["x", "y"],
    }


def test_without_a_user_the_task_or_command_named_in_the_context_acts() -> None:
    author = AuthorFactory()
    assert audit.record("library.author.update", actor=None, target=author).actor_label == "system"
    with acting_as("task:library.expire_reservations"):
        entry = audit.record("library.author.update", actor=None, target=author)
    assert (entry.actor_id, entry.actor_label) == (None, "task:library.expire_reservations")


def test_a_rolled_back_write_leaves_no_entry() -> None:
    # given
    user = UserFactory()

    @transaction.atomic
    def failing_service() -> None:
        author = Author.objects.create(name="Ghost")
        audit.record("library.author.create", actor=user, target=author)
        raise RuntimeError("the write fails")

    # when a service's transaction fails after recording
    with pytest.raises(RuntimeError):
        failing_service()
    # then
    assert not AuditEntry.objects.filter(object_label="Ghost").exists()


def test_entries_are_append_only() -> None:
    # given
    entry = audit.record("library.author.create", actor=None, target=AuthorFactory())
    # then no change or delete through the ORM
    entry.object_label = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_label="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.object_label != "forged"


def test_actions_must_read_domain_object_verb() -> None:
    with pytest.raises(ValueError, match="Bad audit action"):
        audit.record("issue", actor=None, target=AuthorFactory())
    with pytest.raises(ValueError, match="Bad audit action"):
        audit.audited("Library.Loan.Issue")


def test_retention_removes_only_entries_older_than_the_setting(settings) -> None:  # type: ignore[no-untyped-def]
    # given entries 400 and 10 days old, with a retention of 365 days
    settings.AUDIT_RETENTION_DAYS = 365
    author = AuthorFactory()
    old = AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=400), actor_label="system", action="library.author.create",
        object_type="library.author", object_id=str(author.pk),
    )  # fmt: skip
    recent = audit.record("library.author.update", actor=None, target=author)
    # when
    removed = audit.purge_expired_entries()
    # then
    assert removed == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
