"""One turn of a conversation: commands, pending choices, the active flow, questions, handoff."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.commands import normalise
from bot.messages import Choice, Inbound, Outbound, Reply
from bot.redaction import redact
from bot.store import conversations as store
from bot.store.models import Conversation
from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Refused, Say

if TYPE_CHECKING:
    from bot.engine import Engine

# Events a person triggers on purpose get an answer; platform notifications (card, template, location
# reports) get none, which WeChat reads as "success".
_PERSON_EVENTS = {
    "scan",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "user_enter_session_from_card",
    "user_scan_product_enter_session",
}
_TARGET_KINDS = ("flow", "faq", "cmd")
_COMMAND_KEYS = {"handoff": "human"}  # the knowledge index's command keys, as engine commands
_DIGITS = re.compile(r"^\s*(\d{1,2})\s*$")
_QUOTED = re.compile(r"“([^”]{2,})”")


class Turn:
    def __init__(
        self, engine: Engine, session: Session, conversation: Conversation, inbound: Inbound
    ) -> None:
        self.engine = engine
        self.session = session
        self.conv = conversation
        self.inbound = inbound
        self.out: list[Outbound] = []
        self.intent = ""

    # ---- entry -------------------------------------------------------------------------------------------
    def run(self) -> Reply:
        inbound = self.inbound
        if inbound.region and not self.conv.region_switched:
            self.conv.region = inbound.region
        text = inbound.text.strip() if inbound.kind in ("text", "voice") else ""
        self._log_in(text, hidden=self._awaiting_sensitive())
        self._show_notices()
        if inbound.kind == "event":
            self._event()
        elif inbound.kind == "voice" and not text:
            self._say("engine/voice_unrecognised", intent="voice_unrecognised")
        elif inbound.kind in ("text", "voice"):
            self._text(text)
        else:
            self._say("engine/unsupported", kind=inbound.kind, intent=f"unsupported:{inbound.kind}")
        store.touch(self.conv)
        for message in self.out:
            store.add_message(
                self.session, self._cid, "out", redact(message.as_plain_text()), intent=self.intent
            )
        if self.out:
            store.remember(self.conv, "bot", redact(self.out[-1].text))
        return Reply(messages=tuple(self.out), intent=self.intent)

    @property
    def _cid(self) -> int:
        assert self.conv.id is not None
        return self.conv.id

    def _awaiting_sensitive(self) -> bool:
        """True when the person is answering a step that asks for personal data (name, ID number, phone)."""
        flow = self._flow()
        if flow is None or self.conv.paused or self.inbound.kind not in ("text", "voice"):
            return False
        step = flow.next_step(self.conv.slots, self._flow_context())
        return step is not None and step.sensitive

    def _show_notices(self) -> None:
        """Notices stored for this conversation (status changes, reminders) come before the answer."""
        take = self.engine.services.get("take_notices")
        if take is None:
            return
        for notice in take(self.session, self._cid):
            self._emit(notice, kind="notice")

    def _log_in(self, text: str, *, hidden: bool = False) -> None:
        inbound = self.inbound
        if hidden and text:
            text = "[personal data, hidden]"
        shown = text or (
            f"[{inbound.event}:{inbound.event_key}]" if inbound.kind == "event" else f"[{inbound.kind}]"
        )
        store.add_message(self.session, self._cid, "in", redact(shown), kind=inbound.kind)
        store.remember(self.conv, "user", redact(shown))

    # ---- output ------------------------------------------------------------------------------------------
    @property
    def locale(self) -> str:
        return self.conv.locale

    def _render(self, template: str, context: Mapping[str, Any] | None = None) -> str:
        base = {"region_name": self._region_title(), "region_switched": self.conv.region_switched}
        return self.engine.renderer.render(template, self.locale, {**base, **(context or {})})

    def _say(
        self,
        template: str,
        *,
        options: tuple[Option, ...] = (),
        intent: str = "",
        kind: str = "text",
        data: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> None:
        self._emit(self._render(template, context), options, kind, data)
        if intent and not self.intent:
            self.intent = intent

    def _emit(
        self,
        text: str,
        options: tuple[Option, ...] = (),
        kind: str = "text",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        choices = tuple(Choice(o.value, self.engine.renderer.gettext(self.locale, o.label)) for o in options)
        self.out.append(Outbound(text=text, choices=choices, kind=kind, data=dict(data or {})))

    def _say_all(self, says: tuple[Say, ...]) -> None:
        for say in says:
            self._emit(self._render(say.template, say.context), say.options, say.kind, say.data)
            targets = [o.value for o in say.options]
            if targets and all(t.partition(":")[0] in _TARGET_KINDS for t in targets):
                # A finished flow's numbered offers (flow:filing …) are picked by number like menu options.
                self.conv.pending = {**self.conv.pending, "options": targets}

    def _offer(self, options: list[tuple[str, str]], template: str, **context: Any) -> None:
        """Numbered choices the person can pick with 1, 2, 3 … outside a flow step."""
        kept = {k: v for k, v in self.conv.pending.items() if k != "question"}
        self.conv.pending = {**kept, "options": [value for value, _ in options]}
        self._say(template, options=tuple(Option(v, label) for v, label in options), **context)

    def _region_title(self) -> str:
        pack = self.engine.content.pack(self.conv.region)
        return pack.title if self.locale == "zh_CN" else pack.title_en

    # ---- events ------------------------------------------------------------------------------------------
    def _event(self) -> None:
        event = self.inbound.event
        if event in ("subscribe", "subscribe_scan"):
            self.conv.subscribed = True
            self._welcome()
        elif event == "unsubscribe":
            self.conv.subscribed = False
            self.intent = "unsubscribe"
        elif event == "click":
            self._menu_key(self.inbound.event_key)
        elif event in _PERSON_EVENTS:
            self._say("engine/unsupported", kind=event, intent=f"event:{event}")
        else:
            self.intent = f"event:{event or 'unknown'}"

    def _welcome(self) -> None:
        self._offer(self._menu_options(), "engine/welcome")
        self.intent = "welcome"

    def _menu_options(self) -> list[tuple[str, str]]:
        pack = self.engine.content.pack(self.conv.region)
        english = self.locale == "en"
        return [
            (leaf.target, leaf.label_en if english and leaf.label_en else leaf.label)
            for leaf in pack.leaf_menu()
            if not leaf.target.startswith("url:")
        ]

    def _menu_key(self, key: str) -> None:
        target = self.engine.content.pack(self.conv.region).menu_target(key)
        if target is None:
            self._say("engine/unknown_menu", intent="menu:unknown")
            self._help()
            return
        self._target(target)

    def _target(self, target: str, trigger: str = "") -> None:
        kind, _, value = target.partition(":")
        if kind == "flow":
            self._start_flow(value, trigger)
        elif kind == "faq":
            self._answer_faq(value, "")
        elif kind == "cmd":
            self._command(value)
        else:
            self._help()

    # ---- text --------------------------------------------------------------------------------------------
    def _text(self, text: str) -> None:
        if not text:
            self._say("engine/invalid_empty", intent="empty")
            return
        command = self.engine.content.commands.match(text)
        if self.conv.status in ("waiting", "staff"):
            self._while_with_staff(command)
            return
        if command is not None:
            self._command(command)
            return
        if self._pick_pending(text):
            return
        switched = self.engine.region_switch(text) if self.engine.region_switch else None
        if switched and switched in self.engine.content.regions and switched != self.conv.region:
            self._switch_region(switched)
            return
        if self.engine.guards is not None and self.engine.guards(text):
            self._say("engine/guard", intent="guard")
            return
        if self.conv.flow and not self.conv.paused:
            self._fill(text)
            return
        self._understand(text)

    def _while_with_staff(self, command: str | None) -> None:
        if command == "cancel" and self.conv.status == "waiting":
            store.cancel_handoff(self.session, self.conv)
            self._say("engine/handoff_cancelled", intent="handoff:cancelled")
        elif self.conv.status == "waiting":
            self._say("engine/handoff_waiting", intent="handoff:waiting")
        else:
            self.intent = "handoff:to_staff"  # the staff member answers from the console

    def _pick_pending(self, text: str) -> bool:
        pending = self.conv.pending.get("options") or []
        match = _DIGITS.match(text)
        if not pending or not match or (self.conv.flow and not self.conv.paused):
            return False
        index = int(match.group(1))
        if not 1 <= index <= len(pending):
            return False
        question = str(self.conv.pending.get("question", ""))
        self.conv.pending = {k: v for k, v in self.conv.pending.items() if k not in ("options", "question")}
        self._target(pending[index - 1], trigger=question)
        return True

    def _switch_region(self, region: str) -> None:
        self.conv.region = region
        self.conv.region_switched = True
        self._clear_flow()
        self._say("engine/region_switched", intent=f"region:{region}")

    # ---- commands ----------------------------------------------------------------------------------------
    def _command(self, command: str) -> None:
        self.intent = f"cmd:{command}"
        if command == "cancel":
            if self.conv.flow:
                self._clear_flow()
                self._say("engine/cancelled")
            else:
                self._say("engine/nothing_to_cancel")
        elif command == "back":
            self._back()
        elif command == "human":
            store.request_handoff(self.session, self.conv, reason="asked")
            self._say("engine/handoff_requested")
        elif command == "help":
            self._help()
        elif command == "resume":
            if self.conv.flow:
                self.conv.paused = False
                self._prompt_current(resumed=True)
            else:
                self._say("engine/nothing_to_resume")
        elif command == "detail":
            self._detail()
        elif command in ("english", "chinese"):
            self.conv.locale = "en" if command == "english" else "zh_CN"
            self._say("engine/locale_switched")

    def _help(self) -> None:
        self._offer(self._menu_options(), "engine/help")

    def _back(self) -> None:
        if not self.conv.flow or not self.conv.filled:
            self._say("engine/nothing_to_go_back")
            return
        filled = list(self.conv.filled)
        last = filled.pop()
        self.conv.filled = filled
        self.conv.slots = {k: v for k, v in self.conv.slots.items() if k != last}
        self.conv.paused = False
        self._prompt_current()

    def _detail(self) -> None:
        last = self.conv.pending.get("last_faq")
        entry = self._faq(last) if last else None
        detail = self._faq_text(entry, "detail") if entry is not None else ""
        if entry is None or not detail:
            self._say("engine/no_detail")
            return
        self._say(
            "engine/faq_detail", detail=detail, citations=list(entry.citations), supersedes=entry.supersedes
        )

    # ---- flows -------------------------------------------------------------------------------------------
    def _flow_context(self) -> FlowContext:
        now = self.engine.clock.now()
        return FlowContext(
            region=self.conv.region,
            locale=self.locale,
            today=now.date(),
            now=now,
            channel=self.inbound.channel,
            account=self.inbound.account,
            user_key=self.inbound.user_key,
            person_id=self.conv.person_id,
            content=self.engine.content,
            services={**self.engine.services, "session": self.session, "conversation": self.conv},
        )

    def _flow(self) -> Flow | None:
        return self.engine.flows.get(self.conv.flow or "")

    def _clear_flow(self) -> None:
        self.conv.flow = None
        self.conv.slots = {}
        self.conv.filled = []
        self.conv.paused = False

    def _start_flow(self, name: str, trigger: str = "") -> None:
        flow = self.engine.flows.get(name)
        if flow is None:
            self._say("engine/flow_unavailable", intent=f"flow:{name}")
            return
        self.intent = self.intent or f"flow:{name}"
        ctx = self._flow_context()
        if flow.on_start is not None:
            outcome = flow.on_start(ctx)
            if outcome is not None:
                self._outcome(outcome)
                return
        self._clear_flow()
        self.conv.flow = name
        prefilled = flow.prefilled(trigger, ctx)
        self.conv.slots = prefilled
        self.conv.filled = list(prefilled)
        self._prompt_current()

    def _prompt_current(self, resumed: bool = False) -> None:
        flow = self._flow()
        if flow is None:
            self._clear_flow()
            return
        ctx = self._flow_context()
        step = flow.next_step(self.conv.slots, ctx)
        if step is None:
            self._complete(flow, ctx)
            return
        extra = dict(step.prompt_context(self.conv.slots, ctx)) if step.prompt_context else {}
        options = step.options(self.conv.slots, ctx) if step.options else ()
        if resumed:
            self._say("engine/resumed")
        self._say(step.prompt, options=options, slots=dict(self.conv.slots), **extra)

    def _fill(self, text: str) -> None:
        flow = self._flow()
        if flow is None:
            self._clear_flow()
            self._understand(text)
            return
        ctx = self._flow_context()
        step = flow.next_step(self.conv.slots, ctx)
        if step is None:
            self._complete(flow, ctx)
            return
        value: Any = text
        if step.options is not None:
            picked = _pick_option(text, step.options(self.conv.slots, ctx), self.engine.renderer, self.locale)
            if picked is None:
                if not self._answer_question_in_flow(text):
                    self._say("engine/invalid_option")
                    self._prompt_current()
                return
            value = picked
        try:
            parsed = step.parse(value, self.conv.slots, ctx)
        except Invalid as invalid:
            if not self._answer_question_in_flow(text):
                self._say(invalid.template, **invalid.context)
                self._prompt_current()
            return
        self.conv.slots = {**self.conv.slots, step.slot: parsed}
        self.conv.filled = [*self.conv.filled, step.slot]
        self._prompt_current()

    def _answer_question_in_flow(self, text: str) -> bool:
        """An FAQ question asked mid-flow is answered; the flow waits for 继续. A bare number never is."""
        if _DIGITS.match(text):
            return False
        result = self.engine.understanding.search(
            text, region=self.conv.region, on=self.engine.clock.now().date()
        )
        if result.band != "answer" or not result.candidates or result.candidates[0].kind != "faq":
            return False
        self._answer_faq(result.candidates[0].key, text)
        self.conv.paused = True
        self._say("engine/flow_paused")
        return True

    def _complete(self, flow: Flow, ctx: FlowContext) -> None:
        slots = dict(self.conv.slots)
        self._clear_flow()
        try:
            outcome = flow.on_complete(slots, ctx)
        except Refused as refused:
            self._say(refused.template, intent=f"refused:{flow.name}", **refused.context)
            return
        self._outcome(outcome)

    def _outcome(self, outcome: Outcome) -> None:
        if outcome.intent:
            self.intent = outcome.intent
        self._say_all(outcome.says)
        if outcome.next_flow:
            self._start_flow(outcome.next_flow)

    # ---- questions ---------------------------------------------------------------------------------------
    def _understand(self, text: str) -> None:
        today = self.engine.clock.now().date()
        result = self.engine.understanding.search(text, region=self.conv.region, on=today)
        candidates = list(result.candidates)
        if result.band == "answer" and candidates:
            top = candidates[0]
            if top.kind == "flow":
                self._start_flow(top.key, trigger=text)
            elif top.kind == "command":
                self._command(_COMMAND_KEYS.get(top.key, top.key))
            else:
                self._answer_faq(top.key, text)
            return
        summary = [{"kind": c.kind, "key": c.key, "score": round(float(c.score), 3)} for c in candidates[:3]]
        store.record_unanswered(
            self.session,
            region=self.conv.region,
            locale=self.locale,
            text_=redact(text),
            band=result.band,
            candidates=summary,
        )
        if result.band == "clarify" and candidates:
            options = [(_target_of(c), self._candidate_label(c)) for c in candidates[:3]]
            self.intent = "clarify"
            self._offer(options, "engine/clarify")
            self.conv.pending = {**self.conv.pending, "question": text}
            return
        self.intent = "fallback"
        self._offer([*self._menu_options(), ("cmd:human", "人工")], "engine/fallback")

    def _candidate_label(self, candidate: Any) -> str:
        if candidate.kind == "faq":
            entry = self._faq(candidate.key)
            if entry is not None:
                return self._faq_text(entry, "question") or candidate.label
        return candidate.label

    def _faq(self, entry_id: str) -> Any:
        return self.engine.content.pack(self.conv.region).faq.get(entry_id)

    def _faq_text(self, entry: Any, part: str) -> str:
        """The entry's answer, detail or first question in the session's locale (else Chinese)."""
        english = getattr(entry, "en", None) if self.locale == "en" else None
        if part == "question":
            questions = (english.questions if english and english.questions else None) or entry.questions
            return str(questions[0])
        source = getattr(english, part, "") if english else ""
        source = source or getattr(entry, part, "") or ""
        if not source:
            return ""
        context = {"today": self.engine.clock.now().date(), "region_name": self._region_title()}
        return self.engine.renderer.render_string(source, self.locale, context)

    def _answer_faq(self, entry_id: str, question: str) -> None:
        entry = self._faq(entry_id)
        if entry is None:
            self._say("engine/fallback", intent="faq:missing")
            return
        self.intent = self.intent or f"faq:{entry_id}"
        untranslated = self.locale == "en" and not getattr(entry, "en", None)
        cited_old = _cites_superseded(question, entry.supersedes)
        options: tuple[Option, ...] = ()
        if entry.flow and entry.flow in self.engine.flows:
            label = dict(self.engine.content.choice_set("flows")).get(entry.flow, entry.flow)
            options = (Option(f"flow:{entry.flow}", label),)
            self.conv.pending = {**self.conv.pending, "options": [f"flow:{entry.flow}"]}
        self.conv.pending = {**self.conv.pending, "last_faq": entry_id}
        self._say(
            "engine/faq_answer",
            options=options,
            answer=self._faq_text(entry, "answer"),
            citations=list(entry.citations),
            has_detail=bool(entry.detail),
            untranslated=untranslated,
            supersedes=entry.supersedes if cited_old else None,
        )


def _target_of(candidate: Any) -> str:
    if candidate.kind == "command":
        return "cmd:" + _COMMAND_KEYS.get(candidate.key, candidate.key)
    return f"{candidate.kind}:{candidate.key}"


def _pick_option(text: str, options: tuple[Option, ...], renderer: Any, locale: str) -> str | None:
    match = _DIGITS.match(text)
    if match:
        index = int(match.group(1))
        return options[index - 1].value if 1 <= index <= len(options) else None
    wanted = normalise(text)
    for option in options:
        labels = {
            normalise(option.label),
            normalise(renderer.gettext(locale, option.label)),
            normalise(option.value),
        }
        if wanted in labels:
            return option.value
    return None


def _cites_superseded(question: str, supersedes: Any) -> bool:
    """True when the person quotes the old rule (a quoted phrase of the note, or the old document number)."""
    if not supersedes or not question:
        return False
    note = getattr(supersedes, "note", "") or ""
    citation = getattr(supersedes, "citation", "") or ""
    asked = normalise(question)
    phrases = [normalise(p) for p in _QUOTED.findall(note)]
    year = re.search(r"〔(\d{4})〕", citation)
    if year and year.group(1) in asked:
        return True
    return any(p[:4] in asked for p in phrases if len(p) >= 4)
