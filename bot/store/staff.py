"""SQL for the staff console: the waiting queue, claim, hand back, staff replies, close; unanswered groups;
the filing desk's file of one insured person (masked identity, filings and their events).

A conversation a person asked to hand over is `waiting` with one open Handoff. A staff member who takes it
over makes it `staff` with themself as owner (the bot stays silent, the person's messages are logged); handing
back or closing returns it to the bot and closes the handoff. Staff replies go to the message log; for WeChat
conversations they also go to the outbox as customer-service text messages, while the web chat polls
`staff_messages_since`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.errors import StoreError
from bot.redaction import redact
from bot.store import filings as filing_store
from bot.store import people
from bot.store.filing_models import Filing, FilingEvent, InsuredPerson
from bot.store.models import (
    Conversation,
    ConversationMessage,
    Handoff,
    OutboxMessage,
    utcnow,
)

# Channels whose staff messages are delivered through the platform's customer-service API (the outbox);
# the web chat and the mini-program poll `staff_messages_since` instead.
OUTBOX_CHANNELS = frozenset({"wechat"})
MAX_REPLY_LENGTH = 1000


class ConsoleError(StoreError):
    """A console action does not fit the conversation's state."""


class ConversationNotFound(ConsoleError):
    """No conversation with that id."""


class NotAllowed(ConsoleError):
    """The conversation is owned by someone else, or not in a state the action needs."""


class PersonNotFound(ConsoleError):
    """No insured person with that id, or no filing of theirs with that id."""


@dataclass(frozen=True)
class QueueItem:
    """A conversation waiting for a person, or owned by one, as the console lists it."""

    conversation_id: int
    region: str
    channel: str
    status: str
    owner: str | None
    reason: str
    requested_at: datetime | None
    updated_at: datetime
    person_id: int | None = None  # the insured person the chat identity is bound to

    def waited_minutes(self, now: datetime | None = None) -> int:
        if self.requested_at is None:
            return 0
        delta = (now or utcnow()) - as_utc(self.requested_at)
        return max(0, int(delta.total_seconds() // 60))


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _open_handoff(session: Session, conversation_id: int) -> Handoff | None:
    return session.exec(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.closed_at.is_(None))  # type: ignore[union-attr]
        .order_by(Handoff.id)  # type: ignore[arg-type]
    ).first()


def _item(conversation: Conversation, handoff: Handoff | None) -> QueueItem:
    assert conversation.id is not None
    return QueueItem(
        conversation_id=conversation.id,
        region=conversation.region,
        channel=conversation.channel,
        status=conversation.status,
        owner=conversation.owner,
        reason=handoff.reason if handoff else "",
        requested_at=handoff.requested_at if handoff else None,
        updated_at=conversation.updated_at,
        person_id=conversation.person_id,
    )


def waiting_queue(session: Session, *, limit: int = 200) -> list[QueueItem]:
    """Conversations waiting for a person, the longest-waiting first."""
    rows = session.exec(
        select(Conversation, Handoff)
        .join(Handoff, Handoff.conversation_id == Conversation.id)  # type: ignore[arg-type]
        .where(Conversation.status == "waiting", Handoff.closed_at.is_(None))  # type: ignore[union-attr]
        .order_by(Handoff.requested_at, Handoff.id)  # type: ignore[arg-type]
        .limit(limit)
    ).all()
    seen: set[int] = set()
    items = []
    for conversation, handoff in rows:
        if conversation.id in seen:
            continue
        assert conversation.id is not None
        seen.add(conversation.id)
        items.append(_item(conversation, handoff))
    return items


def owned_conversations(session: Session, username: str) -> list[QueueItem]:
    """The conversations a staff member has taken over, most recently active first."""
    conversations = session.exec(
        select(Conversation)
        .where(Conversation.status == "staff", Conversation.owner == username)
        .order_by(Conversation.updated_at.desc())  # type: ignore[attr-defined]
    ).all()
    return [_item(c, _open_handoff(session, c.id)) for c in conversations if c.id is not None]


def conversation_item(session: Session, conversation_id: int) -> QueueItem:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    return _item(conversation, _open_handoff(session, conversation_id))


def _conversation(session: Session, conversation_id: int) -> Conversation:
    """The conversation, row-locked on PostgreSQL so two agents cannot take it over at once."""
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    return conversation


def claim(session: Session, conversation_id: int, username: str) -> Conversation:
    """Take a conversation over: the bot falls silent and the staff member answers."""
    conversation = _conversation(session, conversation_id)
    if conversation.status == "staff" and conversation.owner not in (None, username):
        raise NotAllowed(f"conversation {conversation_id} is owned by {conversation.owner}")
    handoff = _open_handoff(session, conversation_id)
    if handoff is None:  # a staff member steps into a conversation nobody asked about
        handoff = Handoff(conversation_id=conversation_id, reason="staff")
        session.add(handoff)
    if handoff.claimed_by is None or handoff.claimed_by != username:
        handoff.claimed_by = username
        handoff.claimed_at = utcnow()
    conversation.status = "staff"
    conversation.owner = username
    conversation.updated_at = utcnow()
    session.add(
        ConversationMessage(
            conversation_id=conversation_id, direction="system", text="claimed", author=username
        )
    )
    return conversation


def _end(session: Session, conversation: Conversation, username: str, event: str) -> None:
    assert conversation.id is not None
    for handoff in session.exec(
        select(Handoff).where(Handoff.conversation_id == conversation.id, Handoff.closed_at.is_(None))  # type: ignore[union-attr]
    ):
        handoff.closed_at = utcnow()
    conversation.status = "bot"
    conversation.owner = None
    conversation.updated_at = utcnow()
    session.add(
        ConversationMessage(conversation_id=conversation.id, direction="system", text=event, author=username)
    )


def release(session: Session, conversation_id: int, username: str) -> Conversation:
    """Hand the conversation back to the bot; only its owner may."""
    conversation = _conversation(session, conversation_id)
    if conversation.status != "staff" or conversation.owner != username:
        raise NotAllowed(f"conversation {conversation_id} is not owned by {username}")
    _end(session, conversation, username, "released")
    return conversation


def close(session: Session, conversation_id: int, username: str) -> Conversation:
    """Close the request: a waiting conversation, or one the staff member owns; the bot answers again and
    any half-finished flow is dropped."""
    conversation = _conversation(session, conversation_id)
    if conversation.status == "staff" and conversation.owner != username:
        raise NotAllowed(f"conversation {conversation_id} is owned by {conversation.owner}")
    if conversation.status == "bot" and _open_handoff(session, conversation_id) is None:
        raise NotAllowed(f"conversation {conversation_id} has no open request")
    conversation.flow = None
    conversation.slots = {}
    conversation.filled = []
    conversation.paused = False
    conversation.pending = {}
    _end(session, conversation, username, "closed")
    return conversation


def staff_reply(session: Session, conversation_id: int, username: str, text: str) -> ConversationMessage:
    """A staff member's answer: logged (redacted) and, for WeChat, queued as a customer-service message."""
    text = text.strip()
    if not text or len(text) > MAX_REPLY_LENGTH:
        raise NotAllowed(f"a reply needs 1 to {MAX_REPLY_LENGTH} characters")
    conversation = _conversation(session, conversation_id)
    if conversation.status != "staff" or conversation.owner != username:
        raise NotAllowed(f"conversation {conversation_id} is not owned by {username}")
    message = ConversationMessage(
        conversation_id=conversation_id, direction="staff", text=redact(text), author=username
    )
    session.add(message)
    if conversation.channel in OUTBOX_CHANNELS:
        session.add(
            OutboxMessage(
                channel=conversation.channel,
                account=conversation.account,
                user_key=conversation.user_key,
                # the shape bot.channels.wechat_delivery queues and sends
                payload={"msgtype": "text", "text": text},
            )
        )
    conversation.updated_at = utcnow()
    session.flush()
    return message


def staff_messages_since(
    session: Session, conversation_id: int, after_id: int = 0
) -> list[ConversationMessage]:
    """Staff messages of the conversation newer than `after_id`, oldest first: what the web chat polls."""
    return list(
        session.exec(
            select(ConversationMessage)
            .where(
                ConversationMessage.conversation_id == conversation_id,
                ConversationMessage.direction == "staff",
                ConversationMessage.id > after_id,  # type: ignore[operator]
            )
            .order_by(ConversationMessage.id)  # type: ignore[arg-type]
        ).all()
    )


# ---- the filing desk: one insured person's file ----------------------------------------------------------
@dataclass(frozen=True)
class PersonFile:
    """What the filing desk shows of a person: never a clear personal value (see masked_identity)."""

    person: InsuredPerson
    filings: list[tuple[Filing, list[FilingEvent]]]  # newest filing first, its events oldest first
    conversation_ids: list[int]


def person_file(session: Session, person_id: int) -> PersonFile:
    person = people.get_person(session, person_id)
    if person is None:
        raise PersonNotFound(f"person {person_id} not found")
    rows = sorted(filing_store.filings_of(session, person_id), key=lambda f: -(f.id or 0))
    return PersonFile(
        person=person,
        filings=[(f, list(filing_store.events_of(session, f.id))) for f in rows if f.id is not None],
        conversation_ids=[c.id for c in people.conversations_of(session, person_id) if c.id is not None],
    )


def filing_of(session: Session, person_id: int, filing_id: int) -> Filing:
    """The person's filing; PersonNotFound when the filing is not theirs (or does not exist)."""
    filing = filing_store.get_filing(session, filing_id)
    if filing is None or filing.person_id != person_id:
        raise PersonNotFound(f"filing {filing_id} of person {person_id} not found")
    return filing


def masked_identity(cipher: people.Sealer, person: InsuredPerson) -> dict[str, str]:
    """Name, ID number and phone as every console role may see them (张*, 2201**********123X, 139****0001).
    Opened in memory only to mask them; a clear value is read through bot.filing_desk.reveal_for_staff."""
    name = cipher.open(person.name_enc, "name")
    phone = cipher.open(person.phone_enc, "phone")
    return {
        "name": name[:1] + "*" * (len(name) - 1),
        "id_number": person.id_number_masked,
        "phone": phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone),
    }
