"""The knowledge index: ranks FAQ entries and flow intents for a question, per region and audience.

Each question variant is a document; an item (FAQ entry or intent) scores as its best variant. Scores
are BM25 weights over character n-grams of synonym-folded text, divided by what the question itself
would score, so 1.0 means "every part of the question was found" whatever its length. Scoring is one
vectorised pass (numpy.bincount over the postings of the question's tokens), which keeps answer
selection well under 5 ms at 10,000 variants; the postings are built once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from bot.knowledge.analysis import Analyser
from bot.knowledge.errors import UnknownRegion
from bot.knowledge.models import Audience, FaqEntry, Intent, Synonyms

Band = Literal["answer", "clarify", "fallback"]
CandidateKind = Literal["faq", "flow", "command"]

# BM25 parameters: variants are short and of similar length, so length normalisation is mild.
BM25_K1 = 1.2
BM25_B = 0.3
# Field weights: an entry's supersedes note also finds it (users citing the old rule), but less surely.
SUPERSEDES_NOTE_WEIGHT = 0.5
# A query token the region's index has never seen counts as unmatched information, but with at most this
# idf, so one odd word (a name, a typo) does not sink a question that otherwise matches well.
UNKNOWN_IDF_CAP = 4.0
# A pattern hit (an exact command such as 我要备案, 算一算) outranks any retrieval score.
PATTERN_SCORE = 2.0

# Bands, on the normalised score (1.0 = the whole question matched). Calibrated on tests/eval/ so that
# top-1 stays >= 95% while answers stay sure; see bot/knowledge/evaluation.py.
ANSWER_MIN_SCORE = 0.55  # the top item must explain at least this much of the question to be answered
ANSWER_MAX_RATIO = 0.85  # ... and the runner-up must score below this fraction of the top
CLARIFY_MIN_SCORE = 0.30  # below this the question is not understood: fallback
CLARIFY_KEEP_RATIO = 0.6  # offer runners-up scoring at least this fraction of the top
MAX_CLARIFY = 3


@dataclass(frozen=True)
class Candidate:
    """One ranked item: an FAQ entry (key = entry id), a flow or a global command (key = its name)."""

    kind: CandidateKind
    key: str
    score: float
    label: str


@dataclass(frozen=True)
class SearchResult:
    """The band decided for a question and the best candidates (first = the answer when band is answer)."""

    band: Band
    candidates: tuple[Candidate, ...]

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class _Item:
    kind: CandidateKind
    key: str
    label: str
    effective_from: date
    effective_to: date | None


_FOREVER_FROM = date.min
_NO_END = date.max.toordinal()


class _RegionIndex:
    """Postings of one region + audience."""

    def __init__(
        self,
        items: Sequence[_Item],
        documents: Sequence[tuple[int, dict[str, float], int, float]],  # (item, tokens, length, field weight)
        patterns: Sequence[tuple[re.Pattern[str], int]],
    ) -> None:
        self.items = tuple(items)
        self.patterns = tuple(patterns)
        docs = sorted(documents, key=lambda d: d[0])
        n = len(docs)
        self.n_docs = n
        doc_item = np.array([d[0] for d in docs], dtype=np.int64)
        # First document of each item, for np.maximum.reduceat; every item has at least one document.
        self.item_starts = np.searchsorted(doc_item, np.arange(len(self.items)))
        self.item_from = np.array([i.effective_from.toordinal() for i in self.items], dtype=np.int64)
        ends = [_NO_END if i.effective_to is None else i.effective_to.toordinal() for i in self.items]
        self.item_to = np.array(ends, dtype=np.int64)
        df: dict[str, int] = {}
        for _, tokens, _, _ in docs:
            for token in tokens:
                df[token] = df.get(token, 0) + 1
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.unknown_idf = min(math.log(1 + (n + 0.5) / 0.5), UNKNOWN_IDF_CAP)
        avg_len = sum(d[2] for d in docs) / n if n else 1.0
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for doc_no, (_, tokens, length, field_weight) in enumerate(docs):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avg_len)
            saturation = (BM25_K1 + 1) / (1 + norm)
            for token, weight in tokens.items():
                ids, weights = lists.setdefault(token, ([], []))
                ids.append(doc_no)
                weights.append(self.idf[token] * weight * saturation * field_weight)
        self.postings = {
            t: (np.array(ids, dtype=np.int64), np.array(ws, dtype=np.float64))
            for t, (ids, ws) in lists.items()
        }

    def scores(self, tokens: Mapping[str, float], canonical_text: str, on: date) -> np.ndarray:
        """Normalised score of every item (-1 for items not in force on the date)."""
        item_scores = np.zeros(len(self.items), dtype=np.float64)
        if self.n_docs and tokens:
            ids: list[np.ndarray] = []
            weights: list[np.ndarray] = []
            full = 0.0
            for token, q_weight in tokens.items():
                full += q_weight * self.idf.get(token, self.unknown_idf)
                posting = self.postings.get(token)
                if posting is not None:
                    ids.append(posting[0])
                    weights.append(posting[1] * q_weight)
            if ids:
                doc_scores = np.bincount(
                    np.concatenate(ids), weights=np.concatenate(weights), minlength=self.n_docs
                )
                item_scores = np.maximum.reduceat(doc_scores, self.item_starts) / full
        for pattern, item in self.patterns:
            if pattern.search(canonical_text):
                item_scores[item] = max(item_scores[item], PATTERN_SCORE)
        day = on.toordinal()
        item_scores[(self.item_from > day) | (self.item_to < day)] = -1.0
        return item_scores


def _decide(ranked: list[Candidate]) -> SearchResult:
    if not ranked or ranked[0].score < CLARIFY_MIN_SCORE:
        return SearchResult("fallback", tuple(ranked[:MAX_CLARIFY]))
    top = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if top.score >= ANSWER_MIN_SCORE and runner_up < top.score * ANSWER_MAX_RATIO:
        return SearchResult("answer", tuple(ranked[:MAX_CLARIFY]))
    floor = max(CLARIFY_MIN_SCORE, top.score * CLARIFY_KEEP_RATIO)
    kept = [c for c in ranked[:MAX_CLARIFY] if c.score >= floor]
    return SearchResult("clarify", tuple(kept))


class KnowledgeIndex:
    """FAQ entries and intents of every region, searchable per region, audience and date."""

    def __init__(self, analyser: Analyser, regions: dict[tuple[str, str], _RegionIndex]) -> None:
        self._analyser = analyser
        self._regions = regions

    @classmethod
    def build(
        cls,
        faq_by_region: Mapping[str, Iterable[FaqEntry]],
        intents: Iterable[Intent],
        synonyms: Synonyms,
    ) -> KnowledgeIndex:
        """Index every region for both audiences: insured sees insured entries, staff sees both."""
        analyser = Analyser(synonyms)
        intent_list = tuple(intents)
        regions: dict[tuple[str, str], _RegionIndex] = {}
        for region, entries in faq_by_region.items():
            entry_list = tuple(entries)
            for audience in ("insured", "staff"):
                visible = [e for e in entry_list if e.audience == "insured" or audience == "staff"]
                regions[(region, audience)] = _build_region(analyser, visible, intent_list)
        return cls(analyser, regions)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({region for region, _ in self._regions}))

    def canonical(self, text: str) -> str:
        """The question as the index sees it (normalised, synonyms folded): for logs and tests."""
        return self._analyser.canonical(text)

    def rank(self, text: str, *, region: str, audience: Audience = "insured", on: date) -> list[Candidate]:
        """Every item in force scoring above zero, best first."""
        index = self._regions.get((region, audience))
        if index is None:
            raise UnknownRegion(f"no knowledge for region {region!r} (have: {', '.join(self.regions)})")
        canonical = self._analyser.canonical(text)
        scores = index.scores(self._analyser.tokens(canonical), canonical, on)
        count = min(len(scores), MAX_CLARIFY + 1)
        if count == 0:
            return []
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        items = index.items
        return [
            Candidate(items[i].kind, items[i].key, round(float(scores[i]), 4), items[i].label)
            for i in best
            if scores[i] > 0
        ]

    def search(self, text: str, *, region: str, audience: Audience = "insured", on: date) -> SearchResult:
        """Rank the question and decide its band: answer, clarify (up to 3 choices) or fallback."""
        return _decide(self.rank(text, region=region, audience=audience, on=on))


def _build_region(analyser: Analyser, entries: Sequence[FaqEntry], intents: Sequence[Intent]) -> _RegionIndex:
    items: list[_Item] = []
    documents: list[tuple[int, dict[str, float], int, float]] = []
    patterns: list[tuple[re.Pattern[str], int]] = []

    def add_document(item: int, text: str, field_weight: float) -> None:
        canonical = analyser.canonical(text)
        tokens = analyser.tokens(canonical)
        if tokens:
            documents.append((item, tokens, max(len(canonical), 1), field_weight))

    for entry in entries:
        number = len(items)
        items.append(_Item("faq", entry.id, entry.questions[0], entry.effective_from, entry.effective_to))
        for question in entry.questions + (entry.en.questions if entry.en else ()):
            add_document(number, question, 1.0)
        if entry.supersedes is not None:
            add_document(number, entry.supersedes.note, SUPERSEDES_NOTE_WEIGHT)
    for intent in intents:
        number = len(items)
        items.append(_Item(intent.kind, intent.target, intent.label, _FOREVER_FROM, None))
        for question in intent.questions:
            add_document(number, question, 1.0)
        for pattern in intent.patterns:
            patterns.append((re.compile(pattern), number))
    # An item whose every text analysed to nothing gets an empty document so item_starts stays aligned.
    present = {d[0] for d in documents}
    for number in range(len(items)):
        if number not in present:
            documents.append((number, {}, 1, 1.0))
    return _RegionIndex(items, documents, patterns)
