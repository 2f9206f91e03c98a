"""Demo data for the library (``manage.py seed_demo``). Idempotent.

Tiers, authors and about fifty classics; alice@ and bob@ are self-service members,
plus two walk-in readers; loans and reservations in every state, made through the
services by librarian@.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from circulate.accounts.models import User
from circulate.library import services
from circulate.library.isbn import isbn13_check_digit
from circulate.library.models import Author, Book, Loan, Member, MembershipCard, MembershipTier, Reservation

TIERS: list[dict[str, object]] = [
    {"name": "Student", "loan_limit": 2, "loan_period_days": 21, "max_renewals": 1, "hold_limit": 3,
     "self_checkout": False},
    {"name": "Premium", "loan_limit": 6, "loan_period_days": 28, "max_renewals": 3, "hold_limit": 10,
     "pickup_window_days": 5, "renewal_grace_days": 2},
]  # fmt: skip

# (author, [(title, year)])
CATALOGUE: list[tuple[str, list[tuple[str, int]]]] = [
    ("Jane Austen", [("Pride and Prejudice", 1813), ("Emma", 1815), ("Persuasion", 1817),
                     ("Sense and Sensibility", 1811)]),
    ("Charles Dickens", [("Great Expectations", 1861), ("Bleak House", 1853), ("A Tale of Two Cities", 1859),
                         ("Hard Times", 1854)]),
    ("Mary Shelley", [("Frankenstein", 1818), ("The Last Man", 1826)]),
    ("Herman Melville", [("Moby-Dick", 1851), ("Bartleby, the Scrivener", 1853)]),
    ("Leo Tolstoy", [("War and Peace", 1869), ("Anna Karenina", 1878), ("The Death of Ivan Ilyich", 1886)]),
    ("Fyodor Dostoevsky", [("Crime and Punishment", 1866), ("The Idiot", 1869), ("The Brothers Karamazov", 1880)]),
    ("George Eliot", [("Middlemarch", 1872), ("Silas Marner", 1861), ("The Mill on the Floss", 1860)]),
    ("Charlotte Brontë", [("Jane Eyre", 1847), ("Villette", 1853)]),
    ("Emily Brontë", [("Wuthering Heights", 1847)]),
    ("Mark Twain", [("Adventures of Huckleberry Finn", 1884), ("The Adventures of Tom Sawyer", 1876)]),
    ("Virginia Woolf", [("Mrs Dalloway", 1925), ("To the Lighthouse", 1927), ("Orlando", 1928)]),
    ("Joseph Conrad", [("Heart of Darkness", 1899), ("Lord Jim", 1900), ("Nostromo", 1904)]),
    ("Gustave Flaubert", [("Madame Bovary", 1857), ("Sentimental Education", 1869)]),
    ("Jules Verne", [("Twenty Thousand Leagues Under the Seas", 1870), ("Around the World in Eighty Days", 1872),
                     ("Journey to the Centre of the Earth", 1864)]),
    ("H. G. Wells", [("The Time Machine", 1895), ("The War of the Worlds", 1898), ("The Invisible Man", 1897)]),
    ("Arthur Conan Doyle", [("A Study in Scarlet", 1887), ("The Hound of the Baskervilles", 1902)]),
    ("Oscar Wilde", [("The Picture of Dorian Gray", 1890)]),
    ("Franz Kafka", [("The Trial", 1925), ("The Castle", 1926), ("The Metamorphosis", 1915)]),
    ("Homer", [("The Odyssey", -700)]),
]  # fmt: skip

LIKES = [("alice", "Frankenstein"), ("alice", "Pride and Prejudice"), ("bob", "Pride and Prejudice"),
         ("bob", "The Time Machine")]  # fmt: skip

# Jointly written: a book with two authors.
JOINT = ("The Whole Family", 1908, ["Mark Twain", "Virginia Woolf"])


def _isbn(n: int) -> str:
    first12 = f"9791{n:08d}"
    return first12 + isbn13_check_digit(first12)


def _seed_tiers() -> None:
    services.default_tier()
    for fields in TIERS:
        MembershipTier.objects.get_or_create(name=fields["name"], defaults=fields)


def _seed_catalogue(librarian: User) -> int:
    created = 0
    n = 0
    entries = [(author, title, year) for author, books in CATALOGUE for title, year in books]
    for author_name, title, year in entries:
        n += 1
        # Names are not unique: people may have added an author of the same name since the last seed.
        author = Author.objects.filter(name=author_name).order_by("pk").first() or services.create_author(
            actor=librarian, name=author_name
        )
        if Book.all_objects.filter(isbn=_isbn(n)).exists():
            continue
        services.create_book(
            actor=librarian,
            title=title,
            isbn=_isbn(n),
            authors=[author],
            copies_total=1 + n % 3,
            year=year if year > 1000 else None,
            description=f"{title} by {author_name}.",
        )
        created += 1
    title, year, names = JOINT
    if not Book.all_objects.filter(isbn=_isbn(n + 1)).exists():
        authors = list(Author.objects.filter(name__in=names))
        services.create_book(actor=librarian, title=title, isbn=_isbn(n + 1), authors=authors, year=year)
        created += 1
    return created


def _member(librarian: User, *, name: str, email: str, phone: str = "", user: User | None = None) -> Member:
    existing = Member.all_objects.filter(user=user).first() if user else Member.all_objects.filter(name=name).first()
    if existing is not None:
        return existing
    return services.create_member(actor=librarian, name=name, email=email, phone=phone, user=user)


def _card(librarian: User, member: Member, tier_name: str, *, expired: bool = False) -> None:
    if MembershipCard.all_objects.filter(member=member).exists():
        return
    tier = MembershipTier.objects.get(name=tier_name)
    card = services.issue_or_renew_card(actor=librarian, member_id=member.pk, tier=tier).card
    if expired:
        MembershipCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(days=10))


def _book(title: str) -> Book:
    # The demo's own copy is the oldest book of that title; members may have added namesakes.
    book = Book.objects.filter(title=title).order_by("pk").first()
    assert book is not None, f"demo book {title!r} is missing"
    return book


def _seed_circulation(librarian: User, alice: Member, bob: Member, walter: Member) -> None:
    """Loans (active, renewed, overdue, returned) and holds (waiting, ready, fulfilled, cancelled, expired)."""
    now = timezone.now()
    issue = services.issue_loan

    # An expired hold: Walter never collected "Emma".
    expired = services.reserve_book(actor=librarian, book_id=_book("Emma").pk, member_id=walter.pk)
    Reservation.objects.filter(pk=expired.pk).update(ready_until=now - timedelta(hours=1))
    services.expire_reservations(now=now)

    # Alice: a hold that became a loan, an overdue loan and a returned one.
    frankenstein = _book("Frankenstein")
    services.reserve_book(actor=librarian, book_id=frankenstein.pk, member_id=alice.pk)
    issue(actor=librarian, book_id=frankenstein.pk, member_id=alice.pk)
    overdue = issue(actor=librarian, book_id=_book("Moby-Dick").pk, member_id=alice.pk)
    Loan.objects.filter(pk=overdue.pk).update(issued_at=now - timedelta(days=20), due_at=now - timedelta(days=6))
    returned = issue(actor=librarian, book_id=_book("Jane Eyre").pk, member_id=alice.pk)
    services.return_loan(actor=librarian, loan_id=returned.pk)

    # Bob: a renewed loan, a loan due in two days, a returned one, a cancelled hold and a waiting one.
    renewed = issue(actor=librarian, book_id=_book("Middlemarch").pk, member_id=bob.pk)
    services.renew_loan(actor=librarian, loan_id=renewed.pk)
    due_soon = issue(actor=librarian, book_id=_book("The Time Machine").pk, member_id=bob.pk)
    Loan.objects.filter(pk=due_soon.pk).update(due_at=now + timedelta(days=1, hours=12))
    old = issue(actor=librarian, book_id=_book("The Trial").pk, member_id=bob.pk)
    services.return_loan(actor=librarian, loan_id=old.pk)
    cancelled = services.reserve_book(actor=librarian, book_id=_book("Orlando").pk, member_id=bob.pk)
    services.cancel_reservation(actor=librarian, reservation_id=cancelled.pk)
    services.reserve_book(actor=librarian, book_id=frankenstein.pk, member_id=bob.pk)

    # Walter (walk-in): an active loan and a copy waiting on the hold shelf.
    issue(actor=librarian, book_id=_book("Heart of Darkness").pk, member_id=walter.pk)
    services.reserve_book(actor=librarian, book_id=_book("The Odyssey").pk, member_id=walter.pk)


def seed() -> str:
    librarian = User.objects.get(email="librarian@circulate.local")
    alice_user = User.objects.get(email="alice@circulate.local")
    bob_user = User.objects.get(email="bob@circulate.local")

    user_by_email = {"alice": alice_user, "bob": bob_user}
    _seed_tiers()
    books = _seed_catalogue(librarian)
    alice = _member(librarian, name="Alice Reader", email="alice@circulate.local", user=alice_user)
    bob = _member(librarian, name="Bob Reader", email="bob@circulate.local", user=bob_user)
    walter = _member(librarian, name="Walter Walk-in", email="walter@example.com", phone="+44 20 7946 0101")
    erin = _member(librarian, name="Erin Expired", email="erin@example.com")
    _card(librarian, alice, services.default_tier().name)
    _card(librarian, bob, "Premium")
    _card(librarian, walter, "Student")
    _card(librarian, erin, services.default_tier().name, expired=True)
    if not Loan.objects.filter(member__in=[alice, bob, walter]).exists():
        _seed_circulation(librarian, alice, bob, walter)
    for user, title in LIKES:
        services.like_book(actor=user_by_email[user], book_id=_book(title).pk)
    return (
        f"{books} book(s) added, {Book.objects.count()} in the catalogue; "
        f"{Member.objects.count()} members, {Loan.objects.count()} loans, {Reservation.objects.count()} reservations"
    )
