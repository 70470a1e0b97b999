"""Loads content/ into one immutable Content object: region packs, menus, materials, choice sets, commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.commands import CommandTable
from bot.errors import ContentError
from flows.catalogue import Catalogue, parse_catalogue
from flows.errors import CatalogueError


@dataclass(frozen=True)
class MenuItem:
    """A menu entry: a WeChat menu button and a line of the 帮助 menu. `target` is flow:<name>, faq:<id> or
    cmd:<command>."""

    key: str
    label: str
    target: str
    label_en: str = ""
    children: tuple[MenuItem, ...] = ()


@dataclass(frozen=True)
class RegionPack:
    name: str
    title: str
    title_en: str
    info: dict[str, Any]
    menu: tuple[MenuItem, ...]
    catalogue: Catalogue
    faq: dict[str, Any] = field(default_factory=dict)  # id -> bot.knowledge FaqEntry
    policy: Any = None  # settlement RegionPolicy

    def menu_target(self, key: str) -> str | None:
        for item in self.menu:
            for candidate in (item, *item.children):
                if candidate.key == key:
                    return candidate.target
        return None

    def leaf_menu(self) -> tuple[MenuItem, ...]:
        return tuple(leaf for item in self.menu for leaf in (item.children or (item,)))


@dataclass(frozen=True)
class Content:
    root: Path
    regions: dict[str, RegionPack]
    commands: CommandTable
    choice_sets: dict[str, tuple[tuple[str, str], ...]]
    extras: dict[str, Any] = field(default_factory=dict)  # knowledge index, calendar …, set by bot.app

    def pack(self, region: str) -> RegionPack:
        try:
            return self.regions[region]
        except KeyError as exc:
            raise ContentError(f"unknown region pack: {region}") from exc

    def choice_set(self, name: str) -> tuple[tuple[str, str], ...]:
        try:
            return self.choice_sets[name]
        except KeyError as exc:
            raise ContentError(f"content/choices.yaml has no set '{name}'") from exc


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: invalid YAML: {exc}") from exc


def _menu_items(raw: Any, source: Path) -> tuple[MenuItem, ...]:
    if not isinstance(raw, list):
        raise ContentError(f"{source}: 'menu' must be a list")
    items = []
    for entry in raw:
        if not isinstance(entry, dict) or "label" not in entry or "key" not in entry:
            raise ContentError(f"{source}: each menu item needs key and label: {entry!r}")
        children = _menu_items(entry.get("children", []), source)
        target = entry.get("target", "")
        if not children and target.partition(":")[0] not in ("flow", "faq", "cmd", "url"):
            raise ContentError(f"{source}: menu item {entry['key']} needs a target flow:/faq:/cmd:/url:")
        items.append(MenuItem(entry["key"], entry["label"], target, entry.get("label_en", ""), children))
    return tuple(items)


def load_region(path: Path) -> RegionPack:
    info = read_yaml(path / "region.yaml")
    menu = _menu_items((read_yaml(path / "menu.yaml") or {}).get("menu", []), path / "menu.yaml")
    materials_path = path / "materials.yaml"
    try:
        catalogue = (
            parse_catalogue(read_yaml(materials_path), str(materials_path))
            if materials_path.exists()
            else Catalogue(cases=())
        )
    except CatalogueError as exc:
        raise ContentError(str(exc)) from exc
    return RegionPack(
        name=path.name,
        title=info["title"],
        title_en=info.get("title_en", path.name),
        info=info,
        menu=menu,
        catalogue=catalogue,
    )


def load_content(root: Path) -> Content:
    """Read every region pack and shared file under `root`; errors name the file."""
    regions_dir = root / "regions"
    if not regions_dir.is_dir():
        raise ContentError(f"{regions_dir}: no region packs")
    regions = {p.name: load_region(p) for p in sorted(regions_dir.iterdir()) if (p / "region.yaml").exists()}
    raw_choices = read_yaml(root / "choices.yaml") or {}
    choice_sets = {
        name: tuple((str(option["value"]), str(option["label"])) for option in options)
        for name, options in raw_choices.items()
    }
    return Content(
        root=root,
        regions=regions,
        commands=CommandTable(read_yaml(root / "commands.yaml")),
        choice_sets=choice_sets,
    )
