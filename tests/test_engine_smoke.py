from datetime import datetime

from bot.messages import Inbound
from tests.conftest import unique_user


def _text(user, text, region="jilin"):
    return Inbound(
        channel="web",
        account="web",
        user_key=user,
        kind="text",
        text=text,
        region=region,
        received_at=datetime(2026, 11, 22, 10, 0),
    )


def test_welcome_then_menu_number_starts_a_known_target(engine):
    user = unique_user()
    reply = engine.handle(
        Inbound(
            channel="web",
            account="web",
            user_key=user,
            kind="event",
            event="subscribe",
            region="jilin",
            received_at=datetime(2026, 11, 22),
        )
    )
    assert "吉林省" in reply.messages[0].text
    assert reply.messages[0].choices
    reply = engine.handle(_text(user, "人工"))
    assert reply.intent == "cmd:human"
    reply = engine.handle(_text(user, "随便问问"))
    assert reply.intent == "handoff:waiting"
    reply = engine.handle(_text(user, "取消"))
    assert reply.intent == "handoff:cancelled"
