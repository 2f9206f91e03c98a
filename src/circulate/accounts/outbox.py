"""The dev outbox: an e-mail backend that stores messages in the database.

Used when no SMTP server is configured, so that a person (admin, console) or a
script (``GET /api/dev/outbox/``) can read a confirmation link on one machine.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend


class DevOutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from circulate.accounts.models import OutboxMessage

        rows = []
        for message in email_messages:
            html = ""
            if isinstance(message, EmailMultiAlternatives):
                html = next((str(content) for content, mime in message.alternatives if mime == "text/html"), "")
            rows.append(
                OutboxMessage(
                    to=list(message.to) + list(message.cc) + list(message.bcc),
                    from_email=message.from_email,
                    subject=str(message.subject),
                    body=str(message.body),
                    html=html,
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)
