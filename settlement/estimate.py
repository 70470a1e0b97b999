"""The out-of-pocket estimate: in-policy amount, first self-pay, deductible, ratio, annual limit, trace.

Order (issue 4): in-policy amount = total − out_of_scope − over_limit − class_b_self_pay; the region's
first self-pay share; the deductible (per admission for inpatient, at most what is left); the ratio after
the stacked remote-treatment adjustments (floored at 0); the remaining annual limit of each calendar year.
Money is rounded half-up to 0.01 at each step. Parameters are those in force on the discharge date
(吉医保规〔2023〕4号 第十六条 in the Jilin pack). A stay crossing a calendar year pays one deductible;
the fund's share is split between the years by the nights spent in each, and each year's share is held to
that year's remaining limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from settlement.errors import FieldProblem, InvalidRequest, ParameterNotInForce
from settlement.model import Estimate, EstimateRequest, Line
from settlement.money import ZERO, share, to_money
from settlement.parameters import LEVELS, SCHEMES, DatedValue, ServiceParameters
from settlement.policy import RegionPolicy
from settlement.rules import CATEGORIES, REQUEST_SERVICES, Adjustment

COST_PARTS = ("out_of_scope", "over_limit", "class_b_self_pay")
_INPATIENT_LIKE = ("inpatient", "emergency_observation")


class _Trace:
    """Collects lines, warnings and whether every value used was verified."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.warnings: list[str] = []
        self.verified = True

    def line(self, code: str, amount: Decimal, citations: tuple[str, ...] = (), **params: Any) -> None:
        self.lines.append(
            Line(code=code, amount=amount, params=params, rule=f"estimate.{code}", citations=citations)
        )

    def warn(self, code: str) -> None:
        if code not in self.warnings:
            self.warnings.append(code)

    def used(self, value: DatedValue) -> DatedValue:
        if not value.verified:
            self.verified = False
            self.warn("unverified_parameters")
        return value

    def used_rule(self, rule_id: str, verified: bool) -> None:
        if not verified:
            self.verified = False
            self.warn(f"unverified_rule:{rule_id}")


def estimate(request: EstimateRequest, policy: RegionPolicy) -> Estimate:
    """Estimate what the fund and the person pay for one claim under `policy` (the insured region's pack)."""
    _check(request, policy)
    trace = _Trace()
    discharged = request.discharged_on
    admitted = request.admitted_on
    if admitted is None:
        admitted = discharged
        if request.service in _INPATIENT_LIKE:
            trace.warn("assumed:admitted_on")

    total = to_money(request.total)
    trace.line("total", total)
    excluded = ZERO
    for name in COST_PARTS:
        given = getattr(request, name)
        if given is None:
            trace.warn(f"assumed_zero:{name}")
        amount = ZERO if given is None else to_money(given)
        excluded += amount
        trace.line(name, amount, assumed=given is None)
    in_policy = total - excluded
    trace.line("in_policy_amount", in_policy)

    params = _service_parameters(request, policy, trace)
    try:
        deductible = trace.used(params.deductible[request.hospital_level].at(discharged))
        ratio = params.ratio[request.hospital_level].at(discharged)
        if request.local_ratio is None:
            trace.used(ratio)
        else:  # the person's own figure: not a demo parameter, the trace says whose it is
            ratio = replace(ratio, value=request.local_ratio, source="person", verified=True)
        limit = trace.used(params.annual_limit[request.hospital_level].at(discharged))
    except ParameterNotInForce as exc:
        raise InvalidRequest([FieldProblem("discharged_on", "no_parameters_in_force")]) from exc

    facts = {
        "scheme": request.scheme,
        "category": request.category,
        "service": request.service,
        "hospital_level": request.hospital_level,
        "direct_settlement": request.direct_settlement,
        "own_fault": request.own_fault,
    }
    applied = [a for a in policy.rules.adjustments if a.applies(facts, discharged)]
    cross_year = admitted.year != discharged.year
    if cross_year:
        trace.used_rule("cross_year", policy.rules.cross_year.verified)

    first_rules = [a for a in applied if a.effect == "first_self_pay"]
    first = ZERO
    if first_rules:
        rate = max(_value(a) for a in first_rules)
        first = share(in_policy, rate)
        trace.line(
            "first_self_pay",
            first,
            _citations(first_rules),
            share=rate,
            base=in_policy,
            rules=",".join(a.id for a in first_rules),
        )
    after_first = in_policy - first

    deducted = min(to_money(deductible.value), after_first)
    one_deductible = _citations_of(policy.rules.cross_year.citation) if cross_year else ()
    trace.line(
        "deductible",
        deducted,
        one_deductible,
        deductible=deductible.value,
        per="admission" if _settles_as_inpatient(request) else "claim",
        cross_year=cross_year,
        source=deductible.source,
        verified=deductible.verified,
    )
    payable = after_first - deducted

    applied_ratio, ratio_rules = _adjusted_ratio(ratio.value, applied)
    fund_share = share(payable, applied_ratio)
    ratio_citations = _citations(ratio_rules)
    reductions = [a for a in ratio_rules if a.effect == "reduce_ratio"]
    if policy.rules.stacking_citation and len([a for a in ratio_rules if a.effect != "local_ratio"]) > 1:
        ratio_citations += (policy.rules.stacking_citation,)
    trace.line(
        "ratio",
        fund_share,
        ratio_citations,
        base=payable,
        local_ratio=ratio.value,
        ratio=applied_ratio,
        reduction=sum((_value(a) for a in reductions), Decimal(0)),
        rules=",".join(a.id for a in ratio_rules),
        source=ratio.source,
        verified=ratio.verified,
    )

    fund_by_year = _hold_to_limits(request, policy, trace, admitted, fund_share, limit)
    fund = sum(fund_by_year.values(), ZERO)
    person = total - fund
    trace.line("fund_pays", fund)
    trace.line("person_pays", person)
    return Estimate(
        fund_pays=fund,
        person_pays=person,
        lines=tuple(trace.lines),
        verified=trace.verified,
        warnings=tuple(trace.warnings),
        fund_by_year=fund_by_year,
    )


def _settles_as_inpatient(request: EstimateRequest) -> bool:
    return request.service in _INPATIENT_LIKE


def _service_parameters(request: EstimateRequest, policy: RegionPolicy, trace: _Trace) -> ServiceParameters:
    """Pick the parameter block: emergency observation settles as inpatient; chronic falls back to pooling."""
    service: str = request.service
    if service == "emergency_observation":
        rule = policy.rules.emergency_observation
        trace.used_rule(rule.id, rule.verified)
        trace.line("settled_as_inpatient", ZERO, _citations_of(rule.citation), settle_as=rule.method)
        service = rule.method
    elif service == "outpatient":
        service = "outpatient_pooling"
    elif service == "chronic" and policy.parameters.get(request.scheme, "chronic") is None:
        trace.warn("chronic_as_outpatient_pooling")
        service = "outpatient_pooling"
    found = policy.parameters.get(request.scheme, service)
    if found is None:  # the parser guarantees the grid; this guards hand-built parameter sets
        raise InvalidRequest([FieldProblem("service", "no_parameters")])
    return found


def _adjusted_ratio(local: Decimal, applied: list[Adjustment]) -> tuple[Decimal, list[Adjustment]]:
    """Set (lowest wins), then subtract every reduction (stacked), floored at 0."""
    used = [a for a in applied if a.effect in ("set_ratio", "reduce_ratio", "local_ratio")]
    ratio = local
    fixed = [_value(a) for a in used if a.effect == "set_ratio"]
    if fixed:
        ratio = min(fixed)
    ratio -= sum((_value(a) for a in used if a.effect == "reduce_ratio"), Decimal(0))
    return max(ratio, Decimal(0)), used


def _hold_to_limits(
    request: EstimateRequest,
    policy: RegionPolicy,
    trace: _Trace,
    admitted: dt.date,
    fund_share: Decimal,
    limit: DatedValue,
) -> dict[int, Decimal]:
    nights = dict(_nights_by_year(admitted, request.discharged_on))
    split_citations = _citations_of(policy.rules.cross_year.citation)
    shared = policy.rules.shared_limit(request.service)
    limit_citations = ((shared.citation,) if shared else ()) + (split_citations if len(nights) > 1 else ())
    if shared:
        trace.warn("shared_annual_limit")
    result: dict[int, Decimal] = {}
    left, nights_left = fund_share, sum(nights.values())
    years = list(nights)
    for index, year in enumerate(years):
        # Sequential split keeps every year's share non-decreasing in the cost (no rounding paradox).
        if index == len(years) - 1:
            year_share = left
        else:
            year_share = share(left, Decimal(nights[year]) / Decimal(nights_left))
        left -= year_share
        nights_left -= nights[year]
        if len(years) > 1:
            trace.line("year_share", year_share, split_citations, year=year, nights=nights[year])
        paid = request.fund_paid_by_year.get(year)
        if paid is None:
            trace.warn("assumed_zero:fund_paid_by_year")
        paid_so_far = ZERO if paid is None else to_money(paid)
        remaining = max(to_money(limit.value) - paid_so_far, ZERO)
        held = min(year_share, remaining)
        if held < year_share:
            trace.warn("annual_limit_reached")
        trace.line(
            "annual_limit_cap",
            year_share - held,
            limit_citations,
            year=year,
            annual_limit=limit.value,
            paid_so_far=paid_so_far,
            remaining=remaining,
            assumed=paid is None,
            shared_with_home=shared is not None,
            source=limit.source,
            verified=limit.verified,
        )
        result[year] = held
    return result


def _nights_by_year(admitted: dt.date, discharged: dt.date) -> Iterator[tuple[int, int]]:
    """Nights of the stay in each calendar year (a night belongs to the date it starts); a same-day visit or a
    stay whose nights all fall in one year counts wholly in that year."""
    if admitted.year == discharged.year or admitted == discharged:
        yield discharged.year, (discharged - admitted).days
        return
    for year in range(admitted.year, discharged.year + 1):
        start = max(admitted, dt.date(year, 1, 1))
        end = min(discharged, dt.date(year + 1, 1, 1))
        if end > start:
            yield year, (end - start).days


def _value(adjustment: Adjustment) -> Decimal:
    assert adjustment.value is not None
    return adjustment.value


def _citations(rules: list[Adjustment]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.citation for a in rules))


def _citations_of(citation: str | None) -> tuple[str, ...]:
    return (citation,) if citation else ()


def _check(request: EstimateRequest, policy: RegionPolicy) -> None:
    """Collect every field problem before computing (the API turns them into one 422)."""
    problems: list[FieldProblem] = []
    if request.region != policy.region:
        problems.append(FieldProblem("region", "not_this_region"))
    for name, allowed in (("scheme", SCHEMES), ("service", REQUEST_SERVICES), ("category", CATEGORIES)):
        if getattr(request, name) not in allowed:
            problems.append(FieldProblem(name, "unknown"))
    if isinstance(request.hospital_level, bool) or request.hospital_level not in LEVELS:
        problems.append(FieldProblem("hospital_level", "unknown"))
    for name in ("direct_settlement", "own_fault"):
        if not isinstance(getattr(request, name), bool):
            problems.append(FieldProblem(name, "not_a_boolean"))
    for name in ("admitted_on", "discharged_on"):
        value = getattr(request, name)
        if not (value is None and name == "admitted_on") and (
            isinstance(value, dt.datetime) or not isinstance(value, dt.date)
        ):
            problems.append(FieldProblem(name, "not_a_date"))
    if (
        isinstance(request.admitted_on, dt.date)
        and isinstance(request.discharged_on, dt.date)
        and request.discharged_on < request.admitted_on
    ):
        problems.append(FieldProblem("discharged_on", "before_admission"))
    for name in ("total", *COST_PARTS):
        value = getattr(request, name)
        if value is None and name != "total":
            continue
        code = _money_problem(value)
        if code:
            problems.append(FieldProblem(name, code))
    own = request.local_ratio
    if own is not None and (
        isinstance(own, bool) or not isinstance(own, Decimal | int) or not Decimal(0) < Decimal(own) <= 1
    ):
        problems.append(FieldProblem("local_ratio", "out_of_range"))
    paid = request.fund_paid_by_year
    if not isinstance(paid, Mapping) or any(
        isinstance(y, bool) or not isinstance(y, int) or _money_problem(v) for y, v in paid.items()
    ):
        problems.append(FieldProblem("fund_paid_by_year", "invalid"))
    if not any(p.field in ("total", *COST_PARTS) for p in problems):
        parts = sum(
            (to_money(getattr(request, n)) for n in COST_PARTS if getattr(request, n) is not None), ZERO
        )
        if parts > to_money(request.total):
            problems.append(FieldProblem("total", "less_than_excluded_costs"))
    if problems:
        raise InvalidRequest(problems)


def _money_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return "not_a_number"
    if isinstance(value, Decimal) and not value.is_finite():
        return "not_a_number"
    if value < 0:
        return "negative"
    return None
