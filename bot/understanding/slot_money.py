"""Money a sentence gives: the amount spent, the person's own ratio, a quota and what of it is used.

"花了两万" / "一共1万" / "八千块" → amount (Decimal yuan, read by flows.money_words); "本地报80%" / "报八成" /
"百分之七十五" / "报销比例是75" → own_ratio Decimal("0.80"); "额度500 已经用了380" → quota 500, quota_used
380. A percent, a day count, a date, a quota or an identity number is never taken for the amount; a percent
paid by the person (首先自付10%) or a reduction (降10%) is not their ratio. The tables are input patterns.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.understanding.slot_text import said
from flows.dates import date_spans
from flows.durations import find_durations
from flows.money_words import MoneyWordsError, find_spent_amount, parse_money
from flows.typed_text import chinese_number

_NUMBER = r"[0-9.零〇一二两三四五六七八九十百千万kw]+"
_AFTER_NUMBER = r"(?![\d.万千百元块天个倍岁%])"
_CUE = r"(?:比例|报销|能报|给报|报)(?:是|为|有|:|能有|大概)?\s*"
_PERCENTS = (  # an explicit percent anywhere; a bare number or 八成 only after a word about the ratio
    re.compile(r"(?P<p>\d{1,3}(?:\.\d+)?)\s*%"),
    re.compile(r"百分之(?P<p>\d{1,3}(?:\.\d+)?|[零一二三四五六七八九十]{1,3})"),
    re.compile(rf"{_CUE}(?P<p>\d{{2}}(?:\.\d+)?){_AFTER_NUMBER}"),
    re.compile(rf"{_CUE}(?P<tenths>[一二三四五六七八九])成(?P<half>[一二三四五六七八九])?"),
)
# Before a percent these say it is not the person's own ratio: a share they pay, a reduction, a deductible.
_NOT_OWN = re.compile(
    r"自付|自己付|自费|掏|自己出|先付|垫付|降|减|少报|扣|首先|先行|起付|个人|只给|只报|才报|只能"
)
_ASKED_AFTER = re.compile(r"^(?:不|吗|么|没|呢|\?)")  # "能报七成不": a ratio asked about, not their own
_QUOTA_WORDS = re.compile(r"额度|限额|封顶")
_QUOTA = (
    re.compile(
        rf"(?:年度限额|最高支付限额|统筹额度|额度|限额|封顶线|封顶)\s*(?:是|为|有|:|一共|总共|才|只有|还有|还剩|剩|剩下)?\s*"
        rf"(?P<a>{_NUMBER})\s*(?:块钱|块|元)?"
    ),
    re.compile(rf"(?P<a>{_NUMBER})\s*(?:块钱|块|元)?\s*的?(?:额度|限额)"),
)
_USED = re.compile(
    rf"(?:已经|已)?(?:用了|用掉了?|使用了|花掉了?|已用|用去了?)\s*(?P<a>{_NUMBER})\s*(?:块钱|块|元)?"
)
_YUAN = re.compile(rf"(?<![0-9.])(?P<a>{_NUMBER})\s*(?P<unit>块钱|块|元|rmb)?")
_NOT_SPENT = re.compile(r"(?:报了|报销了|返了|退了|给报了|能报|报回来|自付了?|自费了?|自己出了?)\s*$")


def _money(text: str) -> Decimal | None:
    try:
        return parse_money(text)
    except MoneyWordsError:
        return None


def _ratio(match: re.Match[str]) -> Decimal | None:
    """八成五 → 0.85, 百分之七十五 → 0.75, 80 → 0.80; None for number words that are no number."""
    groups = match.groupdict()
    try:
        if groups.get("tenths"):
            points = chinese_number(groups["tenths"]) * 10 + chinese_number(groups["half"] or "零")
        else:
            value = groups["p"]
            return (Decimal(value) if value[0].isdigit() else Decimal(chinese_number(value))).scaleb(-2)
    except ValueError:
        return None
    return Decimal(points).scaleb(-2)


def _percents(clean: str) -> tuple[Decimal | None, list[tuple[int, int]]]:
    """The person's own ratio (first one said), and the spans of every percent (never an amount)."""
    own: Decimal | None = None
    spans: list[tuple[int, int]] = []
    for pattern in _PERCENTS:
        for match in pattern.finditer(clean):
            spans.append(match.span())
            before = clean[max(0, match.start() - 6) : match.start()]
            value = _ratio(match)
            asked = _ASKED_AFTER.match(clean[match.end() :]) is not None
            plain = not _NOT_OWN.search(before) and not asked
            if own is None and value is not None and plain and 0 < value <= 1:
                own = value
    return own, spans


def _quota(clean: str) -> tuple[dict[str, Any], list[tuple[int, int]]]:
    slots: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    if not _QUOTA_WORDS.search(clean):
        return slots, spans
    for pattern in _QUOTA:
        for match in pattern.finditer(clean):
            value = _money(match["a"])
            if value is not None and "quota" not in slots:
                slots["quota"] = value
                spans.append(match.span())
    used = said(_USED, clean)
    if used is not None and (value := _money(used["a"])) is not None:
        slots["quota_used"] = value
        spans.append(used.span())
    return slots, spans


def _amount(masked: str) -> Decimal | None:
    """The amount spent: said with 花了 / 一共 (flows.money_words), else the one sum said in yuan or 万."""
    spent = find_spent_amount(masked)
    if spent is not None:
        return spent
    found = set()
    for match in _YUAN.finditer(masked):
        if match.group(0) == "一块":  # 一块结, 一块报: "together", not one yuan
            continue
        sized = match["unit"] is not None or re.search(r"[万千w]", match["a"]) is not None
        if sized and not _NOT_SPENT.search(masked[max(0, match.start() - 5) : match.start()]):
            value = _money(match.group(0))
            if value is not None:
                found.add(value)
    return found.pop() if len(found) == 1 else None


def money_slots(clean: str) -> dict[str, Any]:
    """amount, own_ratio, quota and quota_used, each only when the sentence says it."""
    own, spans = _percents(clean)
    slots, quota_spans = _quota(clean)
    spans += quota_spans + date_spans(clean) + [d.span for d in find_durations(clean)]
    chars = list(clean)
    for start, end in spans:
        chars[start:end] = ["、"] * (end - start)
    amount = _amount("".join(chars))
    if amount is not None:
        slots["amount"] = amount
    if own is not None:
        slots["own_ratio"] = own
    return slots
