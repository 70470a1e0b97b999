from pathlib import Path

import pytest

from bot.content.faq import check_citation, load_faq_file, load_region_faq, load_synonyms
from bot.errors import ContentError
from bot.knowledge.analysis import Analyser
from bot.knowledge.models import KnowledgeContent

GOOD = """\
entries:
  - id: long-term-filing-materials
    audience: insured
    questions: [长期异地备案要什么材料, 去外地长住办备案带啥]
    answer: 办理长期异地就医备案需要：… 今天是{{ today | cn_date }}。
    citations: [吉医保规〔2023〕4号 第三条]
    effective_from: 2023-08-14
    tags: [filing, materials]
"""


def write(tmp_path: Path, text: str, name: str = "topic.yaml") -> Path:
    folder = tmp_path / "faq"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    (entry,) = load_faq_file(write(tmp_path, GOOD))
    assert entry.id == "long-term-filing-materials"
    assert entry.questions[1] == "去外地长住办备案带啥"
    assert entry.effective_to is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    tags:", "    colour: red\n    tags:"), "unknown keys ['colour']"),
        (("    answer: 办理", "    answr: 办理"), "unknown keys ['answr']"),
        (("    citations: [吉医保规〔2023〕4号 第三条]\n", ""), "missing ['citations']"),
        (("    effective_from: 2023-08-14\n", ""), "missing ['effective_from']"),
        (("吉医保规〔2023〕4号 第三条", "吉医保规2023-4 第三条"), "is not of the form"),
        (("吉医保规〔2023〕4号 第三条", "吉医保规〔2023〕4号第三条"), "is not of the form"),
        (("2023-08-14", "2023-14-08"), "is not a date"),
        (("2023-08-14", "2023-08-14\n    effective_to: 2022-01-01"), "effective_to is before effective_from"),
        (("[filing, materials]", "[filing, bananas]"), "unknown tags ['bananas']"),
        (("audience: insured", "audience: everyone"), "audience 'everyone'"),
        (("id: long-term-filing-materials", "id: Long_Term"), "kebab-case"),
        (("{{ today | cn_date }}", "{{ amount }}"), "unknown variables ['amount']"),
        (("{{ today | cn_date }}", "{{ today | upper }}"), "unknown filters ['upper']"),
    ],
)
def test_errors_name_file_entry_and_problem(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ContentError) as caught:
        load_faq_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "long-term-filing-materials" in str(caught.value) or "Long_Term" in str(caught.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(ContentError, match="duplicate id"):
        load_region_faq(tmp_path)


def test_null_effective_from_means_undated(tmp_path: Path) -> None:
    undated = GOOD.replace("effective_from: 2023-08-14", "effective_from: null")
    (entry,) = load_faq_file(write(tmp_path, undated))
    assert entry.in_force(entry.effective_from)


@pytest.mark.parametrize(
    "citation",
    [
        "吉医保规〔2023〕4号 第十五条",
        "吉医保规〔2023〕4号 第六条（二）",
        "吉医保发〔2019〕34号 第十六项",
        "吉林省优化五类医保服务20条便民举措 第6条",
        "吉医保联〔2020〕16号 六",
        "德医保发〔2021〕57号 三（二）",
    ],
)
def test_citation_forms_of_the_brief(citation: str) -> None:
    assert check_citation(citation) is not None


def test_synonym_word_in_two_groups_is_refused(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("groups:\n  - [报销, 报账]\n  - [结算, 报账]\n", encoding="utf-8")
    with pytest.raises(ContentError, match="two groups"):
        load_synonyms(tmp_path)


def test_repository_content_loads(content: KnowledgeContent) -> None:
    assert {"jilin", "dezhou"} <= set(content.faq_by_region)
    assert all(content.faq_by_region.values())
    targets = {intent.target for intent in content.intents}
    assert targets >= {"filing", "status", "estimate", "deadline", "handoff"}


def test_intent_questions_do_not_repeat_faq_variants(content: KnowledgeContent) -> None:
    analyser = Analyser(content.synonyms)
    variants = {
        analyser.stripped(analyser.canonical(q))
        for entries in content.faq_by_region.values()
        for entry in entries
        for q in entry.questions
    }
    asked = [q for intent in content.intents for q in intent.questions]
    repeated = [q for q in asked if analyser.stripped(analyser.canonical(q)) in variants]
    assert repeated == []
