"""Runs the policy-officer-readable estimate cases in tests/settlement/cases/*.yaml."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from settlement import EstimateRequest, RegionPolicy, estimate
from settlement.yamltext import load_yaml

CASES_DIR = Path(__file__).parent / "cases"


def _cases() -> list[Any]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in load_yaml(path.read_text(encoding="utf-8"), path.name)["cases"]:
            found.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return found


CASES = _cases()


def _request(data: dict[str, Any]) -> EstimateRequest:
    values = dict(data)
    for key in ("total", "out_of_scope", "over_limit", "class_b_self_pay"):
        if key in values:
            values[key] = Decimal(values[key])
    values["fund_paid_by_year"] = {int(y): Decimal(v) for y, v in values.get("fund_paid_by_year", {}).items()}
    return EstimateRequest(**values)


def test_there_are_at_least_40_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any], policies: dict[str, RegionPolicy]) -> None:
    request = _request(case["input"])
    result = estimate(request, policies[request.region])
    expected = case["expected"]
    assert (result.fund_pays, result.person_pays) == (
        Decimal(expected["fund_pays"]).quantize(Decimal("0.01")),
        Decimal(expected["person_pays"]).quantize(Decimal("0.01")),
    )
    assert result.fund_pays + result.person_pays == request.total
    # The shipped packs hold demo figures only: every estimate must say so.
    assert result.verified is False
    assert "unverified_parameters" in result.warnings


def test_case_dates_are_dates() -> None:
    for param in CASES:
        (case,) = param.values
        assert isinstance(case["input"]["discharged_on"], dt.date)
