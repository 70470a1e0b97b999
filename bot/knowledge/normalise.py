"""Normalisation of Chinese question text: width, case, number words, punctuation."""

from __future__ import annotations

import re
import unicodedata

# Number words as people type them in dates, durations and counts ("三月三十一号", "十五个工作日"). A small
# parsing table (house rule exception): only numbers directly followed by a unit are converted, so words
# such as 一次性 or 三级医院 keep their characters.
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_NUMBER_WORD = re.compile(r"([零〇一二两三四五六七八九十百]+)(?=[月日号天年岁周]|个(?:月|工作日|小时|星期))")
# 百分之二十 → 20% (the % itself then becomes a separator, leaving the number).
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百]+)")
# Anything that is not a letter, digit or CJK ideograph separates segments.
_SEPARATORS = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def chinese_number(word: str) -> int | None:
    """Value of a number word below 1000 (三十一 → 31, 十五 → 15, 二零二三 → 2023), None if not one."""
    if all(ch in _DIGITS for ch in word):
        return int("".join(str(_DIGITS[ch]) for ch in word))
    total, current = 0, 0
    for ch in word:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _replace_number(match: re.Match[str]) -> str:
    value = chinese_number(match[1])
    return match[1] if value is None else str(value)


def _replace_percent(match: re.Match[str]) -> str:
    value = chinese_number(match[1])
    return match[0] if value is None else f"{value}%"


def normalise(text: str) -> str:
    """Fold width and case, turn number words before units into digits, punctuation into single spaces."""
    folded = unicodedata.normalize("NFKC", text).lower()
    folded = _PERCENT.sub(_replace_percent, folded)
    folded = _NUMBER_WORD.sub(_replace_number, folded)
    return _SEPARATORS.sub(" ", folded).strip()
