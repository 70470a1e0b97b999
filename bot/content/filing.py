"""Loads content/regions/<region>/filing.yaml into the FilingPolicy of flows.filing_rules, dated.

The pledge period comes from the region's `pledge_materials` deadline (policy/deadlines.yaml), taking the
version in force on the day asked, so the 6 months live in one place with their citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.loader import read_yaml
from bot.errors import ContentError
from flows.filing_rules import Choice, FilingPolicy, KindPolicy
from settlement import RegionPolicy

_TOP_KEYS = {
    "region",
    "province_code",
    "effective_from",
    "rules",
    "registry_change_ends",
    "kinds",
    "pledge",
    "retroactive",
    "cancel",
    "change",
    "place_roles",
    "max_days_ahead",
    "reminder_days",
}
_KIND_KEYS = {"id", "label", "case", "validity", "validity_citation", "pledge", "proofs", "place_roles"}
_VALIDITY = {"until_changed", "insurance_year", "not_specified"}
_PLEDGE = {"allowed", "required", "no"}


def _choices(raw: Any, where: str) -> tuple[Choice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ContentError(f"{where}: expected a list of {{value, label}}")
    out = []
    for item in raw:
        if not isinstance(item, Mapping) or not item.get("value") or not item.get("label"):
            raise ContentError(f"{where}: each choice needs value and label: {item!r}")
        out.append(Choice(str(item["value"]), str(item["label"])))
    return tuple(out)


def _kind(raw: Any, source: str) -> KindPolicy:
    where = f"{source}: kind {raw.get('id', '?') if isinstance(raw, Mapping) else '?'}"
    if not isinstance(raw, Mapping):
        raise ContentError(f"{where}: not a mapping")
    extra = set(raw) - _KIND_KEYS
    if extra:
        raise ContentError(f"{where}: unknown keys {sorted(extra)}")
    if raw.get("validity") not in _VALIDITY:
        raise ContentError(f"{where}: validity must be one of {sorted(_VALIDITY)}")
    if str(raw.get("pledge", "no")) not in _PLEDGE:
        raise ContentError(f"{where}: pledge must be one of {sorted(_PLEDGE)}")
    for key in ("id", "label", "case"):
        if not raw.get(key):
            raise ContentError(f"{where}: missing {key}")
    return KindPolicy(
        id=str(raw["id"]),
        label=str(raw["label"]),
        case=str(raw["case"]),
        validity=str(raw["validity"]),
        validity_citation=raw.get("validity_citation"),
        pledge=str(raw.get("pledge", "no")),
        proofs=_choices(raw.get("proofs"), where),
        place_roles=bool(raw.get("place_roles", False)),
    )


def parse_filing_policy(data: Any, source: str) -> FilingPolicy:
    """Build a region's FilingPolicy (without the pledge period) from the parsed filing.yaml."""
    if not isinstance(data, Mapping):
        raise ContentError(f"{source}: expected a mapping")
    extra = set(data) - _TOP_KEYS
    if extra:
        raise ContentError(f"{source}: unknown keys {sorted(extra)}")
    for key in ("region", "province_code", "effective_from", "rules", "kinds"):
        if not data.get(key):
            raise ContentError(f"{source}: missing {key}")
    rules = data["rules"]
    if not isinstance(rules, Mapping) or not all(isinstance(v, str) and v for v in rules.values()):
        raise ContentError(f"{source}: rules must map a rule id to its citation")
    kinds = {kind.id: kind for kind in (_kind(k, source) for k in data["kinds"])}
    pledge = data.get("pledge") or {}
    retro = data.get("retroactive") or {}
    cancel = data.get("cancel") or {}
    change = data.get("change") or {}
    effective_from = data["effective_from"]
    if not isinstance(effective_from, date):
        raise ContentError(f"{source}: effective_from must be a date")
    return FilingPolicy(
        region=str(data["region"]),
        province_code=str(data["province_code"]),
        effective_from=effective_from,
        rules=dict(rules),
        kinds=kinds,
        registry_change_ends=tuple(data.get("registry_change_ends") or ()),
        pledge_case=str(pledge.get("case", "")),
        pledge_label=str(pledge.get("label", "")),
        pledge_lapses=bool(pledge.get("lapses", False)),
        retroactive_case=str(retro.get("case", "")),
        retroactive_label=str(retro.get("label", "")),
        cancel_case=str(cancel.get("case", "")),
        cancel_label=str(cancel.get("label", "")),
        cancel_proof_within_months=cancel.get("proof_within_months"),
        cancel_proofs=_choices(cancel.get("proofs"), f"{source}: cancel"),
        change_label=str(change.get("label", "")),
        place_roles=_choices(data.get("place_roles"), f"{source}: place_roles"),
        max_days_ahead=int(data.get("max_days_ahead", 365)),
        reminder_days=tuple(sorted({int(d) for d in data.get("reminder_days") or ()}, reverse=True)),
    )


@dataclass(frozen=True)
class FilingPolicies:
    """Every region's filing policy; `on(region, day)` adds the pledge period in force that day."""

    base: Mapping[str, FilingPolicy]
    region_policies: Mapping[str, RegionPolicy]

    def on(self, region: str, day: date) -> FilingPolicy:
        try:
            policy = self.base[region]
        except KeyError as exc:
            raise ContentError(f"region {region} has no filing.yaml") from exc
        region_policy = self.region_policies.get(region)
        if region_policy is None:
            return policy
        versions = region_policy.deadlines.rules.get("pledge_materials", ())
        current = next((v for v in versions if v.in_force(day)), None)
        if current is None or current.kind != "calendar_months":
            return policy
        return replace(
            policy, pledge_months=current.params["months"], pledge_months_citation=current.citation
        )

    def regions(self) -> tuple[str, ...]:
        return tuple(self.base)


def load_filing_policies(content_root: Path, region_policies: Mapping[str, RegionPolicy]) -> FilingPolicies:
    base = {}
    for path in sorted((content_root / "regions").glob("*/filing.yaml")):
        policy = parse_filing_policy(read_yaml(path), str(path.relative_to(content_root)))
        if policy.region != path.parent.name:
            raise ContentError(f"{path}: region is {policy.region!r} but the folder is {path.parent.name!r}")
        base[policy.region] = policy
    return FilingPolicies(base=base, region_policies=region_policies)
