"""The understanding stage: one message and the conversation's state in, a dialogue act with its slots out.

Order (each step only when the earlier ones did not decide): the region the message names (its clause is
taken out and the rest read under that region) → slots → confirm / deny while a flow waits → small talk →
requests to do something (content/understanding.yaml) → the knowledge ranking, answer first. Identity values
(ID numbers, phones, names) are read as slots and never searched as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.knowledge.guards import GuardSet
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.models import Audience
from bot.understanding.acts import ActKind, State, Understood
from bot.understanding.english import EnglishReader, is_english
from bot.understanding.select import select
from bot.understanding.slots import extract_slots, scrub_identity
from bot.understanding.tables import Request, Tables
from flows.destinations import Places

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORDS = re.compile(r"[a-z\u3400-\u4dbf\u4e00-\u9fff]")
_SEPARATOR = re.compile(r"[\s,，。.!！?？~～、；;:：]+")
# Below this score a question with no word of the domain (content/understanding.yaml domain_words) is not
# answered from the FAQ: "帮我订张去三亚的机票" ranks a Hainan entry at 0.4 but is not about insurance.
OFF_TOPIC_SCORE = 0.45
# Slots that are values a flow step takes, as opposed to what a request is about.
IDENTITY_SLOTS = ("name", "id_number", "id_number_invalid", "phone")


def _files(slots: Mapping[str, Any]) -> bool:
    """Slots that only a filing takes: a proof held, a kind of filing."""
    return "proof" in slots or "filing_kind" in slots


@dataclass
class Understander:
    """Built once from the knowledge index, guards, places and the act tables; `read` is pure."""

    index: KnowledgeIndex
    guards: GuardSet
    places: Places
    tables: Tables
    english: EnglishReader

    def read(
        self, text: str, state: State, *, region: str, on: date, audience: Audience = "insured"
    ) -> Understood:
        """The act of one message; an English message is read in the same way (its words put into Chinese)
        and says so in `language`, so the reply comes in English."""
        if is_english(text):
            chinese = self.english.to_chinese(text)
            found = self._read(chinese, state, region, on, audience)
            return replace(found, language="en", read_as=chinese)
        found = self._read(text, state, region, on, audience)
        return replace(found, language="zh") if _CJK.search(text) else found

    def _asks(self, canonical: str) -> bool:
        return self.tables.question_words.search(canonical) is not None

    def _read(self, text: str, state: State, region: str, on: date, audience: Audience) -> Understood:
        clause = self.guards.region_clause(text)
        named = clause[0] if clause is not None and clause[0] in self.index.regions else None
        rest = clause[1] if named is not None and clause is not None else text
        working = named or region
        if named is not None and not _WORDS.search(rest):
            return Understood("none", region=named, region_only=True)
        slots = extract_slots(rest, region=working, today=on, places=self.places)
        canonical = self.index.canonical(rest)
        chat = self._chitchat(canonical)
        if chat in ("thanks", "bye"):  # "行 谢谢啊" ends the talk even while a flow waits
            return Understood("chitchat", chitchat=chat, region=named)
        request = self._request(canonical, slots)
        if request is not None and request.target in ("cmd:resume", "cmd:cancel"):  # "中 接着办", "那算了"
            return Understood(
                "do", target=request.target, slots=slots, region=named, search_text=canonical, explicit=True
            )
        if state.flow is not None:
            answer = self._yes_no(canonical)
            if answer is not None:
                return Understood(answer, slots=slots, region=named, search_text=canonical)
        if chat is not None:
            return Understood("chitchat", chitchat=chat, region=named)
        whole = "".join(w for w in _SEPARATOR.split(canonical) if w)
        if whole in self.tables.confirm or whole in self.tables.deny:  # "对" / "不用" with nothing open
            act: ActKind = "confirm" if whole in self.tables.confirm else "deny"
            return Understood(act, slots=slots, region=named, search_text=canonical)
        if request is not None:
            act = "human" if request.target == "cmd:human" else "do"
            found = {**slots, "action": request.action} if request.action else dict(slots)
            return Understood(
                act, target=request.target, slots=found, region=named, search_text=canonical, explicit=True
            )
        searched = self.index.canonical(scrub_identity(rest))
        if not _WORDS.search(searched):  # only numbers, identity values or nothing
            given: ActKind = "give" if slots else "none"
            return Understood(given, slots=slots, region=named, search_text=searched)
        asks = self._asks(canonical)
        ranked = self._ranked(searched, slots, named, working, on, audience, state, asks)
        return replace(ranked, asks=asks)

    # ---- acts --------------------------------------------------------------------------------------------
    def _yes_no(self, canonical: str) -> ActKind | None:
        words = [w for w in _SEPARATOR.split(canonical) if w]
        if not words:
            return None
        whole = "".join(words)
        # "对 撤了吧" confirms; "不对 我是德州参保的 去北京…" says much more than no
        candidates = (whole, words[0]) if len(whole) - len(words[0]) <= 8 else (whole,)
        for candidate in candidates:
            if candidate in self.tables.deny:
                return "deny"
            if candidate in self.tables.confirm:
                return "confirm"
        return None

    def _chitchat(self, canonical: str) -> str | None:
        """Greetings, thanks, goodbyes and acknowledgements, alone or together ("好嘞 辛苦了")."""
        words = [w for w in _SEPARATOR.split(canonical) if w]
        if not words or sum(len(w) for w in words) > 16:
            return None
        kinds = []
        for word in words:
            kind = self.tables.chitchat.get(word) or self.tables.chitchat.get(
                self.tables.chitchat_filler.sub("", word)
            )
            if kind is None:
                return None
            kinds.append(kind)
        for kind in ("thanks", "bye", "greeting"):
            if kind in kinds:
                return kind
        return "ack"

    def _request(self, canonical: str, slots: Mapping[str, Any]) -> Request | None:
        asks = self.tables.question_words.search(canonical) is not None
        for request in self.tables.requests:
            if not request.pattern.search(canonical):
                continue
            if asks and not request.strong:
                continue
            if any(slots.get(need) in (None, False) for need in request.needs):
                continue
            return request
        return None

    def _ranked(
        self,
        searched: str,
        slots: Mapping[str, Any],
        named: str | None,
        working: str,
        on: date,
        audience: Audience,
        state: State,
        asks: bool,
    ) -> Understood:
        ranking = tuple(self.index.rank(searched, region=working, audience=audience, on=on))
        chosen = select(ranking)
        top_score = ranking[0].score if ranking else 0.0
        off_topic = top_score < OFF_TOPIC_SCORE and not self.tables.domain_words.search(searched)
        if off_topic:
            chosen = select(())  # nothing about medical insurance in it: say so rather than guess
        common: dict[str, Any] = {
            "slots": slots,
            "region": named,
            "ranking": ranking,
            "search_text": searched,
        }
        top = chosen.top
        unanswered = chosen.choice == "fallback" or top is None
        if unanswered and not state.flow and not asks and _files(slots):
            # "北京居住证俺有 那就用这个": what is said is what a filing needs (a question is not a request)
            return Understood("do", target="flow:filing", **common)
        if chosen.choice == "fallback" or top is None:
            left: ActKind = "give" if slots and state.flow else "none"
            return Understood(left, choice="fallback", menu=chosen.menu, **common)
        if top.kind == "command":
            target = "cmd:human" if top.key == "handoff" else f"cmd:{top.key}"
            return Understood("human" if top.key == "handoff" else "do", target=target, **common)
        if top.kind == "flow":
            return Understood("do", target=f"flow:{top.key}", **common)
        return Understood(
            "ask",
            target=f"faq:{top.key}",
            choice="menu" if chosen.choice == "menu" else "answer",
            menu=chosen.menu,
            related=chosen.related,
            **common,
        )
