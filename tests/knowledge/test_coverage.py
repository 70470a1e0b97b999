from bot.knowledge.coverage import coverage_report, uncovered, unknown_citations
from bot.knowledge.models import Article, PolicyDocument

from .conftest import entry

DOC = PolicyDocument(
    doc="吉医保规〔2023〕4号",
    file="jilin-2023-4-operating-rules.txt",
    articles=(
        Article("第三条", "insured", "长期异地备案材料"),
        Article("第六条", "insured", "承诺制备案"),
        Article("第八条", "insured", "补办", flows=("filing",)),
        Article("第三十三条", "staff", "周转金"),
        Article("第八十一条", "none", "施行日期"),
    ),
)


def test_uncovered_follows_the_rule() -> None:
    entries = [
        entry("a", "问题", citations=("吉医保规〔2023〕4号 第三条",)),
        entry("b", "问题", citations=("吉医保规〔2023〕4号 第六条（二）",)),  # sub-item covers 第六条
        entry("c", "问题", citations=("吉医保规〔2023〕4号 第三十三条",)),  # insured: not staff coverage
    ]
    missing = uncovered("jilin", [DOC], entries)
    assert [(a.ref, a.audience) for a in missing] == [("第三十三条", "staff")]


def test_staff_entry_covers_staff_article() -> None:
    entries = [
        entry("a", "问题", citations=("吉医保规〔2023〕4号 第三条",)),
        entry("b", "问题", citations=("吉医保规〔2023〕4号 第六条",)),
        entry("c", "问题", audience="staff", citations=("吉医保规〔2023〕4号 第三十三条",)),
    ]
    assert uncovered("jilin", [DOC], entries) == []


def test_citations_outside_the_map_are_reported() -> None:
    entries = [entry("a", "问题", citations=("德医保发〔2021〕57号 三（二）", "吉医保规〔2023〕4号 第三条"))]
    expected = "jilin: a: 德医保发〔2021〕57号 三（二） is not in articles.yaml"
    assert unknown_citations("jilin", [DOC], entries) == [expected]


def test_repository_report_formats() -> None:
    report = coverage_report()
    text = report.format()
    assert text
    assert report.ok == (text == "Every article that concerns an insured person or staff is answered.")
