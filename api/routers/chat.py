"""Web chat and mini-program JSON API over the same engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.deps import EngineDep, SessionDep, WebUser
from bot.engine import reply_to_dict
from bot.messages import Inbound
from bot.metrics import LATENCY
from bot.store.conversations import find_conversation
from bot.store.staff import staff_messages_since

router = APIRouter(prefix="/api/v1", tags=["chat"])


class ChatRequest(BaseModel):
    text: str = Field(default="", max_length=1000, description="What the person typed")
    event: Literal["start"] | None = Field(default=None, description="'start' when the chat page opens")
    client_msg_id: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Client id of the message: a resent message is answered once",
    )


class ChoiceOut(BaseModel):
    value: str
    label: str


class LinkOut(BaseModel):
    title: str
    url: str


class MessageOut(BaseModel):
    text: str
    kind: str = "text"
    choices: list[ChoiceOut] = []
    links: list[LinkOut] = []
    data: dict[str, object] = {}


class ChatResponse(BaseModel):
    intent: str
    messages: list[MessageOut]


@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, user: WebUser, engine: EngineDep) -> ChatResponse:
    """Send one message (or the page-open event) and get the assistant's replies."""
    if body.event is None and not body.text.strip():
        raise HTTPException(status_code=422, detail="text is empty")
    inbound = Inbound(
        channel=user["channel"],
        account="web",
        user_key=user["user_key"],
        region=user["region"],
        kind="event" if body.event else "text",
        event="subscribe" if body.event else "",
        text=body.text,
        message_id=body.client_msg_id or "",
        received_at=datetime.now(),
    )
    started = datetime.now()
    if user["region"] not in engine.content.regions:
        raise HTTPException(status_code=422, detail="unknown region")
    inbound = replace(inbound, region=user["region"])
    if body.client_msg_id:
        key = f"{user['channel']}:{user['user_key']}:{body.client_msg_id}"
        reply = engine.handle_once(inbound, key)
        if reply is None:
            reply = engine.claimed_reply(key)
            if reply is None:
                raise HTTPException(status_code=409, detail="message is still being handled")
    else:
        reply = engine.handle(inbound)
    LATENCY.labels(user["channel"]).observe((datetime.now() - started).total_seconds())
    return ChatResponse.model_validate(reply_to_dict(reply))


class StaffMessageOut(BaseModel):
    id: int
    text: str
    author: str | None
    at: datetime


class UpdatesResponse(BaseModel):
    status: str = Field(description="bot, waiting (for a staff member) or staff (a staff member answers)")
    messages: list[StaffMessageOut]


@router.get("/chat/updates", response_model=UpdatesResponse)
def updates(user: WebUser, session: SessionDep, after: int = Query(default=0, ge=0)) -> UpdatesResponse:
    """What staff wrote since message `after`: the web chat polls this while a person owns the chat."""
    conversation = find_conversation(session, user["channel"], "web", user["user_key"])
    if conversation is None or conversation.id is None:
        return UpdatesResponse(status="bot", messages=[])
    rows = staff_messages_since(session, conversation.id, after)
    return UpdatesResponse(
        status=conversation.status,
        messages=[StaffMessageOut(id=r.id or 0, text=r.text, author=r.author, at=r.created_at) for r in rows],
    )
