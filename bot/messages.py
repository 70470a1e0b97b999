"""Channel-neutral inbound and outbound messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

InboundKind = Literal["text", "voice", "event", "image", "location", "link", "video", "file", "unknown"]


@dataclass(frozen=True)
class Inbound:
    """One message or event from a person, whatever the channel."""

    channel: str  # wechat | web | miniprogram | console
    account: str  # the official account name, or "web"
    user_key: str  # openid or web user id
    kind: InboundKind
    received_at: datetime
    text: str = ""
    event: str = ""  # lower-case WeChat event name: subscribe, click, view, ...
    event_key: str = ""
    message_id: str = ""  # the channel's id for dedupe, if any
    region: str | None = None  # the account's region pack


@dataclass(frozen=True)
class Choice:
    """A numbered quick reply: the person may answer with its number or label."""

    value: str
    label: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Outbound:
    """One reply: text, optional numbered quick replies, links, and structured data for rich channels."""

    text: str
    choices: tuple[Choice, ...] = ()
    links: tuple[Link, ...] = ()
    kind: str = "text"  # text | chart | notice
    data: dict[str, Any] = field(default_factory=dict)

    def as_plain_text(self) -> str:
        """The whole reply as text, for channels without buttons (WeChat, terminal)."""
        parts = [self.text.rstrip()]
        if self.choices:
            parts.append("\n".join(f"{i}. {c.label}" for i, c in enumerate(self.choices, start=1)))
        for link in self.links:
            parts.append(f"{link.title}：{link.url}")
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Reply:
    """Everything the engine answers to one inbound message."""

    messages: tuple[Outbound, ...] = ()
    intent: str = ""  # what the engine understood, for metrics and logs (never personal data)

    @property
    def empty(self) -> bool:
        return not self.messages
