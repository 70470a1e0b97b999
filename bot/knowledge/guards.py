"""Guards on incoming text: region switches, injection-like, abusive and other-person-data requests."""

from __future__ import annotations

import functools
import re

from bot.knowledge.models import Guards
from bot.knowledge.normalise import normalise

# What is left of "我是德州参保的" once the clause is taken out says nothing more.
_FILLER = re.compile(r"^[\s我俺是的呢啊吧哦了嘛,，。!！]*$")


class GuardSet:
    """Compiled guard patterns from content/guards.yaml."""

    def __init__(self, guards: Guards) -> None:
        self._refusals = tuple(
            re.compile(pattern) for pattern in guards.injection + guards.abuse + guards.other_person_data
        )
        region_of: dict[str, str] = {}
        for region, aliases in guards.region_aliases.items():
            for alias in aliases:
                region_of[normalise(alias)] = region
        self._region_of = region_of
        names = "|".join(re.escape(a) for a in sorted(region_of, key=lambda a: (-len(a), a)))
        group = f"(?P<region>{names})" if names else "(?P<region>(?!))"
        self._switches = tuple(re.compile(p.replace("{region}", group)) for p in guards.region_switch)

    def detect_region_switch(self, text: str) -> str | None:
        """The region the user says their rules come from ("我是德州参保的", "切换到吉林"), else None."""
        found = self.region_clause(text)
        return found[0] if found is not None else None

    def region_clause(self, text: str) -> tuple[str, str] | None:
        """The region a message names as its insured region, and the rest of the (normalised) message
        without that clause: "德州的 去上海看病报多少" → ("dezhou", "去上海看病报多少")."""
        norm = normalise(text)
        matches = [m for m in (p.search(norm) for p in self._switches) if m is not None]
        if not matches:
            return None
        match = max(matches, key=lambda m: m.end() - m.start())  # the whole clause, not a part of it
        rest = _FILLER.sub("", norm[: match.start()] + " " + norm[match.end() :]).strip()
        return self._region_of[match["region"]], rest

    def looks_abusive_or_injection(self, text: str) -> bool:
        """Whether the text tries to steer the assistant, insults, or asks for someone else's data."""
        norm = normalise(text)
        return any(pattern.search(norm) for pattern in self._refusals)


@functools.cache
def default_guards() -> GuardSet:
    """The guards of the repository's content/guards.yaml, read once."""
    from bot.content.faq import DEFAULT_CONTENT_ROOT, load_guards  # content imports knowledge models

    return GuardSet(load_guards(DEFAULT_CONTENT_ROOT))


def detect_region_switch(text: str, guards: GuardSet | None = None) -> str | None:
    """The region a message switches to, using the given guards or the repository's content."""
    return (guards or default_guards()).detect_region_switch(text)


def looks_abusive_or_injection(text: str, guards: GuardSet | None = None) -> bool:
    """Whether a message should get the calm what-I-can-do answer instead of retrieval."""
    return (guards or default_guards()).looks_abusive_or_injection(text)
