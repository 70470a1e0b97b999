"""Remote-treatment rules of a region pack (first self-pay, ratio changes, cross-year, shared limits).

Layout of `policy/rules.yaml`:

    region: jilin
    documents: [吉医保规〔2023〕4号, ...]       # the only documents this pack may cite
    adjustments:                         # applied to the estimate in this order of effect:
      - id: unfiled_fixed_ratio          #   first_self_pay (share of the in-policy amount, before the
        effect: set_ratio                #   deductible), set_ratio (replaces the local ratio; the lowest
        value: 0.20                      #   wins if several apply), reduce_ratio (percentage points,
        when: {category: [unfiled]}      #   summed), local_ratio (no change; cited in the trace)
        citation: 吉医保发〔2019〕34号 第三项
        effective_from: 2019-10-01
    stacking: {citation: ...}                   # optional: why reductions add up (the ratio is floored at 0)
    emergency_observation: {settle_as: inpatient, citation: ..., verified: true}
    cross_year: {method: one_deductible_split_by_nights, citation: ..., verified: true}
    shared_annual_limits:                       # optional
      - {services: [outpatient, chronic], scope: home_and_away, citation: ...}

A rule is in force on the discharge date when `effective_from <= date <= effective_to` (inclusive, open end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from settlement.yamltext import Reader, YamlMap, load_yaml

EFFECTS = ("first_self_pay", "set_ratio", "reduce_ratio", "local_ratio")
REQUEST_SERVICES = ("inpatient", "outpatient", "chronic", "emergency_observation")
CATEGORIES = ("long_term", "referral", "temporary", "emergency", "unfiled")
CONDITION_VALUES: Mapping[str, tuple[Any, ...]] = {
    "scheme": ("employee", "resident"),
    "category": CATEGORIES,
    "service": REQUEST_SERVICES,
    "hospital_level": (1, 2, 3),
    "direct_settlement": (True, False),
    "own_fault": (True, False),
}
CROSS_YEAR_METHODS = ("one_deductible_split_by_nights",)
SETTLE_AS = ("inpatient",)
LIMIT_SCOPES = ("home_and_away",)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One remote-treatment rule that changes the first self-pay or the ratio."""

    id: str
    effect: str
    value: Decimal | None
    when: Mapping[str, frozenset[Any]]
    citation: str
    effective_from: dt.date
    effective_to: dt.date | None

    def applies(self, facts: Mapping[str, Any], on: dt.date) -> bool:
        if on < self.effective_from or (self.effective_to is not None and on > self.effective_to):
            return False
        return all(facts[key] in allowed for key, allowed in self.when.items())


@dataclass(frozen=True, slots=True)
class ProcedureRule:
    """A settlement procedure the pack states (how emergency observation or a cross-year stay is settled)."""

    id: str
    method: str
    citation: str | None
    verified: bool


@dataclass(frozen=True, slots=True)
class SharedLimit:
    """Services whose annual limit is shared with payments at home (`fund_paid_by_year` includes them)."""

    services: frozenset[str]
    scope: str
    citation: str


@dataclass(frozen=True, slots=True)
class RemoteRules:
    """The remote-treatment rules of one region pack."""

    region: str
    source: str
    documents: tuple[str, ...]
    adjustments: tuple[Adjustment, ...]
    stacking_citation: str | None
    emergency_observation: ProcedureRule
    cross_year: ProcedureRule
    shared_limits: tuple[SharedLimit, ...]

    def shared_limit(self, service: str) -> SharedLimit | None:
        return next((s for s in self.shared_limits if service in s.services), None)


def parse_rules(text: str, source: str) -> RemoteRules:
    """Parse `rules.yaml` text."""
    reader = Reader(source)
    root = load_yaml(text, source)
    reader.keys(
        root,
        required=("region", "documents", "adjustments", "emergency_observation", "cross_year"),
        optional=("description", "stacking", "shared_annual_limits"),
        what="the rules file",
    )
    region = reader.text(root, "region", "the rules file")
    assert region is not None
    docs = reader.sequence(root["documents"], reader.line_of(root, "documents"), "documents")
    if not docs or not all(isinstance(d, str) and d.strip() and " " not in d for d in docs):
        raise reader.fail(docs.line, "documents must be a non-empty list of document numbers without spaces")
    documents = tuple(docs)
    items = reader.sequence(root["adjustments"], reader.line_of(root, "adjustments"), "adjustments")
    adjustments = tuple(_adjustment(reader, item, items.line, documents) for item in items)
    ids = [a.id for a in adjustments]
    if len(set(ids)) != len(ids):
        raise reader.fail(items.line, "adjustment ids must be unique")
    stacking_citation = None
    if "stacking" in root:
        stacking = reader.mapping(root["stacking"], reader.line_of(root, "stacking"), "stacking")
        reader.keys(stacking, required=("citation",), what="stacking")
        stacking_citation = reader.citation(stacking, "citation", "stacking", documents)
    shared: list[SharedLimit] = []
    if "shared_annual_limits" in root:
        limits = reader.sequence(
            root["shared_annual_limits"], reader.line_of(root, "shared_annual_limits"), "shared_annual_limits"
        )
        shared = [_shared_limit(reader, item, limits.line, documents) for item in limits]
    return RemoteRules(
        region=region,
        source=source,
        documents=documents,
        adjustments=adjustments,
        stacking_citation=stacking_citation,
        emergency_observation=_procedure(
            reader, root, "emergency_observation", "settle_as", SETTLE_AS, documents
        ),
        cross_year=_procedure(reader, root, "cross_year", "method", CROSS_YEAR_METHODS, documents),
        shared_limits=tuple(shared),
    )


def _adjustment(reader: Reader, node: Any, line: int, documents: tuple[str, ...]) -> Adjustment:
    item = reader.mapping(node, line, "an adjustment")
    reader.keys(
        item,
        required=("id", "effect", "when", "citation", "effective_from"),
        optional=("value", "effective_to", "note"),
        what="an adjustment",
    )
    rule_id = reader.text(item, "id", "an adjustment")
    what = f"adjustment {rule_id}"
    effect = item["effect"]
    if effect not in EFFECTS:
        raise reader.fail(
            reader.line_of(item, "effect"), f"{what}: effect must be one of {', '.join(EFFECTS)}"
        )
    value: Decimal | None = None
    if effect == "local_ratio":
        if "value" in item:
            raise reader.fail(reader.line_of(item, "value"), f"{what}: local_ratio takes no value")
    else:
        value = reader.decimal(item, "value", what)
        if not Decimal(0) <= value <= Decimal(1):
            raise reader.fail(reader.line_of(item, "value"), f"{what}: value must be between 0 and 1")
    start = reader.date(item, "effective_from", what)
    end = reader.date(item, "effective_to", what, optional=True)
    assert start is not None and rule_id is not None
    if end is not None and end < start:
        raise reader.fail(
            reader.line_of(item, "effective_to"), f"{what}: effective_to is before effective_from"
        )
    return Adjustment(
        id=rule_id,
        effect=effect,
        value=value,
        when=_conditions(reader, item, what),
        citation=reader.citation(item, "citation", what, documents),
        effective_from=start,
        effective_to=end,
    )


def _conditions(reader: Reader, item: YamlMap, what: str) -> Mapping[str, frozenset[Any]]:
    when = reader.mapping(item["when"], reader.line_of(item, "when"), f"{what}: when")
    reader.keys(when, required=(), optional=tuple(CONDITION_VALUES), what=f"{what}: when")
    result: dict[str, frozenset[Any]] = {}
    for key, values in when.items():
        listed = reader.sequence(values, when.key_lines[key], f"{what}: when.{key}")
        for value in listed:
            if value not in CONDITION_VALUES[key] or isinstance(value, bool) != isinstance(
                CONDITION_VALUES[key][0], bool
            ):
                raise reader.fail(listed.line, f"{what}: {value!r} is not a known {key}")
        result[key] = frozenset(listed)
    return result


def _procedure(
    reader: Reader, root: YamlMap, key: str, field: str, allowed: tuple[str, ...], documents: tuple[str, ...]
) -> ProcedureRule:
    node = reader.mapping(root[key], reader.line_of(root, key), key)
    reader.keys(node, required=(field, "citation", "verified"), optional=("note",), what=key)
    if node[field] not in allowed:
        raise reader.fail(reader.line_of(node, field), f"{key}: {field} must be one of {', '.join(allowed)}")
    verified = reader.boolean(node, "verified", key)
    citation = None if node["citation"] is None else reader.citation(node, "citation", key, documents)
    if verified and citation is None:
        raise reader.fail(reader.line_of(node, "citation"), f"{key}: a verified rule needs a citation")
    return ProcedureRule(id=key, method=node[field], citation=citation, verified=verified)


def _shared_limit(reader: Reader, node: Any, line: int, documents: tuple[str, ...]) -> SharedLimit:
    item = reader.mapping(node, line, "a shared annual limit")
    reader.keys(
        item, required=("services", "scope", "citation"), optional=("note",), what="a shared annual limit"
    )
    services = reader.sequence(item["services"], reader.line_of(item, "services"), "services")
    for service in services:
        if service not in REQUEST_SERVICES:
            raise reader.fail(services.line, f"a shared annual limit: {service!r} is not a known service")
    if item["scope"] not in LIMIT_SCOPES:
        raise reader.fail(reader.line_of(item, "scope"), f"scope must be one of {', '.join(LIMIT_SCOPES)}")
    return SharedLimit(
        services=frozenset(services),
        scope=item["scope"],
        citation=reader.citation(item, "citation", "a shared annual limit", documents),
    )
