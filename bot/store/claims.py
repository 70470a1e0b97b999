"""SQL for retry claims: the first copy of a message claims its key; retries read the first answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.store.models import InboundClaim, utcnow


def claim(engine: Engine, key: str) -> bool:
    """True if this caller is first for `key`; committed at once so every worker sees it."""
    with Session(engine) as session:
        session.add(InboundClaim(key=key))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def finish(engine: Engine, key: str, reply: dict[str, Any]) -> None:
    with Session(engine) as session:
        row = session.get(InboundClaim, key)
        if row is None:
            row = InboundClaim(key=key)
        row.state = "done"
        row.reply = reply
        session.add(row)
        session.commit()


def release(engine: Engine, key: str) -> None:
    """Forget a claim whose handling failed before any effect, so a retry can try again."""
    with Session(engine) as session:
        row = session.get(InboundClaim, key)
        if row is not None and row.state == "processing":
            session.delete(row)
            session.commit()


def read(engine: Engine, key: str) -> InboundClaim | None:
    with Session(engine) as session:
        return session.get(InboundClaim, key)


def prune(engine: Engine, older_than: timedelta) -> int:
    """Drop claims older than WeChat's retry window (with margin)."""
    with Session(engine) as session:
        expired = delete(InboundClaim).where(col(InboundClaim.created_at) < utcnow() - older_than)
        result = session.exec(expired)  # type: ignore[call-overload]
        session.commit()
        return int(result.rowcount or 0)
