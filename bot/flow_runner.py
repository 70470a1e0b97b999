"""Runs the open flow: starts it with every slot the message already gave, fills steps from what each message
says (numbers, labels, words, or any slot the understanding found), asks only for what is missing, and
completes it. The next step is computed once per message and handed to whatever needs it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import is_dataclass, replace
from datetime import date
from typing import Any

from bot.commands import normalise
from bot.store.models import Conversation
from bot.turn_output import TurnOutput
from bot.understanding import Understood
from bot.understanding.reader import IDENTITY_SLOTS
from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Refused, Step

YES, NO = "yes", "no"
# What a message asks to be done (not facts of the case): not carried over when the request is refused.
_REQUEST_SLOTS = frozenset({"action", "pledge", "filing_kind"})


class FlowRunner:
    def __init__(self, out: TurnOutput, flows: Mapping[str, Flow], context: Any) -> None:
        self.declined: dict[str, Invalid] = {}  # step answers the last take could not accept, and why
        self._started_with: Mapping[str, Any] = {}  # the understood slots a flow started with in this turn
        self._asked = ""  # the step this turn's message was taken as an answer to
        self.out = out
        self.flows = flows
        self._context = context  # () -> FlowContext, built lazily (it reads the clock and services)

    @property
    def conv(self) -> Conversation:
        return self.out.conv

    def flow(self) -> Flow | None:
        return self.flows.get(self.conv.flow or "")

    def clear(self) -> None:
        if "noted" in self.conv.pending:
            self.conv.pending = {k: v for k, v in self.conv.pending.items() if k != "noted"}
        self.conv.flow = None
        self.conv.slots = {}
        self.conv.filled = []
        self.conv.paused = False

    def current_step(self) -> Step | None:
        flow = self.flow()
        return None if flow is None else flow.next_step(self.conv.slots, self._context())

    # ---- start -------------------------------------------------------------------------------------------
    def start(self, name: str, understood: Understood | None = None, trigger: str = "") -> None:
        flow = self.flows.get(name)
        if flow is None:
            self.out.say("engine/flow_unavailable", intent=f"flow:{name}")
            return
        self.out.mark(f"flow:{name}")
        earlier = {**self._asked_before(), **self.given_later(name)}
        given = {**earlier, **understood.slots} if understood is not None else earlier
        self._started_with = given
        ctx = replace(self._context(), said=given)
        if flow.on_start is not None:
            outcome = flow.on_start(ctx)
            if outcome is not None:
                self._remember_for_later(name, given)
                self.outcome(outcome)
                return
        self.clear()
        self.conv.flow = name
        prefilled = {**self._kept_after_refusal(flow, ctx), **flow.prefilled(trigger, ctx)}
        self.conv.slots = dict(prefilled)
        self.conv.filled = list(prefilled)
        self.declined = {}
        if self.take(flow, given, ctx, correct=bool(prefilled)) and flow.echo is not None:
            said = flow.echo(self.conv.slots, ctx)
            if said is not None:
                self.out.say_all((said,))
        step = flow.next_step(self.conv.slots, ctx)
        if step is not None and step.slot in self.declined:  # what was asked for cannot be done: say why
            invalid = self.declined[step.slot]
            self.out.say(invalid.template, **invalid.context)
            if step is flow.steps[0]:  # the request itself ("撤销" with nothing to cancel): nothing to ask
                self.clear()
                return
        self.prompt()

    def _remember_for_later(self, name: str, given: Mapping[str, Any], on: date | None = None) -> None:
        """Slots said before a flow could start (bind first) or when it was refused: kept, so they are not
        asked for again (a refused request's, only for the rest of that day)."""
        kept = {k: v for k, v in given.items() if k not in IDENTITY_SLOTS}
        if kept:
            remembered = {"flow": name, "slots": _storable(kept), **({"on": on.isoformat()} if on else {})}
            self.conv.pending = {**self.conv.pending, "given": remembered}

    def _keep_after_refusal(self, flow: Flow, slots: Mapping[str, Any], ctx: FlowContext) -> None:
        """The facts of a refused request (the place, the dates), kept for the rest of the day, so that asking
        again another way ("那就按正常的办") does not ask for them again. The request itself, whatever the
        rules refused and every choice made are not kept."""
        # Facts are what was typed freely (a place, a date), never a choice, a confirmation or a signature.
        typed = {step.slot for step in flow.steps if step.options is None and not step.sensitive}
        facts = {
            k: v
            for k, v in slots.items()
            if k in typed and not isinstance(v, bool) and not (isinstance(v, dict) and "refused" in v)
        }
        if facts:
            kept = {"flow": flow.name, "on": ctx.today.isoformat(), "slots": _storable(facts)}
            self.conv.pending = {**self.conv.pending, "refused": kept}
        # Refused as it started: what the message said, but for the request itself (do what, by pledge or not)
        said = {k: v for k, v in self._started_with.items() if k not in _REQUEST_SLOTS}
        if said:
            self._remember_for_later(flow.name, said, on=ctx.today)

    def _kept_after_refusal(self, flow: Flow, ctx: FlowContext) -> dict[str, Any]:
        kept = self.conv.pending.get("refused")
        if not isinstance(kept, dict):
            return {}
        self.conv.pending = {k: v for k, v in self.conv.pending.items() if k != "refused"}
        if kept.get("flow") != flow.name or kept.get("on") != ctx.today.isoformat():
            return {}
        steps = {step.slot for step in flow.steps}
        return {k: v for k, v in dict(kept.get("slots") or {}).items() if k in steps}

    def remember_asked(self, slots: Mapping[str, Any]) -> None:
        """The facts of a question just answered ("上个月在北京协和住的院…还能补不"), kept for the rest of the
        day: a request that follows ("那就给俺补办上") starts with them."""
        facts = {k: v for k, v in slots.items() if k not in IDENTITY_SLOTS and k != "action"}
        if facts:
            on = self._context().today.isoformat()
            self.conv.pending = {**self.conv.pending, "asked": {"on": on, "slots": _storable(facts)}}
        elif "asked" in self.conv.pending:
            self.conv.pending = {k: v for k, v in self.conv.pending.items() if k != "asked"}

    def _asked_before(self) -> dict[str, Any]:
        asked = self.conv.pending.get("asked")
        if not isinstance(asked, dict):
            return {}
        self.conv.pending = {k: v for k, v in self.conv.pending.items() if k != "asked"}
        if asked.get("on") != self._context().today.isoformat():
            return {}
        return dict(asked.get("slots") or {})

    def given_later(self, name: str) -> dict[str, Any]:
        given = self.conv.pending.get("given")
        if not isinstance(given, dict) or given.get("flow") != name:
            return {}
        self.conv.pending = {k: v for k, v in self.conv.pending.items() if k != "given"}
        if given.get("on") and given["on"] != self._context().today.isoformat():
            return {}
        return dict(given.get("slots") or {})

    # ---- filling -----------------------------------------------------------------------------------------
    def take(
        self, flow: Flow, given: Mapping[str, Any], ctx: FlowContext, *, correct: bool = False
    ) -> list[str]:
        """Fill every step the understood slots answer, in step order; returns the slots filled. With
        `correct`, a value said again differently replaces the one filled ("不对 下周二开始")."""
        if not given or flow.take is None:
            return []
        inputs = dict(flow.take(given, self.conv.slots, ctx))
        filled: list[str] = []
        changed = True
        while changed and inputs:  # a step's condition may depend on a slot filled in the pass before
            changed = False
            for step in flow.steps:
                if step.slot not in inputs or (step.slot in self.conv.slots and not correct):
                    continue
                if not step.when(self.conv.slots, ctx):
                    continue
                value = self._accept(step, inputs.pop(step.slot), ctx)
                if isinstance(value, Invalid):
                    self.declined[step.slot] = value
                    continue
                if self.conv.slots.get(step.slot) == value:
                    continue
                self._set(step.slot, value)
                filled.append(step.slot)
                changed = True
        return filled

    def answer_step(self, text: str, understood: Understood) -> bool:
        """Fill the current step (and any other the message answers); False when the message answers none."""
        flow = self.flow()
        if flow is None:
            return False
        ctx = self._context()
        step = flow.next_step(self.conv.slots, ctx)
        if step is None:
            return False
        self._asked = step.slot
        # In a question ("承诺制备案有效期多久") the slot words name the topic, not the person's answers.
        given = {} if understood.act == "ask" and understood.asks else understood.slots
        if understood.act == "deny" and given and self.take(flow, given, ctx, correct=True):
            return True  # "不对 是下周二开始": a correction, not a no
        picked = self._pick(step, text, understood, ctx)
        if picked is not None:
            value = self._accept(step, picked, ctx, raise_invalid=True)
            self._set(step.slot, value)
            self.take(flow, given, ctx)
            return True
        return bool(self.take(flow, given, ctx, correct=True))

    def restates(self, understood: Understood) -> bool:
        """The message only says again what the flow already has ("那就先承诺" after the pledge was chosen,
        "那就按承诺的办"): nothing to refuse, the step is asked again."""
        flow = self.flow()
        if flow is None or flow.take is None or not understood.slots or understood.asks:
            return False
        ctx = self._context()
        inputs = flow.take(understood.slots, self.conv.slots, ctx)
        if not inputs or any(slot not in self.conv.slots for slot in inputs):
            return False
        for slot, value in inputs.items():
            accepted = self._accept(flow.step(slot), value, ctx)
            if isinstance(accepted, Invalid) or accepted != self.conv.slots[slot]:
                return False
        return True

    def answer_free_text(self, text: str) -> None:
        """The message as the answer to a free-text step (a name, a date, a place); explains a refusal."""
        flow = self.flow()
        ctx = self._context()
        step = None if flow is None else flow.next_step(self.conv.slots, ctx)
        if step is None:
            return
        if step.options is not None:
            options = step.options(self.conv.slots, ctx)
            example = _head(self.out.renderer.gettext(self.out.locale, options[0].label)) if options else ""
            raise Invalid("engine/invalid_option", example=example)
        self._set(step.slot, self._accept(step, text, ctx, raise_invalid=True))

    def _pick(self, step: Step, text: str, understood: Understood, ctx: FlowContext) -> str | None:
        if step.options is None:
            return None
        options = step.options(self.conv.slots, ctx)
        values = {o.value for o in options}
        if understood.act in ("confirm", "deny") and {YES, NO} <= values:
            return YES if understood.act == "confirm" else NO
        return pick_option(text, options, self.out.renderer, self.out.locale)

    def _accept(self, step: Step, value: Any, ctx: FlowContext, raise_invalid: bool = False) -> Any:
        try:
            return step.parse(value, self.conv.slots, ctx)
        except Invalid as invalid:
            self.keep(invalid.remember)
            if raise_invalid:
                raise
            return invalid

    def _set(self, slot: str, value: Any) -> None:
        self.conv.slots = {**self.conv.slots, slot: value}
        self.conv.filled = [*(s for s in self.conv.filled if s != slot), slot]

    # ---- asking and completing ---------------------------------------------------------------------------
    def prompt(self, resumed: bool = False, again: bool = False) -> None:
        """Ask the next step (`again`: after the person's answer to it was refused)."""
        flow = self.flow()
        if flow is None:
            self.clear()
            return
        ctx = self._context()
        if flow.early is not None:
            answer = flow.early(self.conv.slots, ctx)
            if answer is not None:
                self.clear()
                self.outcome(answer)
                return
        step = flow.next_step(self.conv.slots, ctx)
        if step is None:
            self.complete(flow, ctx)
            return
        if again and not step.repeat and step.slot == self._asked:
            return  # the refusal said what to reply; a long text is not sent twice
        self._note(flow, ctx)
        extra = dict(step.prompt_context(self.conv.slots, ctx)) if step.prompt_context else {}
        options = step.options(self.conv.slots, ctx) if step.options else ()
        if resumed:
            self.out.say("engine/resumed")
        self.out.say(step.prompt, options=options, slots=dict(self.conv.slots), **extra)

    def _note(self, flow: Flow, ctx: FlowContext) -> None:
        """What the facts so far already decide (a ratio), said once, before the next question."""
        if flow.note is None:
            return
        say = flow.note(self.conv.slots, ctx)
        if say is None:
            return
        text = self.out.render(say.template, say.context)
        if self.conv.pending.get("noted") == text:
            return
        self.conv.pending = {**self.conv.pending, "noted": text}
        self.out.emit(text)

    def complete(self, flow: Flow, ctx: FlowContext) -> None:
        slots = dict(self.conv.slots)
        self.clear()
        try:
            outcome = flow.on_complete(slots, ctx)
        except Refused as refused:
            self.out.intent = f"refused:{flow.name}"
            self.out.say(refused.template, **refused.context)
            self._keep_after_refusal(flow, slots, ctx)
            return
        self.outcome(outcome)

    def keep(self, remember: Mapping[str, Any], forget: tuple[str, ...] = ()) -> None:
        """Apply a flow's effects on the conversation: what to remember for later turns, what to forget."""
        kept = {k: v for k, v in self.conv.pending.items() if k not in forget}
        self.conv.pending = {**kept, **remember}

    def outcome(self, outcome: Outcome) -> None:
        self.keep(outcome.remember, outcome.forget)
        if outcome.intent:  # what the flow did ("filing:pledge", "deadline:due") says more than "flow:…"
            self.out.intent = outcome.intent
        self.out.say_all(outcome.says)
        if outcome.next_flow:
            self.start(outcome.next_flow)

    def back(self) -> bool:
        if not self.conv.flow or not self.conv.filled:
            return False
        filled = list(self.conv.filled)
        last = filled.pop()
        self.conv.filled = filled
        self.conv.slots = {k: v for k, v in self.conv.slots.items() if k != last}
        self.conv.paused = False
        self.prompt()
        return True


def _storable(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Slots as JSON values (dates as ISO text, sets as lists, decimals as text)."""
    out: dict[str, Any] = {}
    for key, value in slots.items():
        if is_dataclass(value) and hasattr(value, "name"):  # a place understood: its name, as said
            value = value.name
        elif isinstance(value, set | frozenset | tuple):
            value = sorted(str(v) for v in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | list | dict | type(None)):
            value = str(value)
        out[key] = value
    return out


def pick_option(text: str, options: tuple[Option, ...], renderer: Any, locale: str) -> str | None:
    """The option a reply names: its number, its label (or the label's main part), or its value."""
    wanted = normalise(text)
    if wanted.isdigit():
        index = int(wanted)
        return options[index - 1].value if 1 <= index <= len(options) else None
    labels = {
        option.value: {
            normalise(option.label),
            normalise(renderer.gettext(locale, option.label)),
            normalise(option.value),
        }
        for option in options
    }
    for value, names in labels.items():
        if wanted in names:
            return value
    # A reply that is the main part of one label ("居民" → 居民医保, "三级" → 三级医院), or names it whole.
    heads = {value: {_head(name) for name in names} for value, names in labels.items()}
    found = [v for v, names in heads.items() if any(len(wanted) >= 2 and wanted in n for n in names)]
    if len(found) == 1:
        return found[0]
    found = [v for v, names in heads.items() if any(len(n) >= 2 and n in wanted for n in names)]
    return found[0] if len(found) == 1 else None


def _head(label: str) -> str:
    """A label without its explanation in brackets: 长期异地（已备案） → 长期异地."""
    for mark in ("（", "("):
        label = label.split(mark)[0]
    return label.strip()
