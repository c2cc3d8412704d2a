"""Settings, read once from the environment at the edge of the program."""

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///orders.db"
    redis_url: str | None = None
    cache_ttl: int = 300

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        default = cls()
        return cls(
            database_url=environ.get("ORDERS_DATABASE_URL", default.database_url),
            redis_url=environ.get("REDIS_URL") or None,
            cache_ttl=int(environ.get("ORDERS_CACHE_TTL", default.cache_ttl)),
        )
