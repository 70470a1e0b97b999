"""The estimate's trace, warnings, citations and refusals (the amounts themselves are in cases/*.yaml)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from settlement_test_support import pack_texts as pack_texts_for

from settlement import (
    EstimateRequest,
    InvalidRequest,
    ParameterNotInForce,
    RegionPolicy,
    estimate,
    parse_region_policy,
)

D = Decimal


def request(**overrides: object) -> EstimateRequest:
    values: dict[str, object] = {
        "region": "jilin",
        "scheme": "resident",
        "service": "inpatient",
        "hospital_level": 3,
        "category": "long_term",
        "admitted_on": dt.date(2025, 12, 20),
        "discharged_on": dt.date(2026, 1, 10),
        "total": D("20000"),
        "out_of_scope": D("1000"),
        "over_limit": D("0"),
        "class_b_self_pay": D("0"),
        "direct_settlement": False,
        "own_fault": True,
        "fund_paid_by_year": {2025: D("149000"), 2026: D("0")},
    }
    values.update(overrides)
    return EstimateRequest(**values)  # type: ignore[arg-type]


def codes(result: object) -> list[str]:
    return [line.code for line in result.lines]  # type: ignore[attr-defined]


def test_trace_follows_the_order_of_issue_4(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(), policies["jilin"])
    assert codes(result) == [
        "total",
        "out_of_scope",
        "over_limit",
        "class_b_self_pay",
        "in_policy_amount",
        "deductible",
        "ratio",
        "year_share",
        "annual_limit_cap",
        "year_share",
        "annual_limit_cap",
        "fund_pays",
        "person_pays",
    ]
    lines = {(line.code, line.params.get("year")): line for line in result.lines}
    # 19000 in policy − 800 = 18200 × (65% − 10 − 10 = 45%) = 8190; nights 12 (2025) / 9 (2026)
    assert lines[("ratio", None)].amount == D("8190.00")
    assert lines[("ratio", None)].params["ratio"] == D("0.45")
    assert lines[("year_share", 2025)].amount == D("4680.00")
    assert lines[("annual_limit_cap", 2025)].amount == D("3680.00")  # only 1000 left in 2025
    assert result.fund_by_year == {2025: D("1000.00"), 2026: D("3510.00")}
    assert result.fund_pays == D("4510.00")


def test_ratio_line_cites_each_rule_and_stacking(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(), policies["jilin"])
    ratio = next(line for line in result.lines if line.code == "ratio")
    assert ratio.citations == (
        "吉医保发〔2019〕34号 第二项",
        "吉医保发〔2019〕34号 第四项",
        "吉医保发〔2019〕34号 第五项",
    )
    deductible = next(line for line in result.lines if line.code == "deductible")
    assert deductible.citation == "吉医保规〔2023〕4号 第十六条"  # one deductible for a cross-year stay
    assert deductible.params["per"] == "admission"


def test_unfiled_sets_the_ratio_to_20_percent(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(category="unfiled", direct_settlement=True, own_fault=False), policies["jilin"])
    ratio = next(line for line in result.lines if line.code == "ratio")
    assert ratio.params["ratio"] == D("0.20")
    assert ratio.citations == ("吉医保发〔2019〕34号 第三项",)


def test_ratio_is_floored_at_zero(policies: dict[str, RegionPolicy]) -> None:
    texts = pack_texts_for("jilin")
    key = next(k for k in texts if k.endswith("rules.yaml"))
    texts[key] = texts[key].replace("value: 0.20", "value: 0.05")
    policy = parse_region_policy("jilin", texts)
    result = estimate(request(category="unfiled"), policy)  # 5% − 10 points → 0
    assert next(line for line in result.lines if line.code == "ratio").params["ratio"] == D("0")
    assert result.fund_pays == D("0.00")


def test_dezhou_first_self_pay_is_cited_and_never_cites_jilin(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(region="dezhou", category="temporary"), policies["dezhou"])
    first = next(line for line in result.lines if line.code == "first_self_pay")
    assert first.citations == ("德医保发〔2021〕57号 三（二）",)
    assert first.params["share"] == D("0.10")
    for line in result.lines:
        assert all(c.startswith("德医保发〔2021〕57号 ") for c in line.citations)
    # Dezhou does not address cross-year stays: the estimate says the rule it relied on is unverified.
    assert "unverified_rule:cross_year" in result.warnings


def test_emergency_observation_settles_as_inpatient(policies: dict[str, RegionPolicy]) -> None:
    jilin = estimate(request(service="emergency_observation", category="emergency"), policies["jilin"])
    line = next(line for line in jilin.lines if line.code == "settled_as_inpatient")
    assert line.citation == "吉林省优化五类医保服务20条便民举措 第7条"
    assert "unverified_rule:emergency_observation" not in jilin.warnings
    dezhou = estimate(request(region="dezhou", service="emergency_observation"), policies["dezhou"])
    assert "unverified_rule:emergency_observation" in dezhou.warnings
    assert next(line for line in dezhou.lines if line.code == "settled_as_inpatient").citations == ()


def test_chronic_uses_outpatient_pooling_and_says_so(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(
        request(service="chronic", admitted_on=None, discharged_on=dt.date(2026, 2, 2)), policies["jilin"]
    )
    assert "chronic_as_outpatient_pooling" in result.warnings
    assert next(line for line in result.lines if line.code == "deductible").params["per"] == "claim"


def test_dezhou_outpatient_limit_is_shared_with_home(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(region="dezhou", service="outpatient", admitted_on=None), policies["dezhou"])
    cap = next(line for line in result.lines if line.code == "annual_limit_cap")
    assert cap.params["shared_with_home"] is True
    assert cap.citations == ("德医保发〔2021〕57号 三（三）",)
    assert "shared_annual_limit" in result.warnings


def test_defaults_are_assumed_zero_and_said(policies: dict[str, RegionPolicy]) -> None:
    bare = EstimateRequest(
        region="jilin",
        scheme="employee",
        service="inpatient",
        hospital_level=2,
        category="referral",
        discharged_on=dt.date(2025, 5, 5),
        total=D("5000"),
    )
    result = estimate(bare, policies["jilin"])
    for name in ("out_of_scope", "over_limit", "class_b_self_pay", "fund_paid_by_year"):
        assert f"assumed_zero:{name}" in result.warnings
    assert "assumed:admitted_on" in result.warnings
    full = estimate(request(), policies["jilin"])
    assert not [w for w in full.warnings if w.startswith("assumed")]


def test_codes_and_keys_are_machine_words(policies: dict[str, RegionPolicy]) -> None:
    result = estimate(request(), policies["jilin"])
    word = re.compile(r"^[a-z0-9_.:]+$")
    for line in result.lines:
        assert word.match(line.code) and word.match(line.rule)
        assert all(word.match(key) for key in line.params)
    assert all(word.match(w) for w in result.warnings)


def test_verified_pack_gives_verified_estimate() -> None:
    texts = pack_texts_for("jilin")
    key = next(k for k in texts if k.endswith("parameters.yaml"))
    texts[key] = texts[key].replace(
        "source: demo, verified: false", "source: 吉医保规〔2023〕4号 第七十二条, verified: true"
    )
    result = estimate(request(), parse_region_policy("jilin", texts))
    assert result.verified is True
    assert "unverified_parameters" not in result.warnings


def test_date_without_parameters_fails_loudly(policies: dict[str, RegionPolicy]) -> None:
    with pytest.raises(InvalidRequest) as caught:
        estimate(
            request(admitted_on=dt.date(2024, 12, 1), discharged_on=dt.date(2024, 12, 31)), policies["jilin"]
        )
    assert [(p.field, p.code) for p in caught.value.problems] == [("discharged_on", "no_parameters_in_force")]
    assert isinstance(caught.value.__cause__, ParameterNotInForce)


def test_every_field_problem_is_listed(policies: dict[str, RegionPolicy]) -> None:
    bad = request(
        region="dezhou",
        scheme="farmer",
        service="dental",
        hospital_level=4,
        category="abroad",
        admitted_on=dt.date(2026, 2, 1),
        discharged_on=dt.date(2026, 1, 1),
        total=D("-1"),
        over_limit=D("-5"),
        fund_paid_by_year={2026: D("-3")},
    )
    with pytest.raises(InvalidRequest) as caught:
        estimate(bad, policies["jilin"])
    found = {(p.field, p.code) for p in caught.value.problems}
    assert found == {
        ("region", "not_this_region"),
        ("scheme", "unknown"),
        ("service", "unknown"),
        ("category", "unknown"),
        ("hospital_level", "unknown"),
        ("discharged_on", "before_admission"),
        ("total", "negative"),
        ("over_limit", "negative"),
        ("fund_paid_by_year", "invalid"),
    }


def test_excluded_costs_above_total_are_refused(policies: dict[str, RegionPolicy]) -> None:
    with pytest.raises(InvalidRequest) as caught:
        estimate(request(total=D("100"), out_of_scope=D("80"), over_limit=D("30")), policies["jilin"])
    assert [(p.field, p.code) for p in caught.value.problems] == [("total", "less_than_excluded_costs")]


def test_floats_are_refused(policies: dict[str, RegionPolicy]) -> None:
    with pytest.raises(InvalidRequest) as caught:
        estimate(request(total=20000.5), policies["jilin"])
    assert [(p.field, p.code) for p in caught.value.problems] == [("total", "not_a_number")]
