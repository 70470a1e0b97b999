"""SQL for the policy team's review of questions the assistant could not answer confidently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from bot.store.models import UnansweredQuestion


@dataclass(frozen=True)
class UnansweredGroup:
    region: str
    text: str
    count: int
    last_seen: datetime
    band: str
    candidates: list[dict[str, object]]


def grouped_unanswered(
    session: Session, *, region: str | None = None, limit: int = 50
) -> list[UnansweredGroup]:
    """The same question asked several times counts once, most frequent first."""
    count = func.count(UnansweredQuestion.id).label("n")  # type: ignore[arg-type]
    last = func.max(UnansweredQuestion.created_at).label("last")
    query = select(UnansweredQuestion.region, UnansweredQuestion.text, count, last).group_by(
        UnansweredQuestion.region, UnansweredQuestion.text
    )
    if region:
        query = query.where(UnansweredQuestion.region == region)
    rows = session.exec(query.order_by(count.desc(), last.desc()).limit(limit)).all()  # type: ignore[call-overload]
    groups = []
    for row_region, text, n, last_seen in rows:
        latest = session.exec(
            select(UnansweredQuestion)
            .where(UnansweredQuestion.region == row_region, UnansweredQuestion.text == text)
            .order_by(UnansweredQuestion.id.desc())  # type: ignore[union-attr]
        ).first()
        assert latest is not None
        groups.append(UnansweredGroup(row_region, text, int(n), last_seen, latest.band, latest.candidates))
    return groups
