"""Treatment places recognised in free text, at the granularity a filing needs.

Granularity (吉医保规〔2023〕4号 第十二条): in the insured person's own province the pooling region;
in another province the city-level region or the municipality; Hainan, Tibet and the XPCC at the province
level. The places themselves are data: content/destinations.yaml (see its header for the format).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from flows.errors import FlowsError

Level = Literal["pooling_region", "city", "province"]
Scope = Literal["in_province", "cross_province"]

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "content" / "destinations.yaml"
_TARGET_KINDS = {"city", "municipality", "province_level"}
# A place named right after one of these words is where the person goes ("从德州去北京": 北京).
_MOVE_WORDS = ("去", "到", "在", "往", "赴", "回", "来")


class DestinationsError(FlowsError):
    """content/destinations.yaml is missing or invalid, or names an unknown insured region."""


@dataclass(frozen=True)
class Destination:
    """A treatment place at filing granularity (contract shared with the filing rules)."""

    code: str
    name: str
    province: str
    level: Level
    cross_province: bool
    province_code: str = ""


@dataclass(frozen=True)
class Place:
    """An entry of destinations.yaml: a city-level region, a municipality, a province-level place or a
    province (which is only a destination when it is a municipality or province-level)."""

    code: str
    name: str
    kind: str  # city | municipality | province_level | province
    province: str
    province_code: str


@dataclass(frozen=True)
class _Alias:
    place: Place
    own_province_only: bool = False


@dataclass(frozen=True)
class InsuredRegion:
    province_code: str
    home: str = ""


class Places:
    """The place table with its alias index (longest aliases first)."""

    def __init__(self, data: Mapping[str, Any], source: str = "destinations.yaml") -> None:
        try:
            self.insured = {
                name: InsuredRegion(str(raw["province"]), str(raw.get("home", "")))
                for name, raw in data["insured_regions"].items()
            }
            self.scope_words: dict[str, tuple[str, ...]] = {
                scope: tuple(words) for scope, words in data["scope_words"].items()
            }
            self.places: dict[str, Place] = {}
            aliases: dict[str, list[_Alias]] = {}
            for raw in data["provinces"]:
                self._add_province(raw, aliases)
        except (KeyError, TypeError, AttributeError) as exc:
            raise DestinationsError(f"{source}: invalid place table: {exc!r}") from exc
        self.aliases = aliases
        self._order = sorted(aliases, key=len, reverse=True)

    def _add_province(self, raw: Mapping[str, Any], aliases: dict[str, list[_Alias]]) -> None:
        code, name, kind = str(raw["code"]), str(raw["name"]), str(raw["kind"])
        if kind not in ("province", "municipality", "province_level"):
            raise DestinationsError(f"province {name}: unknown kind {kind}")
        province = Place(code, name, kind, name, code)
        self._register(province, [name, raw["short"], *(raw.get("aliases") or ())], aliases)
        for city in raw.get("cities") or ():
            place = Place(str(city["code"]), str(city["name"]), "city", name, code)
            self._register(place, [city["name"], *(city.get("aliases") or ())], aliases)

    def _register(self, place: Place, names: list[Any], aliases: dict[str, list[_Alias]]) -> None:
        if place.code in self.places:
            raise DestinationsError(f"duplicate place code {place.code} ({place.name})")
        self.places[place.code] = place
        for entry in names:
            alias = (
                _Alias(place, bool(entry.get("own_province_only")))
                if isinstance(entry, Mapping)
                else _Alias(place)
            )
            key = _normalise(str(entry["name"] if isinstance(entry, Mapping) else entry))
            targets = aliases.setdefault(key, [])
            if all(t.place.code != place.code for t in targets):
                targets.append(alias)

    # ---- lookups -----------------------------------------------------------------------------------------
    def region(self, insured_region: str) -> InsuredRegion:
        try:
            return self.insured[insured_region]
        except KeyError as exc:
            raise DestinationsError(f"unknown insured region: {insured_region}") from exc

    def mentions(self, text: str, insured_region: str) -> list[tuple[int, Place]]:
        """Places named in `text`, in order, longest alias first, overlapping shorter ones ignored."""
        own = self.region(insured_region).province_code
        clean = _normalise(text)
        taken = [False] * len(clean)
        found: list[tuple[int, Place]] = []
        for alias in self._order:
            start = clean.find(alias)
            while start >= 0:
                end = start + len(alias)
                if not any(taken[start:end]):
                    place = _resolve(self.aliases[alias], own)
                    if place is not None:
                        found.append((start, place))
                        taken[start:end] = [True] * len(alias)
                start = clean.find(alias, start + 1)
        return sorted(found, key=lambda item: item[0])

    def find(self, text: str, insured_region: str) -> Destination | None:
        clean = _normalise(text)
        mentioned = self.mentions(text, insured_region)
        candidates = [(start, p) for start, p in mentioned if p.kind in _TARGET_KINDS]
        if not candidates:
            return None
        after_move = [(s, p) for s, p in candidates if clean[max(0, s - 2) : s].endswith(_MOVE_WORDS)]
        home = self.region(insured_region).home
        away = [(s, p) for s, p in (after_move or candidates) if p.code != home]
        chosen = (away or after_move or candidates)[-1][1]
        return self.destination(chosen, insured_region)

    def destination(self, place: Place, insured_region: str) -> Destination:
        cross = place.province_code != self.region(insured_region).province_code
        level: Level
        if place.kind == "province_level":
            level = "province" if cross else "pooling_region"
        else:
            level = "city" if cross else "pooling_region"
        return Destination(place.code, place.name, place.province, level, cross, place.province_code)

    def by_code(self, code: str, insured_region: str) -> Destination | None:
        place = self.places.get(code)
        if place is None or place.kind not in _TARGET_KINDS:
            return None
        return self.destination(place, insured_region)

    def scope(self, text: str, insured_region: str) -> Scope | None:
        """In or out of the insured province, from a place or a province or words like 外省."""
        own = self.region(insured_region).province_code
        mentioned = self.mentions(text, insured_region)
        if mentioned:
            return "in_province" if mentioned[-1][1].province_code == own else "cross_province"
        clean = _normalise(text)
        for scope in ("cross_province", "in_province"):
            if any(word in clean for word in self.scope_words.get(scope, ())):
                return scope  # type: ignore[return-value]
        return None

    def is_home(self, destination: Destination, insured_region: str) -> bool:
        """True when the place is the insured region itself (a city pack): no remote treatment at all."""
        return destination.code == self.region(insured_region).home


def _resolve(targets: list[_Alias], own_province: str) -> Place | None:
    usable = [t.place for t in targets if not t.own_province_only or t.place.province_code == own_province]
    if not usable:
        return None
    specific = [p for p in usable if p.kind != "province"]
    return (specific or usable)[0]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=8)
def load_places(path: Path = DEFAULT_FILE) -> Places:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise DestinationsError(f"{path}: cannot read: {exc}") from exc
    return Places(data, str(path))


def find_destination(text: str, insured_region: str, places: Places | None = None) -> Destination | None:
    """The treatment place named in free text ("去三亚住半年", "在北京工作", "长春"), or None."""
    return (places or load_places()).find(text, insured_region)


def find_scope(text: str, insured_region: str, places: Places | None = None) -> Scope | None:
    """ "in_province" / "cross_province" from a place, a province or words like 省外; None if not said."""
    return (places or load_places()).scope(text, insured_region)
