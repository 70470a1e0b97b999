"""The estimate flow (算一算) through the engine: questions asked, money words, the answer and its chart."""

from __future__ import annotations

from functools import partial

import pytest

from tests.flows import transcript
from tests.flows.transcript import module_engine, text_of


@pytest.fixture(scope="module")
def bot(db, database_url):
    return module_engine(db, database_url)


Chat = partial(transcript.Chat, prefix="est")


def test_intent_starts_the_flow_and_asks_the_scheme(bot):
    reply = Chat(bot).say("算一算")
    assert reply.intent == "flow:estimate"
    assert [c.label for c in reply.messages[-1].choices] == ["职工医保", "居民医保"]


def test_inpatient_answer_figures_first_then_trace_citations_and_caveats(bot):
    chat = Chat(bot)
    # resident, inpatient, level 3, long-term, not settled directly, own fault, 两万三, discharged 10月8号
    reply = chat.run("算一算", "2", "1", "3", "1", "2", "1", "两万三", "10月8号")
    # resident L3 65% − 10 − 10 = 45%; (23000 − 800) × 45% = 9990.00; person 13010.00
    assert reply.intent == "estimate:inpatient:unverified"
    text = reply.messages[0].text
    lines = text.splitlines()
    assert "¥9,990.00" in lines[1] and "¥13,010.00" in lines[2]
    assert "起付线 ¥800.00" in text
    assert "由本地的 65% 调整为 45%" in text
    assert "吉医保发〔2019〕34号 第二项" in text and "吉医保发〔2019〕34号 第四项" in text
    assert "演示数值" in text
    assert text.rstrip().endswith("估算，以实际结算为准。")
    chart = reply.messages[1]
    assert chart.kind == "chart"
    assert chart.data == {"fund_pays": "9990.00", "person_pays": "13010.00", "total": "23000.00"}


@pytest.mark.parametrize("amount", ["23000元", "2.3万", "两万三", "2万3"])
def test_money_words_give_the_same_answer(bot, amount):
    # employee, outpatient, level 2, temporary, settled directly: 23000 × 60% = 13800, held to the 1,500 limit
    reply = Chat(bot).run("算一算", "1", "2", "2", "3", "1", amount)
    assert reply.messages[1].data["fund_pays"] == "1500.00"
    assert reply.messages[1].data["person_pays"] == "21500.00"
    assert "超出的 ¥12,300.00 由个人负担" in reply.messages[0].text


def test_only_needed_questions_are_asked(bot):
    chat = Chat(bot)
    chat.run("算一算", "1")
    # emergency observation: no category question (an emergency); settled directly: no fault question
    assert "几级医院" in text_of(chat.say("4"))
    assert "直接刷医保结算" in text_of(chat.say("2"))
    assert "花了多少钱" in text_of(chat.say("是"))
    assert "哪天出院" in text_of(chat.say("5000"))
    reply = chat.say("今天")
    assert "按住院待遇结算" in reply.messages[0].text
    assert "吉林省优化五类医保服务20条便民举措 第7条" in reply.messages[0].text


def test_bad_amounts_are_explained_and_asked_again(bot):
    chat = Chat(bot)
    chat.run("算一算", "1", "2", "2", "3", "1")
    reply = chat.say("-500")
    assert "不能是负数" in text_of(reply)
    assert "花了多少钱" in text_of(reply)
    # a sentence with the amount in it answers the question (the 2 万 is taken, not asked for again), and
    # what else it says corrects what was chosen before (住院, not 门诊): the discharge date is asked next
    assert "哪天出院" in text_of(chat.say("住院10天花了2万"))
    assert "¥20,000.00" in text_of(chat.say("今天"))
    chat.run("算一算", "1", "2", "2", "3", "1")
    assert "太大" in text_of(chat.say("100亿"))
    assert chat.say("1w5").intent.startswith("estimate:outpatient")


def test_dezhou_cites_dezhou_only(bot):
    chat = Chat(bot, region="dezhou")
    # resident, inpatient, level 2, temporary, settled directly: 10% first = 2300; (20700 − 500) × 75% = 15150
    reply = chat.run("算一算", "2", "1", "2", "3", "1", "23000", "10月8日")
    assert reply.messages[1].data["fund_pays"] == "15150.00"
    text = reply.messages[0].text
    assert "德医保发〔2021〕57号" in text and "吉医保" not in text
    assert "先由个人自付 10%" in text


def test_no_parameters_for_the_date_is_said_plainly(bot):
    reply = Chat(bot).run("算一算", "1", "1", "3", "1", "1", "23000", "2024年10月8日")
    assert "2024年10月8日没有在用的报销参数" in text_of(reply)
    assert reply.intent == "refused:estimate"


def test_wechat_gets_no_chart(bot):
    reply = Chat(bot, channel="wechat").run("算一算", "1", "2", "2", "3", "1", "800")
    assert [m.kind for m in reply.messages] == ["text"]
    assert "¥480.00" in reply.messages[0].text  # 800 × 60%


def test_english_answer(bot):
    chat = Chat(bot)
    chat.say("English")
    reply = chat.run("算一算", "1", "2", "2", "3", "1", "800")
    text = reply.messages[0].text
    assert "Estimate only" in text and "Fund pays" in text and "Deductible" not in text
    assert "Reimbursement ratio 60%: CN¥800.00 × 60% = fund pays CN¥480.00." in text


def test_menu_item_starts_the_flow(bot):
    chat = Chat(bot)
    labels = [c.label for c in chat.say("菜单").messages[-1].choices]
    number = labels.index("算一算自付多少") + 1
    reply = chat.say(str(number))
    assert "您参加的是哪种医保" in text_of(reply)
