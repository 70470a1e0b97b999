"""Deadlines from the region packs: Jilin's cited rules, Dezhou's "not specified", working days counted."""

from __future__ import annotations

import datetime as dt

import pytest
from settlement_test_support import CONTENT

from bot.content.calendar import load_calendar
from settlement import (
    DEADLINE_NAMES,
    RegionPolicy,
    RuleNotFound,
    WorkCalendar,
    deadline,
    insurance_transfer_deadline,
    manual_reimbursement_deadline,
    pledge_materials_deadline,
    processing_deadline,
)

d = dt.date
TODAY = d(2026, 11, 22)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return load_calendar(CONTENT)


def test_jilin_manual_reimbursement_by_end_of_next_year(policies: dict[str, RegionPolicy]) -> None:
    result = manual_reimbursement_deadline(
        policies["jilin"].deadlines, treated_on=d(2026, 10, 8), as_of=TODAY
    )
    assert (result.status, result.due_on, result.overdue) == ("due", d(2027, 12, 31), False)
    assert result.citation == "吉医保规〔2023〕4号 第十五条"
    # The 2019 rule (31 March of the next year) is kept as data and reported as superseded.
    (old,) = result.superseded
    assert (old.citation, old.due_on) == ("吉医保发〔2019〕34号 第十六项", d(2027, 3, 31))


def test_jilin_manual_reimbursement_overdue(policies: dict[str, RegionPolicy]) -> None:
    result = manual_reimbursement_deadline(policies["jilin"].deadlines, treated_on=d(2024, 6, 1), as_of=TODAY)
    assert (result.due_on, result.overdue) == (d(2025, 12, 31), True)


def test_the_2019_rule_answered_while_it_was_in_force(policies: dict[str, RegionPolicy]) -> None:
    result = manual_reimbursement_deadline(
        policies["jilin"].deadlines, treated_on=d(2022, 1, 10), as_of=d(2022, 5, 1)
    )
    assert (result.due_on, result.citation, result.superseded) == (
        d(2023, 3, 31),
        "吉医保发〔2019〕34号 第十六项",
        (),
    )


def test_processing_within_22_working_days(policies: dict[str, RegionPolicy], calendar: WorkCalendar) -> None:
    # From Fri 2026-09-25: Sep 28, 29, 30 (3); Oct 1–7 off; Oct 8, 9, Sat 10 (6); Oct 12–16 (11);
    # Oct 19–23 (16); Oct 26–30 (21); Mon Nov 2 (22)
    result = processing_deadline(
        policies["jilin"].deadlines, calendar, materials_complete_on=d(2026, 9, 25), as_of=TODAY
    )
    assert (result.due_on, result.estimated, result.citation) == (
        d(2026, 11, 2),
        False,
        "吉医保发〔2019〕34号 第十五项",
    )
    assert result.params == {"days": 22}


def test_insurance_transfer_into_an_unpublished_year(
    policies: dict[str, RegionPolicy], calendar: WorkCalendar
) -> None:
    # From Sun 2026-12-20: Dec 21–25 (5), Dec 28–31 (9), Fri 2027-01-01 counted (10), Jan 4–8 (15)
    result = insurance_transfer_deadline(
        policies["jilin"].deadlines, calendar, applied_on=d(2026, 12, 20), as_of=TODAY
    )
    assert (result.due_on, result.estimated, result.unknown_years) == (d(2027, 1, 8), True, (2027,))
    assert result.citation == "吉林省优化五类医保服务20条便民举措 第2条"


@pytest.mark.parametrize(
    ("filed", "due"),
    [(d(2026, 3, 15), d(2026, 9, 15)), (d(2026, 8, 31), d(2027, 2, 28)), (d(2027, 8, 31), d(2028, 2, 29))],
)
def test_pledge_materials_due_six_months_after_filing(
    policies: dict[str, RegionPolicy], filed: dt.date, due: dt.date
) -> None:
    result = pledge_materials_deadline(policies["jilin"].deadlines, filed_on=filed, as_of=TODAY)
    assert result.due_on == due
    assert result.citation == "吉医保规〔2023〕4号 第六条（一）"


def test_due_date_on_a_day_off_is_flagged(policies: dict[str, RegionPolicy], calendar: WorkCalendar) -> None:
    result = manual_reimbursement_deadline(
        policies["jilin"].deadlines, treated_on=d(2027, 3, 1), as_of=TODAY, calendar=calendar
    )
    assert result.due_on == d(2028, 12, 31)  # a Sunday
    assert result.due_is_working_day is False


@pytest.mark.parametrize("name", DEADLINE_NAMES)
def test_dezhou_never_borrows_jilin(
    policies: dict[str, RegionPolicy], calendar: WorkCalendar, name: str
) -> None:
    result = deadline(
        policies["dezhou"].deadlines, name, start=d(2026, 10, 8), as_of=TODAY, calendar=calendar
    )
    assert result.status in ("not_specified", "not_applicable")
    assert result.due_on is None and result.overdue is None
    assert result.citation is None or result.citation.startswith("德医保发〔2021〕57号 ")


def test_dezhou_manual_reimbursement_is_not_specified(policies: dict[str, RegionPolicy]) -> None:
    result = manual_reimbursement_deadline(
        policies["dezhou"].deadlines, treated_on=d(2026, 10, 8), as_of=TODAY
    )
    assert (result.status, result.due_on, result.citation) == (
        "not_specified",
        None,
        "德医保发〔2021〕57号 三（二）",
    )


def test_unknown_rules_and_dates_before_any_rule(policies: dict[str, RegionPolicy]) -> None:
    with pytest.raises(RuleNotFound):
        deadline(policies["jilin"].deadlines, "appeal", start=TODAY, as_of=TODAY)
    with pytest.raises(RuleNotFound):
        manual_reimbursement_deadline(
            policies["jilin"].deadlines, treated_on=d(2018, 1, 1), as_of=d(2018, 6, 1)
        )


def test_working_days_need_a_calendar(policies: dict[str, RegionPolicy]) -> None:
    with pytest.raises(ValueError, match="WorkCalendar"):
        deadline(policies["jilin"].deadlines, "processing", start=TODAY, as_of=TODAY)
