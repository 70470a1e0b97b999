"""The filing guide (要不要备案): a few questions, then whether a filing is needed, which kind, and materials.

The questions and verdicts follow the insured region's rules; each region pack names its rule set, the stay
length it treats as long-term and, per verdict, the citations and materials cases in guide.yaml. The wording
is content/templates/filing_guide/<verdict>.j2.

Jilin (吉医保规〔2023〕4号; 吉林省优化五类医保服务20条便民举措): emergency counts as filed
(第五条, 第二十六条, 20条 第7条); in-province ordinary outpatient needs no filing (20条 第5条);
in-province inpatient needs a filing that may be made before discharge (20条 第6条); referral filing
(第四条); long-term filing (第三条), by pledge when proofs are missing (第六条).
Dezhou (德医保发〔2021〕57号): in-province temporary treatment needs no filing from 2022-01-01 (二（四）);
cross-province temporary treatment needs a temporary-outside filing without proofs (二（一）（二））;
6+ months away is long-term residence, filed by pledge (一（一）, 二（三）).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Say, Slots, Step
from flows.destinations import Places, load_places
from flows.durations import parse_duration_months
from flows.errors import FlowsError
from flows.materials import case_view


class GuideError(FlowsError):
    """A region pack's guide.yaml is missing or invalid."""


@dataclass(frozen=True)
class Verdict:
    name: str
    citations: tuple[str, ...]
    cases: tuple[str, ...]
    offer_filing: bool


@dataclass(frozen=True)
class Guide:
    rules: str  # jilin | dezhou: which decision procedure below applies
    long_term_months: float
    long_term_months_basis: str
    verdicts: Mapping[str, Verdict]


_RULE_SETS = {"jilin", "dezhou"}


@lru_cache(maxsize=16)
def load_guide(path: Path) -> Guide:
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
        guide = Guide(
            rules=str(raw["rules"]),
            long_term_months=float(raw["long_term_months"]),
            long_term_months_basis=str(raw["long_term_months_basis"]),
            verdicts={
                name: Verdict(
                    name,
                    tuple(item["citations"] or ()),
                    tuple(item["cases"] or ()),
                    bool(item["offer_filing"]),
                )
                for name, item in raw["verdicts"].items()
            },
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise GuideError(f"{path}: {exc!r}") from exc
    if guide.rules not in _RULE_SETS:
        raise GuideError(f"{path}: unknown rule set {guide.rules}")
    return guide


def guide_for(ctx: FlowContext) -> Guide:
    return load_guide(Path(ctx.content.root) / "regions" / ctx.region / "guide.yaml")


def _places(ctx: FlowContext) -> Places:
    return load_places(Path(ctx.content.root) / "destinations.yaml")


# ---- parsers -----------------------------------------------------------------------------------------------
def parse_place(text: str, _slots: Slots, ctx: FlowContext) -> dict[str, Any]:
    """A place ("三亚", "在北京工作") or just a scope ("外省"); kept as plain data in the conversation.

    A stay length said with it ("去三亚住半年") is kept too, so the guide does not ask for it again.
    """
    places = _places(ctx)
    found = places.find(text, ctx.region)
    if found is not None:
        place: dict[str, Any] = {
            "code": found.code,
            "name": found.name,
            "province": found.province,
            "level": found.level,
            "cross_province": found.cross_province,
            "home": places.is_home(found, ctx.region),
        }
    else:
        scope = places.scope(text, ctx.region)
        if scope is None:
            raise Invalid("filing_guide/invalid_place")
        place = {"code": "", "name": "", "cross_province": scope == "cross_province", "home": False}
    months = parse_duration_months(text)
    if months is not None:
        place["stay"] = _stay(months)
    return place


def _stay(months: float) -> dict[str, Any]:
    """Months away as JSON-safe data: an open-ended stay is a flag (JSON has no infinity)."""
    open_ended = math.isinf(months)
    return {"months": None if open_ended else round(months, 2), "open_ended": open_ended}


def parse_months(text: str, _slots: Slots, _ctx: FlowContext) -> dict[str, Any]:
    months = parse_duration_months(text)
    if months is None:
        raise Invalid("filing_guide/invalid_months")
    return _stay(months)


def parse_yes_no(text: str, _slots: Slots, _ctx: FlowContext) -> bool:
    return text == "yes"


# ---- which questions apply ---------------------------------------------------------------------------------
def _rules(ctx: FlowContext) -> str:
    return guide_for(ctx).rules


def _in_province(slots: Slots) -> bool:
    return not slots["place"]["cross_province"]


def _ask_emergency(slots: Slots, ctx: FlowContext) -> bool:
    return _rules(ctx) == "jilin"


def _ask_inpatient(slots: Slots, ctx: FlowContext) -> bool:
    return _rules(ctx) == "jilin" and not slots.get("emergency") and _in_province(slots)


def _ask_referral(slots: Slots, ctx: FlowContext) -> bool:
    if _rules(ctx) != "jilin" or slots.get("emergency"):
        return False
    return not (_in_province(slots) and slots.get("inpatient") is False)


def _ask_months(slots: Slots, ctx: FlowContext) -> bool:
    if "stay" in slots["place"]:
        return False
    if _rules(ctx) == "dezhou":
        return not slots["place"].get("home")
    return _ask_referral(slots, ctx) and slots.get("referral") is False


def _yes_no(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    return ctx.options("yes_no")


# ---- verdicts ----------------------------------------------------------------------------------------------
def decide(rules: str, slots: Slots, long_term_months: float) -> str:
    """The verdict name for the answers given (pure: the rule set and the long-term threshold are data)."""
    place = slots["place"]
    stay = slots.get("months") or place.get("stay") or {}
    long_stay = bool(stay.get("open_ended")) or (stay.get("months") or 0) >= long_term_months
    if rules == "dezhou":
        if place.get("home"):
            return "home"
        if long_stay:
            return "long_term"
        return "temporary" if place["cross_province"] else "in_province_temporary"
    if slots.get("emergency"):
        return "emergency"
    in_province = not place["cross_province"]
    if in_province and slots.get("inpatient") is False:
        return "in_province_outpatient"
    if slots.get("referral"):
        return "referral"
    if long_stay:
        return "long_term"
    return "in_province_inpatient" if in_province else "short_stay"


def _complete(slots: Slots, ctx: FlowContext) -> Outcome:
    guide = guide_for(ctx)
    name = decide(guide.rules, slots, guide.long_term_months)
    verdict = guide.verdicts.get(name)
    if verdict is None:
        raise GuideError(f"guide.yaml of {ctx.region} has no verdict '{name}'")
    catalogue = ctx.content.pack(ctx.region).catalogue
    cases = [catalogue.case(case_id) for case_id in verdict.cases]
    materials = [
        case_view(case, ctx.locale) for case in cases if case is not None and case.in_force(ctx.today)
    ]
    labels = dict(ctx.content.choice_set("flows"))
    options = (Option("flow:filing", labels["filing"]),) if verdict.offer_filing else ()
    context = {
        "place": dict(slots["place"]),
        "stay": dict(slots.get("months") or slots["place"].get("stay") or {}),
        "inpatient": slots.get("inpatient"),
        "long_term_months": guide.long_term_months,
        "citations": list(verdict.citations),
        "materials": materials,
        "offer_filing": verdict.offer_filing,
        "region_rules": guide.rules,
    }
    return Outcome(
        says=(Say(f"filing_guide/{name}", context, options=options),), intent=f"filing_guide:{name}"
    )


FLOW = Flow(
    name="filing_guide",
    steps=(
        Step("place", "filing_guide/ask_place", parse=parse_place),
        Step("emergency", "filing_guide/ask_emergency", parse_yes_no, _ask_emergency, _yes_no),
        Step("inpatient", "filing_guide/ask_inpatient", parse_yes_no, _ask_inpatient, _yes_no),
        Step("referral", "filing_guide/ask_referral", parse_yes_no, _ask_referral, _yes_no),
        Step("months", "filing_guide/ask_months", parse=parse_months, when=_ask_months),
    ),
    on_complete=_complete,
)
