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


_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH = "|".join(m for m in _MONTHS) + "|" + "|".join(m[:3] for m in _MONTHS) + "|sept"
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_CN = "一二三四五六日"
_RELATIVE = {"day after tomorrow": "后天", "tomorrow": "明天", "today": "今天", "yesterday": "昨天"}


def _month_number(name: str) -> int:
    name = name.rstrip(".")
    return next(i for i, m in enumerate(_MONTHS, 1) if m == name or m[:3] == name[:3])


def _dates_in_chinese(text: str) -> str:
    """English dates as the Chinese date reader reads them: december 14th → 12月14日, next monday → 下周一."""
    text = _MONTH_DAY.sub(lambda m: f" {_month_number(m[1])}月{int(m[2])}日 ", text)
    text = _DAY_MONTH.sub(lambda m: f" {_month_number(m[2])}月{int(m[1])}日 ", text)
    for i, day in enumerate(_WEEKDAYS):
        cn = _WEEKDAY_CN[i]
        text = re.sub(rf"\bnext\s+{day}\b", f" 下周{cn} ", text)
        text = re.sub(rf"\blast\s+{day}\b", f" 上周{cn} ", text)
        text = re.sub(rf"\b(?:this\s+)?{day}\b", f" 这周{cn} ", text)
    for words, cn in _RELATIVE.items():
        text = re.sub(rf"\b{words}\b", f" {cn} ", text)
    return text


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
        lowered = _dates_in_chinese(text.lower().replace("’", "'"))
        if self._pattern is None:
            return lowered
        return self._pattern.sub(lambda m: " " + self._table[m.group(1)] + " ", lowered)
