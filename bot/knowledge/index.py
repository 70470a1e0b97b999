"""The knowledge index: ranks FAQ entries and flow intents for a question, per region and audience.

Each item (FAQ entry or intent) is one document made of weighted fields (BM25F style): all its question
variants pooled, its supersedes note and its answer text. A token's frequency is the field-weighted count,
so words that many variants share weigh more. Scores are BM25 over character n-grams of synonym-folded
text, divided by what the question's own tokens are worth, so about 1.0 means "every part of the question
was found" whatever its length. Scoring is one vectorised pass (numpy.bincount over the postings of the
question's tokens), which keeps answer selection far under 5 ms at 1,000 entries of 10 variants.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from bot.knowledge.analysis import Analyser, is_sound
from bot.knowledge.errors import UnknownRegion
from bot.knowledge.models import Audience, FaqEntry, Intent, Synonyms

Band = Literal["answer", "clarify", "fallback"]
CandidateKind = Literal["faq", "flow", "command"]

# BM25 parameters (calibrated on the ranking set): mild saturation, so a token repeated across variants counts
# more but not without bound, and mild length normalisation, so entries with many variants are not punished.
BM25_K1 = 0.8
BM25_B = 0.15
# Field weights of an item's document.
VARIANTS_WEIGHT = 1.0  # the question variants (Chinese and English)
SUPERSEDES_NOTE_WEIGHT = 0.5  # the note on the rule it replaces: finds users citing the old rule
ANSWER_TEXT_WEIGHT = 0.3  # answer + detail: the rule's own vocabulary, less like how people ask
# A query token the region's index has never seen counts as unmatched information, but with at most this
# idf, so one odd word (a name, a typo) does not sink a question that otherwise matches well.
UNKNOWN_IDF_CAP = 4.0
# Retrieval scores of intents (not their pattern hits) are scaled by this: an intent's few variants are
# generic (查, 办, 帮我), so on a tie the FAQ entry, which answers at once, should win.
INTENT_WEIGHT = 0.9
# Rerank: the best few items by BM25 get this share of their closest variant's character similarity
# (difflib ratio of the stripped canonical texts). It breaks near-ties in favour of the item one of whose
# variants reads most like the question, word order included, which bags of n-grams cannot see.
RERANK_DEPTH = 5
VARIANT_SIMILARITY_WEIGHT = 0.15
# Only the first characters of a message are analysed: questions are short, and a pasted page must not cost
# more than a question (the budget of 5 ms per answer selection).
MAX_QUESTION_CHARS = 200
# What a question is worth (summed idf of its tokens) grows with its length; a long message telling a
# story ("我妈妈是吉林的医保，现在在北京我姐家住……") carries one question among much else. Above this mass
# (about the 80th percentile of the ranking set) only this share of the surplus counts against the match.
LONG_QUESTION_MASS = 40.0
LONG_QUESTION_SURPLUS_SHARE = 0.3
# A pattern hit (an exact command such as 我要备案, 算一算) outranks any retrieval score.
PATTERN_SCORE = 2.0

# Bands, on the final score (BM25 share of the question, about 1.0 when all of it matched, plus the rerank
# bonus; sound tokens and repeated words can take it above). Calibrated on the ranking set (329 questions):
# out-of-scope questions top out near 0.31 unless they share a rule word (到期), understood ones rarely fall
# below 0.33; at these values no wrong item is answered outright (wrong top items reach clarify at most).
ANSWER_MIN_SCORE = 0.8  # the top item must score this much to be answered outright
ANSWER_MAX_RATIO = 0.85  # ... and the runner-up must score below this fraction of the top
CLARIFY_MIN_SCORE = 0.32  # below this the question is not understood: fallback (menu + a person)
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
    variants: tuple[str, ...] = ()  # question variants as stripped canonical text, for the rerank


_FOREVER_FROM = date.min
_WORDS = re.compile(r"[a-z\u3400-\u4dbf\u4e00-\u9fff]")
_NO_END = date.max.toordinal()


class _RegionIndex:
    """Postings of one region + audience: one document per item."""

    def __init__(
        self,
        items: Sequence[_Item],
        documents: Sequence[tuple[dict[str, float], float]],  # per item: (token -> weighted tf, length)
        patterns: Sequence[tuple[re.Pattern[str], int]],
    ) -> None:
        self.items = tuple(items)
        self.patterns = tuple(patterns)
        n = len(documents)
        self.item_from = np.array([i.effective_from.toordinal() for i in self.items], dtype=np.int64)
        ends = [_NO_END if i.effective_to is None else i.effective_to.toordinal() for i in self.items]
        self.item_to = np.array(ends, dtype=np.int64)
        df: dict[str, int] = {}
        for tokens, _ in documents:
            for token in tokens:
                df[token] = df.get(token, 0) + 1
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.unknown_idf = min(math.log(1 + (n + 0.5) / 0.5), UNKNOWN_IDF_CAP)
        self.postings = self._postings(documents)
        self.intent_mask = np.array([i.kind != "faq" for i in self.items], dtype=bool)

    def _postings(
        self, documents: Sequence[tuple[dict[str, float], float]]
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        avg_len = sum(length for _, length in documents) / len(documents) if documents else 1.0
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for number, (tokens, length) in enumerate(documents):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avg_len)
            for token, tf in tokens.items():
                ids, weights = lists.setdefault(token, ([], []))
                ids.append(number)
                weights.append(self.idf[token] * tf * (BM25_K1 + 1) / (tf + norm))
        return {
            t: (np.array(ids, dtype=np.int64), np.array(ws, dtype=np.float64))
            for t, (ids, ws) in lists.items()
        }

    def scores(
        self, tokens: Mapping[str, float], canonical_text: str, stripped_text: str, on: date
    ) -> np.ndarray:
        """Normalised score of every item (-1 for items not in force on the date)."""
        item_scores = np.zeros(len(self.items), dtype=np.float64)
        if self.items and tokens:
            # What the question is worth: its own tokens, not the sound tokens that only help a match.
            full = sum(w * self.idf.get(t, self.unknown_idf) for t, w in tokens.items() if not is_sound(t))
            if full > LONG_QUESTION_MASS:  # a long, chatty message owes only part of its surplus
                full = LONG_QUESTION_MASS + LONG_QUESTION_SURPLUS_SHARE * (full - LONG_QUESTION_MASS)
            pooled = _accumulate(self.postings, tokens, len(self.items))
            if pooled is not None:
                item_scores = pooled / full
        item_scores[self.intent_mask] *= INTENT_WEIGHT
        for pattern, item in self.patterns:
            if pattern.search(canonical_text) or pattern.search(stripped_text):
                item_scores[item] = max(item_scores[item], PATTERN_SCORE)
        day = on.toordinal()
        item_scores[(self.item_from > day) | (self.item_to < day)] = -1.0
        return item_scores


def _accumulate(
    postings: Mapping[str, tuple[np.ndarray, np.ndarray]], tokens: Mapping[str, float], size: int
) -> np.ndarray | None:
    """Summed BM25 weights of the question's tokens for every document, or None when nothing matched."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for token, q_weight in tokens.items():
        posting = postings.get(token)
        if posting is not None:
            ids.append(posting[0])
            weights.append(posting[1] * q_weight)
    if not ids:
        return None
    return np.bincount(np.concatenate(ids), weights=np.concatenate(weights), minlength=size)


def _similarity_bonus(question: str, item: _Item) -> float:
    """VARIANT_SIMILARITY_WEIGHT times the closest variant's difflib ratio to the question."""
    if not question or not item.variants or not VARIANT_SIMILARITY_WEIGHT:
        return 0.0
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(question)  # difflib caches the analysis of the second sequence
    best = 0.0
    for variant in item.variants:
        matcher.set_seq1(variant)
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
    return VARIANT_SIMILARITY_WEIGHT * best


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
        canonical = self._analyser.canonical(text[:MAX_QUESTION_CHARS])
        if not _WORDS.search(canonical):  # only numbers ("2", "12393"): a stray choice or code
            return []
        stripped = self._analyser.stripped(canonical)
        scores = index.scores(self._analyser.tokens(canonical), canonical, stripped, on)
        depth = min(len(scores), max(RERANK_DEPTH, MAX_CLARIFY + 1))
        if depth == 0:
            return []
        best = np.argpartition(-scores, depth - 1)[:depth]
        items = index.items
        rescored = [
            (float(scores[i]) + _similarity_bonus(stripped, items[i]), int(i)) for i in best if scores[i] > 0
        ]
        reranked = sorted(rescored, key=lambda pair: (-pair[0], pair[1]))
        return [
            Candidate(items[i].kind, items[i].key, round(score, 4), items[i].label)
            for score, i in reranked[: MAX_CLARIFY + 1]
        ]

    def search(self, text: str, *, region: str, audience: Audience = "insured", on: date) -> SearchResult:
        """Rank the question and decide its band: answer, clarify (up to 3 choices) or fallback."""
        return _decide(self.rank(text, region=region, audience=audience, on=on))


class _DocumentBuilder:
    """Accumulates the weighted fields of one item's document."""

    def __init__(self, analyser: Analyser) -> None:
        self._analyser = analyser
        self.tokens: dict[str, float] = {}
        self.length = 0.0

    def add(self, text: str, field_weight: float) -> None:
        canonical = self._analyser.canonical(text)
        for token, token_weight in self._analyser.tokens(canonical).items():
            self.tokens[token] = self.tokens.get(token, 0.0) + field_weight * token_weight
        self.length += field_weight * len(canonical)


def _build_region(analyser: Analyser, entries: Sequence[FaqEntry], intents: Sequence[Intent]) -> _RegionIndex:
    items: list[_Item] = []
    builders: list[_DocumentBuilder] = []
    patterns: list[tuple[re.Pattern[str], int]] = []
    for entry in entries:
        doc = _DocumentBuilder(analyser)
        for question in entry.questions + (entry.en.questions if entry.en else ()):
            doc.add(question, VARIANTS_WEIGHT)
        if entry.supersedes is not None:
            doc.add(entry.supersedes.note, SUPERSEDES_NOTE_WEIGHT)
        doc.add(entry.answer + " " + (entry.detail or ""), ANSWER_TEXT_WEIGHT)
        variants = tuple(analyser.stripped(analyser.canonical(q)) for q in entry.questions)
        in_force = (entry.effective_from, entry.effective_to)
        items.append(_Item("faq", entry.id, entry.questions[0], *in_force, variants))
        builders.append(doc)
    for intent in intents:
        doc = _DocumentBuilder(analyser)
        for question in intent.questions:
            doc.add(question, VARIANTS_WEIGHT)
        patterns += [(re.compile(pattern), len(items)) for pattern in intent.patterns]
        variants = tuple(analyser.stripped(analyser.canonical(q)) for q in intent.questions)
        items.append(_Item(intent.kind, intent.target, intent.label, _FOREVER_FROM, None, variants))
        builders.append(doc)
    documents = [(doc.tokens, max(doc.length, 1.0)) for doc in builders]
    return _RegionIndex(items, documents, patterns)
