"""Role checks: groups are roles, superusers hold every role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from circulate.accounts.roles import ALL_ROLES, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.core.permissions import has_role

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrations() -> None:
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)


def test_member_of_group_has_that_role_only() -> None:
    librarian = UserFactory(roles=[LIBRARIAN])
    assert has_role(librarian, LIBRARIAN)
    assert not has_role(librarian, FLEET_MANAGER)


def test_superuser_passes_every_role_check() -> None:
    admin = UserFactory(is_superuser=True)
    assert all(has_role(admin, role) for role in ALL_ROLES)


def test_anonymous_and_inactive_users_hold_no_role() -> None:
    inactive = UserFactory(roles=[LIBRARIAN], is_active=False)
    assert not has_role(AnonymousUser(), LIBRARIAN)
    assert not has_role(inactive, LIBRARIAN)
