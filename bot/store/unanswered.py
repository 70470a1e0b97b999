"""SQL for the policy team's review of questions the assistant could not answer confidently."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.redaction import redact
from bot.store.models import UnansweredQuestion, utcnow
from bot.store.staff import as_utc

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_question(text: str) -> str:
    """The form questions are grouped by: NFKC (full-width to half-width), lower case, no spaces or
    punctuation (吗？ and 吗 count as the same question)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


@dataclass
class UnansweredSummary:
    """Questions that normalise to the same text: how often, an example, and the best candidates seen."""

    region: str
    key: str
    example: str
    count: int = 0
    last_seen: datetime | None = None
    bands: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, float] = field(default_factory=dict)  # "kind:key" -> best score

    def best_candidates(self, limit: int = 3) -> list[tuple[str, float]]:
        return sorted(self.candidates.items(), key=lambda item: -item[1])[:limit]


def unanswered_summary(
    session: Session, *, region: str | None = None, recent: int = 5000, limit: int = 100
) -> list[UnansweredSummary]:
    """The most recent `recent` unanswered questions grouped by normalised text, most frequent first."""
    query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(recent)  # type: ignore[union-attr]
    if region:
        query = query.where(UnansweredQuestion.region == region)
    groups: dict[tuple[str, str], UnansweredSummary] = {}
    for row in session.exec(query):
        key = normalise_question(row.text) or row.text
        group = groups.get((row.region, key))
        if group is None:
            group = groups[(row.region, key)] = UnansweredSummary(row.region, key, redact(row.text))
        group.count += 1
        created = as_utc(row.created_at)
        if group.last_seen is None or created > group.last_seen:
            group.last_seen = created
        group.bands[row.band] = group.bands.get(row.band, 0) + 1
        for candidate in row.candidates:
            name = f"{candidate.get('kind', '')}:{candidate.get('key', '')}"
            score = float(candidate.get("score", 0.0))
            group.candidates[name] = max(score, group.candidates.get(name, score))
    ordered = sorted(groups.values(), key=lambda g: (-g.count, -(g.last_seen or utcnow()).timestamp()))
    return ordered[:limit]
