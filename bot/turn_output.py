"""What one turn says: rendered templates and numbered choices, collected in order, with the turn's intent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.content.loader import Content
from bot.messages import Choice, Outbound
from bot.rendering import Renderer
from bot.store.models import Conversation
from flows.base import Option, Say

TARGET_KINDS = ("flow", "faq", "cmd")


class TurnOutput:
    """The messages of one turn; numbered choices are remembered on the conversation so 1, 2 or a label picks
    them next time."""

    def __init__(self, renderer: Renderer, content: Content, conversation: Conversation) -> None:
        self.renderer = renderer
        self.content = content
        self.conv = conversation
        self.messages: list[Outbound] = []
        self.intent = ""

    @property
    def locale(self) -> str:
        return self.conv.locale

    def region_title(self) -> str:
        pack = self.content.pack(self.conv.region)
        return pack.title if self.locale == "zh_CN" else pack.title_en

    def render(self, template: str, context: Mapping[str, Any] | None = None) -> str:
        base = {"region_name": self.region_title(), "region_switched": self.conv.region_switched}
        return self.renderer.render(template, self.locale, {**base, **(context or {})})

    def mark(self, intent: str) -> None:
        """The turn's intent, for metrics and the evaluation: the first one set wins."""
        if intent and not self.intent:
            self.intent = intent

    def say(
        self,
        template: str,
        *,
        options: tuple[Option, ...] = (),
        intent: str = "",
        kind: str = "text",
        data: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> None:
        self.emit(self.render(template, context), options, kind, data)
        self.mark(intent)

    def emit(
        self,
        text: str,
        options: tuple[Option, ...] = (),
        kind: str = "text",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        choices = tuple(Choice(o.value, self.renderer.gettext(self.locale, o.label)) for o in options)
        self.messages.append(Outbound(text=text, choices=choices, kind=kind, data=dict(data or {})))
        if choices and all(c.value.partition(":")[0] in TARGET_KINDS for c in choices):
            self.remember(choices)

    def say_all(self, says: tuple[Say, ...]) -> None:
        for say in says:
            self.emit(self.render(say.template, say.context), say.options, say.kind, say.data)

    def offer(self, options: list[tuple[str, str]], template: str, **context: Any) -> None:
        """Numbered choices the person can pick with 1, 2, 3 … or by typing the label, outside a flow step."""
        self.say(template, options=tuple(Option(v, label) for v, label in options), **context)

    def remember(self, choices: tuple[Choice, ...]) -> None:
        kept = {k: v for k, v in self.conv.pending.items() if k not in ("options", "labels")}
        self.conv.pending = {
            **kept,
            "options": [c.value for c in choices],
            "labels": [c.label for c in choices],
        }
