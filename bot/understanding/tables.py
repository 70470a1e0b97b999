"""The word tables of the understanding stage (content/understanding.yaml), compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.commands import normalise


@dataclass(frozen=True)
class Request:
    """A request to do something: the flow (or command) it asks for and the words that say so."""

    target: str  # flow:<name> | cmd:<name>
    pattern: re.Pattern[str]
    strong: bool = False
    action: str | None = None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tables:
    confirm: frozenset[str]
    deny: frozenset[str]
    chitchat: dict[str, str]  # word -> kind (greeting, thanks, bye, ack)
    chitchat_filler: re.Pattern[str]
    question_words: re.Pattern[str]
    domain_words: re.Pattern[str]
    requests: tuple[Request, ...]

    @classmethod
    def from_data(cls, data: dict[str, Any], source: str = "understanding.yaml") -> Tables:
        try:
            requests = tuple(
                Request(
                    target=f"flow:{raw['flow']}" if "flow" in raw else f"cmd:{raw['command']}",
                    pattern=re.compile(raw["pattern"]),
                    strong=bool(raw.get("strong", False)),
                    action=raw.get("action"),
                    needs=tuple(raw.get("needs", ())),
                )
                for raw in data["requests"]
            )
            chitchat = {
                normalise(str(word)): kind for kind, words in data["chitchat"].items() for word in words
            }
            return cls(
                confirm=frozenset(normalise(str(w)) for w in data["confirm"]),
                deny=frozenset(normalise(str(w)) for w in data["deny"]),
                chitchat=chitchat,
                chitchat_filler=re.compile(data["chitchat_filler"]),
                question_words=re.compile(data["question_words"]),
                domain_words=re.compile(data["domain_words"]),
                requests=requests,
            )
        except (KeyError, TypeError, re.error) as exc:
            raise ValueError(f"{source}: {exc}") from exc


def load_tables(content_root: Path) -> Tables:
    from bot.content.loader import read_yaml

    path = content_root / "understanding.yaml"
    return Tables.from_data(read_yaml(path), str(path))
