"""The engine as an evaluation target: messages go through Engine.handle as the web chat sends them, and the
end state is read from the engine's database. Channel targets (WeChat, web API) reuse its binding and
state."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from bot.engine import Engine
from bot.evaluation.runner import EndState
from bot.evaluation.scoring import Seen
from bot.messages import Inbound
from bot.store import filings, people
from bot.store.models import Conversation


@dataclass
class SettableClock:
    current: datetime = field(default_factory=datetime.now)

    def now(self) -> datetime:
        return self.current


@dataclass
class Identity:
    channel: str
    account: str
    user_key: str
    region: str


class ConversationStore:
    """Binds new identities to demo persons and reads the state a conversation ended in."""

    def __init__(self, engine: Engine, persons: Mapping[str, str]) -> None:
        self.engine = engine
        self.persons = persons  # demo user (demo1 …) -> ID number

    def bind(self, identity: Identity, person: str | None, locale: str) -> None:
        with Session(self.engine.db) as session:
            conversation = Conversation(
                channel=identity.channel,
                account=identity.account,
                user_key=identity.user_key,
                region=identity.region,
                locale=locale,
            )
            session.add(conversation)
            session.flush()
            if person is not None:
                cipher = self.engine.cipher
                found = people.find_by_id_number(session, cipher, self.persons[person])
                if found is None:
                    raise LookupError(f"demo person {person} is not in the database")
                people.bind(session, conversation, found)
            session.commit()

    @staticmethod
    def conversation(session: Session, identity: Identity) -> Conversation:
        return session.exec(
            select(Conversation).where(
                Conversation.channel == identity.channel,
                Conversation.account == identity.account,
                Conversation.user_key == identity.user_key,
            )
        ).one()

    def state(self, identity: Identity) -> EndState:
        with Session(self.engine.db) as session:
            conversation = self.conversation(session, identity)
            rows: list[Mapping[str, Any]] = []
            if conversation.person_id is not None:
                rows = [
                    {
                        "id": f.id,
                        "kind": f.kind,
                        "destination": f.destination_name,
                        "pledge": f.pledge,
                        "status": f.status,
                        "retroactive": f.retroactive,
                        "version": f.version,
                    }
                    for f in filings.filings_of(session, conversation.person_id)
                ]
            return EndState(
                flow=conversation.flow if not conversation.paused else None,
                region=conversation.region,
                filings=tuple(rows),
            )


class EngineTarget:
    """Sends each message straight to Engine.handle on the web channel."""

    def __init__(self, engine: Engine, persons: Mapping[str, str]) -> None:
        self.clock = SettableClock()
        self.engine = engine.with_clock(self.clock)
        self.store = ConversationStore(self.engine, persons)
        self.identities: dict[str, Identity] = {}

    def begin(self, *, region: str, person: str | None, locale: str) -> str:
        identity = Identity("web", "web", f"eval-{uuid.uuid4().hex[:12]}", region)
        self.store.bind(identity, person, locale)
        self.identities[identity.user_key] = identity
        return identity.user_key

    def send(self, user: str, text: str, at: datetime) -> Seen:
        identity = self.identities[user]
        self.clock.current = at
        reply = self.engine.handle(
            Inbound(
                channel=identity.channel,
                account=identity.account,
                user_key=identity.user_key,
                kind="text",
                text=text,
                region=identity.region,
                received_at=at,
            )
        )
        shown = "\n".join(m.as_plain_text() for m in reply.messages)
        return Seen(shown, reply.intent, self.state(user).region)

    def state(self, user: str) -> EndState:
        return self.store.state(self.identities[user])
