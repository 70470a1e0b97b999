"""The shipped region packs: loaded through bot.content, demo figures as issue 4's table, own documents."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from settlement_test_support import CONTENT

from bot.content.policy import load_policies
from bot.errors import ContentError
from settlement import RegionPolicy

# region, first day, scheme, inpatient deductible L1-3, ratio L1-3, limit; outpatient ratio, limit
TABLE = [
    (
        "jilin",
        dt.date(2025, 1, 1),
        "resident",
        (200, 400, 800),
        ("0.85", "0.75", "0.65"),
        150_000,
        "0.50",
        500,
    ),
    (
        "jilin",
        dt.date(2025, 1, 1),
        "employee",
        (200, 400, 700),
        ("0.95", "0.92", "0.88"),
        150_000,
        "0.60",
        1_500,
    ),
    (
        "dezhou",
        dt.date(2022, 1, 1),
        "resident",
        (200, 500, 1000),
        ("0.85", "0.75", "0.60"),
        200_000,
        "0.50",
        800,
    ),
    (
        "dezhou",
        dt.date(2022, 1, 1),
        "employee",
        (200, 400, 800),
        ("0.90", "0.88", "0.85"),
        300_000,
        "0.60",
        2_000,
    ),
]


@pytest.fixture(scope="module")
def loaded() -> dict[str, RegionPolicy]:
    return load_policies(CONTENT)


@pytest.mark.parametrize(
    ("region", "start", "scheme", "deductibles", "ratios", "limit", "op_ratio", "op_limit"), TABLE
)
def test_demo_figures_match_issue_4(
    loaded: dict[str, RegionPolicy],
    region: str,
    start: dt.date,
    scheme: str,
    deductibles: tuple[int, ...],
    ratios: tuple[str, ...],
    limit: int,
    op_ratio: str,
    op_limit: int,
) -> None:
    params = loaded[region].parameters
    inpatient, outpatient = params.get(scheme, "inpatient"), params.get(scheme, "outpatient_pooling")
    assert inpatient is not None and outpatient is not None
    for level in (1, 2, 3):
        values = [
            inpatient.deductible[level].at(start),
            inpatient.ratio[level].at(start),
            inpatient.annual_limit[level].at(start),
            outpatient.deductible[level].at(start),
            outpatient.ratio[level].at(start),
            outpatient.annual_limit[level].at(start),
        ]
        assert [v.value for v in values] == [
            deductibles[level - 1],
            Decimal(ratios[level - 1]),
            limit,
            0,
            Decimal(op_ratio),
            op_limit,
        ]
        assert all(v.source == "demo" and v.verified is False for v in values)
        assert all(v.effective_from == start and v.effective_to is None for v in values)


def test_each_pack_cites_only_its_own_documents(loaded: dict[str, RegionPolicy]) -> None:
    assert loaded["dezhou"].documents == ("德医保发〔2021〕57号",)
    assert all("德医保" not in doc for doc in loaded["jilin"].documents)
    assert len(loaded["jilin"].documents) == 4


def test_broken_pack_names_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "regions" / "jilin" / "policy", tmp_path / "regions" / "jilin" / "policy")
    path = tmp_path / "regions" / "jilin" / "policy" / "rules.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 0.20", "value: 2.0"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"regions/jilin/policy/rules.yaml:\d+: .*between 0 and 1"):
        load_policies(tmp_path)
    path.unlink()
    with pytest.raises(ContentError, match="cannot read"):
        load_policies(tmp_path)
    with pytest.raises(ContentError, match="no region policy packs"):
        load_policies(tmp_path / "empty")
