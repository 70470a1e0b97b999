"""Lengths of time as people type them: "住了一礼拜" = 7 days, "半个月" = 15, "俩月" = 60, "半年" = 6 months.

A month counts 30 days and a year 12 months. Dates ("12月1号", "2026年", "3天前") are not durations. The
tables are patterns for input, not user-facing text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flows.dates import date_spans
from flows.typed_text import CN_DIGITS, chinese_number, fold

# A count not inside a longer number: "2026年" and "二〇二六年" are years, not durations.
_AMOUNT = r"(?<![\d.〇零一二两俩仨三四五六七八九十])(\d{1,3}(?:\.\d+)?|[零一二两俩仨三四五六七八九十]+)\s*"
# pattern, days per unit, days added ("一年半", "三个半月"); a text's first unit in this order wins
_UNITS = (
    (re.compile(_AMOUNT + r"年半"), 360, 180),
    (re.compile(_AMOUNT + r"[多来]?年"), 360, 0),
    (re.compile(_AMOUNT + r"个半月"), 30, 15),
    (re.compile(_AMOUNT + r"[多来]?个?多?月"), 30, 0),
    (re.compile(_AMOUNT + r"[多来]?个?(?:周|星期|礼拜)"), 7, 0),
    (re.compile(_AMOUNT + r"[多来]?[天日]"), 1, 0),
    (re.compile(r"半年"), 180, 0),
    (re.compile(r"半个?月"), 15, 0),
)
_OPEN_ENDED = ("长期", "常住", "长住", "定居", "养老", "安置", "一直", "不回来", "以后都")
_FEW = {"几天": 3 / 30, "几周": 0.5, "几个星期": 0.5, "几个月": 3.0, "一阵子": 1.0, "短期": 0.5, "临时": 0.5}
_LESS = ("不到", "不满", "少于", "以内", "以下", "不超过")


@dataclass(frozen=True)
class FoundDuration:
    """A length of time named in a text, in days, where it was typed, and which unit said it."""

    days: float
    span: tuple[int, int]
    unit: int  # index in _UNITS: a lower one is preferred when a text names several


def _count(word: str) -> float | None:
    """1.5, 3, 十二, 两 → a number; None for a run of number words that is no number ("十十")."""
    if word[0].isdigit():
        return float(word)
    try:
        return float(chinese_number(word) if "十" in word else int("".join(str(CN_DIGITS[c]) for c in word)))
    except ValueError:
        return None


def find_durations(text: str) -> list[FoundDuration]:
    """Every length of time in `text`, in order of position."""
    clean = fold(text)
    taken = [False] * len(clean)
    for start, end in date_spans(text):
        taken[start:end] = [True] * (end - start)
    found: list[FoundDuration] = []
    for unit, (pattern, size, extra) in enumerate(_UNITS):
        for match in pattern.finditer(clean):
            if any(taken[match.start() : match.end()]):
                continue
            count = _count(match.group(1)) if pattern.groups else 1.0
            if count is None:
                continue
            taken[match.start() : match.end()] = [True] * (match.end() - match.start())
            found.append(FoundDuration(count * size + extra, match.span(), unit))
    return sorted(found, key=lambda d: d.span)


def _first(text: str) -> FoundDuration | None:
    return min(find_durations(text), key=lambda d: (d.unit, d.span), default=None)


def parse_duration_days(text: str) -> int | None:
    """How many days the text says ("住了一礼拜" → 7, "半个月" → 15, "俩月" → 60); None when it says none."""
    found = _first(text)
    return None if found is None else round(found.days)


def parse_duration_months(text: str) -> float | None:
    """How long the person stays away, in months: "住半年" → 6, "三个月" → 3, "10天" → 0.33, "长期" → inf.

    "不到半年" gives a little less than 6 and "半年以上" 6 itself ("6个月以上" includes 6 months).
    None when the text says no duration.
    """
    clean = re.sub(r"\s+", "", fold(text))
    if any(word in clean for word in _OPEN_ENDED):
        return math.inf
    found = _first(clean)
    if found is None:
        return next((value for word, value in _FEW.items() if word in clean), None)
    months = found.days / 30
    if any(word in clean for word in _LESS):
        months -= 0.5 if months >= 1 else months / 2
    return months
