"""Reads an amount of money as people type it in a chat ("两万三", "2.3万", "23000元", "一万二千五", "1w5").

Returns an exact `Decimal` of yuan (at most two decimal places); refuses negative, zero, absurdly large and
ambiguous amounts with a machine code the flow turns into a template. The small tables below are parsing
patterns for Chinese input (the house rules allow them here), not user-facing text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from flows.errors import FlowsError

# An amount above this is taken for a typing slip, not a medical bill (ten million yuan).
MAX_AMOUNT = Decimal("10000000")

# Parsing tables for Chinese number words.
_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "k": 1000}
_BIG_UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}
# Words people wrap around an amount ("一共花了两万三左右"); removed before reading the number.
_FILLERS = (
    "人民币",
    "总费用",
    "总共",
    "一共",
    "合计",
    "总计",
    "大概",
    "大约",
    "差不多",
    "左右",
    "花了",
    "花费",
    "费用",
    "住院费",
    "医药费",
    "块钱",
    "元整",
    "rmb",
    "cny",
    "yuan",
    "约",
    "共",
    "是",
    "元",
    "块",
    "圆",
    "¥",
    "￥",
    "多",
)
_NUMBER_CHARS = "0-9.点" + "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_CENT = Decimal("0.01")
_HAS_NUMBER = re.compile("[0-9" + "".join(_DIGITS) + "十]")
_RUN = re.compile(f"[{_NUMBER_CHARS}]+")
_TOKEN = re.compile(
    r"(?P<arabic>\d+(?:\.\d+)?)"
    r"|(?P<chinese>[零〇一二两三四五六七八九](?:点[零〇一二两三四五六七八九]+)?)"
    r"|(?P<unit>[十百千k万w亿])"
)


class MoneyWordsError(FlowsError):
    """The text is not one usable amount; `code` says why (empty, not_money, ambiguous, negative, zero,
    too_large, too_precise)."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code


@dataclass
class _Reader:
    """Accumulates one amount: finished 万/亿 sections, the current section and a number awaiting its unit."""

    total: Decimal = Decimal(0)
    section: Decimal = Decimal(0)
    pending: Decimal | None = None
    pending_is_digit: bool = False
    last_unit: int | None = None
    after_unit: bool = False
    zero_seen: bool = False


def parse_money(text: str) -> Decimal:
    """The amount in `text` as exact yuan; raises MoneyWordsError with a code when there is none usable."""
    clean = unicodedata.normalize("NFKC", text).strip().lower().replace(",", "").replace("，", "")
    clean = re.sub(r"\s+", "", clean)
    if not clean:
        raise MoneyWordsError("empty", text)
    negative = clean.startswith(("-", "负", "减"))
    for filler in _FILLERS:
        clean = clean.replace(filler, "")
    body = clean.lstrip("-负减")
    runs = [run for run in _RUN.findall(body) if _HAS_NUMBER.search(run)]
    if not runs:
        raise MoneyWordsError("not_money", text)
    if len(runs) > 1:
        raise MoneyWordsError("ambiguous", text)
    if _RUN.fullmatch(body) is None:
        raise MoneyWordsError("not_money", text)
    amount = _read(runs[0], text)
    if negative:
        raise MoneyWordsError("negative", text)
    if amount == 0:
        raise MoneyWordsError("zero", text)
    if amount > MAX_AMOUNT:
        raise MoneyWordsError("too_large", text)
    if amount != amount.quantize(_CENT):
        raise MoneyWordsError("too_precise", text)
    return amount.quantize(_CENT)


def _number(token: re.Match[str]) -> tuple[Decimal, bool]:
    """A number token's value and whether it is a single digit (which may abbreviate a unit: 两万三)."""
    arabic, chinese = token.group("arabic"), token.group("chinese")
    if arabic is not None:
        return Decimal(arabic), len(arabic) == 1
    whole, _, fraction = chinese.partition("点")
    digits = str(_DIGITS[whole]) + ("." + "".join(str(_DIGITS[c]) for c in fraction) if fraction else "")
    return Decimal(digits), not fraction


def _read(run: str, text: str) -> Decimal:
    state = _Reader()
    position = 0
    while position < len(run):
        token = _TOKEN.match(run, position)
        if token is None:
            raise MoneyWordsError("not_money", text)
        position = token.end()
        unit = token.group("unit")
        if unit is None:
            value, is_digit = _number(token)
            if state.pending is not None:  # two numbers in a row ("二三", "5两")
                raise MoneyWordsError("ambiguous", text)
            if value == 0 and token.group("chinese") is not None:
                state.zero_seen = True  # 一万零五百: the zero stops "五" from abbreviating 五千
                state.after_unit = False
                continue
            state.pending, state.pending_is_digit = value, is_digit
            continue
        _apply_unit(state, unit, text)
    if state.pending is not None:
        if state.after_unit and state.pending_is_digit and state.last_unit and state.last_unit >= 100:
            # A digit names the next unit down: 两万三 = 23000, 一万二千五 = 12500, 三百五 = 350.
            state.section += state.pending * state.last_unit / 10
        else:
            state.section += state.pending
    return state.total + state.section


def _apply_unit(state: _Reader, unit: str, text: str) -> None:
    if unit in _SMALL_UNITS:
        size = _SMALL_UNITS[unit]
        if state.pending is None and unit != "十":
            raise MoneyWordsError("not_money", text)
        count = Decimal(1) if state.pending is None else state.pending
        state.section += count * size
        state.last_unit = size
    else:
        size = _BIG_UNITS[unit]
        if state.pending is not None:
            state.section += state.pending
        if state.section == 0:
            raise MoneyWordsError("not_money", text)
        state.total += state.section * size
        state.section = Decimal(0)
        state.last_unit = size
    state.pending = None
    state.pending_is_digit = False
    state.after_unit = True
    state.zero_seen = False


# Words that introduce the amount spent in a sentence ("在三亚住院花了两万", "一共23000元").
_SPENT = re.compile(
    r"(?:花了|花费了?|一共|总共|共计|总计|费用是?|医药费)\s*(?P<amount>[0-9.,，零〇一二两三四五六七八九十百千万亿kwKW]+"
    r"\s*(?:元|块钱|块)?)"
)


def find_spent_amount(sentence: str) -> Decimal | None:
    """The amount a sentence says was spent, when it says so plainly; None otherwise (never a guess)."""
    clean = unicodedata.normalize("NFKC", sentence)
    amounts = []
    for match in _SPENT.finditer(clean):
        try:
            amounts.append(parse_money(match.group("amount")))
        except MoneyWordsError:
            continue
    return amounts[0] if len(set(amounts)) == 1 else None
