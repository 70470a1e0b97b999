"""Dates by their role in a sentence, and hospital stays: "10月1号住进去 8号出院", "下周一开始", "住了8天".

A date takes the role named by the words right after it ("10月8号出院"), else right before it
("出院是10月8号"): admitted_on, discharged_on, materials_complete_on (past days) or start (a future day, or a
past one for a retroactive filing). "10月1号到8号住院" gives both ends of the stay. A date with no role word
is left out. Stays: `stay_days` (all days told), `stays` ({"month": "YYYY-MM", "days": n}) when several
are told with their months ("前年11月住了8天 去年1月住了2天"). Dates come from flows.dates; the tables are
patterns for input.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flows.dates import FoundDate, add_months, find_dates, find_months
from flows.durations import FoundDuration, find_durations

_ROLES = (  # role, words that name it; the first role found wins
    ("materials_complete_on", re.compile(r"材料|资料|交齐|交全|齐了|递交|提交")),
    ("discharged_on", re.compile(r"出院|出的院|出了院|医院出来|出来的")),
    ("admitted_on", re.compile(r"入院|住院|住的院|住进|住了院|进的医院|进医院|进院")),
    (
        "start",
        re.compile(
            r"开始|办的|备的|办理的|(?<![一对])起(?!付)|生效|出发|动身|过去|走(?!的)|去(?![年的])|到那边|搬"
        ),
    ),
)
# A start already made ("承诺备案是6月10号办的") is a past day even for a new filing.
_STARTED = re.compile(r"^\s*(?:办|备|办理|开始|生效|起)了?的")
_CLAUSE = re.compile(r"[,。;!?、:\s]+")
_RANGE = re.compile(r"^\s*(?:到|至|~|-|—|一直到)\s*$")
# A hospital stay: 住院 / 在医院 before the length or 院 after it; 住了 only for a short stay ("住了8天"),
# since "去三亚住半年" or "住了三个月" is where a person lives.
_STAY_BEFORE = re.compile(r"(?:住院|住了院|在医院待了|在医院)\s*(?:了|一共|总共|共)?\s*$")
_SHORT_STAY_BEFORE = re.compile(r"住了\s*(?:一共|总共|共)?\s*$")
_SHORT_STAY_DAYS = 60
_STAY_AFTER = re.compile(r"^\s*(?:的院|院|住院)")


def _clause(clean: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _CLAUSE.finditer(clean, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE.finditer(clean, end)), len(clean))
    return left, right


def _role(words: str, *, nearest_end: bool = False) -> str | None:
    """The role the words name; several: the one first in `words` (or last, with `nearest_end`)."""
    found = [(m.start(), role) for role, pattern in _ROLES for m in pattern.finditer(words)]
    if not found:
        return None
    return (max(found) if nearest_end else min(found))[1]


def _roles(clean: str, dates: list[FoundDate]) -> list[str | None]:
    """The role of each date: from the words after it (up to the next date), else those before it."""
    roles: list[str | None] = []
    for index, found in enumerate(dates):
        start, end = found.span
        left, right = _clause(clean, start, end)
        after_end = min(right, dates[index + 1].span[0]) if index + 1 < len(dates) else right
        before_start = max(left, dates[index - 1].span[1]) if index else left
        before = clean[max(before_start, start - 8) : start]
        roles.append(_role(clean[end:after_end]) or _role(before, nearest_end=True))
    for index in range(len(dates) - 1):
        between = clean[dates[index].span[1] : dates[index + 1].span[0]]
        if _RANGE.match(between) and "admitted_on" in (roles[index], roles[index + 1]):
            roles[index], roles[index + 1] = "admitted_on", "discharged_on"
    return roles


def _dated(clean: str, today: dt.date, retroactive: bool) -> dict[str, Any]:
    past = find_dates(clean, today, "past", strict=False)
    future = {d.span: d.on for d in find_dates(clean, today, "future", strict=False)}
    slots: dict[str, Any] = {}
    for found, role in zip(past, _roles(clean, past), strict=True):
        if role is None or role in slots:
            continue
        future_side = role == "start" and not retroactive and not _STARTED.match(clean[found.span[1] :])
        slots[role] = future.get(found.span, found.on) if future_side else found.on
    return slots


def _is_stay(clean: str, duration: FoundDuration) -> bool:
    start, end = duration.span
    left, _right = _clause(clean, start, end)
    before = clean[max(left, start - 8) : start]
    short = duration.days <= _SHORT_STAY_DAYS and _SHORT_STAY_BEFORE.search(before) is not None
    return bool(_STAY_BEFORE.search(before) or short or _STAY_AFTER.match(clean[end:]))


def _stays(clean: str, today: dt.date, durations: list[FoundDuration]) -> list[dict[str, Any]] | None:
    """Stays with the month each began in, when every stay told names one; else None."""
    months = [(m.span, m.first_day) for m in find_months(clean, today)]
    months += [(d.span, d.on.replace(day=1)) for d in find_dates(clean, today, strict=False)]
    firsts: list[dt.date] = []
    previous_end = 0
    for duration in durations:
        named = [first for span, first in sorted(months) if previous_end <= span[0] < duration.span[0]]
        if not named:
            return None
        firsts.append(named[-1])
        previous_end = duration.span[1]
    for index in range(
        len(firsts) - 2, -1, -1
    ):  # told in order: "11月住了8天 1月住了2天" runs into a new year
        while firsts[index] > firsts[index + 1]:
            firsts[index] = add_months(firsts[index], -12)
    return [
        {"month": f"{first:%Y-%m}", "days": round(d.days)} for first, d in zip(firsts, durations, strict=True)
    ]


def date_slots(clean: str, today: dt.date, *, retroactive: bool = False) -> dict[str, Any]:
    """start, admitted_on, discharged_on, materials_complete_on (dates); stay_days or stays."""
    slots = _dated(clean, today, retroactive)
    stays = [d for d in find_durations(clean) if _is_stay(clean, d)]
    if stays:
        slots["stay_days"] = sum(round(d.days) for d in stays)
    if len(stays) > 1:
        told = _stays(clean, today, stays)
        if told is not None:
            slots["stays"] = told
    return slots
