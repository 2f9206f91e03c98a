"""Every partial unique constraint is in the database, whichever it is (core/mysql/schema.py on MariaDB)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from circulate.library.models import MembershipTier

PARTIAL_UNIQUE = [
    (model, constraint)
    for model in apps.get_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, UniqueConstraint) and constraint.condition is not None
]


def unique_indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in found.items() if info["unique"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "constraint"), PARTIAL_UNIQUE, ids=lambda item: getattr(item, "name", ""))
def test_each_partial_unique_constraint_is_a_unique_index(model: type, constraint: UniqueConstraint) -> None:
    # when
    indexes = unique_indexes(model._meta.db_table)
    # then it leads with the constraint's columns (MariaDB adds the generated column of the condition)
    columns = [model._meta.get_field(name).column for name in constraint.fields]
    assert constraint.name in indexes
    assert indexes[constraint.name][: len(columns)] == columns


def test_the_rules_cover_every_domain() -> None:
    assert {model._meta.app_label for model, _ in PARTIAL_UNIQUE} == {"library", "bikes", "dealership", "partners"}


@pytest.mark.django_db(transaction=True)
def test_a_partial_unique_constraint_can_be_removed_and_added_again() -> None:
    # given the "one default tier" rule
    constraint = next(c for c in MembershipTier._meta.constraints if c.name == "library_tier_one_default")
    table = MembershipTier._meta.db_table
    MembershipTier.objects.create(name="Standard", is_default=True)
    try:
        # when it is removed (as a migration that changes it would), then two defaults may be written
        with connection.schema_editor() as editor:
            editor.remove_constraint(MembershipTier, constraint)
        assert constraint.name not in unique_indexes(table)
        second = MembershipTier.objects.create(name="Student", is_default=True)
        second.delete()
    finally:
        # and when it is added again, it holds again
        with connection.schema_editor() as editor:
            editor.add_constraint(MembershipTier, constraint)
    assert constraint.name in unique_indexes(table)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipTier.objects.create(name="Student", is_default=True)
    MembershipTier.objects.create(name="Student", is_default=False)
    if connection.vendor == "mysql":  # the (invisible) generated column went and came back with its index
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generation_expression FROM information_schema.columns"
                " WHERE table_schema = DATABASE() AND table_name = %s AND column_name = %s",
                [table, "library_tier_one_default_when"],
            )
            assert [row[0] for row in cursor.fetchall()] == ["case when `is_default` = 1 then 1 end"]
