"""factory_boy factories for realtime."""

from __future__ import annotations

from typing import Any

import factory

from circulate.realtime.audience import EVERYONE
from circulate.realtime.models import Event, EventRecipient


class EventFactory(factory.django.DjangoModelFactory):
    """An event to everyone; ``role=`` makes it a role event, ``recipients=[...]`` a users event."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    type = "book.created"
    payload = factory.Sequence(lambda n: {"id": n, "title": f"Book {n}"})
    audience = EVERYONE
    role = ""
    actor = None

    @factory.post_generation
    def recipients(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            EventRecipient.objects.bulk_create([EventRecipient(event=self, user=user) for user in extracted])
