"""The 办事材料 flow: pick a case by number or words; items, alternatives, generated forms, citations."""

from __future__ import annotations

from flows.materials import match_case
from tests.flows.transcript import Chat, fixture_guide_engine, text_of  # noqa: F401 - module-scoped fixture


def _start(guide_engine, region):
    chat = Chat(guide_engine, region)
    reply = chat.say("办事材料")
    assert reply.intent == "flow:materials"
    return chat, text_of(reply)


def test_dezhou_cases_listed_then_picked_by_number(guide_engine):
    chat, prompt = _start(guide_engine, "dezhou")
    for case in guide_engine.content.pack("dezhou").catalogue.cases:
        assert case.title in prompt
    reply = chat.say("2")
    text = text_of(reply)
    assert reply.intent == "materials:temporary_outside_filing"
    assert "2. 办理渠道（任选其一）" in text
    assert "德医保发〔2021〕57号 二（二）" in text


def test_free_text_picks_the_case(guide_engine):
    chat, _ = _start(guide_engine, "dezhou")
    reply = chat.say("报销要带什么")
    assert reply.intent == "materials:manual_reimbursement"
    assert "德州市" in text_of(reply)


def test_jilin_generated_form_is_marked_and_alternatives_shown(guide_engine):
    chat, _ = _start(guide_engine, "jilin")
    reply = chat.say("长期异地备案要啥")
    assert reply.intent == "materials:long_term_filing"
    text = text_of(reply)
    assert "《吉林省医疗保险异地就医登记备案表》（系统自动生成" in text
    assert "身份凭证（任选其一）" in text
    assert "吉医保规〔2023〕4号 第三条" in text


def test_unknown_case_is_asked_again(guide_engine):
    chat, _ = _start(guide_engine, "dezhou")
    reply = chat.say("99")
    assert "没有找到对应的事项" in text_of(reply)
    assert chat.say("1").intent == "materials:long_term_residence_filing"


def test_match_case_needs_a_distinctive_word(guide_engine):
    cases = guide_engine.content.pack("dezhou").catalogue.cases
    assert match_case("变更回参保地", cases).id == "change_back_to_home"
    assert match_case("你好", cases) is None


def test_synonyms_and_rare_words_pick_jilin_cases(guide_engine):
    from flows.materials import load_synonyms
    from tests.conftest import CONTENT

    cases = guide_engine.content.pack("jilin").catalogue.cases
    synonyms = load_synonyms(CONTENT / "synonyms.yaml")
    assert match_case("去外地生孩子要带啥", cases, synonyms).id == "childbirth_filing"
    assert match_case("转诊要什么材料", cases, synonyms).id == "referral_filing"
    assert match_case("外伤", cases, synonyms).id == "trauma_no_third_party"
    assert match_case("备案要什么", cases, synonyms) is None  # too general: the list is shown again
