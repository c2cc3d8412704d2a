"""Cache back ends for the cache-aside pattern: Redis, in-memory, and none."""

import logging
import time
from collections.abc import Callable
from typing import Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)


class Cache(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...


class RedisCache:
    """A cache that never fails the request: Redis errors become misses."""

    def __init__(self, client: redis.Redis, prefix: str = "orders:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> "RedisCache":
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=0.5,
            socket_connect_timeout=0.5,
            retry=Retry(NoBackoff(), retries=0),  # a cache that is down is skipped, not waited for
        )
        return cls(client)

    def get(self, key: str) -> str | None:
        try:
            value = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            logger.warning("cache unavailable", extra={"op": "get", "error": repr(exc)})
            return None
        return value.decode() if isinstance(value, bytes) else value

    def set(self, key: str, value: str, ttl: int) -> None:
        try:
            self._client.set(self._prefix + key, value, ex=ttl)
        except redis.RedisError as exc:
            logger.warning("cache unavailable", extra={"op": "set", "error": repr(exc)})

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            # The entry may now outlive the change: the TTL bounds how long.
            logger.error("cache invalidation failed", extra={"key": key, "error": repr(exc)})


class MemoryCache:
    """A dict with expiry times, for tests and single-process use."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, str]] = {}

    def get(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return value

    def set(self, key: str, value: str, ttl: int) -> None:
        self._entries[key] = (self._clock() + ttl, value)

    def delete(self, key: str) -> None:
        self._entries.pop(key, None)


class NullCache:
    """No caching at all: every read goes to the database."""

    def get(self, key: str) -> str | None:
        return None

    def set(self, key: str, value: str, ttl: int) -> None:
        pass

    def delete(self, key: str) -> None:
        pass
