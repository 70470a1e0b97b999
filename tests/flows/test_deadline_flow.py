"""The deadline flow (截止日期) through the engine, and the discharge dates it reads (refusals of the date
reader: tests/flows/test_dates.py)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from flows.dates import find_dates, parse_one_date
from tests.flows import transcript
from tests.flows.transcript import module_engine, text_of

TODAY = dt.date(2026, 11, 22)  # a Sunday


@pytest.fixture(scope="module")
def bot(db, database_url):
    return module_engine(db, database_url)


Chat = partial(transcript.Chat, prefix="dl")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我10月8号出院", dt.date(2026, 10, 8)),
        ("10月8日", dt.date(2026, 10, 8)),
        ("2026年10月8日", dt.date(2026, 10, 8)),
        ("2025-10-08", dt.date(2025, 10, 8)),
        ("2026/10/8", dt.date(2026, 10, 8)),
        ("十月八号", dt.date(2026, 10, 8)),
        ("二〇二六年十月八日", dt.date(2026, 10, 8)),
        ("12月1日", dt.date(2025, 12, 1)),  # no year: the latest such day not after today
        ("2月29日", dt.date(2024, 2, 29)),
        ("今天", TODAY),
        ("昨天出的院", dt.date(2026, 11, 21)),
        ("前天", dt.date(2026, 11, 20)),
        ("上周五", dt.date(2026, 11, 13)),
        ("上星期一", dt.date(2026, 11, 9)),
        ("这周三", dt.date(2026, 11, 18)),
    ],
)
def test_date_words(text, expected):
    assert parse_one_date(text, TODAY) == expected


def test_materials_clause_is_told_apart():
    found = find_dates("我10月8号出院，材料11月3日交齐", TODAY)
    assert [(d.on, d.about_materials) for d in found] == [
        (dt.date(2026, 10, 8), False),
        (dt.date(2026, 11, 3), True),
    ]


def test_discharge_date_gives_the_claim_deadline_and_corrects_the_old_rule(bot):
    chat = Chat(bot)
    reply = chat.say("截止日期")
    assert reply.intent == "flow:deadline"
    # the claim deadline is answered at once; the materials date is not asked for
    reply = chat.say("我10月8号出院")
    text = text_of(reply)
    assert "最晚 2027年12月31日 前" in text
    assert "吉医保规〔2023〕4号 第十五条" in text
    assert "吉医保发〔2019〕34号 第十六项" in text and "2027年3月31日" in text
    assert "22 个工作日内办结" in text and "材料交齐了吗" not in text
    assert reply.intent == "deadline:due"


def test_materials_in_the_same_message_give_the_processing_date(bot):
    reply = Chat(bot).run("截止日期", "我10月8号出院，材料11月3日交齐")
    text = text_of(reply)
    assert "2027年12月31日" in text
    # 22 working days after Tue 3 Nov 2026 (official 2026 schedule): Thu 3 Dec 2026
    assert "即 2026年12月3日 前" in text
    assert "估算" not in text


def test_materials_date_given_later_is_counted(bot):
    reply = Chat(bot).run("截止日期", "前天", "材料昨天交齐的 啥时候能办完")
    # from Sat 21 Nov 2026: 23–27 Nov, 30 Nov–4 Dec, 7–11, 14–18 Dec (20), 21–22 Dec (22)
    assert "应在2026年12月22日前办完" in text_of(reply)
    reply = Chat(bot).run("截止日期", "2026年11月10日出院 材料11月13日交齐")
    # 22 working days after Fri 13 Nov 2026: 16–20, 23–27, 30 Nov–4 Dec, 7–11 Dec (20), 14–15 Dec (22)
    assert "即 2026年12月15日 前" in text_of(reply)


def test_impossible_and_future_dates_get_clear_messages(bot):
    chat = Chat(bot)
    chat.say("截止日期")
    reply = chat.say("我2月30日出院")
    assert "没有2月30日这一天" in text_of(reply)
    assert "哪天出院" in text_of(reply)
    assert "还没到" in text_of(chat.say("2027年1月5日"))
    assert "不能早于" in text_of(chat.say("10月8号出院 材料10月1日交齐"))


def test_overdue_claim_is_said(bot):
    reply = Chat(bot).run("截止日期", "2024年3月1日")
    assert "已经过了" in text_of(reply)
    assert reply.intent == "deadline:overdue"


def test_dezhou_says_no_deadline_and_never_borrows_jilins(bot):
    reply = Chat(bot, region="dezhou").run("截止日期", "我10月8号出院")
    text = text_of(reply)
    assert "没有规定申请期限" in text
    assert "德医保发〔2021〕57号 三（二）" in text
    assert "吉医保" not in text and "2027年12月31日" not in text
    assert reply.intent == "deadline:not_specified"


def test_english_answer(bot):
    chat = Chat(bot)
    chat.say("English")
    text = text_of(chat.run("截止日期", "10月8号出院，材料11月3日交齐"))
    assert "apply to your insured region's agency by 31 December 2027" in text
    assert "within 22 working days, that is by 3 December 2026" in text
    assert "Source: 吉医保规〔2023〕4号 第十五条" in text
