"""Money words: the ways people type an amount, and the amounts refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.money_words import MAX_AMOUNT, MoneyWordsError, parse_money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两万三", "23000"),
        ("2.3万", "23000"),
        ("23000元", "23000"),
        ("23000", "23000"),
        ("一万二千五", "12500"),
        ("1w5", "15000"),
        ("1.5W", "15000"),
        ("3k", "3000"),
        ("2万3", "23000"),
        ("2万3千5百", "23500"),
        ("两千零五十", "2050"),
        ("一万零五百", "10500"),
        ("一万零五", "10005"),
        ("十五", "15"),
        ("十二万", "120000"),
        ("三百五", "350"),
        ("三点五万", "35000"),
        ("一百二十万", "1200000"),
        ("￥23,000.50", "23000.50"),
        ("２３０００元", "23000"),
        ("一共花了两万三左右", "23000"),
        ("两万多块钱", "20000"),
        ("8888.88", "8888.88"),
        ("0.5", "0.50"),
    ],
)
def test_amounts_people_type(text, expected):
    assert parse_money(text) == Decimal(expected)


def test_result_is_exact_to_the_fen():
    assert str(parse_money("2.3万")) == "23000.00"
    assert str(parse_money("0.1")) == "0.10"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("不知道", "not_money"),
        ("hello", "not_money"),
        ("万", "not_money"),
        ("2万xx", "not_money"),
        ("-500", "negative"),
        ("负五百", "negative"),
        ("0", "zero"),
        ("零", "zero"),
        ("住院10天花了2万", "ambiguous"),
        ("二三", "ambiguous"),
        ("1000000000", "too_large"),
        ("一亿", "too_large"),
        ("12.345", "too_precise"),
    ],
)
def test_refused_with_a_reason(text, code):
    with pytest.raises(MoneyWordsError) as caught:
        parse_money(text)
    assert caught.value.code == code


def test_the_ceiling_itself_is_accepted():
    assert parse_money(str(MAX_AMOUNT)) == MAX_AMOUNT
