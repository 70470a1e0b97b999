"""Answers from the FAQ: one entry with its citations and up to two related questions, the detail of the last
answer, a short menu when two close candidates differ, and the honest fallback."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.commands import normalise
from bot.knowledge.index import Candidate
from bot.turn_output import TurnOutput
from flows.base import Option

_QUOTED = re.compile(r"“([^”]{2,})”")


class FaqAnswers:
    def __init__(self, out: TurnOutput, flows: Any, today: Any) -> None:
        self.out = out
        self.flows = flows
        self.today = today

    @property
    def conv(self) -> Any:
        return self.out.conv

    def entry(self, entry_id: str) -> Any:
        return self.out.content.pack(self.conv.region).faq.get(entry_id)

    def text(self, entry: Any, part: str) -> str:
        """The entry's answer, detail or first question in the session's locale (else Chinese)."""
        english = getattr(entry, "en", None) if self.out.locale == "en" else None
        if part == "question":
            questions = (english.questions if english and english.questions else None) or entry.questions
            return str(questions[0])
        source = getattr(english, part, "") if english else ""
        source = source or getattr(entry, part, "") or ""
        if not source:
            return ""
        context = {"today": self.today, "region_name": self.out.region_title()}
        return self.out.renderer.render_string(source, self.out.locale, context)

    def label(self, candidate: Candidate) -> str:
        if candidate.kind == "faq":
            entry = self.entry(candidate.key)
            if entry is not None:
                return self.text(entry, "question")
        return candidate.label

    def answer(
        self, entry_id: str, question: str, related: Sequence[Candidate] = (), *, offers: bool = True
    ) -> None:
        """The entry's answer; `offers` adds its flow and the related questions as numbered choices (not while
        a flow waits for its own answer)."""
        entry = self.entry(entry_id)
        if entry is None:
            self.out.say("engine/fallback", intent="faq:missing")
            return
        self.out.mark(f"faq:{entry_id}")
        options: list[Option] = []
        if offers and entry.flow and entry.flow in self.flows:
            label = dict(self.out.content.choice_set("flows")).get(entry.flow, entry.flow)
            options.append(Option(f"flow:{entry.flow}", label))
        related_questions = [
            Option(f"faq:{c.key}", self.label(c)) for c in related if c.kind == "faq" and c.key != entry_id
        ]
        self.conv.pending = {**self.conv.pending, "last_faq": entry_id}
        self.out.say(
            "engine/faq_answer",
            options=(*options, *related_questions),
            answer=self.text(entry, "answer"),
            citations=list(entry.citations),
            has_detail=bool(entry.detail),
            untranslated=self.out.locale == "en" and not getattr(entry, "en", None),
            supersedes=entry.supersedes if _cites_superseded(question, entry.supersedes) else None,
            offers_flow=bool(options),
            related=bool(related_questions),
        )

    def detail(self) -> None:
        last = self.conv.pending.get("last_faq")
        entry = self.entry(last) if last else None
        detail = self.text(entry, "detail") if entry is not None else ""
        if entry is None or not detail:
            self.out.say("engine/no_detail")
            return
        self.out.say(
            "engine/faq_detail", detail=detail, citations=list(entry.citations), supersedes=entry.supersedes
        )

    def menu(self, candidates: Sequence[Candidate], question: str) -> None:
        options = [(_target_of(c), self.label(c)) for c in candidates]
        self.out.mark("clarify")
        self.out.offer(options, "engine/clarify")
        self.conv.pending = {**self.conv.pending, "question": question}

    def fallback(self, menu_options: list[tuple[str, str]]) -> None:
        self.out.mark("fallback")
        options = list(menu_options)
        if not any(value == "cmd:human" for value, _ in options):
            options.append(("cmd:human", "人工客服"))
        self.out.offer(options, "engine/fallback")


def _target_of(candidate: Candidate) -> str:
    if candidate.kind == "command":
        return "cmd:human" if candidate.key == "handoff" else f"cmd:{candidate.key}"
    return f"{candidate.kind}:{candidate.key}"


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
