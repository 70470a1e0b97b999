"""The estimate flow (算一算): asks what the settlement core needs, answers what the fund and the person pay.

Also the template views of an estimate's trace lines, which the settlement API renders too, so the chat and
the API explain a line in the same words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Refused, Say, Slots, Step, iso
from flows.dates import DateWordsError, parse_one_date
from flows.estimate_answers import early_answer, ratio_note
from flows.money_words import MoneyWordsError, find_spent_amount, parse_money
from settlement import Estimate, EstimateRequest, InvalidRequest, Line, RegionPolicy, estimate

# Option labels are Chinese source text; the engine translates them through the catalogs.
SCHEMES = (Option("employee", "职工医保"), Option("resident", "居民医保"))
SERVICES = (
    Option("inpatient", "住院"),
    Option("outpatient", "普通门诊"),
    Option("chronic", "门诊慢特病"),
    Option("emergency_observation", "急诊留观或抢救"),
)
LEVELS = (Option("1", "一级医院"), Option("2", "二级医院"), Option("3", "三级医院"))
CATEGORIES = (
    Option("long_term", "长期异地（已备案）"),
    Option("referral", "转诊转院（已备案）"),
    Option("temporary", "临时外出就医（已备案）"),
    Option("emergency", "急诊抢救"),
    Option("unfiled", "没有备案"),
)
YES_NO = (Option("yes", "是"), Option("no", "否"))
_INPATIENT_LIKE = ("inpatient", "emergency_observation")
_PERCENT_PARAMS = ("share", "local_ratio", "ratio", "reduction")
_CHART_CHANNELS = ("web",)


def policies(ctx: FlowContext) -> Mapping[str, RegionPolicy]:
    """The region policies bot.app put in the content extras."""
    found: Mapping[str, RegionPolicy] = ctx.content.extras["policies"]
    return found


def percent(value: Decimal) -> str:
    """0.85 → "85", 0.765 → "76.5"."""
    return format((value * 100).normalize(), "f")


def line_view(line: Line) -> dict[str, Any]:
    """What estimate/line.j2 needs for one trace line: code, amount, citations, params (ratios as percent)."""
    params: dict[str, Any] = dict(line.params)
    for name in _PERCENT_PARAMS:
        if isinstance(params.get(name), Decimal):
            params[f"{name}_pct"] = percent(params[name])
    return {
        "code": line.code,
        "amount": line.amount,
        "citations": list(line.citations),
        "p": params,
    }


def citations_of(result: Estimate) -> list[str]:
    """Every citation of the trace, in order of first use."""
    return list(dict.fromkeys(c for line in result.lines for c in line.citations))


def estimate_view(result: Estimate, request: EstimateRequest) -> dict[str, Any]:
    """What estimate/result.j2 needs."""
    return {
        "fund_pays": result.fund_pays,
        "person_pays": result.person_pays,
        "total": result.fund_pays + result.person_pays,
        "lines": [line_view(line) for line in result.lines],
        "citations": citations_of(result),
        "verified": result.verified,
        "warnings": [w.partition(":")[0] for w in result.warnings],
        "warning_codes": list(result.warnings),
        "discharged_on": request.discharged_on,
        "hospital_level": request.hospital_level,
    }


def _choose(options: tuple[Option, ...]) -> Any:
    def pick(_slots: Slots, _ctx: FlowContext) -> tuple[Option, ...]:
        return options

    return pick


def _picked(values: tuple[Option, ...]) -> Any:
    allowed = {o.value for o in values}

    def parse(text: str, _slots: Slots, _ctx: FlowContext) -> str:
        if text not in allowed:
            raise Invalid("engine/invalid_option")
        return text

    return parse


def parse_total(text: str, _slots: Slots, _ctx: FlowContext) -> str:
    try:
        return str(parse_money(text))
    except MoneyWordsError as exc:
        raise Invalid(f"estimate/invalid_money_{exc.code}") from exc


def parse_discharge(text: str, _slots: Slots, ctx: FlowContext) -> str:
    try:
        return parse_one_date(text, ctx.today).isoformat()
    except DateWordsError as exc:
        raise Invalid(f"deadline/invalid_date_{exc.code}", **exc.context) from exc


def _asks_own_fault(slots: Slots, ctx: FlowContext) -> bool:
    """Only when not settled directly and the region has a rule that depends on whose fault that was."""
    if slots.get("direct_settlement") != "no":
        return False
    policy = policies(ctx).get(ctx.region)
    return policy is not None and any("own_fault" in a.when for a in policy.rules.adjustments)


def _not_emergency(slots: Slots, _ctx: FlowContext) -> bool:
    return slots.get("service") != "emergency_observation"


def _inpatient_like(slots: Slots, _ctx: FlowContext) -> bool:
    return slots.get("service") in _INPATIENT_LIKE


# What a sentence says about the service, in the words people use ("住院", "看门诊").
_SERVICE_WORDS = (
    ("inpatient", ("住院", "住了", "住医院")),
    ("chronic", ("慢特病", "慢病", "门特")),
    ("emergency_observation", ("急诊留观", "急诊抢救", "抢救")),
    ("outpatient", ("门诊",)),
)


def prefill(sentence: str, _ctx: FlowContext) -> dict[str, Any]:
    """Slots the sentence that started 算一算 already answers: the total spent and the kind of care."""
    found: dict[str, Any] = {}
    amount = find_spent_amount(sentence)
    if amount is not None:
        found["total"] = str(amount)
    services = [value for value, words in _SERVICE_WORDS if any(word in sentence for word in words)]
    if len(services) == 1:
        found["service"] = services[0]
    return found


_CATEGORY_OF_KIND = {"long_term": "long_term", "referral": "referral", "temporary": "temporary"}


def take(given: Mapping[str, Any], _slots: Slots, _ctx: FlowContext) -> dict[str, Any]:
    """Step answers from the understood slots: "职工医保 忘带卡了没直接结 花了八千" → scheme employee,
    not settled directly through the person's own fault, total 8000."""
    out: dict[str, Any] = {}
    for name in ("scheme", "service"):
        if given.get(name):
            out[name] = str(given[name])
    if given.get("hospital_level"):
        out["hospital_level"] = str(given["hospital_level"])
    if given.get("amount") is not None:
        out["total"] = str(given["amount"])
    if given.get("discharged_on") is not None:
        out["discharged_on"] = iso(given["discharged_on"])
    reasons = set(given.get("reasons") or ())
    kind = given.get("filing_kind")
    if reasons & {"no_referral", "unfiled"}:
        out["category"] = "unfiled"
    elif "emergency" in reasons:
        out["category"] = "emergency"
    elif kind in _CATEGORY_OF_KIND:
        out["category"] = _CATEGORY_OF_KIND[kind]
    if reasons & {"own_fault", "system_fault"}:
        out["direct_settlement"] = "no"
        out["own_fault"] = "yes" if "own_fault" in reasons else "no"
    if given.get("own_ratio") is not None:  # the person's own local ratio ("本地报80%")
        out["local_ratio"] = str(given["own_ratio"])
    for name in ("quota", "quota_used"):
        if given.get(name) is not None:
            out[name] = str(given[name])
    if given.get("stays"):
        out["stays"] = [dict(stay) for stay in given["stays"]]
    return out


def _figure(text: Any, _slots: Slots, _ctx: FlowContext) -> Any:
    """A figure the person gave unprompted (a ratio, a quota, stays): taken as the understanding read it."""
    return text


def build_request(slots: Slots, ctx: FlowContext) -> EstimateRequest:
    """The settlement request from the filled slots; what the person was not asked is left to the core's
    defaults, which its trace reports as assumed."""
    service = slots["service"]
    discharged = slots.get("discharged_on")
    return EstimateRequest(
        region=ctx.region,
        scheme=slots["scheme"],
        service=service,
        hospital_level=int(slots["hospital_level"]),
        category=slots.get("category", "emergency"),
        direct_settlement=slots["direct_settlement"] == "yes",
        own_fault=slots.get("own_fault") == "yes",
        discharged_on=ctx.today if discharged is None else dt.date.fromisoformat(discharged),
        total=Decimal(slots["total"]),
        local_ratio=Decimal(slots["local_ratio"]) if slots.get("local_ratio") else None,
    )


def _complete(slots: Slots, ctx: FlowContext) -> Outcome:
    policy = policies(ctx).get(ctx.region)
    if policy is None:
        raise Refused("estimate/no_policy")
    request = build_request(slots, ctx)
    try:
        result = estimate(request, policy)
    except InvalidRequest as exc:
        if any(p.code == "no_parameters_in_force" for p in exc.problems):
            raise Refused("estimate/no_parameters", on=request.discharged_on) from exc
        raise Refused("estimate/cannot_estimate") from exc
    says = [Say("estimate/result", estimate_view(result, request))]
    if ctx.channel in _CHART_CHANNELS:
        figures = {
            "fund_pays": str(result.fund_pays),
            "person_pays": str(result.person_pays),
            "total": str(result.fund_pays + result.person_pays),
        }
        says.append(Say("estimate/chart", figures, kind="chart", data=figures))
    verified = "verified" if result.verified else "unverified"
    return Outcome(says=tuple(says), intent=f"estimate:{request.service}:{verified}")


def _on_start(ctx: FlowContext) -> Outcome | None:
    if ctx.region not in policies(ctx):
        return Outcome(says=(Say("estimate/no_policy"),), intent="estimate:no_policy")
    return None


FLOW = Flow(
    name="estimate",
    steps=(
        Step("scheme", "estimate/ask_scheme", parse=_picked(SCHEMES), options=_choose(SCHEMES)),
        Step("service", "estimate/ask_service", parse=_picked(SERVICES), options=_choose(SERVICES)),
        Step("hospital_level", "estimate/ask_level", parse=_picked(LEVELS), options=_choose(LEVELS)),
        Step(
            "category",
            "estimate/ask_category",
            parse=_picked(CATEGORIES),
            options=_choose(CATEGORIES),
            when=_not_emergency,
        ),
        Step("direct_settlement", "estimate/ask_direct", parse=_picked(YES_NO), options=_choose(YES_NO)),
        Step(
            "own_fault",
            "estimate/ask_own_fault",
            parse=_picked(YES_NO),
            options=_choose(YES_NO),
            when=_asks_own_fault,
        ),
        Step("total", "estimate/ask_total", parse=parse_total),
        Step("discharged_on", "estimate/ask_discharged", parse=parse_discharge, when=_inpatient_like),
        Step("local_ratio", "estimate/ask_total", parse=_figure, asked=False),
        Step("quota", "estimate/ask_total", parse=_figure, asked=False),
        Step("quota_used", "estimate/ask_total", parse=_figure, asked=False),
        Step("stays", "estimate/ask_total", parse=_figure, asked=False),
    ),
    on_complete=_complete,
    on_start=_on_start,
    prefill=prefill,
    take=take,
    note=ratio_note,
    early=early_answer,
)
