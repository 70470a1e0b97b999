"""The 哪些医院能直接结算 flow and the institutions lists of the region packs (demo data, clearly marked)."""

from __future__ import annotations

import pytest

from flows.destinations import load_places
from flows.institutions import InstitutionsError, load_institutions, parse_institutions
from tests.conftest import CONTENT
from tests.flows.transcript import Chat, fixture_guide_engine, text_of  # noqa: F401 - module-scoped fixture


def test_jilin_city_hospitals_listed_by_grade_with_demo_notice_and_more_hint(guide_engine):
    chat = Chat(guide_engine, "jilin")
    assert chat.say("能直接结算的医院").intent == "flow:institutions"
    assert "1. 医院" in text_of(chat.say("长春"))
    reply = chat.say("1")
    text = text_of(reply)
    assert reply.intent == "institutions:hospital:9"
    assert text.startswith("【演示数据】")
    lines = [line for line in text.splitlines() if line[:2] in {f"{n}." for n in range(1, 10)}]
    assert len(lines) == 8
    assert "（三级）" in lines[0] and "（一级）" in lines[-1]
    assert "还有 1 家没有列出" in text


def test_province_level_place_and_pharmacies(guide_engine):
    chat = Chat(guide_engine, "dezhou")
    chat.say("能直接结算的医院")
    chat.say("去三亚")
    reply = chat.say("定点药店")
    assert reply.intent == "institutions:pharmacy:1"
    assert "【演示】海口市示例药房" in text_of(reply)


def test_no_entries_for_a_known_city(guide_engine):
    chat = Chat(guide_engine, "dezhou")
    chat.run("能直接结算的医院", "拉萨")
    reply = chat.say("4")
    assert reply.intent == "institutions:dual_channel:0"
    assert "暂时没有西藏自治区的双通道药品定点机构名单" in text_of(reply)


def test_unknown_city_is_asked_again(guide_engine):
    chat = Chat(guide_engine, "jilin")
    chat.say("能直接结算的医院")
    assert "没认出这个城市" in text_of(chat.say("月球"))


@pytest.mark.parametrize("region", ["jilin", "dezhou"])
def test_shipped_lists_are_valid_demo_data_with_known_places(region):
    listing = load_institutions(CONTENT / "regions" / region / "institutions.yaml")
    assert listing is not None and listing.demo
    places = load_places()
    for institution in listing.institutions:
        assert institution.demo and institution.name.startswith("【演示】")
        assert places.by_code(institution.city, region) is not None, institution.id


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "x", "name": "n", "city": "110000", "kinds": ["hospital"], "level": 4},
        {"id": "x", "name": "n", "city": "110000", "kinds": ["spa"]},
        {"id": "x", "name": "n", "kinds": ["hospital"]},
        {"id": "x", "name": "n", "city": "110000", "kinds": ["hospital"], "beds": 3},
    ],
)
def test_invalid_entries_are_refused(entry):
    data = {"kinds": [{"value": "hospital", "label": "医院"}], "institutions": [entry]}
    with pytest.raises(InstitutionsError):
        parse_institutions(data, "test")
