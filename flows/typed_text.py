"""Text as people type it on a phone: half-width folding that keeps positions, and Chinese number words.

The readers of dates, durations and slots search the folded text and report spans that point into the text as
typed, because `fold` never changes its length.
"""

from __future__ import annotations

import unicodedata

CN_DIGITS = dict(zip("零〇一二两俩仨三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9), strict=True))


def fold(text: str) -> str:
    """Half-width, lower-case text of the same length (so spans found in it point into the text as typed)."""
    chars = (unicodedata.normalize("NFKC", ch).lower() for ch in text)
    return "".join(new if len(new) == 1 else old for new, old in zip(chars, text, strict=True))


def chinese_number(text: str) -> int:
    """12, 十二, 二十三, 两, 二〇二六 → int; ValueError when it is no number."""
    if text.isdigit():
        return int(text)
    if "十" not in text and text and all(c in CN_DIGITS for c in text):
        return int("".join(str(CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    try:
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)
    except KeyError as exc:
        raise ValueError(f"not a number: {text!r}") from exc
