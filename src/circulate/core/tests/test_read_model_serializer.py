"""ReadModelSerializer: a model's fields are built once per class, and every instance gets its own copy."""

from __future__ import annotations

from unittest import mock

import pytest
from rest_framework import serializers

from circulate.core.api import ReadModelSerializer
from circulate.library.api.serializers import BookSerializer
from circulate.library.tests.factories import AuthorFactory, BookFactory

pytestmark = pytest.mark.django_db


def test_fields_are_built_from_the_model_once_per_class() -> None:
    # given a fresh subclass, so no earlier test built its fields
    class Books(BookSerializer):
        pass

    books = [BookFactory(authors=[AuthorFactory(name="Ursula K. Le Guin")]) for _ in range(3)]
    # when it renders twice
    with mock.patch.object(
        serializers.ModelSerializer, "build_field", autospec=True, side_effect=serializers.ModelSerializer.build_field
    ) as build_field:
        first = Books(books, many=True).data
        built_once = build_field.call_count
        second = Books(books, many=True).data
    # then the second rendering built nothing and said the same
    assert built_once > 0
    assert build_field.call_count == built_once
    assert first == second
    assert first[0]["authors"] == [{"id": books[0].authors.get().pk, "name": "Ursula K. Le Guin"}]


def test_each_instance_binds_its_own_copy_of_the_fields() -> None:
    # when two serializers of one class exist at once
    one, two = BookSerializer(), BookSerializer()
    # then their fields are distinct objects, each bound to its own serializer
    assert one.fields["title"] is not two.fields["title"]
    assert one.fields["title"].parent is one
    assert two.fields["title"].parent is two
    assert isinstance(one, ReadModelSerializer)
