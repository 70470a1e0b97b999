"""The conversation engine: one message in, a Reply out, state saved, one message per person at a time."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Engine as DbEngine

from bot.content.loader import Content
from bot.crypto import DataCipher
from bot.dispatch import Turn
from bot.locks import Locks
from bot.messages import Inbound, Reply
from bot.metrics import HANDOFFS, MESSAGES, intent_label
from bot.parts import Clock, Parts
from bot.rendering import Renderer
from bot.store import claims
from bot.store.conversations import lock_conversation
from bot.store.db import unit_of_work
from flows.base import Flow
from flows.services import Services

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Everything a turn needs, assembled once by the application, and the database it is saved in."""

    db: DbEngine
    parts: Parts
    locks: Locks
    default_region: str = "jilin"

    @property
    def content(self) -> Content:
        return self.parts.content

    @property
    def services(self) -> Services:
        return self.parts.services

    @property
    def cipher(self) -> DataCipher:
        return self.parts.cipher

    @property
    def clock(self) -> Clock:
        return self.parts.clock

    @property
    def renderer(self) -> Renderer:
        return self.parts.renderer

    @property
    def flows(self) -> Mapping[str, Flow]:
        return self.parts.flows

    def with_clock(self, clock: Clock) -> Engine:
        """The same engine reading another clock (tests, the evaluation's dated conversations)."""
        return replace(self, parts=replace(self.parts, clock=clock))

    def handle(self, inbound: Inbound) -> Reply:
        """Handle one message: lock the person, load their session, run the turn, save: one transaction."""
        region = inbound.region or self.default_region
        key = f"{inbound.channel}:{inbound.account}:{inbound.user_key}"
        with self.locks.hold(key), unit_of_work(self.db) as session:
            conversation = lock_conversation(
                session, inbound.channel, inbound.account, inbound.user_key, region
            )
            session.flush()
            turn = Turn(self.parts, session, conversation, inbound)
            reply = turn.run()
            session.add(conversation)
        MESSAGES.labels(inbound.channel, inbound.kind, intent_label(reply.intent)).inc()
        if reply.intent == "cmd:human":
            HANDOFFS.labels(inbound.channel).inc()
        return reply

    def handle_once(self, inbound: Inbound, claim_key: str) -> Reply | None:
        """Handle a message whose copies may arrive again (WeChat retries): only the first copy has effect.

        Returns None for a copy whose first is still being handled; the caller waits for `claimed_reply`.
        """
        if not claims.claim(self.db, claim_key):
            return None
        try:
            reply = self.handle(inbound)
        except BaseException:
            claims.release(self.db, claim_key)
            raise
        claims.finish(self.db, claim_key, reply_to_dict(reply))
        return reply

    def claimed_reply(self, claim_key: str) -> Reply | None:
        row = claims.read(self.db, claim_key)
        if row is None or row.state != "done" or row.reply is None:
            return None
        return reply_from_dict(row.reply)


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    return {
        "intent": reply.intent,
        "messages": [
            {
                "text": m.text,
                "kind": m.kind,
                "data": m.data,
                "choices": [{"value": c.value, "label": c.label} for c in m.choices],
                "links": [{"title": link.title, "url": link.url} for link in m.links],
            }
            for m in reply.messages
        ],
    }


def reply_from_dict(data: Mapping[str, Any]) -> Reply:
    from bot.messages import Choice, Link, Outbound

    return Reply(
        intent=data.get("intent", ""),
        messages=tuple(
            Outbound(
                text=m["text"],
                kind=m.get("kind", "text"),
                data=m.get("data", {}),
                choices=tuple(Choice(c["value"], c["label"]) for c in m.get("choices", [])),
                links=tuple(Link(link["title"], link["url"]) for link in m.get("links", [])),
            )
            for m in data.get("messages", [])
        ),
    )
