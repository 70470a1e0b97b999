"""Every filing rule through the domain module, on the real region packs (filing.yaml + deadlines.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pytest

from bot.content.filing import load_filing_policies
from bot.content.policy import load_policies
from flows import filing_rules as rules
from flows.dates import add_months
from flows.errors import RuleViolation
from tests.conftest import CONTENT

TODAY = date(2026, 11, 22)
POLICIES = load_filing_policies(CONTENT, load_policies(CONTENT))
JILIN = POLICIES.on("jilin", TODAY)
DEZHOU = POLICIES.on("dezhou", TODAY)


@dataclass(frozen=True)
class Person:
    id: int | None = 1
    region: str = "jilin"
    pooling_region: str = "220100"
    scheme: str = "employee"
    insurance_status: str = "active"
    insured_since: date = date(2010, 1, 1)


@dataclass(frozen=True)
class Place:
    code: str = "460200"
    name: str = "海南省三亚市"
    province: str = "海南省"
    level: str = "province"
    cross_province: bool = True


BEIJING = Place("110000", "北京市", "北京市", "city", True)
SANYA = Place()
JILIN_CITY = Place("220200", "吉林市", "吉林省", "pooling_region", False)
CHANGCHUN = Place("220100", "长春市", "吉林省", "pooling_region", False)
JINAN = Place("370100", "济南市", "山东省", "pooling_region", False)


@dataclass(frozen=True)
class Row:
    id: int | None = 7
    region: str = "jilin"
    scheme: str = "employee"
    kind: str = "long_term"
    proof: str | None = "work_away"
    pledge: bool = False
    place_role: str | None = "residence"
    destination_code: str = "110000"
    valid_from: date = date(2026, 1, 1)
    valid_to: date | None = None
    materials_due: date | None = None
    materials_completed_on: date | None = None
    status: str = "active"
    ended_on: date | None = None
    end_reason: str | None = None


def planned_row(planned: rules.PlannedFiling, id_: int = 9) -> Row:
    values = planned.as_row()
    return Row(
        id=id_,
        **{k: values[k] for k in Row.__dataclass_fields__ if k in values},  # type: ignore[arg-type]
    )


def refused(rule: str, fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    assert caught.value.rule == rule
    return caught.value


def test_pledge_period_comes_from_the_deadlines_file():
    assert JILIN.pledge_months == 6
    assert JILIN.pledge_months_citation == "吉医保规〔2023〕4号 第六条（一）"
    assert DEZHOU.pledge_months is None


def test_long_term_with_proof_is_valid_until_changed():
    request = rules.FilingRequest("long_term", BEIJING, TODAY, proof="work_away", place_role="residence")
    planned = rules.check_new_filing(request, Person(), [], JILIN, TODAY)
    assert planned.valid_to is None and planned.materials_due is None and not planned.retroactive
    assert "吉林省优化五类医保服务20条便民举措 第4条" in planned.citations


def test_pledge_is_valid_six_months_and_due_then():
    request = rules.FilingRequest("long_term", BEIJING, TODAY, pledge=True, place_role="residence")
    planned = rules.check_new_filing(request, Person(), [], JILIN, TODAY)
    assert planned.materials_due == date(2027, 5, 22) == planned.valid_to
    assert planned.proof is None
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_one_open_pledge_at_most():
    open_pledge = Row(pledge=True, proof=None, materials_due=date(2027, 1, 10), valid_to=date(2027, 1, 10))
    request = rules.FilingRequest("long_term", SANYA, TODAY, pledge=True, place_role="household")
    violation = refused(
        "one_open_pledge", rules.check_new_filing, request, Person(), [open_pledge], JILIN, TODAY
    )
    assert violation.citation == "吉医保规〔2023〕4号 第六条（二）"


def test_a_completed_pledge_no_longer_counts_and_two_places_may_be_filed():
    done = Row(pledge=True, proof="work_away", materials_completed_on=date(2026, 3, 1))
    request = rules.FilingRequest("long_term", SANYA, TODAY, pledge=True, place_role="household")
    planned = rules.check_new_filing(request, Person(), [done], JILIN, TODAY)
    assert planned.place_role == "household"


def test_no_pledge_ever_after_a_lapsed_one():
    lapsed = Row(
        pledge=True,
        proof=None,
        valid_from=date(2026, 1, 1),
        materials_due=date(2026, 7, 1),
        valid_to=date(2026, 7, 1),
    )
    assert rules.state(lapsed, JILIN, TODAY) == "lapsed"
    assert rules.lapses_now(lapsed, JILIN, TODAY)
    request = rules.FilingRequest("referral", BEIJING, TODAY, pledge=True)
    violation = refused(
        "no_pledge_after_lapse", rules.check_new_filing, request, Person(), [lapsed], JILIN, TODAY
    )
    assert "第六条（二）" in violation.citation
    marked = replace(lapsed, **rules.lapse_values(lapsed))  # type: ignore[arg-type]
    refused("no_pledge_after_lapse", rules.check_new_filing, request, Person(), [marked], JILIN, TODAY)
    # a filing with the proof is still possible
    ok = rules.FilingRequest("referral", BEIJING, TODAY, proof="referral_certificate")
    assert rules.check_new_filing(ok, Person(), [marked], JILIN, TODAY).valid_to == date(2026, 12, 31)


def test_open_pledge_is_locked_against_change_but_can_be_cancelled():
    open_pledge = Row(pledge=True, proof=None, materials_due=date(2027, 1, 10), valid_to=date(2027, 1, 10))
    violation = refused(
        "pledge_locked", rules.check_change, open_pledge, SANYA, Person(), [open_pledge], JILIN, TODAY
    )
    assert violation.citation == "吉医保规〔2023〕4号 第六条（一）"
    assert rules.check_cancel(open_pledge, JILIN, TODAY)["status"] == "ended"


def test_change_of_an_ordinary_filing_gives_new_place():
    row = Row()
    values = rules.check_change(row, SANYA, Person(), [row], JILIN, TODAY)
    assert values["destination_code"] == "460200"
    refused("duplicate_filing", rules.check_change, row, BEIJING, Person(), [row], JILIN, TODAY)


def test_completing_materials_turns_a_pledge_into_an_ordinary_filing():
    open_pledge = Row(pledge=True, proof=None, materials_due=date(2027, 1, 10), valid_to=date(2027, 1, 10))
    values = rules.check_complete_materials(open_pledge, JILIN, TODAY, "resettlement")
    assert values["valid_to"] is None and values["materials_completed_on"] == TODAY


def test_pledge_only_for_long_term_and_referral():
    request = rules.FilingRequest("childbirth", BEIJING, TODAY, pledge=True)
    assert (
        "第六条"
        in refused("pledge_kinds", rules.check_new_filing, request, Person(), [], JILIN, TODAY).citation
    )


def test_two_places_one_per_role():
    home = Row(place_role="household", destination_code="460200")
    work = Row(id=8, place_role="residence", destination_code="110000")
    request = rules.FilingRequest(
        "long_term",
        Place("310000", "上海市", "上海市", "city", True),
        TODAY,
        proof="work_away",
        place_role="residence",
    )
    refused("two_places", rules.check_new_filing, request, Person(), [work], JILIN, TODAY)
    refused("two_places", rules.check_new_filing, request, Person(), [home, work], JILIN, TODAY)
    second = replace(request, place_role="household")
    assert rules.check_new_filing(second, Person(), [work], JILIN, TODAY).place_role == "household"


def test_duplicate_filing_to_the_same_place_is_refused():
    request = rules.FilingRequest("long_term", BEIJING, TODAY, proof="work_away", place_role="household")
    refused("duplicate_filing", rules.check_new_filing, request, Person(), [Row()], JILIN, TODAY)


def test_destination_must_be_elsewhere_and_at_the_right_level():
    request = rules.FilingRequest("long_term", CHANGCHUN, TODAY, proof="work_away", place_role="residence")
    assert (
        "第十二条"
        in refused("not_remote", rules.check_new_filing, request, Person(), [], JILIN, TODAY).citation
    )
    bad = replace(request, destination=Place("110105", "北京市朝阳区", "北京市", "county", True))
    refused("granularity", rules.check_new_filing, bad, Person(), [], JILIN, TODAY)
    assert rules.expected_level(SANYA) == "province"
    assert rules.expected_level(BEIJING) == "city"
    assert rules.expected_level(JILIN_CITY) == "pooling_region"


def test_only_active_insurance_files():
    request = rules.FilingRequest("long_term", BEIJING, TODAY, proof="work_away", place_role="residence")
    refused(
        "insured_active",
        rules.check_new_filing,
        request,
        Person(insurance_status="suspended"),
        [],
        JILIN,
        TODAY,
    )


def test_retroactive_filing_needs_materials_and_a_start_after_insurance_began():
    past = date(2026, 10, 1)
    request = rules.FilingRequest("referral", BEIJING, past, proof="referral_certificate")
    assert rules.check_new_filing(request, Person(), [], JILIN, TODAY).retroactive
    refused(
        "retroactive_needs_materials",
        rules.check_new_filing,
        replace(request, pledge=True, proof=None),
        Person(),
        [],
        JILIN,
        TODAY,
    )
    refused(
        "start_after_insured",
        rules.check_new_filing,
        request,
        Person(insured_since=date(2026, 11, 1)),
        [],
        JILIN,
        TODAY,
    )


def test_proof_is_required_without_a_pledge():
    request = rules.FilingRequest("long_term", BEIJING, TODAY, place_role="residence")
    refused("proof_required", rules.check_new_filing, request, Person(), [], JILIN, TODAY)


def test_change_of_insured_region_or_scheme_ends_filings():
    row = Row()
    assert rules.registry_change_ends(row, Person(scheme="resident"), JILIN) == "scheme"
    assert rules.registry_change_ends(row, Person(region="dezhou"), JILIN) == "region"
    assert rules.registry_change_ends(row, Person(), JILIN) is None
    assert rules.ended_by_registry_values("scheme", TODAY)["end_reason"] == "scheme_changed"
    assert JILIN.rules["registry_change_ends"] == "吉医保规〔2023〕4号 第十四条"


def test_a_stay_admitted_before_the_filing_ended_still_settles():
    ended = Row(status="ended", ended_on=date(2026, 11, 1), valid_from=date(2026, 6, 1))
    assert rules.settles_directly(ended, date(2026, 10, 30), JILIN)
    assert rules.settles_directly(ended, date(2026, 11, 1), JILIN)
    assert not rules.settles_directly(ended, date(2026, 11, 2), JILIN)
    assert not rules.settles_directly(ended, date(2026, 5, 31), JILIN)
    referral = Row(kind="referral", valid_from=date(2026, 3, 1), valid_to=date(2026, 12, 31))
    assert rules.settles_directly(referral, date(2026, 12, 31))
    lapsed = Row(pledge=True, proof=None, materials_due=date(2026, 7, 1), valid_to=date(2026, 7, 1))
    assert rules.settles_directly(lapsed, date(2026, 6, 30), JILIN)
    assert not rules.settles_directly(lapsed, date(2026, 7, 2), JILIN)


def test_dezhou_long_term_is_a_pledge_valid_until_changed_one_at_a_time():
    person = Person(region="dezhou", pooling_region="371400")
    request = rules.FilingRequest("long_term", BEIJING, TODAY, pledge=True)
    planned = rules.check_new_filing(request, person, [], DEZHOU, TODAY)
    assert planned.valid_to is None and planned.materials_due is None
    refused(
        "pledge_required", rules.check_new_filing, replace(request, pledge=False), person, [], DEZHOU, TODAY
    )
    existing = Row(region="dezhou", pledge=True, proof=None, place_role=None)
    other = replace(request, destination=SANYA)
    assert (
        "三（一）"
        in refused("one_long_term", rules.check_new_filing, other, person, [existing], DEZHOU, TODAY).citation
    )
    refused("one_long_term", rules.check_change, existing, SANYA, person, [existing], DEZHOU, TODAY)


def test_dezhou_in_province_temporary_needs_no_filing():
    person = Person(region="dezhou", pooling_region="371400")
    request = rules.FilingRequest("temporary", JINAN, TODAY)
    violation = refused(
        "in_province_temporary_no_filing", rules.check_new_filing, request, person, [], DEZHOU, TODAY
    )
    assert violation.citation == "德医保发〔2021〕57号 二（四）"
    assert (
        rules.check_new_filing(replace(request, destination=BEIJING), person, [], DEZHOU, TODAY).kind
        == "temporary"
    )


def test_dezhou_has_no_retroactive_filing():
    person = Person(region="dezhou", pooling_region="371400")
    request = rules.FilingRequest("temporary", BEIJING, date(2026, 11, 1))
    refused("retroactive_not_provided", rules.check_new_filing, request, person, [], DEZHOU, TODAY)


def test_dezhou_early_change_back_needs_proof():
    young = Row(region="dezhou", pledge=True, proof=None, place_role=None, valid_from=date(2026, 9, 1))
    violation = refused("early_change_needs_proof", rules.check_cancel, young, DEZHOU, TODAY, "none")
    assert violation.citation == "德医保发〔2021〕57号 三（一）"
    assert rules.check_cancel(young, DEZHOU, TODAY, "residence_permit")["status"] == "ended"
    old = replace(young, valid_from=date(2026, 1, 1))
    assert rules.check_cancel(old, DEZHOU, TODAY)["end_reason"] == "cancelled"


def test_nothing_to_cancel_once_ended():
    refused("nothing_to_change", rules.check_cancel, Row(status="ended", ended_on=TODAY), JILIN, TODAY)


def test_every_rule_has_a_citation_of_its_own_region():
    for policy, prefixes in ((JILIN, ("吉医保", "吉林省")), (DEZHOU, ("德医保",))):
        for rule, citation in policy.rules.items():
            assert citation.startswith(prefixes), (rule, citation)


def test_dezhou_home_treatment_in_the_first_six_months_counts_as_temporary():
    filing = Row(region="dezhou", pledge=True, proof=None, place_role=None, valid_from=date(2026, 9, 1))
    assert rules.home_treatment_as_temporary(filing, DEZHOU, date(2026, 11, 22))
    assert not rules.home_treatment_as_temporary(filing, DEZHOU, date(2027, 3, 1))
    assert not rules.home_treatment_as_temporary(filing, JILIN, date(2026, 11, 22))
