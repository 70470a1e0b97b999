"""Chinese dates and durations as people type them (flows.dates, flows.durations), asked on Wed 2 Dec 2026."""

from __future__ import annotations

from datetime import date

import pytest

from flows.dates import (
    DateWordsError,
    add_months,
    find_dates,
    find_months,
    parse_day,
    parse_one_date,
)
from flows.durations import parse_duration_days
from flows.typed_text import chinese_number, fold

TODAY = date(2026, 12, 2)  # a Wednesday: this week runs Mon 30 Nov – Sun 6 Dec

DAYS = [
    # (text, direction, expected)
    ("2026年12月1日", "past", date(2026, 12, 1)),
    ("2026-12-1", "past", date(2026, 12, 1)),
    ("2026.12.01出院", "past", date(2026, 12, 1)),
    ("2026/12/1", "future", date(2026, 12, 1)),
    ("26年3月5号", "past", date(2026, 3, 5)),
    ("二〇二五年十月八日", "past", date(2025, 10, 8)),
    ("2026 年 11 月 3 日", "past", date(2026, 11, 3)),
    ("１２月１号出院", "past", date(2026, 12, 1)),
    ("12月1号出院", "past", date(2026, 12, 1)),
    ("12月3号出院", "past", date(2025, 12, 3)),  # not after today: last year's
    ("12.1出的院", "past", date(2026, 12, 1)),
    ("12/1", "past", date(2026, 12, 1)),
    ("十二月一号", "past", date(2026, 12, 1)),
    ("十一月二十八", "past", date(2026, 11, 28)),
    ("三十一号", "past", date(2026, 10, 31)),  # November has no 31st
    ("去年10月8号", "past", date(2025, 10, 8)),
    ("前年3月1日", "future", date(2024, 3, 1)),
    ("今天", "past", TODAY),
    ("昨天出的院", "past", date(2026, 12, 1)),
    ("前天", "past", date(2026, 11, 30)),
    ("大前天", "past", date(2026, 11, 29)),
    ("明天", "future", date(2026, 12, 3)),
    ("后天开始", "future", date(2026, 12, 4)),
    ("大后天", "future", date(2026, 12, 5)),
    ("3天前出的院", "past", date(2026, 11, 29)),
    ("两天前", "past", date(2026, 11, 30)),
    ("上周五", "past", date(2026, 11, 27)),
    ("上个星期五出的院", "past", date(2026, 11, 27)),
    ("上上周五", "past", date(2026, 11, 20)),
    ("这周一", "past", date(2026, 11, 30)),
    ("周一", "past", date(2026, 11, 30)),
    ("周五", "past", date(2026, 11, 27)),  # this Friday is still to come
    ("周五", "future", date(2026, 12, 4)),
    ("礼拜天", "future", date(2026, 12, 6)),
    ("下周一", "future", date(2026, 12, 7)),
    ("下星期三", "future", date(2026, 12, 9)),
    ("下个礼拜天", "future", date(2026, 12, 13)),
    ("这周五", "future", date(2026, 12, 4)),
    ("下个月5号", "future", date(2027, 1, 5)),
    ("上个月5号", "past", date(2026, 11, 5)),
    ("本月20号", "future", date(2026, 12, 20)),
    ("这个月底", "future", date(2026, 12, 31)),
    ("月底", "past", date(2026, 11, 30)),
    ("月底", "future", date(2026, 12, 31)),
    ("11月底", "past", date(2026, 11, 30)),
    ("年底", "future", date(2026, 12, 31)),
    ("年底", "past", date(2025, 12, 31)),
    ("去年年底", "future", date(2025, 12, 31)),
    ("5号", "past", date(2026, 11, 5)),
    ("5号", "future", date(2026, 12, 5)),
    ("1号", "future", date(2027, 1, 1)),
    ("12月10号开始", "future", date(2026, 12, 10)),
    ("12月10号开始", "past", date(2025, 12, 10)),
    ("11月1号", "future", date(2027, 11, 1)),
    ("十二月二号", "future", TODAY),  # today itself is not before today
    ("2月29日", "future", date(2028, 2, 29)),
    ("2月29日", "past", date(2024, 2, 29)),
    ("今天想问下10月8号出院的事", "past", date(2026, 10, 8)),  # the calendar date wins in its clause
    ("元旦那天开始", "future", date(2027, 1, 1)),
    ("元旦住的院", "past", date(2026, 1, 1)),
    ("明年元旦", "past", date(2027, 1, 1)),
    ("国庆节出院的", "past", date(2026, 10, 1)),
    ("五一那天", "future", date(2027, 5, 1)),
]


@pytest.mark.parametrize(("text", "direction", "expected"), DAYS)
def test_days(text, direction, expected):
    assert parse_one_date(text, TODAY, direction) == expected


@pytest.mark.parametrize(
    "text",
    [
        "花了1.5万",
        "报销比例12.5%",
        "住了3.5天",
        "3号楼5号床",
        "坐1号线过去",
        "两周一次",
        "住了一礼拜一共花了1万",
        "手机139-0000-0003",
        "下下周吧",
        "出院了",
        "住了3个月",
        "俩月",
        "2026年",
    ],
)
def test_not_dates(text):
    assert find_dates(text, TODAY) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2月30日", "impossible"),
        ("4月31号", "impossible"),
        ("上个月31号", "impossible"),
        ("13月1日", "impossible"),
        ("2025年2月29日", "impossible"),
        ("出院了", "missing"),
        ("10月8日和10月9日", "several"),
    ],
)
def test_refused(text, code):
    with pytest.raises(DateWordsError) as caught:
        parse_one_date(text, TODAY)
    assert caught.value.code == code


def test_impossible_dates_are_skipped_when_not_strict():
    assert [d.on for d in find_dates("2月30日住院 3月2日出院", TODAY, strict=False)] == [date(2026, 3, 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10月1号住院 8号出院", [date(2026, 10, 1), date(2026, 10, 8)]),
        ("10月28号住院 3号出院", [date(2026, 10, 28), date(2026, 11, 3)]),  # into the next month
        ("从10月1号到10月8号住院", [date(2026, 10, 1), date(2026, 10, 8)]),
        ("我10号出院 1号住的院", [date(2026, 11, 10), date(2026, 12, 1)]),
    ],
)
def test_a_day_alone_is_in_the_month_named_before_it(text, expected):
    assert [d.on for d in find_dates(text, TODAY)] == expected


def test_spans_point_into_the_text_as_typed_and_materials_are_told_apart():
    text = "我１０月８号出院，材料11月3日交齐"
    found = find_dates(text, TODAY)
    assert [(d.on, d.about_materials) for d in found] == [
        (date(2026, 10, 8), False),
        (date(2026, 11, 3), True),
    ]
    assert [text[slice(*d.span)] for d in found] == ["１０月８号", "11月3日"]


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("前年11月住了8天 去年1月住了2天", "past", [date(2024, 11, 1), date(2025, 1, 1)]),
        ("3月份", "past", [date(2026, 3, 1)]),
        ("3月份", "future", [date(2027, 3, 1)]),
        ("12月", "past", [date(2026, 12, 1)]),
        ("12月", "future", [date(2026, 12, 1)]),
        ("2025年3月", "future", [date(2025, 3, 1)]),
        ("12月1号", "past", []),
        ("三个月", "past", []),
    ],
)
def test_months_without_a_day(text, direction, expected):
    assert [m.first_day for m in find_months(text, TODAY, direction)] == expected


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("住了一礼拜", 7),
        ("8天", 8),
        ("半个月", 15),
        ("俩月", 60),
        ("三个多月", 90),
        ("两周", 14),
        ("十来天", 10),
        ("一个半月", 45),
        ("二十多天", 20),
        ("仨礼拜", 21),
        ("1.5个月", 45),
        ("住了两个星期", 14),
        ("半年", 180),
        ("一年", 360),
        ("住院住了3天", 3),
        ("12月1号住进去 住了5天", 5),
        ("还没想好", None),
        ("2026年", None),
        ("12月1号", None),
        ("3天前", None),
        ("几天", None),
        ("十十天", None),
    ],
)
def test_duration_days(text, days):
    assert parse_duration_days(text) == days


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 2), -1, date(2026, 11, 2)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("text", "direction", "expected"),
    [
        ("今天", "future", TODAY),
        ("12月10号", "future", date(2026, 12, 10)),
        ("10月8号", "past", date(2026, 10, 8)),
        ("下下周吧", "future", None),
        ("10月8日和10月9日", "future", None),
        ("2月30日", "future", None),
    ],
)
def test_parse_day_gives_none_instead_of_an_error(text, direction, expected):
    assert parse_day(text, TODAY, direction) == expected


def test_number_words_and_folding():
    assert [chinese_number(w) for w in ("十二", "二十三", "两", "二〇二六", "十", "三十一", "7")] == [
        12,
        23,
        2,
        2026,
        10,
        31,
        7,
    ]
    with pytest.raises(ValueError):
        chinese_number("十十")
    assert fold("１２月１号，ＯＫ") == "12月1号,ok"
