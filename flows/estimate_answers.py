"""Answers computed from the person's own figures before (or instead of) a full estimate: the remote ratio
from their local ratio and the region's rules, a cross-year stay split by days, the outpatient quota left.

Each is traced and cited, and says which figures are the person's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flows.base import FlowContext, Outcome, Say, Slots
from settlement import RegionPolicy, remote_ratio

_FACTS = ("scheme", "category", "service", "hospital_level")
_CENT = Decimal("0.01")


def _policy(ctx: FlowContext) -> RegionPolicy | None:
    found: Mapping[str, RegionPolicy] = ctx.content.extras["policies"]
    return found.get(ctx.region)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else format((value * 100).normalize(), "f")


def facts_of(slots: Slots) -> dict[str, Any]:
    """The facts the region's rules are decided on, as far as they are known."""
    facts: dict[str, Any] = {name: slots[name] for name in _FACTS if name in slots}
    if "hospital_level" in facts:
        facts["hospital_level"] = int(facts["hospital_level"])
    if "direct_settlement" in slots:
        facts["direct_settlement"] = slots["direct_settlement"] == "yes"
    if "own_fault" in slots:
        facts["own_fault"] = slots["own_fault"] == "yes"
    return facts


def ratio_view(slots: Slots, ctx: FlowContext) -> dict[str, Any] | None:
    """The ratio the rules give for what is known, or None when no rule and no own ratio says anything."""
    policy = _policy(ctx)
    if policy is None:
        return None
    own = slots.get("local_ratio")
    local = Decimal(str(own)) if own is not None else None
    facts = facts_of(slots)
    found = remote_ratio(policy.rules, facts, ctx.today, local)
    assumed = None
    if "category" not in facts and not found.rules:
        # Where every short stay pays a first share (Dezhou's 10%), say so before the category is known.
        temporary = remote_ratio(policy.rules, {**facts, "category": "temporary"}, ctx.today, local)
        if temporary.first_self_pay:
            found, assumed = temporary, "temporary"
    if not found.rules and local is None:
        return None
    return {
        "assumed_category": assumed,
        "local_pct": _pct(found.local_ratio),
        "ratio_pct": _pct(found.ratio),
        "first_pct": _pct(found.first_self_pay) if found.first_self_pay else None,
        "reduction_pct": _pct(found.reduction) if found.reduction else None,
        "rules": [
            {"id": rule.id, "effect": rule.effect, "pct": _pct(rule.value), "citation": rule.citation}
            for rule in found.rules
        ],
        "citations": list(found.citations),
        "first_amount": (
            (Decimal(slots["total"]) * found.first_self_pay).quantize(_CENT, ROUND_HALF_UP)
            if "total" in slots and found.first_self_pay
            else None
        ),
    }


def ratio_note(slots: Slots, ctx: FlowContext) -> Say | None:
    view = ratio_view(slots, ctx)
    return None if view is None else Say("estimate/ratio", view)


def split_by_days(stays: list[Mapping[str, Any]], total: Decimal) -> list[dict[str, Any]]:
    """A stay's cost split over calendar years in proportion to the days in each (the last part takes the
    rounding remainder, so the parts add up to the total)."""
    by_year: dict[int, int] = {}
    for stay in stays:
        year = int(str(stay["month"])[:4])
        by_year[year] = by_year.get(year, 0) + int(stay["days"])
    days = sum(by_year.values())
    parts, given = [], Decimal(0)
    years = sorted(by_year)
    for year in years:
        if year == years[-1]:
            amount = total - given
        else:
            amount = (total * by_year[year] / days).quantize(_CENT, ROUND_HALF_UP)
        given += amount
        parts.append({"year": year, "days": by_year[year], "amount": amount})
    return parts


def early_answer(slots: Slots, ctx: FlowContext) -> Outcome | None:
    """What is answered at once from the person's figures, without the remaining questions."""
    stays = list(slots.get("stays") or [])
    years = {str(s.get("month", ""))[:4] for s in stays}
    policy = _policy(ctx)
    if len(years) > 1 and "total" in slots and policy is not None:
        parts = split_by_days(stays, Decimal(slots["total"]))
        context = {
            "parts": parts,
            "total": Decimal(slots["total"]),
            "citation": policy.rules.cross_year.citation,
        }
        return Outcome(says=(Say("estimate/cross_year", context),), intent="estimate:cross_year")
    if "quota" in slots and "quota_used" in slots:
        quota, used = Decimal(slots["quota"]), Decimal(slots["quota_used"])
        shared = policy.rules.shared_limit("outpatient") if policy is not None else None
        context = {
            "quota": quota,
            "used": used,
            "left": max(quota - used, Decimal(0)),
            "citation": shared.citation if shared is not None else "",
        }
        return Outcome(says=(Say("estimate/quota_left", context),), intent="estimate:quota")
    if "local_ratio" in slots and "total" not in slots:
        view = ratio_view(slots, ctx)
        if view is not None:
            return Outcome(says=(Say("estimate/ratio", {**view, "final": True}),), intent="estimate:ratio")
    return None
