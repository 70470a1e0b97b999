"""Answer first: from a ranking of FAQ entries and flow intents, the one answer a person gets.

Rasa's FallbackClassifier idea: answer the best candidate unless confidence is low, and offer a choice only
when the best two are close *and* both are plausible answers of their own. Related questions (the next
entries of the ranking) go under the answer instead of in front of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.index import Candidate

# Scores are the index's share of the question found in an item (about 1.0 when all of it matched).
# Below FLOOR nothing was understood: out-of-scope questions top out near 0.31 (bot/knowledge/index.py).
FLOOR = 0.34
# A menu only when the top item is not clearly understood (below SURE), and the runner-up is nearly as good.
SURE = 0.62
CLOSE_RATIO = 0.93
MAX_MENU = 3
# Related questions under an answer: other entries scoring at least this share of the top, at most two.
RELATED_RATIO = 0.55
MAX_RELATED = 2


@dataclass(frozen=True)
class Selection:
    choice: str  # answer | menu | fallback
    top: Candidate | None
    menu: tuple[Candidate, ...] = ()
    related: tuple[Candidate, ...] = ()


def select(ranking: Sequence[Candidate]) -> Selection:
    """The answer (or the short menu, or nothing) for a ranked question."""
    if not ranking or ranking[0].score < FLOOR:
        return Selection("fallback", None, menu=tuple(ranking[:MAX_MENU]))
    top = ranking[0]
    rest = [c for c in ranking[1:] if (c.kind, c.key) != (top.kind, top.key)]
    close = [c for c in rest if c.score >= top.score * CLOSE_RATIO and c.score >= FLOOR]
    if top.score < SURE and close and all(c.kind == "faq" for c in (top, *close)):
        return Selection("menu", top, menu=(top, *close)[:MAX_MENU])
    related = tuple(c for c in rest if c.kind == "faq" and c.score >= max(FLOOR, top.score * RELATED_RATIO))[
        :MAX_RELATED
    ]
    return Selection("answer", top, related=related if top.kind == "faq" else ())
