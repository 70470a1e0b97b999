"""The deadline flow (截止日期): the date to claim by and the date processing is promised by; Chinese dates.

"我10月8号出院" gives the date to claim by (manual reimbursement); "材料11月3日交齐" gives the date the
agency should have paid by, counted in working days. Dates are read relative to the day of asking: "10月8号"
is the latest such day not after today, "昨天", "上周五" count back. Also the template views of deadlines,
which the settlement API renders too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.base import Flow, FlowContext, Invalid, Outcome, Refused, Say, Slots, Step
from flows.errors import FlowsError
from settlement import (
    Deadline,
    RegionDeadlines,
    RegionPolicy,
    RuleNotFound,
    WorkCalendar,
    deadline,
)

# Parsing tables for Chinese date words (patterns for input, not user-facing text).
_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_NUM = r"\d{1,4}|[零〇一二两三四五六七八九十]{1,4}"
_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}}|[零〇一二三四五六七八九]{{4}})\s*(?:年|[-/.])\s*)?"
    rf"(?P<m>{_NUM})\s*(?:月|(?<=\d)[-/.](?=\d))\s*(?P<d>{_NUM})\s*(?:日|号)?"
)
_RELATIVE_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_WEEK = re.compile(r"(?P<which>上上|上|这|本)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天末])")
_MATERIALS_WORDS = ("材料", "交齐", "交全", "齐了", "递交", "提交", "资料")
_NO_WORDS = ("没有", "没", "还没", "未", "否", "不", "no", "无", "还没交", "没交齐")
_CLAUSE = re.compile(r"[，,。；;！!？?\s]+")


class DateWordsError(FlowsError):
    """No usable date in the text; `code` says why (missing, impossible, several) with template context."""

    def __init__(self, code: str, **context: Any) -> None:
        super().__init__(code)
        self.code = code
        self.context = context


@dataclass(frozen=True)
class FoundDate:
    """A date found in a text, and whether its clause speaks of materials handed in."""

    on: dt.date
    about_materials: bool


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGITS for c in text):  # 二〇二六
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    if "十" not in text:
        raise DateWordsError("missing")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _calendar_date(match: re.Match[str], today: dt.date) -> dt.date:
    try:
        month, day = _number(match.group("m")), _number(match.group("d"))
        year = None if match.group("y") is None else _number(match.group("y"))
    except (KeyError, ValueError) as exc:
        raise DateWordsError("missing") from exc
    try:
        dt.date(2000 if year is None else year, month, day)  # 2000 is a leap year: 2月29日 may exist
    except ValueError as exc:
        raise DateWordsError("impossible", month=month, day=day) from exc
    if year is not None:
        return dt.date(year, month, day)
    for candidate_year in (today.year, today.year - 1, today.year - 2, today.year - 3, today.year - 4):
        try:
            candidate = dt.date(candidate_year, month, day)
        except ValueError:  # 2月29日 outside a leap year: look further back
            continue
        if candidate <= today:
            return candidate
    raise DateWordsError("impossible", month=month, day=day)


def _relative_date(clause: str, today: dt.date) -> dt.date | None:
    for word, offset in _RELATIVE_DAYS.items():
        if word in clause:
            return today + dt.timedelta(days=offset)
    week = _WEEK.search(clause)
    if week is None:
        return None
    monday = today - dt.timedelta(days=today.weekday())
    weeks_back = {"上上": 2, "上": 1}.get(week.group("which") or "", 0)
    return monday + dt.timedelta(days=_WEEKDAYS[week.group("day")] - 7 * weeks_back)


def find_dates(text: str, today: dt.date) -> list[FoundDate]:
    """Every date in `text`, in order, each marked when its clause is about materials handed in."""
    clean = unicodedata.normalize("NFKC", text).strip().lower()
    found: list[FoundDate] = []
    for clause in _CLAUSE.split(clean):
        if not clause:
            continue
        about = any(word in clause for word in _MATERIALS_WORDS)
        matches = list(_DATE.finditer(clause))
        if matches:
            found.extend(FoundDate(_calendar_date(m, today), about) for m in matches)
            continue
        relative = _relative_date(clause, today)
        if relative is not None:
            found.append(FoundDate(relative, about))
    return found


def parse_one_date(text: str, today: dt.date) -> dt.date:
    """The one date in `text` (any clause); DateWordsError when there is none or several different ones."""
    dates = {d.on for d in find_dates(text, today)}
    if not dates:
        raise DateWordsError("missing")
    if len(dates) > 1:
        raise DateWordsError("several")
    return dates.pop()


def _region_deadlines(ctx: FlowContext) -> RegionDeadlines | None:
    policies: Mapping[str, RegionPolicy] = ctx.content.extras["policies"]
    policy = policies.get(ctx.region)
    return None if policy is None else policy.deadlines


def calendar_of(ctx: FlowContext) -> WorkCalendar:
    found: WorkCalendar = ctx.content.extras["calendar"]
    return found


def deadline_view(found: Deadline) -> dict[str, Any]:
    """What deadline/item.j2 needs for one computed deadline."""
    return {
        "name": found.name,
        "status": found.status,
        "start": found.start,
        "due_on": found.due_on,
        "overdue": found.overdue,
        "estimated": found.estimated,
        "unknown_years": list(found.unknown_years),
        "kind": found.kind,
        "params": dict(found.params),
        "citation": found.citation,
        "due_is_working_day": found.due_is_working_day,
        "superseded": [
            {
                "kind": s.kind,
                "params": dict(s.params),
                "citation": s.citation,
                "effective_to": s.effective_to,
                "due_on": s.due_on,
            }
            for s in found.superseded
        ],
    }


def _processing_counts(ctx: FlowContext) -> bool:
    """Whether the region promises a processing time (Dezhou's document gives none: then do not ask)."""
    deadlines = _region_deadlines(ctx)
    if deadlines is None:
        return False
    try:
        probe = deadline(deadlines, "processing", start=ctx.today, as_of=ctx.today, calendar=calendar_of(ctx))
    except RuleNotFound:
        return False
    return probe.status == "due"


def parse_treatment(text: str, _slots: Slots, ctx: FlowContext) -> dict[str, str]:
    """The discharge (or visit) date, and the materials date when the same message gives it."""
    try:
        dates = find_dates(text, ctx.today)
    except DateWordsError as exc:
        raise Invalid(f"deadline/invalid_date_{exc.code}", **exc.context) from exc
    treated = [d.on for d in dates if not d.about_materials]
    materials = [d.on for d in dates if d.about_materials]
    if not treated:
        raise Invalid("deadline/invalid_date_missing")
    if len(set(treated)) > 1 or len(set(materials)) > 1:
        raise Invalid("deadline/invalid_date_several")
    if treated[0] > ctx.today:
        raise Invalid("deadline/invalid_date_future", on=treated[0])
    dates_slot = {"treated_on": treated[0].isoformat()}
    if materials:
        if materials[0] < treated[0]:
            raise Invalid("deadline/invalid_materials_before_treatment")
        dates_slot["materials_complete_on"] = materials[0].isoformat()
    return dates_slot


def parse_materials(text: str, slots: Slots, ctx: FlowContext) -> str:
    """The day the materials were complete, or "none" when they have not been handed in."""
    clean = unicodedata.normalize("NFKC", text).strip().lower()
    try:
        dates = find_dates(clean, ctx.today)
    except DateWordsError as exc:
        raise Invalid(f"deadline/invalid_date_{exc.code}", **exc.context) from exc
    if not dates:
        if clean in ("2", *_NO_WORDS) or clean.startswith(("没", "还没", "未")):
            return "none"
        raise Invalid("deadline/invalid_date_missing")
    if len({d.on for d in dates}) > 1:
        raise Invalid("deadline/invalid_date_several")
    on = dates[0].on
    if on < dt.date.fromisoformat(slots["dates"]["treated_on"]):
        raise Invalid("deadline/invalid_materials_before_treatment")
    return on.isoformat()


def _asks_materials(slots: Slots, ctx: FlowContext) -> bool:
    return "materials_complete_on" not in slots.get("dates", {}) and _processing_counts(ctx)


def _complete(slots: Slots, ctx: FlowContext) -> Outcome:
    deadlines = _region_deadlines(ctx)
    if deadlines is None:
        raise Refused("deadline/no_rules")
    calendar = calendar_of(ctx)
    treated = dt.date.fromisoformat(slots["dates"]["treated_on"])
    materials_text = slots["dates"].get("materials_complete_on") or slots.get("materials_complete_on")
    items = [deadline(deadlines, "manual_reimbursement", start=treated, as_of=ctx.today, calendar=calendar)]
    processing = deadline(
        deadlines,
        "processing",
        start=ctx.today if materials_text in (None, "none") else dt.date.fromisoformat(materials_text),
        as_of=ctx.today,
        calendar=calendar,
    )
    context = {
        "today": ctx.today,
        "manual": deadline_view(items[0]),
        "processing": deadline_view(processing),
        "materials_given": materials_text not in (None, "none"),
    }
    status = items[0].status if not items[0].overdue else "overdue"
    return Outcome(says=(Say("deadline/result", context),), intent=f"deadline:{status}")


def _on_start(ctx: FlowContext) -> Outcome | None:
    if _region_deadlines(ctx) is None:
        return Outcome(says=(Say("deadline/no_rules"),), intent="deadline:no_rules")
    return None


def prefill(sentence: str, ctx: FlowContext) -> dict[str, Any]:
    """ "我10月8号出院" already answers the discharge date; a sentence with no usable date answers nothing."""
    try:
        return {"dates": parse_treatment(sentence, {}, ctx)}
    except Invalid:
        return {}


FLOW = Flow(
    name="deadline",
    steps=(
        Step("dates", "deadline/ask_treated", parse=parse_treatment),
        Step("materials_complete_on", "deadline/ask_materials", parse=parse_materials, when=_asks_materials),
    ),
    on_complete=_complete,
    on_start=_on_start,
    prefill=prefill,
)
