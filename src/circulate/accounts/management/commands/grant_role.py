"""manage.py grant_role EMAIL ROLE [--revoke]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from circulate.accounts import services
from circulate.accounts.models import User
from circulate.accounts.roles import ALL_ROLES
from circulate.core.context import acting_as
from circulate.core.errors import DomainError


class Command(BaseCommand):
    help = f"Grant (or with --revoke take away) a staff role: {', '.join(ALL_ROLES)}."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", choices=ALL_ROLES)
        parser.add_argument("--revoke", action="store_true", help="Take the role away instead.")

    def handle(self, *args: Any, email: str, role: str, revoke: bool, **options: Any) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user with e-mail {email}.")
        try:
            with acting_as("command:grant_role"):
                if revoke:
                    services.revoke_role(user=user, role=role)
                else:
                    services.grant_role(user=user, role=role)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(self.style.SUCCESS(f"{'Revoked' if revoke else 'Granted'} {role} for {user.email}."))
