"""A sentence that starts a flow also fills the slots it answers (amount and care; discharge date)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from bot.messages import Inbound
from flows.money_words import find_spent_amount
from tests.conftest import unique_user


def _say(engine, user, text, region="jilin"):
    return engine.handle(
        Inbound(
            channel="web",
            account="web",
            user_key=user,
            kind="text",
            text=text,
            region=region,
            received_at=datetime(2026, 11, 22, 10),
        )
    )


def _text(reply):
    return "\n".join(m.as_plain_text() for m in reply.messages)


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("我在三亚住院花了两万，自己要掏多少？", Decimal("20000.00")),
        ("住院一共23000元能报多少", Decimal("23000.00")),
        ("门诊花了800块自己出多少", Decimal("800.00")),
        ("花了2.3万", Decimal("23000.00")),
        ("自己要掏多少", None),
        ("花了两万，又花了三千", None),  # two different amounts: ask rather than guess
    ],
)
def test_spent_amount_is_found_only_when_plain(sentence, amount):
    assert find_spent_amount(sentence) == amount


def test_the_headline_question_starts_the_estimate_with_amount_and_care_filled(engine):
    user = unique_user()
    reply = _say(engine, user, "我在三亚住院花了两万，自己要掏多少？")
    assert reply.intent == "flow:estimate"
    answers = [
        "1",
        "3",
        "3",
        "1",
        "10月8日",
    ]  # employee, level 3, temporary filed, settled directly, discharge
    for answer in answers:
        reply = _say(engine, user, answer)
    text = _text(reply)
    assert "20,000.00" in text or "20000" in text
    assert "估算" in text


def test_a_discharge_date_starts_the_deadline_flow_with_the_date(engine):
    user = unique_user()
    reply = _say(engine, user, "我10月8号出院")
    # the date is known, so the claim deadline is the answer at once
    assert reply.intent == "deadline:due"
    assert "2027年12月31日" in _text(reply)
