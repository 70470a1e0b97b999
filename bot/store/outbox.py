"""SQL for the outbox of messages delivered outside a request: enqueue, read unsent rows, lease a row by
compare-and-swap, mark it sent or failed.

A row being sent carries a "sending <time>" lease in last_error; `lease` takes a row only when nobody holds
it (or the holder's lease ran out, a sender that died mid-send), so two senders never send the same row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine as DbEngine
from sqlmodel import Session, col, select

from bot.store.models import OutboxMessage, utcnow

SENDING = "sending "  # last_error prefix of a row some sender holds, followed by the lease start (ISO)


def enqueue(
    db: DbEngine, *, channel: str, account: str, user_key: str, payloads: Iterable[dict[str, Any]]
) -> list[int]:
    """Store messages to send, in order; returns their ids."""
    rows = [
        OutboxMessage(channel=channel, account=account, user_key=user_key, payload=payload)
        for payload in payloads
    ]
    if not rows:
        return []
    with Session(db, expire_on_commit=False) as session:
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows if row.id is not None]


def rows_by_ids(db: DbEngine, *, ids: Sequence[int]) -> list[OutboxMessage]:
    """These rows, oldest first."""
    with Session(db) as session:
        rows = list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))))
    return sorted(rows, key=lambda r: r.id or 0)


def unsent(db: DbEngine, *, channel: str, limit: int) -> list[OutboxMessage]:
    """The channel's rows not sent yet, oldest first."""
    with Session(db) as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, col(OutboxMessage.sent_at).is_(None))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
        return list(session.exec(query))


def lease(db: DbEngine, *, row: OutboxMessage, lease_seconds: float) -> bool:
    """Claim one attempt at a row (compare-and-swap on attempts and last_error): True for the one sender
    that goes on. A row under another sender's lease younger than `lease_seconds` is left alone."""
    if row.last_error.startswith(SENDING):
        try:
            since = datetime.fromisoformat(row.last_error.removeprefix(SENDING))
        except ValueError:
            since = datetime.min
        if utcnow() - since < timedelta(seconds=lease_seconds):
            return False
    with Session(db) as session:
        result = session.exec(  # type: ignore[call-overload]
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row.id,
                col(OutboxMessage.attempts) == row.attempts,
                col(OutboxMessage.last_error) == row.last_error,
                col(OutboxMessage.sent_at).is_(None),
            )
            .values(attempts=row.attempts + 1, last_error=SENDING + utcnow().isoformat())
        )
        session.commit()
        return bool(result.rowcount == 1)


def mark_sent(db: DbEngine, *, row_id: int | None) -> None:
    """The platform accepted the message: it is sent and its lease released."""
    _finish(db, row_id, sent=True, error="")


def mark_failed(db: DbEngine, *, row_id: int | None, error: str) -> None:
    """The send failed: the error replaces the lease, and the row waits for the next retry."""
    _finish(db, row_id, sent=False, error=error[:500])


def _finish(db: DbEngine, row_id: int | None, *, sent: bool, error: str) -> None:
    with Session(db) as session:
        stored = session.get(OutboxMessage, row_id)
        if stored is None:
            return
        if sent:
            stored.sent_at = utcnow()
        stored.last_error = error
        session.add(stored)
        session.commit()
