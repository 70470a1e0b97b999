"""Builds the knowledge index and guards from content and attaches FAQ entries to their region packs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.content.faq import load_knowledge_content
from bot.content.loader import Content
from bot.knowledge.guards import GuardSet
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.loading import index_from_content


def attach_knowledge(
    content: Content,
) -> tuple[KnowledgeIndex, Callable[[str], bool], Callable[[str], str | None]]:
    knowledge = load_knowledge_content(content.root)
    for region, entries in knowledge.faq_by_region.items():
        if region in content.regions:
            content.regions[region] = replace(content.regions[region], faq={e.id: e for e in entries})
    index = index_from_content(knowledge)
    guards = GuardSet(knowledge.guards)
    content.extras["knowledge"] = knowledge
    content.extras["index"] = index
    return index, guards.looks_abusive_or_injection, guards.detect_region_switch
