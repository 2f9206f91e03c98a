"""Account changes are audited; passwords never appear in the trail."""

from __future__ import annotations

import pytest

from circulate.accounts import links, services
from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from circulate.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def actions_of(user_id: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(user_id), object_type="accounts.user")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_registration_confirmation_profile_password_and_roles_are_recorded() -> None:
    # given a new account
    user = services.register_user(email="new@example.com", username="newbie", password="a-long-passphrase-1")
    # when it confirms, edits its profile, changes its password and gets a role
    services.confirm_email(token=links.make_email_token(user=user))
    services.update_profile(user=user, full_name="New Person")
    services.change_password(user=user, old_password="a-long-passphrase-1", new_password="another-long-passphrase-2")
    admin = UserFactory(is_superuser=True)
    services.grant_role(user=user, role=LIBRARIAN, actor=admin)
    services.grant_role(user=user, role=LIBRARIAN, actor=admin)  # already held: nothing changes
    services.revoke_role(user=user, role=LIBRARIAN, actor=admin)
    # then
    assert actions_of(user.pk) == [
        "accounts.user.register",
        "accounts.user.email_confirm",
        "accounts.user.update",
        "accounts.user.password_change",
        "accounts.user.role_grant",
        "accounts.user.role_revoke",
    ]
    entries = {entry.action: entry for entry in AuditEntry.objects.all()}
    assert entries["accounts.user.register"].changes["email"] == [None, "new@example.com"]
    assert entries["accounts.user.password_change"].changes == {"password": ["[redacted]", "[redacted]"]}
    assert entries["accounts.user.role_grant"].actor_id == admin.pk
    assert "passphrase" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_wrong_old_password_records_nothing() -> None:
    user = UserFactory()
    with pytest.raises(Exception, match="not your current password"):
        services.change_password(user=user, old_password="wrong", new_password=DEFAULT_PASSWORD + "x")
    assert actions_of(user.pk) == []
