"""Builds the knowledge index and guards from a content root (the one place that joins loader and index)."""

from __future__ import annotations

from pathlib import Path

from bot.content.faq import DEFAULT_CONTENT_ROOT, load_knowledge_content
from bot.knowledge.guards import GuardSet
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.models import KnowledgeContent


def index_from_content(content: KnowledgeContent) -> KnowledgeIndex:
    """The index of already loaded content."""
    return KnowledgeIndex.build(content.faq_by_region, content.intents, content.synonyms)


def build_index(content_root: Path = DEFAULT_CONTENT_ROOT) -> tuple[KnowledgeIndex, GuardSet]:
    """Read content/ and build the index and guards."""
    content = load_knowledge_content(content_root)
    return index_from_content(content), GuardSet(content.guards)
