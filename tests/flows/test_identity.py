"""GB 11643 ID validation (each failure its own reason) and the bind conversation."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.sms import RecordingSms
from flows.identity import IdProblem, check_digit, normalise_id, valid_phone, validate_id_number
from tests.conftest import CONTENT
from tests.flows.filing_support import Chat, bind, demo, seed
from tests.flows.transcript import module_engine

PROVINCES = yaml.safe_load((CONTENT / "id_regions.yaml").read_text(encoding="utf-8"))["provinces"]
TODAY = date(2026, 11, 22)
GOOD = "11010519491231002X"  # the GB 11643 standard's own example


def reason(text: str) -> str:
    with pytest.raises(IdProblem) as caught:
        validate_id_number(text, PROVINCES, TODAY)
    return caught.value.reason


@pytest.fixture(scope="module")
def engine(db, database_url):
    return module_engine(db, database_url)


def test_the_standard_example_passes_and_is_normalised():
    assert check_digit(GOOD[:17]) == "X"
    assert validate_id_number(" 110105 19491231 002x ", PROVINCES, TODAY) == GOOD
    assert normalise_id("１１０１０５１９４９１２３１００２ｘ") == GOOD


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("1101051949123100AX", "characters"),
        ("99010519491231002X", "region"),
        ("11000019491231002X", "region"),
        ("110105" + "19490231" + "0021", "birth_date"),
        ("110105" + "18991231" + "0021", "birth_date"),
        ("110105" + "20270101" + "0021", "future_birth"),
        ("110105194912310021", "check_digit"),
    ],
)
def test_each_failure_has_its_own_reason(text, expected):
    if expected in ("birth_date", "future_birth"):
        text = text[:17] + check_digit(text[:17])  # only the date is wrong
    assert reason(text) == expected


def test_phone_numbers():
    assert valid_phone("139 1234 5678") == "13912345678"
    assert valid_phone("+8613912345678") == "13912345678"
    assert valid_phone("1291234567") is None


def test_bind_refuses_each_bad_id_with_its_message(engine):
    chat = Chat(engine)
    assert "姓名" in chat.say("绑定身份")
    assert "身份证号码" in chat.say("王芳")
    assert "应为18位" in chat.say("2201041990")
    assert "前17位应为数字" in chat.say("22010419900815A451")
    assert "地区代码" in chat.say("990104199008153451")
    assert "出生日期不是真实的日期" in chat.say(
        "220104" + "19900231" + "345" + check_digit("22010419900231345")
    )
    assert "晚于今天" in chat.say("220104" + "20300101" + "345" + check_digit("22010420300101345"))
    assert "校验码" in chat.say("220104199008153450")
    assert "手机号码" in chat.say(demo("demo3").id_number)


def test_bind_refuses_a_phone_that_is_not_on_file_then_binds(engine):
    seed(engine)
    sms = RecordingSms()
    engine.services.sms = sms
    person = demo("demo3")
    chat = Chat(engine)
    chat.say("绑定身份")
    chat.say(person.name)
    chat.say(person.id_number)
    assert "对不上" in chat.say("13800000000")
    assert sms.sent == []
    assert "验证码已发送到 139****0003" in chat.say(person.phone)
    assert "不对" in chat.say("000000" if sms.sent[-1][1] != "000000" else "111111")
    assert "绑定成功" in chat.say(sms.sent[-1][1])
    assert chat.intent == "bind:done"


def test_demo_gateway_shows_the_code_and_no_personal_data_is_stored_in_clear(engine):
    from bot.sms import DemoSms

    seed(engine)
    engine.services.sms = DemoSms()
    person = demo("demo3")
    chat = Chat(engine)
    chat.say("绑定身份")
    chat.say(person.name)
    chat.say(person.id_number)
    answer = chat.say(person.phone)
    assert "演示环境" in answer
    code = answer.split("验证码是")[-1].strip()[:6]
    from sqlmodel import Session, select

    from bot.store.models import Conversation, ConversationMessage

    with Session(engine.db) as session:
        conversation = session.exec(select(Conversation).where(Conversation.user_key == chat.user)).one()
        stored = str(conversation.slots) + str(conversation.history)
        stored += "".join(
            m.text
            for m in session.exec(
                select(ConversationMessage).where(ConversationMessage.conversation_id == conversation.id)
            )
        )
    assert person.id_number not in stored and person.phone not in stored
    assert "绑定成功" in chat.say(code)


def test_bind_helper_binds(engine):
    chat = bind(engine, demo("demo3"))
    assert chat.intent == "bind:done"
