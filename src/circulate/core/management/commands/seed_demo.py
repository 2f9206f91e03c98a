"""Load demo data: users with every role, then each domain's demo data. Idempotent."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from circulate.core.context import acting_as


class Command(BaseCommand):
    help = "Create demo users and each domain's demo data (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Accounts first: the domains' demo data refers to the demo users.
        order = ["accounts"] + [c.label for c in apps.get_app_configs() if c.label != "accounts"]
        for label in order:
            config = apps.get_app_config(label)
            if not config.name.startswith("circulate."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic(), acting_as("command:seed_demo"):
                summary = module.seed()
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
