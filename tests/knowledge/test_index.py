from datetime import date

import pytest

from bot.knowledge.errors import UnknownRegion
from bot.knowledge.index import MAX_CLARIFY, MAX_QUESTION_CHARS, KnowledgeIndex

from .conftest import TODAY


def test_close_question_is_answered(small_index: KnowledgeIndex) -> None:
    result = small_index.search("长期外地登记带什么材料", region="jilin", on=TODAY)
    assert result.band == "answer"
    assert result.top is not None and (result.top.kind, result.top.key) == ("faq", "long-term-materials")


def test_synonyms_reach_the_entry(small_index: KnowledgeIndex) -> None:
    result = small_index.search("手工报账最晚哪天", region="jilin", on=TODAY)
    assert result.top is not None and result.top.key == "manual-deadline"


def test_unrelated_text_falls_back(small_index: KnowledgeIndex) -> None:
    assert small_index.search("今天天气好", region="jilin", on=TODAY).band == "fallback"


def test_command_patterns_win(small_index: KnowledgeIndex) -> None:
    result = small_index.search("我要登记", region="jilin", on=TODAY)
    assert result.band == "answer"
    assert result.top is not None and (result.top.kind, result.top.key) == ("flow", "filing")
    handoff = small_index.search("人工", region="jilin", on=TODAY).top
    assert handoff is not None and (handoff.kind, handoff.key) == ("command", "handoff")


def test_only_entries_in_force_are_ranked(small_index: KnowledgeIndex) -> None:
    keys = [c.key for c in small_index.rank("旧规定报销期限", region="jilin", on=TODAY)]
    assert "old-rule" not in keys
    before = small_index.rank("旧规定报销期限", region="jilin", on=date(2020, 1, 1))
    assert before[0].key == "old-rule"


def test_staff_entries_only_for_staff(small_index: KnowledgeIndex) -> None:
    insured = [c.key for c in small_index.rank("周转金什么时候上缴", region="jilin", on=TODAY)]
    staff = small_index.search("周转金什么时候上缴", region="jilin", audience="staff", on=TODAY)
    assert "revolving-fund" not in insured
    assert staff.top is not None and staff.top.key == "revolving-fund"


def test_unknown_region_is_refused(small_index: KnowledgeIndex) -> None:
    with pytest.raises(UnknownRegion):
        small_index.search("备案", region="nowhere", on=TODAY)


def test_clarify_offers_at_most_three_choices(index: KnowledgeIndex) -> None:
    result = index.search("转诊", region="jilin", on=TODAY)
    assert result.band == "clarify"
    assert 1 <= len(result.candidates) <= MAX_CLARIFY


def test_bands_on_real_content(index: KnowledgeIndex) -> None:
    assert index.search("长期异地备案要什么材料", region="jilin", on=TODAY).band == "answer"
    assert index.search("讲个笑话听听", region="jilin", on=TODAY).band == "fallback"
    assert index.search("算一算", region="dezhou", on=TODAY).top.key == "estimate"  # type: ignore[union-attr]


def test_regions_are_separate(index: KnowledgeIndex) -> None:
    jilin = index.search("首先自付10%怎么算", region="jilin", on=TODAY)
    dezhou = index.search("首先自付10%怎么算", region="dezhou", on=TODAY)
    assert dezhou.top is not None and dezhou.top.key == "first-self-pay-meaning"
    assert jilin.top is None or jilin.top.key != "first-self-pay-meaning" or jilin.band != "answer"


def test_long_story_still_finds_its_question(index: KnowledgeIndex) -> None:
    story = "你好，我想问一下，我妈妈是吉林的医保，现在在北京我姐家住，想在北京看病，需要办什么手续？谢谢"
    result = index.search(story, region="jilin", on=TODAY)
    assert result.band != "fallback"
    assert result.top is not None and result.top.key == "filing-do-i-need"


def test_only_the_head_of_a_pasted_page_is_read(index: KnowledgeIndex) -> None:
    head = "转诊备案有效期多久" + "。" * (MAX_QUESTION_CHARS - 9)
    tail = "承诺制备案要带什么材料 个人承诺书在哪弄 承诺制备案材料清单 承诺书要自己写吗"
    result = index.search(head + tail, region="jilin", on=TODAY)
    assert result.top is not None and result.top.key == "referral-validity"


def test_rerank_prefers_the_variant_that_reads_alike(small_index: KnowledgeIndex) -> None:
    ranked = small_index.rank("长期居住备案带啥材料", region="jilin", on=TODAY)
    assert ranked[0].key == "long-term-materials"
    assert ranked[0].score > 1.0  # BM25 share near 1 plus the similarity bonus


@pytest.mark.parametrize("text", ["2", "12393", "  3 "])
def test_bare_numbers_are_not_questions(index: KnowledgeIndex, text: str) -> None:
    result = index.search(text, region="jilin", on=TODAY)
    assert (result.band, result.candidates) == ("fallback", ())
