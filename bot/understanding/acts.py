"""What the understanding stage makes of one message: a dialogue act, its target and its slots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.knowledge.index import Candidate

# ask: a question about a rule (answered from the FAQ); do: a request to start a conversation (a flow);
# give: values only (answers a flow's step); confirm / deny: yes or no to what was just asked;
# human: wants a person; chitchat: greetings and thanks; none: nothing understood.
ActKind = Literal["ask", "do", "give", "confirm", "deny", "human", "chitchat", "none"]
# How the answer was chosen: one best answer, a short menu of close candidates that differ, or nothing.
Choice = Literal["answer", "menu", "fallback"]


@dataclass(frozen=True)
class State:
    """What the understanding stage may know of the conversation: the open flow and the step it waits on."""

    flow: str | None = None
    step: str | None = None
    options: tuple[str, ...] = ()  # values of the numbered choices last offered


@dataclass(frozen=True)
class Understood:
    """One message read: act, target ("faq:<id>", "flow:<name>", "cmd:<name>"), slots, region named.

    `choice` is how the target was chosen for an ask ("answer", "menu" with `menu` candidates, "fallback");
    `related` are up to two other entries worth offering under an answer; `search_text` is the message as it
    was searched (without the region clause and identity values)."""

    act: ActKind
    target: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None
    choice: Choice = "answer"
    menu: tuple[Candidate, ...] = ()
    related: tuple[Candidate, ...] = ()
    ranking: tuple[Candidate, ...] = ()
    chitchat: str | None = None
    search_text: str = ""
    region_only: bool = False  # the message only named a region ("我是德州参保的")
    explicit: bool = False  # a request in so many words ("帮我办…"), not a ranking's guess
    asks: bool = False  # the message has question words (吗, 怎么, 多少 …)
    read_as: str = ""  # the text as read: an English message in the Chinese words steps understand
    language: Literal["zh", "en"] | None = None  # None: no words of either (a number, a code)

    @property
    def flow(self) -> str | None:
        kind, _, value = (self.target or "").partition(":")
        return value if kind == "flow" else None

    @property
    def faq(self) -> str | None:
        kind, _, value = (self.target or "").partition(":")
        return value if kind == "faq" else None
