"""The knowledge index's calibration set (tests/knowledge/ranking/): at least 300 questions, every category,
labels that exist, ranking top-1 >= 95%. What people read is scored by tests/eval/ (the reply evaluation)."""

from __future__ import annotations

import pytest

from bot.content.faq import load_knowledge_content
from bot.knowledge.analysis import Analyser
from bot.knowledge.evaluation import EvalCase, EvalReport, load_eval_sets, run_eval, unknown_expectations
from bot.knowledge.guards import GuardSet
from bot.knowledge.loading import index_from_content
from bot.knowledge.models import CATEGORIES

REQUIRED_ACCURACY = 0.95


@pytest.fixture(scope="module")
def cases() -> tuple[EvalCase, ...]:
    return load_eval_sets()


@pytest.fixture(scope="module")
def report(cases: tuple[EvalCase, ...]) -> EvalReport:
    content = load_knowledge_content()
    return run_eval(index_from_content(content), cases, GuardSet(content.guards))


def test_size_and_regions(cases: tuple[EvalCase, ...]) -> None:
    assert len(cases) >= 300
    assert {case.region for case in cases} == {"jilin", "dezhou"}


def test_every_category_is_covered(cases: tuple[EvalCase, ...]) -> None:
    present = {case.category for case in cases}
    assert set(CATEGORIES) | {"flow", "command", "out_of_scope"} <= present


def test_labels_name_existing_entries(cases: tuple[EvalCase, ...]) -> None:
    assert unknown_expectations(cases) == []


def test_questions_are_not_copies_of_variants(cases: tuple[EvalCase, ...]) -> None:
    content = load_knowledge_content()
    analyser = Analyser(content.synonyms)
    variants = {
        (region, analyser.canonical(q))
        for region, entries in content.faq_by_region.items()
        for entry in entries
        for q in entry.questions
    }
    copies = [case.q for case in cases if (case.region, analyser.canonical(case.q)) in variants]
    assert copies == []


def test_top1_accuracy(report: EvalReport) -> None:
    assert report.accuracy >= REQUIRED_ACCURACY, report.format()
