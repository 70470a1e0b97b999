"""The materials flow (办事材料): pick a case of the region's catalogue by number or words; list its items.

Also the view of a case that other flows (filing_guide) show: groups with 任选其一 / 全部, generated forms,
notes and citations, in the person's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from flows.base import Flow, FlowContext, Invalid, Outcome, Say, Slots, Step
from flows.catalogue import Case

_DIGITS = re.compile(r"^\s*(\d{1,2})\s*$")


def cases_in_force(ctx: FlowContext) -> tuple[Case, ...]:
    return tuple(c for c in ctx.content.pack(ctx.region).catalogue.cases if c.in_force(ctx.today))


def case_title(case: Case, locale: str) -> str:
    return case.title_en if locale == "en" and case.title_en else case.title


def case_view(case: Case, locale: str) -> dict[str, Any]:
    """Everything a template needs to list a case's materials, in `locale` where a translation exists."""
    english = locale == "en"

    def pick(source: str, translated: str) -> str:
        return translated if english and translated else source

    groups = [
        {
            "label": pick(group.label, group.label_en),
            "choose": group.choose,
            "items": [
                {
                    "name": pick(item.name, item.name_en),
                    "note": pick(item.note, item.note_en),
                    "generated": item.generated,
                    "applies_to": item.applies_to,
                }
                for item in group.items
            ],
        }
        for group in case.groups
    ]
    notes = list(case.notes_en) if english and case.notes_en else list(case.notes)
    return {
        "id": case.id,
        "title": case_title(case, locale),
        "groups": groups,
        "notes": notes,
        "citations": list(case.citations),
    }


def _bigrams(text: str) -> set[str]:
    clean = re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).lower())
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def match_case(text: str, cases: tuple[Case, ...]) -> Case | None:
    """The case whose title shares the most distinctive two-character words with `text`; None on a tie."""
    wanted = _bigrams(text)
    titles = {case.id: _bigrams(case.title) | _bigrams(case.title_en) for case in cases}
    frequency = Counter(gram for grams in titles.values() for gram in grams)
    scores = sorted(
        (
            (sum(1 / frequency[g] for g in wanted & titles[case.id]), index)
            for index, case in enumerate(cases)
        ),
        reverse=True,
    )
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return cases[scores[0][1]]


def parse_case(text: str, _slots: Slots, ctx: FlowContext) -> str:
    cases = cases_in_force(ctx)
    number = _DIGITS.match(text)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(cases):
            return cases[index - 1].id
        raise Invalid("materials/invalid_case", count=len(cases))
    by_id = next((case for case in cases if case.id == text.strip()), None)
    found = by_id or match_case(text, cases)
    if found is None:
        raise Invalid("materials/invalid_case", count=len(cases))
    return found.id


def _prompt_context(_slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    return {"cases": [case_title(case, ctx.locale) for case in cases_in_force(ctx)]}


def _complete(slots: Slots, ctx: FlowContext) -> Outcome:
    case = ctx.content.pack(ctx.region).catalogue.case(slots["case"])
    if case is None:  # the catalogue changed between the question and the answer
        return Outcome(says=(Say("materials/no_cases"),), intent="materials:missing")
    return Outcome(
        says=(Say("materials/case", {"case": case_view(case, ctx.locale)}),), intent=f"materials:{case.id}"
    )


def _on_start(ctx: FlowContext) -> Outcome | None:
    if not cases_in_force(ctx):
        return Outcome(says=(Say("materials/no_cases"),), intent="materials:none")
    return None


FLOW = Flow(
    name="materials",
    steps=(Step("case", "materials/ask_case", parse=parse_case, prompt_context=_prompt_context),),
    on_complete=_complete,
    on_start=_on_start,
)
