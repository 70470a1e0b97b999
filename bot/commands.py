"""Global commands (取消, 返回, 人工, 帮助, 继续, 详细, English/中文): words from content/commands.yaml."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

COMMANDS = ("cancel", "back", "human", "help", "resume", "detail", "english", "chinese")


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), lower-case, without surrounding spaces and end punctuation."""
    value = unicodedata.normalize("NFKC", text).strip().lower()
    return value.strip("。.!！?？~～ ")


class CommandTable:
    """Exact-match command words; anything longer is a sentence for the understanding step."""

    def __init__(self, words: Mapping[str, Sequence[str]]) -> None:
        unknown = set(words) - set(COMMANDS)
        if unknown:
            raise ValueError(f"unknown commands {sorted(unknown)}")
        self._by_word = {normalise(word): name for name, group in words.items() for word in group}

    def match(self, text: str) -> str | None:
        return self._by_word.get(normalise(text))
