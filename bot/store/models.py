"""Tables of the conversation engine: conversations, their messages, retry claims, outbox, handoffs, staff."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Conversation(SQLModel, table=True):
    """One person on one channel and account: session state, and who owns the conversation."""

    __table_args__ = (UniqueConstraint("channel", "account", "user_key", name="uq_conversation_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    account: str = Field(max_length=40)
    user_key: str = Field(max_length=128, index=True)
    locale: str = Field(default="zh_CN", max_length=10)
    region: str = Field(max_length=40)
    region_switched: bool = False
    flow: str | None = Field(default=None, max_length=40)
    slots: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    filled: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    paused: bool = False
    pending: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    history: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="bot", max_length=20, index=True)  # bot | waiting | staff
    owner: str | None = Field(default=None, max_length=64)  # staff username while a person owns it
    person_id: int | None = Field(default=None, index=True)
    subscribed: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ConversationMessage(SQLModel, table=True):
    """A message in a conversation, with personal data redacted, for staff and audit."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    direction: str = Field(max_length=10)  # in | out | staff | system
    kind: str = Field(default="text", max_length=20)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    intent: str = Field(default="", max_length=80)
    author: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class InboundClaim(SQLModel, table=True):
    """First come, first served: a retried message finds its key claimed and gets the first answer."""

    key: str = Field(primary_key=True, max_length=200)
    state: str = Field(default="processing", max_length=12)  # processing | done
    reply: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxMessage(SQLModel, table=True):
    """A message to deliver later through a platform API (late answers, long answers, reminders)."""

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    account: str = Field(max_length=40)
    user_key: str = Field(max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)


class Handoff(SQLModel, table=True):
    """A request for a person to take over a conversation, and who took it."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    reason: str = Field(default="", max_length=200)
    requested_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = None
    closed_at: datetime | None = None


class StaffUser(SQLModel, table=True):
    """A customer-service, policy or admin user of the staff console and admin pages."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=64)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)  # agent | supervisor | policy | admin
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UnansweredQuestion(SQLModel, table=True):
    """A question the assistant could not answer confidently, for the policy team to review."""

    id: int | None = Field(default=None, primary_key=True)
    region: str = Field(max_length=40, index=True)
    locale: str = Field(default="zh_CN", max_length=10)
    text: str = Field(sa_column=Column(Text, nullable=False))
    band: str = Field(max_length=12)  # clarify | fallback
    candidates: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
