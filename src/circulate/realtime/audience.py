"""Who receives an event: everyone signed in, one role, or given users.

Each audience maps to channel-layer groups. A connected socket joins the
everyone group, the group of each role its user holds (superusers hold them
all) and its user's own group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from circulate.accounts.roles import ALL_ROLES

EVERYONE = "everyone"
ROLE = "role"
USERS = "users"

EVERYONE_GROUP = "notify.everyone"


@dataclass(frozen=True)
class Audience:
    kind: str
    role: str = ""
    user_ids: tuple[int, ...] = field(default=())

    def groups(self) -> list[str]:
        """The channel-layer groups that reach this audience."""
        if self.kind == EVERYONE:
            return [EVERYONE_GROUP]
        if self.kind == ROLE:
            return [role_group(self.role)]
        return [user_group(user_id) for user_id in self.user_ids]


def role_group(role: str) -> str:
    return f"notify.role.{role}"


def user_group(user_id: int) -> str:
    return f"notify.user.{user_id}"


def everyone() -> Audience:
    return Audience(kind=EVERYONE)


def role(name: str) -> Audience:
    if name not in ALL_ROLES:
        raise ValueError(f"Unknown role {name!r}; choose one of {', '.join(ALL_ROLES)}.")
    return Audience(kind=ROLE, role=name)


def users(user_ids: Iterable[int]) -> Audience:
    return Audience(kind=USERS, user_ids=tuple(sorted({int(pk) for pk in user_ids})))
