"""SQL for conversations: locked load-or-create, message log, unanswered questions, handoff requests."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.store.models import Conversation, ConversationMessage, Handoff, UnansweredQuestion, utcnow

HISTORY_LENGTH = 10


def _advisory_key(channel: str, account: str, user_key: str) -> int:
    digest = hashlib.blake2b(f"{channel}:{account}:{user_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_conversation(
    session: Session, channel: str, account: str, user_key: str, region: str
) -> Conversation:
    """The person's conversation, locked for this transaction; created on first contact.

    On PostgreSQL a transaction-scoped advisory lock serialises the person's messages across workers, and it
    also covers the very first message, before any row exists to lock.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": _advisory_key(channel, account, user_key)}
        )
    conversation = find_conversation(session, channel, account, user_key)
    if conversation is not None:
        return conversation
    conversation = Conversation(channel=channel, account=account, user_key=user_key, region=region)
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:  # another process created it first (SQLite has no advisory lock)
        existing = find_conversation(session, channel, account, user_key)
        assert existing is not None
        return existing
    return conversation


def get_conversation(session: Session, conversation_id: int) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def touch(conversation: Conversation) -> None:
    conversation.updated_at = utcnow()


def remember(conversation: Conversation, role: str, summary: str) -> None:
    """Keep a short history (role and a redacted summary) on the session itself."""
    history = list(conversation.history)[-(HISTORY_LENGTH - 1) :]
    history.append({"role": role, "text": summary[:200], "at": utcnow().isoformat(timespec="seconds")})
    conversation.history = history


def add_message(
    session: Session,
    conversation_id: int,
    direction: str,
    text_: str,
    *,
    kind: str = "text",
    intent: str = "",
    author: str | None = None,
) -> ConversationMessage:
    message = ConversationMessage(
        conversation_id=conversation_id,
        direction=direction,
        text=text_,
        kind=kind,
        intent=intent,
        author=author,
    )
    session.add(message)
    return message


def conversation_messages(
    session: Session, conversation_id: int, limit: int = 200
) -> list[ConversationMessage]:
    query = (
        select(ConversationMessage)
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(ConversationMessage.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))


def record_unanswered(
    session: Session, *, region: str, locale: str, text_: str, band: str, candidates: list[dict[str, Any]]
) -> None:
    session.add(
        UnansweredQuestion(region=region, locale=locale, text=text_, band=band, candidates=candidates)
    )


def request_handoff(session: Session, conversation: Conversation, reason: str) -> Handoff:
    """Ask for a person; one open request per conversation."""
    assert conversation.id is not None
    open_request = session.exec(
        select(Handoff).where(Handoff.conversation_id == conversation.id, Handoff.closed_at.is_(None))  # type: ignore[union-attr]
    ).first()
    if open_request is not None:
        return open_request
    handoff = Handoff(conversation_id=conversation.id, reason=reason)
    session.add(handoff)
    conversation.status = "waiting"
    return handoff


def cancel_handoff(session: Session, conversation: Conversation) -> None:
    for handoff in session.exec(
        select(Handoff).where(Handoff.conversation_id == conversation.id, Handoff.closed_at.is_(None))  # type: ignore[union-attr]
    ):
        handoff.closed_at = utcnow()
    conversation.status = "bot"
    conversation.owner = None


def find_conversation(session: Session, channel: str, account: str, user_key: str) -> Conversation | None:
    query = select(Conversation).where(Conversation.channel == channel, Conversation.account == account)
    return session.exec(query.where(Conversation.user_key == user_key)).first()
