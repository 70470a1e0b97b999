"""The figures of an evaluation run: what people read, per category and overall, and the misses."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.evaluation.runner import EvalRun, SingleResult

VERDICTS = ("correct", "menu", "fallback", "wrong")


@dataclass(frozen=True)
class Figures:
    total: int
    counts: dict[str, int]

    def share(self, verdict: str) -> float:
        return self.counts.get(verdict, 0) / self.total if self.total else 0.0

    def line(self, label: str) -> str:
        shares = "  ".join(f"{v} {self.counts.get(v, 0):>3} ({self.share(v):6.1%})" for v in VERDICTS)
        return f"{label:<14}{self.total:>4}  {shares}"


def figures(results: list[SingleResult] | tuple[SingleResult, ...]) -> Figures:
    return Figures(len(results), dict(Counter(r.score.verdict for r in results)))


def by_category(run: EvalRun) -> dict[str, Figures]:
    groups: dict[str, list[SingleResult]] = defaultdict(list)
    for result in run.singles:
        groups[result.case.category].append(result)
    return {category: figures(results) for category, results in sorted(groups.items())}


def conversation_figures(run: EvalRun) -> tuple[int, int, int, int]:
    """(conversations passed, conversations, turns correct, turns)."""
    turns = [t for c in run.conversations for t in c.turns]
    return (
        sum(c.passed for c in run.conversations),
        len(run.conversations),
        sum(t.score.verdict == "correct" for t in turns),
        len(turns),
    )


def format_run(run: EvalRun, misses: bool = True, limit: int = 400) -> str:
    lines = ["Single questions (scored on the reply text and what the assistant did):"]
    for category, figs in by_category(run).items():
        lines.append("  " + figs.line(category))
    lines.append("  " + figures(run.singles).line("OVERALL"))
    passed, total, turns_ok, turns = conversation_figures(run)
    lines.append(f"Conversations: {passed}/{total} ended as expected; turns correct {turns_ok}/{turns}")
    if misses:
        wrong = [r for r in run.singles if r.score.verdict != "correct"][:limit]
        if wrong:
            lines.append("\nMisses (single questions):")
        for r in wrong:
            lines.append(f"  [{r.score.verdict}] {r.case.region} {r.case.q}  → {'; '.join(r.score.problems)}")
        failed = [c for c in run.conversations if not c.passed]
        if failed:
            lines.append("\nConversations that did not end as expected:")
        for c in failed:
            lines.append(f"  {c.case.name}: {'; '.join(c.end_problems)}")
            for t in c.turns:
                if t.score.verdict != "correct":
                    lines.append(f"     [{t.score.verdict}] {t.say} → {'; '.join(t.score.problems)}")
    return "\n".join(lines)
