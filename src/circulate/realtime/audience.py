"""Who receives an event: everyone signed in, one role, or given users."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Audience:
    kind: str
    role: str = ""
    user_ids: tuple[int, ...] = field(default=())

    def groups(self) -> list[str]:
        """The channel-layer groups that reach this audience."""
        if self.kind == "everyone":
            return [EVERYONE_GROUP]
        if self.kind == "role":
            return [role_group(self.role)]
        return [user_group(user_id) for user_id in self.user_ids]


EVERYONE_GROUP = "notify.everyone"


def role_group(role: str) -> str:
    return f"notify.role.{role}"


def user_group(user_id: int) -> str:
    return f"notify.user.{user_id}"


def everyone() -> Audience:
    return Audience(kind="everyone")


def role(name: str) -> Audience:
    return Audience(kind="role", role=name)


def users(user_ids: Iterable[int]) -> Audience:
    return Audience(kind="users", user_ids=tuple(sorted({int(pk) for pk in user_ids})))
