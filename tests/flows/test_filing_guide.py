"""The 要不要备案 guide, by transcripts through the guide_engine, for the Jilin and Dezhou rule sets."""

from __future__ import annotations

import pytest

from flows.filing_guide import decide
from tests.flows.transcript import Chat, fixture_guide_engine, text_of  # noqa: F401 - module-scoped fixture

START = "备案向导"


def _guide(guide_engine, region, *answers):
    chat = Chat(guide_engine, region)
    first = chat.say(START)
    assert first.intent == "flow:filing_guide"
    assert "去哪里看病" in text_of(first)
    return chat.run(*answers)


def test_jilin_in_province_outpatient_needs_no_filing(guide_engine):
    reply = _guide(guide_engine, "jilin", "长春", "否", "否")
    assert reply.intent == "filing_guide:in_province_outpatient"
    text = text_of(reply)
    assert "不用备案" in text
    assert "吉林省优化五类医保服务20条便民举措 第5条" in text
    assert "办理备案" not in text


def test_jilin_in_province_inpatient_may_file_before_discharge(guide_engine):
    reply = _guide(guide_engine, "jilin", "去延吉住院", "2", "1", "2", "十天")
    assert reply.intent == "filing_guide:in_province_inpatient"
    text = text_of(reply)
    assert "出院结算前办好" in text
    assert "吉林省优化五类医保服务20条便民举措 第6条" in text
    assert "延边朝鲜族自治州（省内备案到统筹区）" in text


def test_jilin_emergency_counts_as_filed(guide_engine):
    reply = _guide(guide_engine, "jilin", "北京", "是")
    assert reply.intent == "filing_guide:emergency"
    text = text_of(reply)
    assert "视同已备案" in text
    for citation in ("吉医保规〔2023〕4号 第五条", "吉医保规〔2023〕4号 第二十六条", "20条便民举措 第7条"):
        assert citation in text


def test_jilin_referral_lists_referral_materials_and_offers_filing(guide_engine):
    reply = _guide(guide_engine, "jilin", "在北京协和医院看病", "否", "是")
    assert reply.intent == "filing_guide:referral"
    text = text_of(reply)
    assert "转诊转院备案" in text
    assert "北京市（跨省备案到地级市或直辖市" in text
    assert "吉医保规〔2023〕4号 第四条" in text
    assert reply.messages[-1].choices[0].value == "flow:filing"


def test_jilin_long_term_mentions_pledge_and_lists_materials(guide_engine):
    reply = _guide(guide_engine, "jilin", "去三亚住半年", "否", "否")  # the stay was said with the place
    assert reply.intent == "filing_guide:long_term"
    text = text_of(reply)
    assert "海南省（海南、西藏、新疆生产建设兵团备案到省一级）" in text
    assert "《吉林省医疗保险异地就医备案个人承诺书》" in text
    assert "吉医保规〔2023〕4号 第六条" in text
    assert "（任选其一）" in text  # the materials catalogue's alternatives


def test_jilin_short_trip_elsewhere_explains_article_seven(guide_engine):
    reply = _guide(guide_engine, "jilin", "外省", "否", "否", "两周")
    assert reply.intent == "filing_guide:short_stay"
    assert "吉医保规〔2023〕4号 第七条" in text_of(reply)


def test_dezhou_in_province_temporary_needs_no_filing(guide_engine):
    reply = _guide(guide_engine, "dezhou", "去济南齐鲁医院", "三个月")
    assert reply.intent == "filing_guide:in_province_temporary"
    text = text_of(reply)
    assert "不用备案" in text and "德医保发〔2021〕57号 二（四）" in text


def test_dezhou_cross_province_temporary_filing_without_proofs(guide_engine):
    reply = _guide(guide_engine, "dezhou", "北京", "十天")
    assert reply.intent == "filing_guide:temporary"
    text = text_of(reply)
    assert "临时外出就医备案" in text and "德医保发〔2021〕57号 二（二）" in text
    assert "【临时外出就医人员备案】" in text


def test_dezhou_stay_said_with_the_place_is_not_asked_again(guide_engine):
    reply = _guide(guide_engine, "dezhou", "去三亚住半年")
    assert reply.intent == "filing_guide:long_term"


def test_dezhou_six_months_is_long_term_residence_by_pledge(guide_engine):
    reply = _guide(guide_engine, "dezhou", "去三亚", "半年")
    assert reply.intent == "filing_guide:long_term"
    text = text_of(reply)
    assert "异地长期居住人员" in text and "德医保发〔2021〕57号 二（三）" in text
    assert "吉医保" not in text  # never mix the region packs


def test_dezhou_home_city_is_not_remote(guide_engine):
    reply = _guide(guide_engine, "dezhou", "我在齐河")
    assert reply.intent == "filing_guide:home"


def test_unknown_place_and_duration_are_asked_again(guide_engine):
    chat = Chat(guide_engine, "dezhou")
    chat.say(START)
    reply = chat.say("火星")
    assert "没认出这个地方" in text_of(reply)
    reply = chat.say("北京")
    assert "待多久" in text_of(reply)
    reply = chat.say("不好说")
    assert "没看懂时间长短" in text_of(reply)
    assert chat.say("长期").intent == "filing_guide:long_term"


@pytest.mark.parametrize(
    ("rules", "slots", "verdict"),
    [
        ("jilin", {"place": {"cross_province": False}, "emergency": True}, "emergency"),
        (
            "jilin",
            {
                "place": {"cross_province": True},
                "emergency": False,
                "referral": False,
                "months": {"months": None, "open_ended": True},
            },
            "long_term",
        ),
        (
            "jilin",
            {
                "place": {"cross_province": True},
                "emergency": False,
                "referral": False,
                "months": {"months": 5.5, "open_ended": False},
            },
            "short_stay",
        ),
        (
            "dezhou",
            {"place": {"cross_province": False, "home": False}, "months": {"months": 6, "open_ended": False}},
            "long_term",
        ),
    ],
)
def test_decide(rules, slots, verdict):
    assert decide(rules, slots, 6) == verdict
