"""Per-person locks: in-process and Redis hold one message of a person at a time."""

from __future__ import annotations

import os
import threading
import time

import pytest
import redis

from bot.locks import InProcessLocks, RedisLocks

REDIS_URL = os.environ.get("YIBAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _overlaps(locks, key="person") -> int:
    inside = 0
    peak = 0
    guard = threading.Lock()

    def work():
        nonlocal inside, peak
        with locks.hold(key):
            with guard:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return peak


def test_in_process_lock_serialises_one_person_and_forgets_idle_keys():
    locks = InProcessLocks()
    assert _overlaps(locks) == 1
    assert locks._locks == {}


@pytest.mark.redis
def test_redis_lock_serialises_across_clients():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"redis not reachable: {exc}")
    first, second = RedisLocks(REDIS_URL), RedisLocks(REDIS_URL)

    class Either:
        def __init__(self):
            self.n = 0

        def hold(self, key):
            self.n += 1
            return (first if self.n % 2 else second).hold(key)

    assert _overlaps(Either(), key=f"person-{time.time_ns()}") == 1
