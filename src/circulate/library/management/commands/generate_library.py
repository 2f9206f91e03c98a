"""Bulk-generate a large catalogue for benchmarks: ``manage.py generate_library --books 100000``.

Books get made-up titles, one to three authors, valid unique ISBN-13s (979-8 range)
and likes from generated members; ``likes_count`` matches the like rows. Rows are
inserted with ``bulk_create`` in batches, so 100,000 books take well under a minute
on PostgreSQL, then the tables are analyzed so the planner knows their new sizes.
Run it again to add more.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from circulate.core.db import analyze
from circulate.library import catalogue_cache
from circulate.library.isbn import isbn13_check_digit
from circulate.library.models import Author, Book, Like, Member
from circulate.library.search import search_text_for

ISBN_PREFIX = "9798"

ADJECTIVES = [
    "Silent",
    "Hidden",
    "Broken",
    "Golden",
    "Last",
    "First",
    "Forgotten",
    "Burning",
    "Frozen",
    "Distant",
    "Secret",
    "Lost",
    "Wandering",
    "Quiet",
    "Crimson",
    "Endless",
    "Hollow",
    "Bright",
    "Dark",
    "Ancient",
    "Little",
    "Wild",
    "Gentle",
    "Bitter",
    "Sacred",
    "Restless",
    "Pale",
    "Iron",
    "Glass",
    "Northern",
]
NOUNS = [
    "River",
    "Garden",
    "Kingdom",
    "Letter",
    "Island",
    "House",
    "Mountain",
    "Shadow",
    "Daughter",
    "Journey",
    "Winter",
    "Library",
    "Harbour",
    "Forest",
    "City",
    "Voyage",
    "Orchard",
    "Lighthouse",
    "Empire",
    "Moon",
    "Season",
    "Stranger",
    "Bridge",
    "Mirror",
    "Clock",
    "Road",
    "Archive",
    "Storm",
    "Feather",
    "Compass",
    "Widow",
    "Machine",
    "Song",
    "Ocean",
    "Cathedral",
]
PATTERNS = (
    "The {a} {n}",
    "{a} {n}s",
    "The {n} of {a} {n2}s",
    "A {n} in the {n2}",
    "{n} and {n2}",
    "The {a} {n} of {place}",
    "Beyond the {a} {n}",
)
PLACES = [
    "Avalon",
    "Lisbon",
    "Samarkand",
    "Kyoto",
    "Tangier",
    "Vilnius",
    "Oaxaca",
    "Zanzibar",
    "Galway",
    "Tromsø",
    "Aleppo",
    "Valparaíso",
]
FIRST = [
    "Ada",
    "Bruno",
    "Clara",
    "Dmitri",
    "Elena",
    "Farah",
    "Gustav",
    "Hana",
    "Ivo",
    "Jonas",
    "Kaveh",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sami",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
]
LAST = [
    "Abbott",
    "Baptiste",
    "Castellanos",
    "Dubois",
    "Eriksen",
    "Fontaine",
    "Grünberg",
    "Haddad",
    "Ishikawa",
    "Jovanović",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Sato",
    "Takahashi",
    "Ueda",
    "Varga",
    "Watanabe",
    "Xu",
    "Yilmaz",
    "Zhang",
]


class Command(BaseCommand):
    help = "Bulk-generate books, authors, members and likes (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--books", type=int, default=100_000, help="How many books to add (default 100000).")
        parser.add_argument("--authors", type=int, default=None, help="Authors to add (default: books / 5).")
        parser.add_argument("--members", type=int, default=500, help="Members who like books (default 500).")
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable data.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rng = random.Random(options["seed"])  # noqa: S311 - repeatable benchmark data, not secrets
        count: int = options["books"]
        batch: int = options["batch_size"]
        author_count = options["authors"] or max(count // 5, 1)

        authors = self._authors(rng, author_count, batch)
        members = self._members(options["members"], batch)
        offset = Book.all_objects.filter(isbn__startswith=ISBN_PREFIX).count()
        made = 0
        while made < count:
            size = min(batch, count - made)
            self._books(rng, offset + made, size, authors, members)
            made += size
            self.stdout.write(f"  {made}/{count} books")
        analyze([Author, Book, Book.authors.through, Member, Like])
        catalogue_cache.changed()  # bulk_create sends no signals
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count} books, {len(authors)} authors, {len(members)} members "
                f"in {time.monotonic() - started:.1f} s."
            )
        )

    def _authors(self, rng: random.Random, count: int, batch: int) -> dict[int, str]:
        rows = [Author(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(count)]
        with transaction.atomic():
            created = Author.objects.bulk_create(rows, batch_size=batch)
        return {author.pk: author.name for author in created}

    def _members(self, count: int, batch: int) -> list[int]:
        start = Member.all_objects.count()
        rows = [
            Member(name=f"Bench Reader {start + i}", email=f"reader{start + i}@bench.invalid") for i in range(count)
        ]
        with transaction.atomic():
            created = Member.objects.bulk_create(rows, batch_size=batch)
        return [member.pk for member in created]

    def _books(self, rng: random.Random, first: int, size: int, authors: dict[int, str], members: list[int]) -> None:
        author_ids = list(authors)
        books, written_by, liked_by = [], [], []
        for n in range(first, first + size):
            first12 = f"{ISBN_PREFIX}{n:08d}"
            title = rng.choice(PATTERNS).format(
                a=rng.choice(ADJECTIVES), n=rng.choice(NOUNS), n2=rng.choice(NOUNS), place=rng.choice(PLACES)
            )
            by = sorted(set(rng.sample(author_ids, min(rng.choice((1, 1, 1, 2, 3)), len(author_ids)))))
            # Popularity is skewed: most books have few likes, a few have many.
            likers = rng.sample(members, min(int(rng.paretovariate(1.5)) - 1, len(members)))
            copies = rng.randint(1, 4)
            books.append(
                Book(
                    title=title,
                    isbn=first12 + isbn13_check_digit(first12),
                    year=rng.randint(1800, 2025),
                    copies_total=copies,
                    copies_available=copies,
                    likes_count=len(likers),
                    search_text=search_text_for(title, [authors[a] for a in by]),
                )
            )
            written_by.append(by)
            liked_by.append(likers)
        with transaction.atomic():
            created = Book.objects.bulk_create(books)
            through = Book.authors.through
            through.objects.bulk_create(
                [
                    through(book_id=book.pk, author_id=author_id)
                    for book, by in zip(created, written_by, strict=True)
                    for author_id in by
                ]
            )
            Like.objects.bulk_create(
                [
                    Like(book_id=book.pk, member_id=member_id)
                    for book, likers in zip(created, liked_by, strict=True)
                    for member_id in likers
                ]
            )
