"""Evaluation targets over the real channels: signed WeChat messages (safe mode, wechatpy's crypto) to
POST /wechat/{account}, and the web chat API with a guest token. What the person got is the reply text; what
the assistant did is read from the message log it keeps for staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from itertools import count

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bot.evaluation.engine_target import ConversationStore, Identity
from bot.evaluation.runner import EndState
from bot.evaluation.scoring import Seen
from bot.store.models import ConversationMessage
from tests.fakes.wechat_client import WeChatSimulator, text_message
from tests.fakes.wechat_server import FakeWeChat

_MSG_IDS = count(7_000_000_000_000)


class WeChatTarget:
    def __init__(self, client: TestClient, fake: FakeWeChat, store: ConversationStore) -> None:
        self.client = client
        self.fake = fake
        self.store = store
        self.identities: dict[str, Identity] = {}

    def begin(self, *, region: str, person: str | None, locale: str) -> str:
        identity = Identity("wechat", region, "o" + uuid.uuid4().hex[:27], region)
        self.store.bind(identity, person, locale)
        self.identities[identity.user_key] = identity
        return identity.user_key

    def send(self, user: str, text: str, at: datetime) -> Seen:
        identity = self.identities[user]
        simulator = WeChatSimulator(identity.account)
        before = len(self.fake.sent_texts(user))
        request = simulator.safe(text_message(text, user, msg_id=str(next(_MSG_IDS))))
        path = f"/wechat/{identity.account}"
        response = self.client.post(path, params=request.params, content=request.body)
        assert response.status_code == 200, response.text
        reply = simulator.open_reply(response.text, encrypted=True) if response.text != "success" else {}
        parts = [reply.get("Content", ""), *self.fake.sent_texts(user)[before:]]
        shown = "\n".join(p for p in parts if p)
        return Seen(shown, last_intent(self.store, identity), self.state(user).region)

    def state(self, user: str) -> EndState:
        return self.store.state(self.identities[user])


class WebTarget:
    def __init__(self, client: TestClient, store: ConversationStore) -> None:
        self.client = client
        self.store = store
        self.identities: dict[str, tuple[Identity, str]] = {}

    def begin(self, *, region: str, person: str | None, locale: str) -> str:
        token = self.client.post("/api/v1/auth/guest", json={"region": region}).json()
        identity = Identity("web", "web", token["user_key"], region)
        self.store.bind(identity, person, locale)
        self.identities[identity.user_key] = (identity, token["token"])
        return identity.user_key

    def send(self, user: str, text: str, at: datetime) -> Seen:
        identity, token = self.identities[user]
        response = self.client.post(
            "/api/v1/chat", json={"text": text}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        shown = "\n".join(_plain(m) for m in body["messages"])
        return Seen(shown, body["intent"], self.state(user).region)

    def state(self, user: str) -> EndState:
        return self.store.state(self.identities[user][0])


def _plain(message: dict) -> str:
    lines = [message["text"].rstrip()]
    lines += [f"{i}. {c['label']}" for i, c in enumerate(message.get("choices", []), start=1)]
    return "\n".join(line for line in lines if line)


def last_intent(store: ConversationStore, identity: Identity) -> str:
    """What the assistant did with the last message, as its message log says."""
    with Session(store.engine.db) as session:
        conversation = store.conversation(session, identity)
        row = session.exec(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id)
            .where(ConversationMessage.direction == "out")
            .order_by(ConversationMessage.id.desc())  # type: ignore[union-attr]
        ).first()
        return row.intent if row is not None else ""
