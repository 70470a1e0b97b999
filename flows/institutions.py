"""The institutions flow (哪些医院能直接结算) and the per-region institutions list it reads.

Which city (free text, recognised like filing destinations) → which kind (hospital, pharmacy, chronic
outpatient, dual-channel drugs) → the designated institutions there that settle remote costs directly, highest
grade first, one page at a time. The list is content/regions/<region>/institutions.yaml (format:
content/regions/README-institutions.md); demo entries are announced to the person as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows.base import Flow, FlowContext, Invalid, Option, Outcome, Say, Slots, Step
from flows.destinations import load_places
from flows.errors import FlowsError

KINDS = ("hospital", "pharmacy", "chronic", "dual_channel")
_FILE_KEYS = {"demo", "source", "updated", "page_size", "kinds", "institutions"}
_ENTRY_KEYS = {"id", "name", "city", "level", "kinds", "address", "demo"}


class InstitutionsError(FlowsError):
    """An institutions.yaml is invalid."""


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    city: str
    kinds: tuple[str, ...]
    level: int | None = None
    address: str = ""
    demo: bool = False


@dataclass(frozen=True)
class InstitutionList:
    demo: bool
    page_size: int
    kinds: tuple[tuple[str, str], ...]  # (value, Chinese label)
    institutions: tuple[Institution, ...]
    source: str = ""

    def find(self, city: str, kind: str) -> list[Institution]:
        """Institutions of `city` offering `kind`, highest grade first (pharmacies last), then by name."""
        found = [i for i in self.institutions if i.city == city and kind in i.kinds]
        return sorted(found, key=lambda i: (-(i.level or 0), i.name))


def parse_institutions(data: Any, source: str) -> InstitutionList:
    if not isinstance(data, Mapping) or not isinstance(data.get("institutions"), list):
        raise InstitutionsError(f"{source}: expected a mapping with an 'institutions' list")
    if set(data) - _FILE_KEYS:
        raise InstitutionsError(f"{source}: unknown keys {sorted(set(data) - _FILE_KEYS)}")
    kinds = tuple((str(k["value"]), str(k["label"])) for k in data.get("kinds") or ())
    if not kinds or {value for value, _ in kinds} - set(KINDS):
        raise InstitutionsError(f"{source}: kinds must be a non-empty subset of {KINDS}")
    entries, seen = [], set()
    for raw in data["institutions"]:
        where = f"{source}: institution {raw.get('id', '?') if isinstance(raw, Mapping) else '?'}"
        if not isinstance(raw, Mapping) or set(raw) - _ENTRY_KEYS:
            raise InstitutionsError(f"{where}: not a mapping of {sorted(_ENTRY_KEYS)}")
        if not raw.get("id") or not raw.get("name") or not raw.get("city") or raw["id"] in seen:
            raise InstitutionsError(f"{where}: needs a unique id, a name and a city")
        seen.add(raw["id"])
        level = raw.get("level")
        if level is not None and level not in (1, 2, 3):
            raise InstitutionsError(f"{where}: level must be 1, 2 or 3")
        entry_kinds = tuple(raw.get("kinds") or ())
        if not entry_kinds or set(entry_kinds) - {value for value, _ in kinds}:
            raise InstitutionsError(f"{where}: kinds must be among the file's kinds")
        entries.append(
            Institution(
                id=str(raw["id"]),
                name=str(raw["name"]),
                city=str(raw["city"]),
                kinds=entry_kinds,
                level=level,
                address=str(raw.get("address") or ""),
                demo=bool(raw.get("demo", False)),
            )
        )
    return InstitutionList(
        demo=bool(data.get("demo", False)) or any(e.demo for e in entries),
        page_size=int(data.get("page_size", 8)),
        kinds=kinds,
        institutions=tuple(entries),
        source=str(data.get("source") or ""),
    )


@lru_cache(maxsize=16)
def load_institutions(path: Path) -> InstitutionList | None:
    """The region's list, or None when the pack has none."""
    if not path.exists():
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise InstitutionsError(f"{path}: cannot read: {exc}") from exc
    return parse_institutions(data, str(path))


def institutions_for(ctx: FlowContext) -> InstitutionList | None:
    return load_institutions(Path(ctx.content.root) / "regions" / ctx.region / "institutions.yaml")


def _list(ctx: FlowContext) -> InstitutionList:
    found = institutions_for(ctx)
    if found is None:
        raise InstitutionsError(f"region {ctx.region} has no institutions.yaml")
    return found


# ---- the flow ----------------------------------------------------------------------------------------------
def parse_place(text: str, _slots: Slots, ctx: FlowContext) -> dict[str, str]:
    destination = load_places(Path(ctx.content.root) / "destinations.yaml").find(text, ctx.region)
    if destination is None:
        raise Invalid("institutions/invalid_place")
    return {"code": destination.code, "name": destination.name}


def _kind_options(_slots: Slots, ctx: FlowContext) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in _list(ctx).kinds)


def parse_kind(text: str, _slots: Slots, _ctx: FlowContext) -> str:
    return text


def _complete(slots: Slots, ctx: FlowContext) -> Outcome:
    listing = _list(ctx)
    place, kind = slots["place"], slots["kind"]
    found = listing.find(place["code"], kind)
    shown = found[: listing.page_size]
    kind_label = dict(listing.kinds)[kind]
    context = {
        "place": place["name"],
        "kind": kind,
        "kind_label": kind_label,
        "institutions": [
            {"name": i.name, "level": i.level, "address": i.address, "demo": i.demo} for i in shown
        ],
        "more": len(found) - len(shown),
        "demo": listing.demo,
    }
    template = "institutions/list" if found else "institutions/none"
    return Outcome(says=(Say(template, context),), intent=f"institutions:{kind}:{len(found)}")


def _on_start(ctx: FlowContext) -> Outcome | None:
    if institutions_for(ctx) is None:
        return Outcome(says=(Say("institutions/no_data"),), intent="institutions:no_data")
    return None


FLOW = Flow(
    name="institutions",
    steps=(
        Step("place", "institutions/ask_place", parse=parse_place),
        Step("kind", "institutions/ask_kind", parse=parse_kind, options=_kind_options),
    ),
    on_complete=_complete,
    on_start=_on_start,
)
