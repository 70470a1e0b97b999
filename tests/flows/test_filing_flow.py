"""Whole filing and status conversations through the engine (web channel, fixed clock 2026-11-22)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session

from bot.registry import EmbeddedRegistry
from bot.store import filings, people
from tests.conftest import unique_user
from tests.flows.filing_support import Chat, bind, demo, fresh_person, seed
from tests.flows.transcript import Pick, module_engine


def _filings(engine, person_id):
    with Session(engine.db) as session:
        return list(filings.filings_of(session, person_id))


def _person_id(engine, user):
    with Session(engine.db) as session:
        return people.find_by_id_number(session, engine.cipher, demo(user).id_number).id


def _file(chat: Chat, *answers: str) -> str:
    """Start 我要办备案 and give `answers` in turn; the last reply's text."""
    out = chat.say("我要办备案")
    for text in answers:
        out = chat.say(_option(chat, text) if isinstance(text, Pick) else text)
    return out


def _option(chat: Chat, label_part: str) -> str:
    labels = chat.choices()
    return str(next(i for i, label in enumerate(labels, 1) if label_part in label))


@pytest.fixture(scope="module")
def engine(db, database_url):
    return module_engine(db, database_url)


def test_unbound_person_binds_first_then_files(engine):
    seed(engine)
    from bot.sms import RecordingSms

    sms = RecordingSms()
    engine.services.sms = sms
    person = demo("demo3")
    chat = Chat(engine)
    assert "先绑定身份" in chat.say("我要办备案")
    chat.say(person.name)
    chat.say(person.id_number)
    chat.say(person.phone)
    answer = chat.say(sms.sent[-1][1])
    assert "绑定成功" in answer and "你要办理哪一项" in answer


def test_an_sms_gateway_failure_is_a_clear_answer_and_binds_nothing(engine):
    seed(engine)
    from bot.sms import HttpSmsGateway, RecordingSms

    engine.services.sms = HttpSmsGateway("http://127.0.0.1:9/sms", "t", timeout=1)
    try:
        person = demo("demo3")
        chat = Chat(engine)
        chat.say("我要办备案")
        chat.say(person.name)
        chat.say(person.id_number)
        assert "短信暂时发不出去" in chat.say(person.phone)
    finally:
        engine.services.sms = RecordingSms()


def test_long_term_filing_with_proof_then_cancel_then_refile(engine):
    chat = bind(engine, demo("demo3"))
    pid = _person_id(engine, "demo3")
    before = len(_filings(engine, pid))
    # "在北京工作" names the place and the proof (work away), and so the place's role (where one works)
    done = _file(chat, Pick("长期异地"), "在北京工作", "2026-12-01", "是")
    assert "备案已办理" in done and "北京市" in done and "2026年12月1日起长期有效" in done
    assert "异地工作证明材料" in done and "异地安置认定材料" not in done
    assert chat.intent == "filing:long_term"
    rows = _filings(engine, pid)
    assert len(rows) == before + 1
    filing = rows[-1]
    assert (filing.kind, filing.proof, filing.place_role, filing.destination_code) == (
        "long_term",
        "work_away",
        "residence",
        "110000",
    )
    # filing the same place again is refused with the rule and its citation
    refused = _file(chat, Pick("长期异地"), "北京", "今天", Pick("异地工作"), "是")
    assert "不需要重复办理" in refused and "依据：吉林省优化五类医保服务20条便民举措 第4条" in refused
    # cancel, then file again
    cancelled = _file(chat, Pick("撤销"), Pick("北京市"), "是")
    assert "已撤销" in cancelled and "第十三条" in cancelled
    with Session(engine.db) as session:
        events = filings.events_of(session, filing.id)
        assert [e.action for e in events] == ["created", "cancelled"]
        assert events[1].before["status"] == "active" and events[1].after["status"] == "ended"
        assert events[1].actor == f"person:{pid}" and events[1].channel == "web"
    _file(chat, Pick("长期异地"), "北京，是户籍地", "今天", Pick("异地工作"))
    assert "备案已办理" in chat.say("是")


def test_childbirth_referral_and_retroactive_filings(engine):
    chat = bind(engine, demo("demo3"))
    done = _file(chat, Pick("生育"), "上海", "今天", Pick("母子健康手册"), "是")
    assert "备案已办理" in done and "以经办机构核定为准" in done and "母子健康手册" in done

    done = _file(chat, Pick("转诊"), "去吉林市住院", "今天", Pick("转诊转院证明"), "是")
    assert "2026年11月22日 至 2026年12月31日" in done and "吉医保发〔2019〕34号 第十二项" in done

    _file(chat, Pick("补办"), Pick("转诊"), "天津")
    assert "早于今天" not in chat.say("2026-10-08")
    chat.say(_option(chat, "转诊转院证明"))
    done = chat.say("是")
    assert "补办备案已提交" in done and "2026年10月8日 至 2026年12月31日" in done
    assert chat.intent == "filing:referral"


def test_start_date_checks(engine):
    chat = bind(engine, demo("demo3"))
    _file(chat, Pick("生育"), "上海")
    assert "补办备案" in chat.say("2026-11-01")
    assert "没看懂这个日期" in chat.say("下下周吧")
    assert "太远" in chat.say("2030-01-01")


def test_own_pooling_region_is_not_remote(engine):
    chat = bind(engine, demo("demo3"))
    answer = _file(chat, Pick("生育"), "长春")
    assert "不属于异地就医" in answer and "吉医保规〔2023〕4号 第十二条" in answer


def test_a_second_pledge_is_refused_with_its_rule(engine):
    chat = bind(engine, demo("demo1"))  # has an open pledge due in 6 days
    chat.say("我要办备案")
    refused = chat.say(_option(chat, "承诺制"))
    assert "同一时间只能有一条有效的承诺制备案" in refused
    assert "依据：吉医保规〔2023〕4号 第六条（二）" in refused
    # also when chosen as "no proof yet" on an ordinary filing
    refused = _file(chat, Pick("转诊"), "北京", "今天", Pick("承诺制"))
    assert "第六条（二）" in refused


def test_a_refused_request_keeps_its_place_for_the_ordinary_filing(engine):
    chat = bind(engine, demo("demo1"))  # an open pledge: a second one is refused
    refused = chat.say("再给俺办一个哈尔滨的备案 那是俺户籍地 材料先不交 承诺行不")
    assert "第六条（二）" in refused
    again = chat.say("户口本首页俺找着了 那就按正常的办")
    assert "哈尔滨市" in again and "去哪里就医" not in again
    summary = chat.say("12月10号开始")
    assert "哈尔滨市" in summary and "户籍地" in summary and "异地安置" in summary
    chat.say("否")


def test_the_facts_of_a_question_carry_into_the_request_that_follows(engine):
    chat = bind(engine, demo("demo3"))
    chat.say("上个月在北京协和住的院 走之前吉大一院给开了转诊 当时忘备案了 现在出院了还能补不")
    started = chat.say("那就给俺补办上 转诊证明在呢")
    assert "北京市" in started and "去哪里就医" not in started
    summary = chat.say("11月3号住进去的")
    assert "转诊转院备案" in summary and "2026年11月3日" in summary
    assert "没有提交" in chat.say("否")


def test_a_pledge_text_is_not_sent_twice_and_saying_the_choice_again_is_no_error(engine):
    chat = bind(engine, demo("demo3"))
    chat.say("俺想去海南过冬 办个长期备案 可俺啥材料都没有 咋整")
    again = chat.say("那就先承诺 材料回头俺再补")
    assert "没看懂" not in again and "从哪天开始" in again
    assert "承诺书" in chat.say("下周一开始")
    reminder = chat.say("对 确认")
    assert "我承诺" in reminder and "本人所述信息真实" not in reminder
    left = chat.say("那算了 先不弄了")
    assert "已取消" in left
    assert "没有需要继续的事项" in chat.say("继续")


def test_open_pledge_cannot_be_changed(engine):
    chat = bind(engine, demo("demo1"))
    refused = _file(chat, Pick("变更"), Pick("海南省"))
    assert "不能变更备案信息" in refused and "吉医保规〔2023〕4号 第六条（一）" in refused


def test_no_pledge_after_a_lapsed_one(engine):
    chat = bind(engine, demo("demo2"))
    chat.say("我要办备案")
    refused = chat.say(_option(chat, "承诺制"))
    assert "不能再申请承诺制备案" in refused and "第六条（二）" in refused


def test_change_of_an_ordinary_filing_is_recorded(engine):
    chat = bind(engine, demo("demo3"))
    pid = _person_id(engine, "demo3")
    _file(chat, Pick("转诊"), "沈阳", "今天", Pick("转诊转院证明"), "是")
    _file(chat, Pick("变更"), Pick("沈阳"), "大连")
    assert "沈阳" in chat.say("是") and chat.intent == "filing:changed"
    filing = [f for f in _filings(engine, pid) if f.destination_name.startswith("大连")][-1]
    with Session(engine.db) as session:
        change = filings.events_of(session, filing.id)[-1]
    assert change.before["destination_name"].startswith("沈阳") and change.after[
        "destination_name"
    ].startswith("大连")


def test_dezhou_temporary_filing_and_in_province_refusal(engine):
    chat = bind(engine, demo("demo5"))
    refused = _file(chat, Pick("临时外出"), "去济南看病")
    assert "不用备案" in refused and "德医保发〔2021〕57号 二（四）" in refused
    refused = _file(chat, Pick("临时外出"), "北京", "2026-11-01")
    assert "文件没有规定补办" in refused and "德医保发〔2021〕57号 三（二）" in refused
    done = _file(chat, Pick("临时外出"), "北京", "今天", "是")
    assert "备案已办理" in done and "北京市" in done and chat.intent == "filing:temporary"


def test_abandon_halfway_then_resume(engine):
    chat = bind(engine, demo("demo3"))
    chat.say("我要办备案")
    chat.say(_option(chat, "生育"))
    later = Chat(engine, "jilin", user=chat.user)  # the person comes back later
    resumed = later.say("继续")
    assert "去哪里就医" in resumed
    later.say("广州")
    later.say("今天")
    later.say(_option(later, "母子健康手册"))
    assert "备案已办理" in later.say("是")


def test_a_question_in_the_middle_then_continue(engine):
    chat = bind(engine, demo("demo3"))
    answer = _file(chat, Pick("生育"), "承诺制备案有效期多久")
    # answered, then the step it was on is asked again; 继续 asks it once more
    assert "6个月" in answer and "去哪里就医" in answer
    assert "去哪里就医" in chat.say("继续")
    chat.say("杭州")
    chat.say("今天")
    chat.say(_option(chat, "母子健康手册"))
    assert "备案已办理" in chat.say("是")


def test_answering_no_submits_nothing(engine):
    chat = bind(engine, demo("demo3"))
    pid = _person_id(engine, "demo3")
    before = len(_filings(engine, pid))
    _file(chat, Pick("生育"), "南京", "今天", Pick("母子健康手册"))
    assert "没有提交" in chat.say("否")
    assert len(_filings(engine, pid)) == before


def test_status_shows_pledge_due_date_certifications_and_claims(engine):
    chat = bind(engine, demo("demo1"))
    status = chat.say("我的备案")
    assert chat.intent == "status:shown"
    assert "补齐材料截止：2026年11月28日（还剩6天）" in status
    assert "异地工作证明材料" in status and "门诊慢特病：高血压" in status
    assert "2201**********1235" in status and demo("demo1").id_number not in status
    chat = bind(engine, demo("demo2"))
    status = chat.say("我的备案")
    assert "已失效" in status
    promised = "材料2026年11月12日收齐，自收齐之日起22个工作日内办结，应在2026年12月14日前办完"
    assert promised + "（吉医保发〔2019〕34号 第十五项）" in status


def test_registry_change_of_scheme_ends_filings_but_admitted_stays_settle(engine):
    chat = bind(engine, demo("demo3"))
    pid = _person_id(engine, "demo3")
    _file(chat, Pick("生育"), "武汉", "今天", Pick("母子健康手册"), "是")
    with Session(engine.db) as session:
        registry = EmbeddedRegistry(session, engine.cipher)
        ended = registry.change_insurance(
            pid,
            policies=engine.services.filing_policies,
            today=date(2026, 11, 25),
            at=datetime(2026, 11, 25, 9, 0),
            scheme="resident",
        )
        session.commit()
        assert ended
        filing = filings.get_filing(session, ended[-1])
        assert filing.end_reason == "scheme_changed"
        assert filings.events_of(session, filing.id)[-1].actor == "registry"
        from flows.filing_rules import settles_directly

        policy = engine.services.filing_policies.on("jilin", date(2026, 11, 25))
        assert settles_directly(filing, date(2026, 11, 24), policy)
        assert not settles_directly(filing, date(2026, 11, 26), policy)
        registry.change_insurance(
            pid,
            policies=engine.services.filing_policies,
            today=date(2026, 11, 25),
            at=datetime(2026, 11, 25),
            scheme="employee",
        )
        session.commit()
    assert "参保地或参保类型变更" in chat.say("我的备案")


def test_jilin_pledge_filing_shows_the_full_text_and_stores_it_signed(engine):
    from bot.pledge_documents import text_digest, verify

    user = unique_user("pledge")
    fresh_person(engine, user)
    chat = Chat(engine, "jilin", user=user)
    text = _file(chat, Pick("承诺制"), Pick("长期"), "三亚，是户籍地", "今天")
    assert "吉林省医疗保险异地就医备案个人承诺书" in text and "2027年5月22日" in text
    assert "我承诺" in chat.say("好的")
    done = chat.say("我承诺")
    assert "承诺制备案已办理" in done and "请在 2027年5月22日 前补齐" in done and "核验码" in done
    data = chat.replies[-1].messages[-1].data
    assert data["signature_request"] == {"post_url": f"/api/v1/pledges/{data['filing_id']}/signature"}
    with Session(engine.db) as session:
        pledge = filings.pledge_of(session, data["filing_id"])
        assert pledge.channel == "web" and pledge.account == "web"
        signed = filings.pledge_text(engine.cipher, pledge)
        assert pledge.sha256 == text_digest(signed) and verify(signed, pledge.sha256)
        assert "2027年5月22日" in signed and "2027年5月22日" not in pledge.text_enc
        assert filings.get_pledge_by_code(session, pledge.verify_code.lower()).id == pledge.id
    # a second pledge (here as "no proof yet" of a referral) is refused with its rule
    _file(chat, Pick("转诊"), "北京", "今天")
    assert "第六条（二）" in chat.say(_option(chat, "承诺制"))
    assert chat.intent == "refused:filing"


def test_dezhou_long_term_by_pledge_then_early_change_back_needs_proof(engine):
    user = unique_user("dz")
    fresh_person(engine, user, "dezhou")
    chat = Chat(engine, "dezhou", user=user)
    text = _file(chat, Pick("长期居住"), "三亚", "今天")
    assert "基本医疗保险长期异地就医备案个人承诺书" in text
    done = chat.say("我承诺")
    assert "长期有效" in done and "补齐" not in done
    asked = _file(chat, Pick("终止"), Pick("海南省"))
    assert "不满6个月" in asked
    refused = chat.say(_option(chat, "都没有"))
    assert "临时外出就医人员" in refused and "德医保发〔2021〕57号 三（一）" in refused
    _file(chat, Pick("终止"), Pick("海南省"), Pick("居住证"))
    assert "已撤销" in chat.say("是")


def test_status_in_english(engine):
    chat = bind(engine, demo("demo1"))
    chat.say("English")
    status = chat.say("我的备案")
    assert "[My filings]" in status and "Long-term remote filing" in status
    assert "Materials due: 28 November 2026 (6 days left)" in status and "Work-away proof" in status
    chat.say("中文")
