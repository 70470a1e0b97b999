"""Builds the knowledge index from content and attaches FAQ entries to their region packs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.content.faq import load_knowledge_content
from bot.content.loader import Content
from bot.knowledge.index import KnowledgeIndex


def attach_knowledge(
    content: Content,
) -> tuple[Any, Callable[[str], bool] | None, Callable[[str], str | None] | None]:
    knowledge = load_knowledge_content(content.root)
    for region, entries in knowledge.faq_by_region.items():
        if region in content.regions:
            content.regions[region] = replace(content.regions[region], faq={e.id: e for e in entries})
    index = KnowledgeIndex.build(knowledge.faq_by_region, knowledge.intents, knowledge.synonyms)
    content.extras["knowledge"] = knowledge
    content.extras["index"] = index
    guards = region_switch = None
    try:
        from bot.knowledge import guards as guard_module  # written with the knowledge engine

        guards = guard_module.guard_for(knowledge.guards)
        region_switch = guard_module.region_switch_for(knowledge.guards)
    except (ImportError, AttributeError):
        pass
    return index, guards, region_switch
