"""Properties every estimate keeps, proven with hypothesis over both region packs and every kind of claim."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from settlement import EstimateRequest, RegionPolicy, estimate

FIRST_DAY = {"jilin": dt.date(2025, 1, 1), "dezhou": dt.date(2022, 1, 1)}
PARAMETER_SERVICE = {
    "inpatient": "inpatient",
    "emergency_observation": "inpatient",
    "outpatient": "outpatient_pooling",
    "chronic": "outpatient_pooling",
}
SETTINGS = settings(max_examples=150, deadline=None, database=None)


def cents(high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, high).map(lambda c: Decimal(c) / 100)


@st.composite
def claims(draw: st.DrawFn) -> EstimateRequest:
    region = draw(st.sampled_from(sorted(FIRST_DAY)))
    discharged = draw(st.dates(min_value=FIRST_DAY[region], max_value=dt.date(2028, 12, 31)))
    admitted = discharged - dt.timedelta(days=draw(st.integers(0, 800)))
    total_cents = draw(st.integers(0, 100_000_000))
    parts = []
    left = total_cents
    for _ in range(3):
        part = draw(st.integers(0, left))
        left -= part
        parts.append(Decimal(part) / 100)
    paid = {
        year: draw(cents(40_000_000))
        for year in range(admitted.year, discharged.year + 1)
        if draw(st.booleans())
    }
    return EstimateRequest(
        region=region,
        scheme=draw(st.sampled_from(["employee", "resident"])),
        service=draw(st.sampled_from(sorted(PARAMETER_SERVICE))),
        hospital_level=draw(st.integers(1, 3)),
        category=draw(st.sampled_from(["long_term", "referral", "temporary", "emergency", "unfiled"])),
        direct_settlement=draw(st.booleans()),
        own_fault=draw(st.booleans()),
        admitted_on=admitted,
        discharged_on=discharged,
        total=Decimal(total_cents) / 100,
        out_of_scope=parts[0],
        over_limit=parts[1],
        class_b_self_pay=parts[2],
        fund_paid_by_year=paid,
    )


@SETTINGS
@given(claim=claims())
def test_amounts_add_up_and_nothing_is_negative(
    policies: dict[str, RegionPolicy], claim: EstimateRequest
) -> None:
    result = estimate(claim, policies[claim.region])
    assert result.fund_pays + result.person_pays == claim.total
    assert result.fund_pays >= 0 and result.person_pays >= 0
    assert all(line.amount >= 0 for line in result.lines)
    assert sum(result.fund_by_year.values()) == result.fund_pays


@SETTINGS
@given(claim=claims(), extra=cents(5_000_000), excluded=st.booleans())
def test_person_never_pays_less_when_cost_rises(
    policies: dict[str, RegionPolicy], claim: EstimateRequest, extra: Decimal, excluded: bool
) -> None:
    policy = policies[claim.region]
    dearer = dataclasses.replace(claim, total=claim.total + extra)
    if excluded:  # the extra cost may also be out of the catalogue
        assert claim.out_of_scope is not None
        dearer = dataclasses.replace(dearer, out_of_scope=claim.out_of_scope + extra)
    assert estimate(dearer, policy).person_pays >= estimate(claim, policy).person_pays


@SETTINGS
@given(claim=claims())
def test_annual_limit_is_never_exceeded(policies: dict[str, RegionPolicy], claim: EstimateRequest) -> None:
    policy = policies[claim.region]
    result = estimate(claim, policy)
    service = policy.parameters.get(claim.scheme, PARAMETER_SERVICE[claim.service])
    assert service is not None
    limit = service.annual_limit[claim.hospital_level].at(claim.discharged_on).value
    for year, paid_now in result.fund_by_year.items():
        paid_before = claim.fund_paid_by_year.get(year, Decimal(0))
        assert paid_now <= max(limit - paid_before, Decimal(0))
