"""Helpers for filing conversations: seed the demo insured persons, talk to the engine, bind quickly."""

from __future__ import annotations

from sqlmodel import Session

from api.demo import DEMO_PERSONS, DemoPerson, create_insured, seed_insured
from bot.engine import Engine
from bot.messages import Reply
from bot.sms import RecordingSms
from tests.flows import transcript


def seed(engine: Engine) -> None:
    now = engine.clock.now()
    with Session(engine.db) as session:
        list(seed_insured(session, engine.cipher, now.date(), now))
        session.commit()


def demo(user: str) -> DemoPerson:
    return next(d for d in DEMO_PERSONS if d.user == user)


class Chat:
    """One person's conversation with the engine; `say` answers the text of the reply, every reply is kept."""

    def __init__(self, engine: Engine, region: str = "jilin", user: str | None = None) -> None:
        self.engine = engine
        self.region = region
        self._line = transcript.Chat(engine, region, prefix="chat", user=user)
        self.user = self._line.user
        self.replies: list[Reply] = []

    def say(self, text: str) -> str:
        reply = self._line.say(text)
        self.replies.append(reply)
        return "\n".join(m.text for m in reply.messages)

    @property
    def intent(self) -> str:
        return self.replies[-1].intent

    def choices(self) -> list[str]:
        return [c.label for m in self.replies[-1].messages for c in m.choices]


def bind(engine: Engine, person: DemoPerson, region: str | None = None) -> Chat:
    """A chat bound to `person` through the real bind flow, the code read from a recording gateway."""
    seed(engine)
    sms = RecordingSms()
    engine.services.sms = sms
    chat = Chat(engine, region or person.region)
    chat.say("绑定身份")
    chat.say(person.name)
    chat.say(person.id_number)
    chat.say(person.phone)
    code = sms.sent[-1][1]
    answer = chat.say(code)
    assert "绑定成功" in answer, answer
    return chat


def fresh_person(engine: Engine, web_user_key: str, region: str = "jilin") -> DemoPerson:
    """A new insured person with a valid random ID number, bound to the web identity `web_user_key`."""
    import random

    from bot.store import people
    from bot.store.models import Conversation
    from flows.identity import check_digit

    home = demo("demo3") if region == "jilin" else demo("demo5")
    first17 = home.first17[:6] + "1988" + f"{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    first17 += f"{random.randint(0, 999):03d}"
    person = DemoPerson(
        web_user_key,
        "测试" + chr(0x4E00 + random.randint(0, 500)),
        first17,
        home.phone,
        region,
        home.pooling_region,
        home.pooling_region_name,
        home.scheme,
        home.insured_since,
        home.address,
    )
    assert check_digit(first17)
    with Session(engine.db) as session:
        row = create_insured(session, engine.cipher, person)
        conversation = Conversation(channel="web", account="web", user_key=web_user_key, region=region)
        session.add(conversation)
        session.flush()
        people.bind(session, conversation, row)
        session.commit()
    return person
