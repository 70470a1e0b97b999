"""Flow `status` (我的备案): the person's filings with validity, state and what a pledge still needs, benefit
status and certifications from the registry, and claims with the date processing is promised by.

The promised date is the region's `processing` deadline (吉医保发〔2019〕34号 第十五项: 22 working days from
complete materials) counted by settlement.processing_deadline over the official working-day calendar; a
year whose holiday schedule is not yet published is counted Monday–Friday and said to be an estimate.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flows import filing_rules as rules
from flows.base import Flow, FlowContext, Outcome, Say, Slots
from flows.dates import add_months
from settlement import processing_deadline

_STATE_ORDER = {"active": 0, "pending": 1, "lapsed": 2, "expired": 3, "ended": 4}


def on_start(ctx: FlowContext) -> Outcome | None:
    computed = computed_answer(ctx)
    if computed is not None:
        return computed
    if ctx.person_id is not None:
        return None
    return Outcome(
        says=(Say("status/bind_first"),),
        next_flow="bind",
        intent="status:bind_first",
        remember={"after_bind": "status"},
    )


def computed_answer(ctx: FlowContext) -> Outcome | None:
    """From the dates the person gave: when a pledge made on a day ends (6 months, 第六条), when a claim whose
    materials were complete on a day should be paid (22 working days) — and where to see one's own records."""
    said = ctx.said
    policy = ctx.services.filing_policies.on(ctx.region, ctx.today)
    bound = ctx.person_id is not None
    if said.get("pledge") and said.get("start") is not None and policy.pledge_months is not None:
        made = _day(said["start"])
        due = add_months(made, policy.pledge_months)
        context = {
            "made": made,
            "due": due,
            "months": policy.pledge_months,
            "days_left": (due - ctx.today).days,
            "citation": policy.pledge_months_citation or "",
            "bound": bound,
        }
        return Outcome(says=(Say("status/computed_pledge", context),), intent="status:computed_pledge")
    region_policy = ctx.services.region_policies.get(ctx.region)
    if said.get("materials_complete_on") is not None and region_policy is not None:
        deadline = processing_deadline(
            region_policy.deadlines,
            ctx.services.calendar,
            materials_complete_on=_day(said["materials_complete_on"]),
            as_of=ctx.today,
        )
        context = {
            "complete": deadline.start,
            "due": deadline.due_on,
            "status": deadline.status,
            "overdue": bool(deadline.overdue),
            "estimated": deadline.estimated,
            "days": deadline.params.get("days"),
            "citation": deadline.citation or "",
            "bound": bound,
        }
        return Outcome(says=(Say("status/computed_claim", context),), intent="status:computed_claim")
    return None


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _due_items(ctx: FlowContext, region: str, case_id: str) -> list[str]:
    """What completes a pledge: the items of the kind's case a person must bring (not generated ones)."""
    case = ctx.content.pack(region).catalogue.case(case_id)
    if case is None:
        return []
    groups = [g for g in case.groups if any(i.applies_to for i in g.items)] or list(case.groups)
    english = ctx.locale == "en"
    return [
        (item.name_en if english and item.name_en else item.name)
        for group in groups
        for item in group.items
        if not item.generated
    ]


def filing_view(filing: Any, policy: rules.FilingPolicy, ctx: FlowContext) -> dict[str, Any]:
    state = rules.state(filing, policy, ctx.today)
    kind = policy.kinds.get(filing.kind)
    view: dict[str, Any] = {
        "id": filing.id,
        "kind_label": kind.label if kind else filing.kind,
        "destination_name": filing.destination_name,
        "valid_from": filing.valid_from,
        "valid_to": filing.valid_to,
        "validity": kind.validity if kind else "",
        "state": state,
        "end_reason": filing.end_reason or "",
        "ended_on": filing.ended_on,
        "pledge": filing.pledge,
        "open_pledge": rules.is_open_pledge(filing, policy) and state in ("active", "pending"),
        "materials_due": filing.materials_due,
        "days_left": rules.days_left(filing.materials_due, ctx.today) if filing.materials_due else None,
        "due_items": [],
    }
    if view["open_pledge"] and kind is not None:
        view["due_items"] = _due_items(ctx, policy.region, kind.case)
    return view


def claim_view(claim: Any, region: str, ctx: FlowContext) -> dict[str, Any]:
    view: dict[str, Any] = {
        "reference": claim.reference,
        "place": claim.place,
        "status": claim.status,
        "treated_on": claim.treated_on,
        "materials_complete_on": claim.materials_complete_on,
        "paid_on": claim.paid_on,
        "amount": None if claim.amount_cents is None else claim.amount_cents / 100,
        "promised_by": None,
        "days": None,
        "promise_status": "",
        "estimated": False,
        "citation": "",
    }
    region_policy = ctx.services.region_policies.get(region)
    if claim.materials_complete_on is not None and region_policy is not None:
        deadline = processing_deadline(
            region_policy.deadlines,
            ctx.services.calendar,
            materials_complete_on=claim.materials_complete_on,
            as_of=ctx.today,
        )
        view.update(
            days=deadline.params.get("days"),
            promised_by=deadline.due_on,
            promise_status=deadline.status,
            estimated=deadline.estimated,
            citation=deadline.citation or "",
        )
    return view


def complete(_slots: Slots, ctx: FlowContext) -> Outcome:
    assert ctx.person_id is not None
    registry = ctx.services.registry(ctx.services.session)
    person = registry.record(ctx.person_id)
    assert person is not None
    policy = ctx.services.filing_policies.on(person.region, ctx.today)
    rows = ctx.services.filings.filings_of(ctx.services.session, ctx.person_id)
    views = sorted(
        (filing_view(f, policy, ctx) for f in rows), key=lambda v: (_STATE_ORDER.get(v["state"], 9), -v["id"])
    )
    context = {
        "person": {
            "pooling_region_name": person.pooling_region_name,
            "scheme": person.scheme,
            "insurance_status": person.insurance_status,
            "id_masked": person.id_number_masked,
        },
        "filings": views,
        "certifications": [
            {
                "kind": c.kind,
                "condition": c.condition,
                "place": c.place,
                "valid_from": c.valid_from,
                "valid_to": c.valid_to,
            }
            for c in registry.certifications(ctx.person_id)
        ],
        "claims": [claim_view(c, person.region, ctx) for c in registry.claims(ctx.person_id)],
        "today": ctx.today,
        "settle_citation": policy.rules.get("admitted_before_end", ""),
    }
    return Outcome(says=(Say("status/overview", context),), intent="status:shown")


FLOW = Flow(name="status", steps=(), on_start=on_start, on_complete=complete)
