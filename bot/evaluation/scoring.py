"""Scores one reply as a person reads it: correct, a menu, the fallback, or confidently wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from bot.evaluation.cases import Expectation

Verdict = Literal["correct", "menu", "fallback", "wrong"]


@dataclass(frozen=True)
class Seen:
    """What the person got: the reply text, what the assistant did (its logged intent), the region after."""

    text: str
    intent: str
    region: str


@dataclass(frozen=True)
class Score:
    verdict: Verdict
    problems: tuple[str, ...] = ()


def did(intent: str, expected: str) -> bool:
    """Whether the logged intent is the expected action: faq:<id>, flow:<name>, command:<name>, chitchat …"""
    kind, _, value = expected.partition(":")
    if kind == "faq":
        return intent == expected
    if kind == "flow":
        head = intent.partition(":")[0]
        return intent.startswith(f"flow:{value}") or head == value or intent == f"refused:{value}"
    if kind == "command":
        return intent == ("cmd:human" if value == "handoff" else f"cmd:{value}") or (
            value == "handoff" and intent.startswith("handoff:")
        )
    if expected == "chitchat":
        return intent.startswith("chitchat:")
    if expected == "fallback":
        return intent in ("fallback", "guard")
    return intent == expected


def _contains(text: str, item: str) -> bool:
    folded = text.lower()
    return any(part.strip().lower() in folded for part in item.split("|") if part.strip())


def score(seen: Seen, expectation: Expectation) -> Score:
    problems: list[str] = []
    if expectation.expect and not any(did(seen.intent, e) for e in expectation.expect):
        problems.append(f"did {seen.intent or 'nothing'}, expected {' or '.join(expectation.expect)}")
    problems += [f"missing {item!r}" for item in expectation.says if not _contains(seen.text, item)]
    problems += [f"contains {item!r}" for item in expectation.never if _contains(seen.text, item)]
    if expectation.region_after and seen.region != expectation.region_after:
        problems.append(f"region {seen.region}, expected {expectation.region_after}")
    if not problems:
        return Score("correct")
    expected_fallback = "fallback" in expectation.expect
    if seen.intent == "clarify":
        return Score("menu", tuple(problems))
    if seen.intent == "fallback" and not expected_fallback:
        return Score("fallback", tuple(problems))
    return Score("wrong", tuple(problems))


def slot_problems(found: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    """Expected slots the understanding missed or read differently (names compared by containment)."""
    problems = []
    for key, want in expected.items():
        got = found.get(key)
        if not _slot_equal(got, want):
            problems.append(f"slot {key}: got {_show(got)}, expected {want}")
    return problems


def _slot_equal(got: Any, want: Any) -> bool:
    if got is None:
        return False
    if isinstance(want, bool):
        return bool(got) is want
    if isinstance(want, list):
        return {str(w) for w in want} <= {str(g) for g in (got or ())}
    if isinstance(want, int | float) and not isinstance(want, bool):
        try:
            value = Decimal(str(got))
        except (InvalidOperation, ValueError):
            return False
        return value == Decimal(str(want)) or value * 100 == Decimal(str(want))
    name = getattr(got, "name", None)
    if name is not None:
        return str(want) in str(name) or str(name) in str(want)
    if hasattr(got, "isoformat"):
        return str(got.isoformat()) == str(want)
    return str(got) == str(want)


def _show(value: Any) -> str:
    return str(getattr(value, "name", value))
