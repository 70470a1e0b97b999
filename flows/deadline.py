"""The deadline flow (截止日期): the date to claim by and the date processing is promised by.

"我10月8号出院" gives the date to claim by (manual reimbursement); "材料11月3日交齐" gives the date the
agency should have paid by, counted in working days. Dates are read by flows.dates relative to the day of
asking: "10月8号" is the latest such day not after today, "昨天", "上周五" count back. Also the template
views of deadlines, which the settlement API renders too.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from flows.base import Flow, FlowContext, Invalid, Outcome, Refused, Say, Slots, Step, iso
from flows.dates import DateWordsError, find_dates
from settlement import (
    Deadline,
    RegionDeadlines,
    RegionPolicy,
    RuleNotFound,
    WorkCalendar,
    deadline,
)

_NO_WORDS = ("没有", "没", "还没", "未", "否", "不", "no", "无", "还没交", "没交齐")


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


def take(given: Mapping[str, Any], _slots: Slots, _ctx: FlowContext) -> dict[str, Any]:
    """The discharge date the understanding found ("10月8号出院的 最晚哪天去报")."""
    found = given.get("discharged_on") or given.get("admitted_on")
    if found is None:
        return {}
    materials = given.get("materials_complete_on")
    # parse_treatment reads the same dates again from this text, each in its own clause
    said = iso(found) if materials is None else f"{iso(found)}，材料{iso(materials)}交齐"
    return {"dates": said}


FLOW = Flow(
    name="deadline",
    steps=(
        Step("dates", "deadline/ask_treated", parse=parse_treatment),
        # Asked no more: the claim deadline is answered at once; a materials date the person gives is used
        Step(
            "materials_complete_on",
            "deadline/ask_materials",
            parse=parse_materials,
            when=_asks_materials,
            asked=False,
        ),
    ),
    on_complete=_complete,
    on_start=_on_start,
    prefill=prefill,
    take=take,
)
