"""Outbox SQL: rows kept in order, one lease per attempt, a held row left alone, sent and failed marks."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.store import outbox
from bot.store.models import utcnow


def _user() -> str:
    return "o" + uuid.uuid4().hex[:20]


def _enqueue(db, user: str, *texts: str) -> list[int]:
    payloads = [{"msgtype": "text", "text": t} for t in texts]
    return outbox.enqueue(db, channel="wechat", account="jilin", user_key=user, payloads=payloads)


def test_rows_come_back_in_order_and_unsent_lists_only_the_unsent(db):
    user = _user()
    ids = _enqueue(db, user, "a", "b", "c")
    assert [r.payload["text"] for r in outbox.rows_by_ids(db, ids=list(reversed(ids)))] == ["a", "b", "c"]
    outbox.mark_sent(db, row_id=ids[0])
    mine = [r.id for r in outbox.unsent(db, channel="wechat", limit=10_000) if r.user_key == user]
    assert mine == ids[1:]
    assert _enqueue(db, user) == []


def test_only_one_lease_per_read_of_a_row(db):
    (row_id,) = _enqueue(db, _user(), "x")
    first, second = outbox.rows_by_ids(db, ids=[row_id]) * 2
    assert outbox.lease(db, row=first, lease_seconds=60)
    assert not outbox.lease(db, row=second, lease_seconds=0)  # same read, already taken: the swap fails
    (held,) = outbox.rows_by_ids(db, ids=[row_id])
    assert held.attempts == 1 and held.last_error.startswith(outbox.SENDING)
    assert not outbox.lease(db, row=held, lease_seconds=60)  # under a live lease


def test_an_expired_lease_is_taken_again_and_marks_release_it(db):
    (row_id,) = _enqueue(db, _user(), "x")
    (row,) = outbox.rows_by_ids(db, ids=[row_id])
    assert outbox.lease(db, row=row, lease_seconds=60)
    (held,) = outbox.rows_by_ids(db, ids=[row_id])
    stale = held.model_copy(
        update={"last_error": outbox.SENDING + (utcnow() - timedelta(hours=1)).isoformat()}
    )
    assert not outbox.lease(db, row=stale, lease_seconds=60)  # stale read of last_error: the swap fails
    assert outbox.lease(db, row=held, lease_seconds=0)  # the holder's lease ran out: taken again
    outbox.mark_failed(db, row_id=row_id, error="E" * 600)
    (failed,) = outbox.rows_by_ids(db, ids=[row_id])
    assert failed.sent_at is None and failed.last_error == "E" * 500 and failed.attempts == 2
    assert outbox.lease(db, row=failed, lease_seconds=60)
    outbox.mark_sent(db, row_id=row_id)
    (sent,) = outbox.rows_by_ids(db, ids=[row_id])
    assert sent.sent_at is not None and sent.last_error == "" and sent.attempts == 3
    assert not outbox.lease(db, row=sent, lease_seconds=60)
