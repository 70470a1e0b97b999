"""Ranking quality of the knowledge index on its calibration set: top-1 accuracy per category, and the misses.

This measures the ranking only (a menu whose first choice is right counts as right); what people read is
measured by `yibao eval` (bot/evaluation) on tests/eval/.

A ranking file (tests/knowledge/ranking/<region>.yaml) holds a region, the date the questions are asked
(asked_on), and cases {q, expect, category[, audience]}; expect is "faq:<id>", "flow:<name>",
"command:<name>" or "fallback".
A case is right when the band is answer or clarify with the expected item first, or, for "fallback",
when the band is fallback.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content.faq import DEFAULT_CONTENT_ROOT, load_knowledge_content
from bot.knowledge.errors import EvalSetError
from bot.knowledge.guards import GuardSet
from bot.knowledge.index import KnowledgeIndex, SearchResult
from bot.knowledge.loading import index_from_content
from bot.knowledge.models import Audience

DEFAULT_EVAL_DIR = DEFAULT_CONTENT_ROOT.parent / "tests" / "knowledge" / "ranking"
_EXPECT_KINDS = ("faq", "flow", "command")


@dataclass(frozen=True)
class EvalCase:
    """One labelled question."""

    q: str
    expect: str
    category: str
    region: str
    on: date
    audience: Audience = "insured"


@dataclass(frozen=True)
class EvalOutcome:
    """What the index did with a case."""

    case: EvalCase
    result: SearchResult

    @property
    def got(self) -> str:
        top = self.result.top
        if self.result.band == "fallback" or top is None:
            return "fallback"
        return f"{top.kind}:{top.key}"

    @property
    def correct(self) -> bool:
        return self.got == self.case.expect

    @property
    def confidently_wrong(self) -> bool:
        """Answered (not clarified) with something else: the costly kind of miss."""
        return self.result.band == "answer" and not self.correct


@dataclass(frozen=True)
class EvalReport:
    """Outcomes of a whole eval run."""

    outcomes: tuple[EvalOutcome, ...]

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by_category(self) -> dict[str, tuple[int, int]]:
        """Category → (right, total)."""
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            totals[outcome.case.category][0] += outcome.correct
            totals[outcome.case.category][1] += 1
        return {category: (right, total) for category, (right, total) in sorted(totals.items())}

    @property
    def misses(self) -> tuple[EvalOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.correct)

    def format(self, *, show_misses: bool = True) -> str:
        """Plain-text report for `yibao eval`."""
        right = sum(o.correct for o in self.outcomes)
        bands = Counter(o.result.band for o in self.outcomes)
        lines = [
            f"top-1 accuracy: {self.accuracy:.1%} ({right}/{len(self.outcomes)})",
            f"bands: answer {bands['answer']}, clarify {bands['clarify']}, fallback {bands['fallback']}; "
            f"confidently wrong: {sum(o.confidently_wrong for o in self.outcomes)}",
            "",
            f"{'category':<14}{'right':>7}{'total':>7}{'top-1':>8}",
        ]
        for category, (ok, total) in self.by_category().items():
            lines.append(f"{category:<14}{ok:>7}{total:>7}{ok / total:>8.1%}")
        if show_misses and self.misses:
            lines += ["", f"misses ({len(self.misses)}):"]
            for miss in self.misses:
                ranked = ", ".join(f"{c.kind}:{c.key} {c.score:.2f}" for c in miss.result.candidates)
                lines.append(
                    f"  [{miss.case.region}/{miss.case.category}] {miss.case.q}\n"
                    f"      expected {miss.case.expect}, got {miss.got} ({miss.result.band}: {ranked})"
                )
        return "\n".join(lines)


def _case(raw: Any, path: Path, number: int, region: str, on: date) -> EvalCase:
    if not isinstance(raw, dict) or not {"q", "expect", "category"} <= set(raw):
        raise EvalSetError(f"{path}: case #{number}: needs q, expect and category")
    unknown = set(raw) - {"q", "expect", "category", "audience"}
    if unknown:
        raise EvalSetError(f"{path}: case #{number}: unknown keys {sorted(unknown)}")
    expect = str(raw["expect"])
    kind, _, key = expect.partition(":")
    if expect != "fallback" and (kind not in _EXPECT_KINDS or not key):
        raise EvalSetError(f"{path}: case #{number}: bad expect {expect!r} (kind:name or fallback)")
    audience = raw.get("audience", "insured")
    if audience not in ("insured", "staff"):
        raise EvalSetError(f"{path}: case #{number}: audience {audience!r}")
    return EvalCase(str(raw["q"]), expect, str(raw["category"]), region, on, audience)


def load_eval_set(path: Path) -> tuple[EvalCase, ...]:
    """Read one eval file: {region, asked_on, cases: [...]}."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvalSetError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or not {"region", "asked_on", "cases"} <= set(data):
        raise EvalSetError(f"{path}: needs region, asked_on and cases")
    on = data["asked_on"]
    if not isinstance(on, date):
        raise EvalSetError(f"{path}: asked_on must be a date")
    return tuple(_case(raw, path, i + 1, str(data["region"]), on) for i, raw in enumerate(data["cases"]))


def load_eval_sets(eval_dir: Path = DEFAULT_EVAL_DIR) -> tuple[EvalCase, ...]:
    """Every *.yaml eval file of a folder."""
    files = sorted(eval_dir.glob("*.yaml"))
    if not files:
        raise EvalSetError(f"{eval_dir}: no eval files")
    return tuple(case for path in files for case in load_eval_set(path))


def run_eval(index: KnowledgeIndex, cases: Iterable[EvalCase], guards: GuardSet | None = None) -> EvalReport:
    """Answer every case as the engine does: guards first (a refusal counts as fallback), then search."""
    outcomes = []
    for case in cases:
        if guards is not None and guards.looks_abusive_or_injection(case.q):
            result = SearchResult("fallback", ())
        else:
            result = index.search(case.q, region=case.region, audience=case.audience, on=case.on)
        outcomes.append(EvalOutcome(case, result))
    return EvalReport(tuple(outcomes))


def unknown_expectations(cases: Sequence[EvalCase], content_root: Path = DEFAULT_CONTENT_ROOT) -> list[str]:
    """Cases expecting an FAQ id, flow or command the content does not have (stale eval labels)."""
    content = load_knowledge_content(content_root)
    known = {f"{i.kind}:{i.target}" for i in content.intents}
    problems = []
    for case in cases:
        ids = {f"faq:{e.id}" for e in content.faq_by_region.get(case.region, ())}
        if case.expect != "fallback" and case.expect not in known | ids:
            problems.append(f"{case.region}: {case.q!r} expects unknown {case.expect}")
    return problems


def evaluate(content_root: Path = DEFAULT_CONTENT_ROOT, eval_dir: Path = DEFAULT_EVAL_DIR) -> EvalReport:
    """Build the index from content/ and rank every question of the calibration set."""
    content = load_knowledge_content(content_root)
    return run_eval(index_from_content(content), load_eval_sets(eval_dir), GuardSet(content.guards))
