"""Per-person locks: one message of a person at a time (in-process, or Redis across machines).

PostgreSQL adds its own transaction-scoped advisory lock in bot.store.conversations, so several workers on
one database stay consistent even without Redis.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from bot.errors import StoreError


class Locks(Protocol):
    def hold(self, key: str) -> AbstractContextManager[None]: ...


class InProcessLocks:
    """A lock per key inside one process; entries are dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class RedisLocks:
    """A Redis lock per key, shared by every worker and machine using the same Redis."""

    def __init__(self, url: str, timeout: float = 30.0, wait: float = 20.0) -> None:
        import redis  # imported here: Redis is optional

        self._client = redis.Redis.from_url(url)
        self._timeout = timeout
        self._wait = wait
        self._local = InProcessLocks()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        import redis

        with self._local.hold(key):
            lock = self._client.lock(f"yibao:lock:{key}", timeout=self._timeout, blocking_timeout=self._wait)
            try:
                acquired = lock.acquire()
            except redis.RedisError as exc:
                raise StoreError("redis lock unavailable") from exc
            if not acquired:
                raise StoreError("timed out waiting for the person's previous message")
            try:
                yield
            finally:
                try:
                    lock.release()
                except redis.exceptions.LockError:
                    pass  # expired while held: the transaction already ended


def make_locks(redis_url: str | None) -> Locks:
    return RedisLocks(redis_url) if redis_url else InProcessLocks()
