"""One turn of a conversation: the message is understood once, then dispatched to a command, the open flow
(with the new slots), a flow started with the slots already given, an answer, or a person."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from bot.faq_answers import FaqAnswers
from bot.flow_runner import FlowRunner
from bot.messages import Inbound, Reply
from bot.parts import Parts
from bot.redaction import redact
from bot.store import conversations as store
from bot.store.models import Conversation
from bot.turn_output import TurnOutput
from bot.understanding import State, Understood
from flows.base import FlowContext, Invalid

# A ranking score at which a message that fits no step is taken for a question (bot/understanding/select.py)
CONFIDENT = 0.8
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


@dataclass
class Turn:
    parts: Parts
    session: Session
    conv: Conversation
    inbound: Inbound

    def __post_init__(self) -> None:
        self.out = TurnOutput(self.parts.renderer, self.parts.content, self.conv)
        self.runner = FlowRunner(self.out, self.parts.flows, self.flow_context)
        self.faq = FaqAnswers(self.out, self.parts.flows, self.parts.clock.now().date())

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
            self.out.say("engine/voice_unrecognised", intent="voice_unrecognised")
        elif inbound.kind in ("text", "voice"):
            self._text(text)
        else:
            self.out.say("engine/unsupported", kind=inbound.kind, intent=f"unsupported:{inbound.kind}")
        store.touch(self.conv)
        for message in self.out.messages:
            store.add_message(
                self.session, self._cid, "out", redact(message.as_plain_text()), intent=self.out.intent
            )
        if self.out.messages:
            store.remember(self.conv, "bot", redact(self.out.messages[-1].text))
        return Reply(messages=tuple(self.out.messages), intent=self.out.intent)

    @property
    def _cid(self) -> int:
        assert self.conv.id is not None
        return self.conv.id

    def flow_context(self) -> FlowContext:
        now = self.parts.clock.now()
        return FlowContext(
            region=self.conv.region,
            locale=self.conv.locale,
            today=now.date(),
            now=now,
            channel=self.inbound.channel,
            account=self.inbound.account,
            user_key=self.inbound.user_key,
            person_id=self.conv.person_id,
            content=self.parts.content,
            services=replace(self.parts.services, session=self.session, conversation=self.conv),
            kept=dict(self.conv.pending),
        )

    def _awaiting_sensitive(self) -> bool:
        """True when the person is answering a step that asks for personal data (name, ID number, phone)."""
        if self.conv.paused or self.inbound.kind not in ("text", "voice"):
            return False
        step = self.runner.current_step()
        return step is not None and step.sensitive

    def _show_notices(self) -> None:
        """Notices stored for this conversation (status changes, reminders) come before the answer."""
        take = self.parts.services.take_notices
        if take is None:
            return
        for notice in take(self.session, self._cid):
            self.out.emit(notice, kind="notice")

    def _log_in(self, text: str, *, hidden: bool = False) -> None:
        inbound = self.inbound
        if hidden and text:
            text = "[personal data, hidden]"
        shown = text or (
            f"[{inbound.event}:{inbound.event_key}]" if inbound.kind == "event" else f"[{inbound.kind}]"
        )
        store.add_message(self.session, self._cid, "in", redact(shown), kind=inbound.kind)
        store.remember(self.conv, "user", redact(shown))

    # ---- events ------------------------------------------------------------------------------------------
    def _event(self) -> None:
        event = self.inbound.event
        if event in ("subscribe", "subscribe_scan"):
            self.conv.subscribed = True
            self.out.offer(self._menu_options(), "engine/welcome")
            self.out.intent = "welcome"
        elif event == "unsubscribe":
            self.conv.subscribed = False
            self.out.intent = "unsubscribe"
        elif event == "click":
            target = self.parts.content.pack(self.conv.region).menu_target(self.inbound.event_key)
            if target is None:
                self.out.say("engine/unknown_menu", intent="menu:unknown")
                self._help()
            else:
                self._target(target)
        elif event in _PERSON_EVENTS:
            self.out.say("engine/unsupported", kind=event, intent=f"event:{event}")
        else:
            self.out.intent = f"event:{event or 'unknown'}"

    def _menu_options(self) -> list[tuple[str, str]]:
        pack = self.parts.content.pack(self.conv.region)
        english = self.conv.locale == "en"
        return [
            (leaf.target, leaf.label_en if english and leaf.label_en else leaf.label)
            for leaf in pack.leaf_menu()
            if not leaf.target.startswith("url:")
        ]

    def _target(self, target: str, trigger: str = "", understood: Understood | None = None) -> None:
        kind, _, value = target.partition(":")
        if kind == "flow":
            self.runner.start(value, understood, trigger)
        elif kind == "faq":
            self.faq.answer(value, "")
        elif kind == "cmd":
            self._command(value)
        else:
            self._help()

    # ---- text --------------------------------------------------------------------------------------------
    def _text(self, text: str) -> None:
        if not text:
            self.out.say("engine/invalid_empty", intent="empty")
            return
        command = self.parts.content.commands.match(text)
        if self.conv.status in ("waiting", "staff"):
            self._while_with_staff(command)
            return
        if command is not None:
            self._command(command)
            return
        if self._pick_pending(text):
            return
        if self.parts.guards(text):
            self.out.say("engine/guard", intent="guard")
            return
        understood = self._understand(text)
        self._follow_language(understood.language)
        if understood.region_only and self.conv.flow and not self.conv.paused:
            # A bare place name ("长春") answers the open flow's question; it does not change the rules.
            understood = replace(understood, region=None, region_only=False)
        if understood.region and (understood.region != self.conv.region or understood.region_only):
            self._switch_region(understood.region)
        if understood.region_only:
            self.out.mark(f"region:{understood.region}")
            return
        self._dispatch(text, understood)

    def _follow_language(self, language: str | None) -> None:
        """A person who writes in English is answered in English, and in Chinese again when they write
        Chinese, unless they chose English with the command (then Chinese answers to steps keep it)."""
        chosen = self.conv.pending.get("locale_chosen")
        if language == "en" and self.conv.locale != "en":
            self.conv.locale = "en"
        elif language == "zh" and self.conv.locale == "en" and not chosen:
            self.conv.locale = "zh_CN"

    def _understand(self, text: str) -> Understood:
        step = self.runner.current_step() if self.conv.flow and not self.conv.paused else None
        state = State(
            flow=self.conv.flow if step is not None else None,
            step=step.slot if step is not None else None,
            options=tuple(self.conv.pending.get("options") or ()),
        )
        return self.parts.understander.read(
            text, state, region=self.conv.region, on=self.parts.clock.now().date()
        )

    def _dispatch(self, text: str, understood: Understood) -> None:
        if understood.target == "cmd:resume":  # "刚才那个 接着弄": the open or paused flow, asked again
            if self.conv.flow and understood.slots:  # "那行 接着办 明天开始": and what it says is taken
                self.conv.paused = False
                self.out.intent = f"flow:{self.conv.flow}"
                flow = self.runner.flow()
                if flow is not None:
                    self.runner.take(flow, understood.slots, self.flow_context(), correct=True)
                self.runner.prompt(resumed=True)
                return
            self._command("resume")
            return
        if understood.target == "cmd:cancel":  # "那算了 先不弄了": leave what is open
            self._command("cancel")
            return
        if self.conv.flow and not self.conv.paused and self._in_flow(text, understood):
            return
        if understood.act == "human":
            self._command("human")
        elif understood.act == "do" and understood.target:
            self._target(understood.target, trigger=text, understood=understood)
        elif understood.act == "chitchat":
            self.out.say(f"engine/chitchat_{understood.chitchat}", intent=f"chitchat:{understood.chitchat}")
        elif understood.act == "ask" and understood.faq:
            if understood.choice == "menu":
                self._record_unanswered(text, understood, "clarify")
                self.faq.menu(understood.menu, text)
            else:
                self.faq.answer(understood.faq, text, understood.related)
                self.runner.remember_asked(understood.slots)
        elif understood.act in ("confirm", "deny"):
            self.out.say("engine/acknowledged", intent=f"chitchat:{understood.act}")
        else:
            self._record_unanswered(text, understood, "fallback")
            self.faq.fallback(self._menu_options())

    def _in_flow(self, text: str, understood: Understood) -> bool:
        """The open flow takes the message when it answers a step; a question is answered and the step asked
        again; a request for another service leaves this flow."""
        if understood.act == "do" and understood.explicit and _other_request(understood, self.conv):
            self.runner.clear()
            return False
        if understood.act == "human" and understood.explicit:
            return False
        if understood.act == "confirm" and self._acknowledges(understood):
            self.conv.paused = True  # "好的" to a choice it does not answer: kept for 继续, not asked again
            self.out.say("engine/acknowledged", intent="chitchat:ack")
            self.out.say("engine/flow_paused")
            return True
        if understood.act == "chitchat" and understood.chitchat in ("thanks", "bye"):
            self.conv.paused = True  # kept for 继续 / 接着办, not asked again
            self.out.say(f"engine/chitchat_{understood.chitchat}", intent=f"chitchat:{understood.chitchat}")
            self.out.say("engine/flow_paused")
            return True
        self.out.mark(f"flow:{self.conv.flow}")
        question = understood.act == "ask" and understood.faq is not None and understood.choice == "answer"
        try:
            if self.runner.answer_step(text, understood):
                self.runner.prompt()
                return True
            step = self.runner.current_step()
            # A question is answered before it is tried as a step's answer only where any text would pass
            # (a name); elsewhere the step's parser decides first ("报销要带什么" picks a materials case).
            if question and understood.asks and (step is None or step.sensitive or step.options is not None):
                self._answer_in_flow(text, understood)
                return True
            self.runner.answer_free_text(understood.read_as or text)
        except Invalid as invalid:
            if question and (understood.asks or _confident(understood)):
                self._answer_in_flow(text, understood)
                return True
            if self.runner.restates(understood):
                self.runner.prompt()
                return True
            self.out.say(invalid.template, **invalid.context)
            self.runner.prompt(again=True)
            return True
        self.runner.prompt()
        return True

    def _acknowledges(self, understood: Understood) -> bool:
        """A bare 好的 / 行 while the step offers choices that are not yes and no."""
        step = self.runner.current_step()
        if step is None or step.options is None or understood.slots:
            return False
        values = {o.value for o in step.options(self.conv.slots, self.flow_context())}
        return not {"yes", "no"} <= values

    def _answer_in_flow(self, text: str, understood: Understood) -> None:
        """A question asked in the middle of a flow: answered, then the step is asked again."""
        assert understood.faq is not None
        self.faq.answer(understood.faq, text, offers=False)
        self.out.say("engine/flow_continues")
        self.runner.prompt()

    def _record_unanswered(self, text: str, understood: Understood, band: str) -> None:
        summary = [
            {"kind": c.kind, "key": c.key, "score": round(float(c.score), 3)} for c in understood.ranking[:3]
        ]
        store.record_unanswered(
            self.session,
            region=self.conv.region,
            locale=self.conv.locale,
            text_=redact(text),
            band=band,
            candidates=summary,
        )

    def _while_with_staff(self, command: str | None) -> None:
        if command == "cancel" and self.conv.status == "waiting":
            store.cancel_handoff(self.session, self.conv)
            self.out.say("engine/handoff_cancelled", intent="handoff:cancelled")
        elif self.conv.status == "waiting":
            self.out.say("engine/handoff_waiting", intent="handoff:waiting")
        else:
            self.out.intent = "handoff:to_staff"  # the staff member answers from the console

    def _pick_pending(self, text: str) -> bool:
        """A number or a label of the choices last offered outside a flow step picks that choice."""
        pending = list(self.conv.pending.get("options") or [])
        if not pending or (self.conv.flow and not self.conv.paused and self.runner.current_step()):
            return False
        labels = list(self.conv.pending.get("labels") or [])
        from bot.flow_runner import pick_option
        from flows.base import Option

        options = tuple(
            Option(value, labels[i] if i < len(labels) else value) for i, value in enumerate(pending)
        )
        picked = pick_option(text, options, self.parts.renderer, self.conv.locale)
        if picked is None or (not text.strip().isdigit() and _is_sentence(text, options)):
            return False
        question = str(self.conv.pending.get("question", ""))
        self.conv.pending = {
            k: v for k, v in self.conv.pending.items() if k not in ("options", "labels", "question")
        }
        self._target(picked, trigger=question)
        return True

    def _switch_region(self, region: str) -> None:
        self.conv.region = region
        self.conv.region_switched = True
        self.runner.clear()
        self.out.say("engine/region_switched")

    # ---- commands ----------------------------------------------------------------------------------------
    def _command(self, command: str) -> None:
        self.out.mark(f"cmd:{command}")
        if command == "cancel":
            if self.conv.flow:
                self.runner.clear()
                self.out.say("engine/cancelled")
            else:
                self.out.say("engine/nothing_to_cancel")
        elif command == "back":
            if not self.runner.back():
                self.out.say("engine/nothing_to_go_back")
        elif command == "human":
            store.request_handoff(self.session, self.conv, reason="asked")
            self.out.say("engine/handoff_requested")
        elif command == "help":
            self._help()
        elif command == "resume":
            if self.conv.flow:
                self.out.intent = f"flow:{self.conv.flow}"
                self.conv.paused = False
                self.runner.prompt(resumed=True)
            else:
                self.out.say("engine/nothing_to_resume")
        elif command == "detail":
            self.faq.detail()
        elif command in ("english", "chinese"):
            self.conv.locale = "en" if command == "english" else "zh_CN"
            self.conv.pending = {**self.conv.pending, "locale_chosen": True}
            self.out.say("engine/locale_switched")

    def _help(self) -> None:
        self.out.offer(self._menu_options(), "engine/help")


def _other_request(understood: Understood, conv: Conversation) -> bool:
    """A request for another service, or for another action of this one ("把备案撤了" while filing)."""
    if understood.flow != conv.flow:
        return True
    wanted = understood.slots.get("action")
    return wanted in ("cancel", "change", "retroactive") and conv.slots.get("action") != wanted


def _confident(understood: Understood) -> bool:
    """The ranking found one entry clearly: a question even without question words."""
    return bool(understood.ranking) and understood.ranking[0].score >= CONFIDENT


def _is_sentence(text: str, options: Any) -> bool:
    """A message much longer than the label it contains is a sentence of its own, not that choice."""
    longest = max((len(o.label) for o in options), default=0)
    return len(text.strip()) > max(longest + 4, 2 * longest)
