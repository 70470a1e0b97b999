"""Coverage of the policy documents: articles nothing answers, and FAQ citations the coverage map lacks.

Rule (brief): an article is covered when an FAQ entry of the article's audience cites "<doc> <ref>" (a
citation of a sub-item, 第六条（二）, also covers 第六条), or when the article lists flows that answer it.
Articles of audience "none" need nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.faq import DEFAULT_CONTENT_ROOT, load_knowledge_content
from bot.knowledge.models import FaqEntry, PolicyDocument

_SUB_ITEM = re.compile(r"（[^（）]*）$")


@dataclass(frozen=True)
class UncoveredArticle:
    """An article an insured person or staff may ask about that no FAQ entry or flow answers."""

    region: str
    doc: str
    ref: str
    audience: str
    summary: str

    @property
    def citation(self) -> str:
        return f"{self.doc} {self.ref}"


def _covered_citations(entries: Iterable[FaqEntry], audience: str) -> set[str]:
    cited: set[str] = set()
    for entry in entries:
        if entry.audience != audience:
            continue
        for citation in entry.citations:
            cited.add(citation)
            cited.add(_SUB_ITEM.sub("", citation))  # 第六条（二） also covers 第六条
    return cited


def uncovered(
    region: str, documents: Sequence[PolicyDocument], entries: Sequence[FaqEntry]
) -> list[UncoveredArticle]:
    """The region's articles that nothing answers, in document order."""
    cited = {aud: _covered_citations(entries, aud) for aud in ("insured", "staff")}
    out: list[UncoveredArticle] = []
    for document in documents:
        for article in document.articles:
            if article.audience == "none" or article.flows:
                continue
            if document.citation(article) in cited[article.audience]:
                continue
            out.append(UncoveredArticle(region, document.doc, article.ref, article.audience, article.summary))
    return out


def unknown_citations(
    region: str, documents: Sequence[PolicyDocument], entries: Sequence[FaqEntry]
) -> list[str]:
    """FAQ citations whose document or article is not in the region's coverage map (typos, other region)."""
    known = {document.citation(article) for document in documents for article in document.articles}
    problems: list[str] = []
    for entry in entries:
        citations = entry.citations + ((entry.supersedes.citation,) if entry.supersedes else ())
        for citation in citations:
            if citation not in known and _SUB_ITEM.sub("", citation) not in known:
                problems.append(f"{region}: {entry.id}: {citation} is not in articles.yaml")
    return problems


@dataclass(frozen=True)
class CoverageReport:
    """Uncovered articles and unknown citations of every region."""

    uncovered: tuple[UncoveredArticle, ...]
    unknown_citations: tuple[str, ...]
    regions_without_map: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.uncovered or self.unknown_citations or self.regions_without_map)

    def format(self) -> str:
        """Plain-text report for `yibao content coverage`."""
        lines: list[str] = []
        for region in self.regions_without_map:
            lines.append(f"{region}: no articles.yaml")
        if self.uncovered:
            lines.append(f"Articles with nothing answering them ({len(self.uncovered)}):")
            lines += [f"  {a.region}  {a.citation}  [{a.audience}]  {a.summary}" for a in self.uncovered]
        if self.unknown_citations:
            lines.append(f"Citations not in the coverage map ({len(self.unknown_citations)}):")
            lines += [f"  {problem}" for problem in self.unknown_citations]
        if not lines:
            lines.append("Every article that concerns an insured person or staff is answered.")
        return "\n".join(lines)


def coverage_report(content_root: Path = DEFAULT_CONTENT_ROOT) -> CoverageReport:
    """Read content/ and check every region pack's coverage."""
    content = load_knowledge_content(content_root)
    missing: list[UncoveredArticle] = []
    unknown: list[str] = []
    without_map: list[str] = []
    for region, entries in content.faq_by_region.items():
        documents = content.articles_by_region.get(region)
        if documents is None:
            without_map.append(region)
            continue
        missing += uncovered(region, documents, entries)
        unknown += unknown_citations(region, documents, entries)
    return CoverageReport(tuple(missing), tuple(unknown), tuple(without_map))


def uncovered_articles(content_root: Path = DEFAULT_CONTENT_ROOT) -> list[UncoveredArticle]:
    """The articles with nothing answering them, over every region pack."""
    return list(coverage_report(content_root).uncovered)
