"""Typed, frozen forms of the knowledge content: FAQ entries, coverage map, intents, synonyms, guards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Audience = Literal["insured", "staff"]
ArticleAudience = Literal["insured", "staff", "none"]

# The categories an FAQ entry is tagged with (brief: shared data contracts).
CATEGORIES: tuple[str, ...] = (
    "filing",
    "pledge",
    "materials",
    "deadline",
    "money",
    "chronic",
    "emergency",
    "referral",
    "transfer",
    "settlement",
    "outpatient",
    "staff",
    "service",
)

# Flow names (brief: one module each in flows/).
FLOW_NAMES: tuple[str, ...] = (
    "filing_guide",
    "filing",
    "status",
    "estimate",
    "deadline",
    "materials",
    "institutions",
    "bind",
)

# Global commands the engine handles itself; intents may target them too (kind "command").
COMMAND_NAMES: tuple[str, ...] = ("handoff", "help")


@dataclass(frozen=True)
class Supersedes:
    """The older rule an entry replaces, explained when a user cites it."""

    citation: str
    note: str


@dataclass(frozen=True)
class FaqTranslation:
    """The optional English version of an entry."""

    questions: tuple[str, ...] = ()
    answer: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class FaqEntry:
    """One FAQ entry of a region pack (content/regions/<region>/faq/<topic>.yaml)."""

    id: str
    audience: Audience
    questions: tuple[str, ...]
    answer: str
    citations: tuple[str, ...]
    effective_from: date
    tags: tuple[str, ...]
    effective_to: date | None = None
    detail: str | None = None
    flow: str | None = None
    supersedes: Supersedes | None = None
    en: FaqTranslation | None = None
    source: str = ""  # file the entry was read from, for messages

    def in_force(self, on: date) -> bool:
        """Whether the entry applies on this date (effective_to is inclusive)."""
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class Article:
    """One article / item / section of a policy document in a region's coverage map."""

    ref: str
    audience: ArticleAudience
    summary: str
    flows: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyDocument:
    """A policy document and its articles (content/regions/<region>/articles.yaml)."""

    doc: str
    file: str
    articles: tuple[Article, ...]

    def citation(self, article: Article) -> str:
        """The citation string that covers this article."""
        return f"{self.doc} {article.ref}"


@dataclass(frozen=True)
class Intent:
    """A flow-starting (or command) intent: regex patterns for exact commands and question variants."""

    kind: Literal["flow", "command"]
    target: str
    label: str
    patterns: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Synonyms:
    """Groups of interchangeable words; the first word of each group is the canonical one."""

    groups: tuple[tuple[str, ...], ...] = ()
    stopwords: tuple[str, ...] = ()  # words that say nothing about the topic (请问, 帮, 我, 吗), dropped

    def mapping(self) -> dict[str, str]:
        """Variant → canonical word, for every non-canonical word."""
        out: dict[str, str] = {}
        for group in self.groups:
            canonical = group[0]
            for word in group[1:]:
                out[word] = canonical
        return out


@dataclass(frozen=True)
class Guards:
    """Patterns for injection / abuse / other-person-data requests and for region switching."""

    injection: tuple[str, ...] = ()
    abuse: tuple[str, ...] = ()
    other_person_data: tuple[str, ...] = ()
    region_switch: tuple[str, ...] = ()  # each pattern contains the placeholder {region}
    region_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgeContent:
    """Everything the knowledge index is built from, as read from content/."""

    faq_by_region: dict[str, tuple[FaqEntry, ...]]
    articles_by_region: dict[str, tuple[PolicyDocument, ...]]
    intents: tuple[Intent, ...]
    synonyms: Synonyms
    guards: Guards
