"""Runs the evaluation set against a target — the engine, the WeChat endpoint or the web chat API — and
checks each reply and each conversation's end state.

A Target sends one message as one user at one moment and reports what that user got (`Seen`); it also reads
the state a conversation ended in (the person's filings, the open flow, the region) from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from bot.evaluation.cases import ConversationCase, SingleCase
from bot.evaluation.scoring import Score, Seen, score, slot_problems


@dataclass(frozen=True)
class EndState:
    flow: str | None
    region: str
    filings: tuple[Mapping[str, Any], ...] = ()  # the person's filings: id, kind, destination, pledge, status


class Target(Protocol):
    def begin(self, *, region: str, person: str | None, locale: str) -> str:
        """A new user (or the demo person's bound identity) on a fresh conversation; returns its handle."""

    def send(self, user: str, text: str, at: datetime) -> Seen: ...

    def state(self, user: str) -> EndState: ...


Reader = Callable[[str, str, Any], Mapping[str, Any]]  # (text, region, date) -> understood slots


@dataclass(frozen=True)
class SingleResult:
    case: SingleCase
    seen: Seen
    score: Score
    slot_problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurnResult:
    say: str
    seen: Seen
    score: Score


@dataclass(frozen=True)
class ConversationResult:
    case: ConversationCase
    turns: tuple[TurnResult, ...]
    end_problems: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.end_problems and all(t.score.verdict == "correct" for t in self.turns)


@dataclass(frozen=True)
class EvalRun:
    singles: tuple[SingleResult, ...] = ()
    conversations: tuple[ConversationResult, ...] = field(default_factory=tuple)


def _moment(on: Any, days: int = 0) -> datetime:
    return datetime.combine(on, time(10, 0)) + timedelta(days=days)


def run_singles(
    target: Target, cases: Sequence[SingleCase], reader: Reader | None = None
) -> list[SingleResult]:
    results = []
    for case in cases:
        user = target.begin(region=case.region, person=case.person, locale=case.locale)
        seen = target.send(user, case.q, _moment(case.on))
        found = slot_problems(reader(case.q, case.region, case.on), case.expectation.slots) if reader else []
        verdict = score(seen, case.expectation)
        if found and verdict.verdict == "correct":
            verdict = Score("wrong", tuple(found))
        results.append(SingleResult(case, seen, verdict, tuple(found)))
    return results


def run_conversation(target: Target, case: ConversationCase) -> ConversationResult:
    user = target.begin(region=case.region, person=case.person, locale=case.locale)
    before = {f["id"]: f["version"] for f in target.state(user).filings}
    days = 0
    turns = []
    for turn in case.turns:
        days += turn.after_days
        seen = target.send(user, turn.say, _moment(case.on, days))
        turns.append(TurnResult(turn.say, seen, score(seen, turn.expectation)))
    end = target.state(user)
    return ConversationResult(case, tuple(turns), tuple(end_problems(case.end, end, before)))


def end_problems(expected: Mapping[str, Any], end: EndState, before: Mapping[int, int]) -> list[str]:
    """What differs between the state a conversation ended in and the state its file expects."""
    problems = []
    new = [f for f in end.filings if f["id"] not in before]
    changed = [f for f in end.filings if f["id"] in before and f["version"] != before[f["id"]]]
    if "flow" in expected and end.flow != expected["flow"]:
        problems.append(f"flow left open: {end.flow}" if expected["flow"] is None else f"flow {end.flow}")
    if "region" in expected and end.region != expected["region"]:
        problems.append(f"region {end.region}, expected {expected['region']}")
    if expected.get("no_new_filing") and (new or changed):
        problems.append(f"filed or changed: {[_describe(f) for f in new + changed]}")
    if expected.get("cancelled") and not any(f["status"] == "ended" for f in changed + new):
        problems.append("no filing was cancelled")
    want = expected.get("filing")
    if want:
        candidates = new or changed
        newest = max(candidates, key=lambda f: f["id"]) if candidates else None
        if newest is None:
            problems.append(f"nothing filed; expected {want}")
        else:
            problems += _filing_problems(newest, want)
    return problems


def _filing_problems(filing: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    problems = []
    if "kind" in want and filing["kind"] != want["kind"]:
        problems.append(f"filed kind {filing['kind']}, expected {want['kind']}")
    place = str(want.get("destination", ""))
    if place and place not in filing["destination"] and filing["destination"] not in place:
        problems.append(f"filed to {filing['destination']}, expected {place}")
    if "pledge" in want and bool(filing["pledge"]) is not bool(want["pledge"]):
        problems.append(f"pledge {filing['pledge']}, expected {want['pledge']}")
    if want.get("action") == "retroactive" and not filing.get("retroactive"):
        problems.append("not filed as retroactive")
    return problems


def _describe(filing: Mapping[str, Any]) -> str:
    return f"{filing['kind']}→{filing['destination']} ({filing['status']})"
