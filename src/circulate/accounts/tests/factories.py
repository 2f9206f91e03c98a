"""factory_boy factories for accounts."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from circulate.accounts.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            for role in extracted:
                group, _ = Group.objects.get_or_create(name=role)
                self.groups.add(group)  # type: ignore[attr-defined]
