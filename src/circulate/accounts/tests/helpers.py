"""Helpers of the account tests: a client that commits, links in e-mails."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.core import mail

from circulate.accounts.tests.factories import DEFAULT_PASSWORD

PUBLIC_URL = "https://circulate.example"
PASSWORD = DEFAULT_PASSWORD
NEW_PASSWORD = "tr0ubadour-and-3-more-words"


@dataclass(frozen=True)
class Link:
    url: str
    path: str
    params: dict[str, str]


def link_in(message: mail.EmailMessage) -> Link:
    """The first link of an e-mail's text body."""
    found = re.search(r"https?://\S+", str(message.body))
    assert found, message.body
    parts = urlsplit(found.group(0))
    return Link(url=found.group(0), path=parts.path, params=dict(parse_qsl(parts.query)))


def sent_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to]
