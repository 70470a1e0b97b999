"""The policy parsers refuse bad data, naming file and line; lookups never carry old values forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from settlement_test_support import pack_texts

from settlement import (
    ParameterNotInForce,
    PolicyLoadError,
    parse_parameters,
    parse_region_policy,
    parse_rules,
)
from settlement.deadlines import parse_deadlines

SOURCE = "regions/jilin/policy/parameters.yaml"
JILIN_DOCS = (
    "吉医保规〔2023〕4号",
    "吉医保发〔2019〕34号",
    "吉林省优化五类医保服务20条便民举措",
    "吉医保联〔2020〕16号",
)
DEMO_085 = "- {effective_from: 2025-01-01, value: 0.85, source: demo, verified: false}"


def parameters_text() -> str:
    return pack_texts("jilin")[SOURCE]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def refused(text: str) -> PolicyLoadError:
    with pytest.raises(PolicyLoadError) as caught:
        parse_parameters(text, SOURCE, JILIN_DOCS)
    assert caught.value.source == SOURCE
    assert str(caught.value).startswith(f"{SOURCE}:")
    return caught.value


def test_shipped_parameters_parse() -> None:
    parsed = parse_parameters(parameters_text(), SOURCE, JILIN_DOCS)
    assert set(parsed.services) == {
        (s, v) for s in ("employee", "resident") for v in ("inpatient", "outpatient_pooling")
    }


def test_overlapping_periods_are_refused() -> None:
    later = "- {effective_from: 2025-06-01, value: 0.80, source: demo, verified: false}"
    text = parameters_text().replace(DEMO_085, f"{DEMO_085}\n            {later}", 1)
    error = refused(text)
    assert error.line == line_of(text, later)
    assert "overlaps" in error.message


def test_closed_period_followed_by_a_new_one_parses_and_gaps_fail_loudly() -> None:
    closed = (
        "- {effective_from: 2025-01-01, effective_to: 2025-06-30, value: 0.85, source: demo, verified: false}"
    )
    later = "- {effective_from: 2025-08-01, value: 0.80, source: demo, verified: false}"
    text = parameters_text().replace(DEMO_085, f"{closed}\n            {later}", 1)
    ratio = parse_parameters(text, SOURCE, JILIN_DOCS).services[("resident", "inpatient")].ratio[1]
    assert ratio.at(dt.date(2025, 6, 30)).value == Decimal("0.85")
    assert ratio.at(dt.date(2025, 8, 1)).value == Decimal("0.80")
    with pytest.raises(ParameterNotInForce):
        ratio.at(dt.date(2025, 7, 15))  # never the June value carried forward
    with pytest.raises(ParameterNotInForce):
        ratio.at(dt.date(2024, 12, 31))


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_ratio_outside_0_to_1_is_refused(value: str) -> None:
    bad = DEMO_085.replace("0.85", value)
    text = parameters_text().replace(DEMO_085, bad, 1)
    error = refused(text)
    assert error.line == line_of(text, bad)
    assert "between 0 and 1" in error.message


def test_negative_amount_is_refused() -> None:
    text = parameters_text().replace("value: 200,", "value: -200,", 1)
    assert "negative" in refused(text).message


def test_gap_in_the_level_grid_is_refused() -> None:
    text = parameters_text()
    start = text.index("          3:\n", text.index("ratio:"))
    end = text.index("\n", text.index("\n", start + 1) + 1)
    text = text[:start] + text[end + 1 :]
    error = refused(text)
    assert "lacks the key 3" in error.message


def test_missing_service_is_refused() -> None:
    text = parameters_text().replace("outpatient_pooling:", "outpatient_pool:", 1)
    error = refused(text)
    assert error.line == line_of(text, "outpatient_pool:")
    assert "unknown key 'outpatient_pool'" in error.message


def test_unknown_key_in_a_value_is_refused() -> None:
    typo = DEMO_085.replace("verified: false", "verifed: false")
    text = parameters_text().replace(DEMO_085, typo, 1)
    error = refused(text)
    assert error.line == line_of(text, typo)
    assert "unknown key 'verifed'" in error.message


@pytest.mark.parametrize(
    ("replacement", "words"),
    [
        ("- {value: 0.85, source: demo, verified: false}", "lacks the key 'effective_from'"),
        ("- {effective_from: soon, value: 0.85, source: demo, verified: false}", "must be a date"),
        ("- {effective_from: null, value: 0.85, source: demo, verified: false}", "lacks a date"),
    ],
)
def test_missing_or_bad_date_is_refused(replacement: str, words: str) -> None:
    text = parameters_text().replace(DEMO_085, replacement, 1)
    error = refused(text)
    assert error.line == line_of(text, replacement)
    assert words in error.message


def test_end_before_start_is_refused() -> None:
    bad = (
        "- {effective_from: 2025-01-01, effective_to: 2024-12-31, value: 0.85, source: demo, verified: false}"
    )
    assert "effective_to is before" in refused(parameters_text().replace(DEMO_085, bad, 1)).message


def test_demo_value_cannot_be_verified() -> None:
    text = parameters_text().replace(DEMO_085, DEMO_085.replace("verified: false", "verified: true"), 1)
    assert "demo value cannot be verified" in refused(text).message


def test_source_must_be_a_citation_of_this_region() -> None:
    foreign = DEMO_085.replace(
        "source: demo, verified: false", "source: 德医保发〔2021〕57号 三（二）, verified: true"
    )
    assert "outside this region pack" in refused(parameters_text().replace(DEMO_085, foreign, 1)).message
    loose = DEMO_085.replace("source: demo", "source: 吉医保规〔2023〕4号第十五条")
    assert "one ASCII space" in refused(parameters_text().replace(DEMO_085, loose, 1)).message


def test_duplicate_key_and_broken_yaml_name_the_line() -> None:
    text = parameters_text().replace("region: jilin\n", "region: jilin\nregion: dezhou\n", 1)
    error = refused(text)
    assert error.line == line_of(text, "region: dezhou")
    assert "duplicate key" in error.message
    assert refused("schemes: [unclosed\n").line is not None


def rules_text() -> str:
    return pack_texts("jilin")["regions/jilin/policy/rules.yaml"]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("effect: set_ratio", "effect: halve_ratio", "effect must be one of"),
        ("when: {category: [unfiled]}", "when: {category: [abroad]}", "not a known category"),
        ("when: {category: [unfiled]}", "when: {colour: [red]}", "unknown key 'colour'"),
        ("value: 0.20", "value: 20", "between 0 and 1"),
        (
            "citation: 吉医保发〔2019〕34号 第三项",
            "citation: 德医保发〔2021〕57号 三（二）",
            "outside this region",
        ),
        ("settle_as: inpatient", "settle_as: outpatient", "settle_as must be one of"),
    ],
)
def test_rules_are_checked(old: str, new: str, words: str) -> None:
    text = rules_text().replace(old, new, 1)
    with pytest.raises(PolicyLoadError) as caught:
        parse_rules(text, "rules.yaml")
    assert words in caught.value.message
    assert caught.value.line == line_of(text, new)


def test_verified_procedure_needs_a_citation() -> None:
    text = rules_text().replace("citation: 吉林省优化五类医保服务20条便民举措 第7条", "citation: null", 1)
    with pytest.raises(PolicyLoadError, match="needs a citation"):
        parse_rules(text, "rules.yaml")


def test_deadlines_are_checked() -> None:
    text = pack_texts("jilin")["regions/jilin/policy/deadlines.yaml"]
    with pytest.raises(PolicyLoadError, match="unknown key 'handling'"):
        parse_deadlines(text.replace("  processing:", "  handling:"), "deadlines.yaml", JILIN_DOCS)
    start = text.index("  processing:")
    without = text[:start] + text[text.index("  insurance_transfer:") :]
    with pytest.raises(PolicyLoadError, match="lacks the key 'processing'"):
        parse_deadlines(without, "deadlines.yaml", JILIN_DOCS)
    with pytest.raises(PolicyLoadError, match="kind must be one of"):
        parse_deadlines(text.replace("kind: working_days", "kind: soon"), "deadlines.yaml", JILIN_DOCS)
    with pytest.raises(PolicyLoadError, match="versions overlap"):
        parse_deadlines(text.replace("      effective_to: 2023-08-13\n", ""), "deadlines.yaml", JILIN_DOCS)


def test_pack_files_must_agree_on_the_region_and_be_complete() -> None:
    texts = pack_texts("jilin")
    with pytest.raises(PolicyLoadError, match="region is 'jilin' but the pack is 'dezhou'"):
        parse_region_policy("dezhou", texts)
    del texts["regions/jilin/policy/deadlines.yaml"]
    with pytest.raises(PolicyLoadError, match="lacks this file"):
        parse_region_policy("jilin", texts)
    with pytest.raises(PolicyLoadError, match="not a policy file"):
        parse_region_policy("jilin", {**pack_texts("jilin"), "regions/jilin/policy/extra.yaml": "a: 1"})
