"""factory_boy factories for the library."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.library.isbn import isbn13_check_digit
from circulate.library.models import Author, Book, Member, MembershipCard, MembershipTier
from circulate.library.search import search_text_for
from circulate.library.services import default_tier, refresh_search_text


def make_isbn(n: int) -> str:
    first12 = f"979{n:09d}"
    return first12 + isbn13_check_digit(first12)


def make_librarian(**kwargs: Any) -> Any:
    return UserFactory(roles=[LIBRARIAN], **kwargs)


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Book {n:05d}")
    isbn = factory.Sequence(make_isbn)
    copies_total = 1
    copies_available = factory.LazyAttribute(lambda book: book.copies_total)
    search_text = factory.LazyAttribute(lambda book: search_text_for(book.title, []))

    @factory.post_generation
    def authors(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.authors.set(extracted)  # type: ignore[attr-defined]
            refresh_search_text(book_ids=[self.pk])  # type: ignore[attr-defined]


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipTier

    name = factory.Sequence(lambda n: f"Tier {n}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"reader{n}@example.com")


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipCard

    member = factory.SubFactory(MemberFactory)
    number = factory.Sequence(lambda n: f"LIB-T{n:09d}")
    tier = factory.LazyFunction(default_tier)
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


def member_with_card(user: Any = None, **tier_fields: Any) -> Member:
    """A member holding a valid card; ``tier_fields`` make a tier of its own."""
    member = MemberFactory(user=user, **({"name": user.get_full_name()} if user else {}))
    tier = TierFactory(**tier_fields) if tier_fields else default_tier()
    CardFactory(member=member, tier=tier)
    return member
