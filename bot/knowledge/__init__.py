"""Question understanding: FAQ retrieval, flow intents, confidence bands, region switches and guards.

Public API:
    KnowledgeIndex.build(faq_by_region, intents, synonyms) -> KnowledgeIndex
    index.search(text, *, region, audience="insured", on) -> SearchResult(band, candidates)
        band: "answer" | "clarify" | "fallback"; candidates: up to 3 Candidate(kind, key, score, label),
        kind "faq" (key = entry id), "flow" (key = flow name) or "command" (handoff, help)
    detect_region_switch(text) -> str | None;  looks_abusive_or_injection(text) -> bool  (or a GuardSet's)
    loading.build_index(content_root) -> (KnowledgeIndex, GuardSet)
    coverage.coverage_report(content_root) -> CoverageReport (.format(), .ok, .uncovered)
    evaluation.evaluate(content_root, eval_dir) -> EvalReport (.format(), .accuracy, .by_category())
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
