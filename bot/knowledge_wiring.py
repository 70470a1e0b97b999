"""Builds the knowledge index and guards from content and attaches FAQ entries to their region packs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.content.faq import load_knowledge_content
from bot.content.loader import Content, read_yaml
from bot.knowledge.guards import GuardSet
from bot.knowledge.loading import index_from_content
from bot.understanding import Understander, load_tables
from bot.understanding.english import EnglishReader
from flows.destinations import load_places


def attach_knowledge(content: Content) -> tuple[Understander, Callable[[str], bool]]:
    """The understanding stage over the packs' knowledge, and the guard against injection and abuse."""
    knowledge = load_knowledge_content(content.root)
    for region, entries in knowledge.faq_by_region.items():
        if region in content.regions:
            content.regions[region] = replace(content.regions[region], faq={e.id: e for e in entries})
    index = index_from_content(knowledge)
    guards = GuardSet(knowledge.guards)
    content.extras["knowledge"] = knowledge
    content.extras["index"] = index
    places = load_places(content.root / "destinations.yaml")
    english = EnglishReader(read_yaml(content.root / "english.yaml")["phrases"], places.aliases)
    understander = Understander(index, guards, places, load_tables(content.root), english)
    content.extras["understander"] = understander
    return understander, guards.looks_abusive_or_injection
