"""The evaluation set of what people read (tests/eval/FORMAT.md): single questions and whole conversations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.errors import EvalSetError
from bot.knowledge.models import CATEGORIES

# The FAQ's categories, and what else people do: ask about their own records, ask to do or compute
# something, switch region, ask for a person, chat, ask what is not ours, write in English.
SINGLE_CATEGORIES = (
    CATEGORIES[: CATEGORIES.index("staff")]
    + CATEGORIES[CATEGORIES.index("staff") + 1 :]
    + (
        "status",
        "do",
        "compute",
        "region",
        "handoff",
        "chitchat",
        "out_of_scope",
        "english",
    )
)


@dataclass(frozen=True)
class Expectation:
    """What one reply must be: one of `expect`, with every `says` item (a|b: either), none of `never`."""

    expect: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    slots: Mapping[str, Any] = field(default_factory=dict)
    region_after: str | None = None


@dataclass(frozen=True)
class SingleCase:
    q: str
    category: str
    region: str
    on: date
    locale: str
    expectation: Expectation
    person: str | None = None
    source: str = ""


@dataclass(frozen=True)
class ConversationTurn:
    say: str
    expectation: Expectation
    after_days: int = 0


@dataclass(frozen=True)
class ConversationCase:
    name: str
    description: str
    region: str
    on: date
    locale: str
    turns: tuple[ConversationTurn, ...]
    end: Mapping[str, Any]
    person: str | None = None
    source: str = ""


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _expectation(raw: Mapping[str, Any]) -> Expectation:
    return Expectation(
        expect=_tuple(raw.get("expect")),
        says=_tuple(raw.get("says")),
        never=_tuple(raw.get("never")),
        slots=dict(raw.get("slots") or {}),
        region_after=raw.get("region_after"),
    )


def _read(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EvalSetError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EvalSetError(f"{path}: not a mapping")
    return data


def load_single(directory: Path) -> tuple[SingleCase, ...]:
    cases: list[SingleCase] = []
    for path in sorted(directory.glob("*.yaml")):
        data = _read(path)
        try:
            region, on = str(data["region"]), data["asked_on"]
            for raw in data["cases"]:
                category = str(raw["category"])
                if category not in SINGLE_CATEGORIES:
                    raise EvalSetError(f"{path.name}: unknown category {category!r} ({raw['q']})")
                cases.append(
                    SingleCase(
                        q=str(raw["q"]),
                        category=category,
                        region=region,
                        on=on,
                        locale=str(data.get("locale", "zh_CN")),
                        expectation=_expectation(raw),
                        person=raw.get("person"),
                        source=path.name,
                    )
                )
        except (KeyError, TypeError) as exc:
            raise EvalSetError(f"{path}: {exc!r}") from exc
    return tuple(cases)


def load_conversations(directory: Path) -> tuple[ConversationCase, ...]:
    found: list[ConversationCase] = []
    for path in sorted(directory.glob("*.yaml")):
        data = _read(path)
        try:
            turns = tuple(
                ConversationTurn(str(t["say"]), _expectation(t), int(t.get("after_days", 0)))
                for t in data["turns"]
            )
            found.append(
                ConversationCase(
                    name=str(data.get("name", path.stem)),
                    description=str(data.get("description", "")),
                    region=str(data["region"]),
                    on=data["asked_on"],
                    locale=str(data.get("locale", "zh_CN")),
                    turns=turns,
                    end=dict(data.get("end") or {}),
                    person=data.get("person"),
                    source=path.name,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise EvalSetError(f"{path}: {exc!r}") from exc
    return tuple(found)
