"""Question understanding: FAQ retrieval, flow intents, confidence bands, region switches and guards.

Public API:
    KnowledgeIndex.build(faq_by_region, intents, synonyms) -> KnowledgeIndex
    index.search(text, *, region, audience="insured", on) -> SearchResult(band, candidates)
    detect_region_switch(text) -> str | None
    looks_abusive_or_injection(text) -> bool
    build_index(content_root) -> (KnowledgeIndex, GuardSet)      [bot.knowledge.loading]
    coverage.uncovered_articles(content_root), evaluation.evaluate(content_root)
"""

from bot.knowledge.guards import GuardSet, detect_region_switch, looks_abusive_or_injection
from bot.knowledge.index import Candidate, KnowledgeIndex, SearchResult
from bot.knowledge.models import FaqEntry, Guards, Intent, PolicyDocument, Synonyms

__all__ = [
    "Candidate",
    "FaqEntry",
    "GuardSet",
    "Guards",
    "Intent",
    "KnowledgeIndex",
    "PolicyDocument",
    "SearchResult",
    "Synonyms",
    "detect_region_switch",
    "looks_abusive_or_injection",
]
