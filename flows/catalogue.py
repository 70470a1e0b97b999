"""The materials catalogue of a region pack: which items each case needs, alternatives, generated forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flows.errors import CatalogueError

_CASE_KEYS = {
    "id",
    "title",
    "title_en",
    "citations",
    "effective_from",
    "effective_to",
    "groups",
    "notes",
    "notes_en",
}
_GROUP_KEYS = {"label", "label_en", "choose", "items"}
_ITEM_KEYS = {"name", "name_en", "generated", "note", "note_en", "applies_to"}


@dataclass(frozen=True)
class Item:
    name: str
    name_en: str = ""
    generated: bool = False
    note: str = ""
    note_en: str = ""
    applies_to: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    choose: str  # one | all
    items: tuple[Item, ...]
    label_en: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    citations: tuple[str, ...]
    groups: tuple[Group, ...]
    effective_from: date | None = None
    effective_to: date | None = None
    title_en: str = ""
    notes: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()

    def in_force(self, on: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or on <= self.effective_to
        )


@dataclass(frozen=True)
class Catalogue:
    cases: tuple[Case, ...]

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.id == case_id), None)


def _unknown(where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    extra = set(data) - allowed
    if extra:
        raise CatalogueError(f"{where}: unknown keys {sorted(extra)}")


def parse_catalogue(data: Any, source: str) -> Catalogue:
    """Build a catalogue from the parsed YAML of materials.yaml; errors name the file and case."""
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise CatalogueError(f"{source}: expected a mapping with a 'cases' list")
    cases = []
    seen: set[str] = set()
    for index, raw in enumerate(data["cases"]):
        where = f"{source}: case #{index + 1} ({raw.get('id', '?') if isinstance(raw, Mapping) else '?'})"
        if not isinstance(raw, Mapping):
            raise CatalogueError(f"{where}: not a mapping")
        _unknown(where, raw, _CASE_KEYS)
        for key in ("id", "title", "citations", "groups"):
            if not raw.get(key):
                raise CatalogueError(f"{where}: missing '{key}'")
        if raw["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id")
        seen.add(raw["id"])
        groups = []
        for g_index, group in enumerate(raw["groups"]):
            g_where = f"{where} group #{g_index + 1}"
            _unknown(g_where, group, _GROUP_KEYS)
            if group.get("choose", "all") not in ("one", "all"):
                raise CatalogueError(f"{g_where}: choose must be 'one' or 'all'")
            items = []
            for item in group.get("items") or ():
                if isinstance(item, str):
                    item = {"name": item}
                _unknown(g_where, item, _ITEM_KEYS)
                items.append(Item(**{k: v for k, v in item.items()}))
            if not items:
                raise CatalogueError(f"{g_where}: no items")
            groups.append(
                Group(
                    label=group.get("label", ""),
                    label_en=group.get("label_en", ""),
                    choose=group.get("choose", "all"),
                    items=tuple(items),
                )
            )
        cases.append(
            Case(
                id=raw["id"],
                title=raw["title"],
                title_en=raw.get("title_en", ""),
                citations=tuple(raw["citations"]),
                groups=tuple(groups),
                effective_from=raw.get("effective_from"),
                effective_to=raw.get("effective_to"),
                notes=tuple(raw.get("notes") or ()),
                notes_en=tuple(raw.get("notes_en") or ()),
            )
        )
    return Catalogue(cases=tuple(cases))
