"""The materials flow (办事材料): pick a case of the region's catalogue by number or words; list its items.

Also the view of a case that other flows (filing_guide) show: groups with 任选其一 / 全部, generated forms,
notes and citations, in the person's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows.base import Flow, FlowContext, Invalid, Outcome, Say, Slots, Step
from flows.catalogue import Case
from flows.errors import CatalogueError

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


Synonyms = tuple[tuple[str, str], ...]  # (word, canonical word), longest words first
# A match needs at least one word found in no more than three titles ("备案" alone says nothing).
_MIN_WEIGHT = 1 / 3


@lru_cache(maxsize=4)
def load_synonyms(path: Path) -> Synonyms:
    """content/synonyms.yaml as (word, canonical) pairs; none when the file is missing."""
    if not path.exists():
        return ()
    try:
        groups = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("groups") or []
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    pairs = [(str(word), str(group[0])) for group in groups for word in group[1:]]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def _canonical(text: str, synonyms: Synonyms) -> str:
    clean = re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).lower())
    for word, canonical in synonyms:
        clean = clean.replace(word, canonical)
    return clean


def _bigrams(text: str, synonyms: Synonyms = ()) -> set[str]:
    clean = _canonical(text, synonyms)
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def match_case(text: str, cases: tuple[Case, ...], synonyms: Synonyms = ()) -> Case | None:
    """The case whose title shares the most distinctive two-character words with `text` (rarer words weigh
    more; on equal weight the title better covered wins); None when nothing or a tie remains."""
    wanted = _bigrams(text, synonyms)
    titles = [_bigrams(case.title, synonyms) | _bigrams(case.title_en) for case in cases]
    frequency = Counter(gram for grams in titles for gram in grams)
    scores = []
    for index, grams in enumerate(titles):
        weight = sum(1 / frequency[g] for g in wanted & grams)
        scores.append((round(weight, 6), round(weight / max(len(grams), 1), 6), index))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < _MIN_WEIGHT or (len(scores) > 1 and scores[0][:2] == scores[1][:2]):
        return None
    return cases[scores[0][2]]


def parse_case(text: str, _slots: Slots, ctx: FlowContext) -> str:
    cases = cases_in_force(ctx)
    number = _DIGITS.match(text)
    if number:
        index = int(number.group(1))
        if 1 <= index <= len(cases):
            return cases[index - 1].id
        raise Invalid("materials/invalid_case", count=len(cases))
    by_id = next((case for case in cases if case.id == text.strip()), None)
    found = by_id or match_case(text, cases, load_synonyms(Path(ctx.content.root) / "synonyms.yaml"))
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
