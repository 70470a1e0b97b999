"""Fixtures for the knowledge tests: the repository's content, and small hand-made entries."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.faq import load_knowledge_content
from bot.knowledge.guards import GuardSet
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.loading import index_from_content
from bot.knowledge.models import FaqEntry, Intent, KnowledgeContent, Synonyms

TODAY = date(2026, 11, 22)


def entry(entry_id: str, *questions: str, audience: str = "insured", **fields: object) -> FaqEntry:
    """A minimal valid FAQ entry."""
    values: dict[str, object] = {
        "answer": "答复。",
        "citations": ("吉医保规〔2023〕4号 第三条",),
        "effective_from": date(2023, 8, 14),
        "tags": ("filing",),
    }
    values.update(fields)
    return FaqEntry(id=entry_id, audience=audience, questions=questions, **values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def content() -> KnowledgeContent:
    return load_knowledge_content()


@pytest.fixture(scope="session")
def index(content: KnowledgeContent) -> KnowledgeIndex:
    return index_from_content(content)


@pytest.fixture(scope="session")
def guards(content: KnowledgeContent) -> GuardSet:
    return GuardSet(content.guards)


@pytest.fixture(scope="session")
def small_index() -> KnowledgeIndex:
    """Three entries and two intents, with the synonyms the tests rely on."""
    synonyms = Synonyms(groups=(("备案", "登记", "被案"), ("报销", "报账", "报效"), ("异地", "外地")))
    faq = {
        "jilin": [
            entry("long-term-materials", "长期异地备案要什么材料", "长期居住备案带啥材料"),
            entry("manual-deadline", "手工报销截止到什么时候", "报销最晚哪天"),
            entry(
                "old-rule",
                "旧规定报销期限",
                effective_from=date(2019, 10, 1),
                effective_to=date(2023, 8, 13),
            ),
            entry("revolving-fund", "周转金什么时候上缴", audience="staff", tags=("staff",)),
        ]
    }
    intents = (
        Intent(kind="flow", target="filing", label="办", patterns=(r"^我要备案$",), questions=("办备案",)),
        Intent(kind="command", target="handoff", label="转人工", patterns=(r"^人工$",)),
    )
    return KnowledgeIndex.build(faq, intents, synonyms)
