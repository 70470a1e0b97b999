"""English messages read by the same stage as Chinese ones: domain words and pinyin place names are put into
the Chinese words the FAQ and the request rules use (content/english.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pypinyin import lazy_pinyin

_CJK = re.compile(r"[\u3400-\u9fff]")


_WORD = re.compile(r"[a-z]+")


def is_english(text: str) -> bool:
    """Two or more Latin words and no Chinese characters: "do i need to file before going to hainan". One
    word alone ("Changchun", "ok") may be a place in pinyin or a code: it does not change the language."""
    return len(_WORD.findall(text.lower())) >= 2 and not _CJK.search(text)


class EnglishReader:
    def __init__(self, phrases: Mapping[str, str], place_names: Iterable[str]) -> None:
        table = {phrase.lower(): chinese for phrase, chinese in phrases.items()}
        for name in place_names:
            if _CJK.fullmatch(name[:1] or " ") and len(name) >= 2 and all(_CJK.match(c) for c in name):
                table.setdefault("".join(lazy_pinyin(name)), name)
                table.setdefault(" ".join(lazy_pinyin(name)), name)
        self._table = table
        ordered = sorted(table, key=lambda p: (-len(p), p))
        alternatives = "|".join(re.escape(p) for p in ordered)
        self._pattern = re.compile(rf"\b({alternatives})\b") if ordered else None

    def to_chinese(self, text: str) -> str:
        """The message with every known phrase replaced by its Chinese word; other words stay."""
        lowered = text.lower().replace("’", "'")
        if self._pattern is None:
            return lowered
        return self._pattern.sub(lambda m: " " + self._table[m.group(1)] + " ", lowered)
