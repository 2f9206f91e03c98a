"""Every setting from an environment variable, read once, with an embedded default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEV_TOKEN = "circulate-branch-dev-token"


def default_database_url() -> str:
    var_dir = Path(os.environ.get("CIRCULATE_VAR_DIR") or Path.cwd() / "var")
    return f"sqlite:///{var_dir / 'branch.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    api_token: str
    host: str = "127.0.0.1"
    port: int = 5013
    name: str = "Riverside branch"
    pickup_days: int = 7
    log_requests: bool = True

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("BRANCH_DATABASE_URL") or default_database_url(),
            api_token=os.environ.get("BRANCH_API_TOKEN") or DEV_TOKEN,
            host=os.environ.get("BRANCH_HOST") or "127.0.0.1",
            port=int(os.environ.get("BRANCH_PORT") or 5013),
            name=os.environ.get("BRANCH_NAME") or "Riverside branch",
            pickup_days=int(os.environ.get("BRANCH_PICKUP_DAYS") or 7),
        )
