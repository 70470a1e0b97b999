"""The flow language: a flow is an ordered list of slot-filling steps plus a completion handler.

A step asks for one slot; the next step is the first whose condition holds and whose slot is not yet filled
(Rasa forms' idea). Flows never produce text themselves: they name templates in content/templates/<flow>/ and
hand over the values to render, so every word a person reads comes from content and its translations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.services import Services

Slots = Mapping[str, Any]


@dataclass(frozen=True)
class Option:
    """A numbered choice offered by a step; `label` is Chinese source text translated by the engine."""

    value: str
    label: str


@dataclass(frozen=True)
class Say:
    """One message to send: a template under content/templates and the values it needs."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    kind: str = "text"  # text | chart | notice
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What a completed flow answers, and optionally the flow to start next."""

    says: tuple[Say, ...]
    next_flow: str | None = None
    intent: str = ""
    # What the conversation should keep for later turns (e.g. the flow to start after binding), and forget:
    # effects as data, which the engine applies, instead of flows writing to the conversation.
    remember: Mapping[str, Any] = field(default_factory=dict)
    forget: tuple[str, ...] = ()


class Invalid(Exception):  # noqa: N818 - reads as "raise Invalid(...)" in parsers
    """A parser refused the input; the template explains why to the person. `remember` is kept on the
    conversation all the same (a count of wrong codes)."""

    def __init__(self, template: str, *, remember: Mapping[str, Any] | None = None, **context: Any) -> None:
        super().__init__(template)
        self.template = template
        self.context = context
        self.remember = dict(remember or {})


class Refused(Exception):  # noqa: N818
    """A completion handler refused the request; the template says which rule, with its citation."""

    def __init__(self, template: str, **context: Any) -> None:
        super().__init__(template)
        self.template = template
        self.context = context


@dataclass
class FlowContext:
    """What a flow may know about the person and the world: no I/O of its own, only these."""

    region: str
    locale: str
    today: date
    now: datetime
    channel: str
    account: str
    user_key: str
    person_id: int | None
    content: Any  # bot.content.Content: region packs, choice sets, policies, calendar
    services: Services  # storage, registry, sealing, SMS, documents (flows/services.py)
    said: Mapping[str, Any] = field(default_factory=dict)  # what the message that started the flow said
    kept: Mapping[str, Any] = field(default_factory=dict)  # what earlier turns remembered (Outcome.remember)

    def options(self, name: str) -> tuple[Option, ...]:
        """A fixed set of numbered choices from content/choices.yaml."""
        return tuple(Option(value, label) for value, label in self.content.choice_set(name))


Parser = Callable[[str, Slots, FlowContext], Any]
Condition = Callable[[Slots, FlowContext], bool]
OptionsFn = Callable[[Slots, FlowContext], tuple[Option, ...]]
ContextFn = Callable[[Slots, FlowContext], Mapping[str, Any]]
Completion = Callable[[Slots, FlowContext], Outcome]
Starter = Callable[[FlowContext], Outcome | None]
Prefill = Callable[[str, FlowContext], Mapping[str, Any]]
# What the understanding stage found in a message (its slots, bot/understanding) → the answers it gives to
# this flow's steps (step slot → an option value or text for that step's parser), given the slots so far.
Take = Callable[[Mapping[str, Any], Slots, FlowContext], Mapping[str, Any]]


def iso(value: Any) -> str:
    """A date slot as ISO text, whether it is a date or already text (slots kept across turns are JSON)."""
    return value if isinstance(value, str) else str(value.isoformat())


def always(_slots: Slots, _ctx: FlowContext) -> bool:
    return True


def accept_text(text: str, _slots: Slots, _ctx: FlowContext) -> str:
    """Default parser: any non-empty text."""
    value = text.strip()
    if not value:
        raise Invalid("engine/invalid_empty")
    return value


@dataclass(frozen=True)
class Step:
    """Ask `prompt`, fill `slot` with `parse(text)`; skipped unless `when` holds.

    With `options`, a reply of a number or a label picks that option's value before `parse` sees it.
    A `sensitive` step's answer (a name, an ID number) is never written to the message log in the clear.
    """

    slot: str
    prompt: str
    parse: Parser = accept_text
    when: Condition = always
    options: OptionsFn | None = None
    prompt_context: ContextFn | None = None
    sensitive: bool = False
    asked: bool = True  # False: filled only from what the person says unprompted (their own local ratio)
    repeat: bool = True  # False: an answer refused is told why, without the whole prompt again


@dataclass(frozen=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    on_complete: Completion
    on_start: Starter | None = None  # may answer instead of starting (e.g. "bind your identity first")
    prefill: Prefill | None = None  # slots already given in the sentence that started the flow
    take: Take | None = None  # step answers from the slots the understanding found in any message
    note: Callable[[Slots, FlowContext], Say | None] | None = None  # shown once before the next question
    early: Callable[[Slots, FlowContext], Outcome | None] | None = None  # answers at once, ending the flow
    echo: Callable[[Slots, FlowContext], Say | None] | None = None  # what the first message gave, said back

    def prefilled(self, text: str, ctx: FlowContext) -> dict[str, Any]:
        """Slots the starting sentence answers ("我10月8号出院" → the discharge date), in step order."""
        if self.prefill is None or not text:
            return {}
        found = self.prefill(text, ctx)
        return {step.slot: found[step.slot] for step in self.steps if step.slot in found}

    def next_step(self, slots: Slots, ctx: FlowContext) -> Step | None:
        for step in self.steps:
            if step.asked and step.slot not in slots and step.when(slots, ctx):
                return step
        return None

    def step(self, slot: str) -> Step:
        for step in self.steps:
            if step.slot == slot:
                return step
        raise KeyError(slot)
