"""Demo accounts (documented in the README). Idempotent."""

from __future__ import annotations

from django.utils import timezone

from circulate.accounts import services
from circulate.accounts.models import User
from circulate.accounts.roles import DEALER_STAFF, FLEET_MANAGER, LIBRARIAN

DEMO_PASSWORD = "circulate-demo"

# (email, username, full name, roles, superuser)
DEMO_USERS: list[tuple[str, str, str, tuple[str, ...], bool]] = [
    ("admin@circulate.local", "admin", "Ada Admin", (), True),
    ("librarian@circulate.local", "librarian", "Lena Librarian", (LIBRARIAN,), False),
    ("fleet@circulate.local", "fleet", "Felix Fleet", (FLEET_MANAGER,), False),
    ("dealer@circulate.local", "dealer", "Dana Dealer", (DEALER_STAFF,), False),
    ("alice@circulate.local", "alice", "Alice Reader", (), False),
    ("bob@circulate.local", "bob", "Bob Reader", (), False),
]


def seed() -> str:
    created = 0
    for email, username, full_name, roles, superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(email, username, DEMO_PASSWORD, full_name=full_name, email_verified_at=timezone.now())
            created += 1
        for role in roles:
            services.grant_role(user=user, role=role)
    return f"{created} demo user(s) created, {len(DEMO_USERS)} in all (password {DEMO_PASSWORD!r})"
