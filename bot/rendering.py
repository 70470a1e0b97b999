"""Rendering: one jinja2 environment per locale over content/templates, translated through babel catalogs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound

from bot.errors import ContentError

LOCALES = ("zh_CN", "en")
SOURCE_LOCALE = "zh_CN"


def load_translations(translations_dir: Path, locale: str) -> NullTranslations:
    """Compile every .po catalog of the locale in memory (no build step); the source locale needs none.

    Each area keeps its own catalog file (messages.po for the engine, filing.po, web.po …); they are merged.
    """
    if locale == SOURCE_LOCALE:
        return NullTranslations()
    folder = translations_dir / locale / "LC_MESSAGES"
    catalogs = sorted(folder.glob("*.po"))
    if not catalogs:
        raise ContentError(f"{folder}: no catalog for locale {locale}")
    merged: Translations | None = None
    for po_path in catalogs:
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = Translations(fp=buffer)
        if merged is None:
            merged = translations
        else:
            merged.merge(translations)
    assert merged is not None
    return merged


def cn_date(value: date | datetime | str | None, locale: str = SOURCE_LOCALE) -> str:
    """2026年11月22日 in Chinese; 22 November 2026 in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if locale == SOURCE_LOCALE:
        return f"{value.year}年{value.month}月{value.day}日"
    return format_date(value, format="d MMMM y", locale=locale)


def cn_money(value: Decimal | float | int | str, locale: str = SOURCE_LOCALE) -> str:
    """¥23,000.00 — yuan with two decimals, grouped the Chinese way."""
    amount = Decimal(str(value))
    return format_currency(amount, "CNY", locale=locale if locale != SOURCE_LOCALE else "zh_Hans_CN")


class Renderer:
    """Renders templates and translates fixed strings for a locale."""

    def __init__(self, content_dir: Path, extra_template_dirs: tuple[Path, ...] = ()) -> None:
        self.content_dir = content_dir
        self._envs: dict[str, Environment] = {}
        self._translations: dict[str, NullTranslations] = {}
        for locale in LOCALES:
            translations = load_translations(content_dir / "translations", locale)
            env = Environment(  # noqa: S701 - plain-text chat replies, not HTML
                loader=FileSystemLoader([str(content_dir / "templates"), *map(str, extra_template_dirs)]),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                keep_trailing_newline=False,
                trim_blocks=True,
                lstrip_blocks=True,
            )
            env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            env.filters["cn_date"] = lambda v, _loc=locale: cn_date(v, _loc)
            env.filters["cn_money"] = lambda v, _loc=locale: cn_money(v, _loc)
            env.globals["locale"] = locale
            self._envs[locale] = env
            self._translations[locale] = translations

    def env(self, locale: str) -> Environment:
        return self._envs.get(locale, self._envs[SOURCE_LOCALE])

    def render(self, template: str, locale: str, context: Mapping[str, Any] | None = None) -> str:
        name = template if template.endswith(".j2") else f"{template}.j2"
        try:
            compiled = self.env(locale).get_template(name)
        except TemplateNotFound as exc:
            raise ContentError(f"template not found: {name}") from exc
        return compiled.render(**(context or {})).strip()

    def render_string(self, source: str, locale: str, context: Mapping[str, Any] | None = None) -> str:
        """Render a template held in data (an FAQ answer); compiled once per source text."""
        return _compile(self.env(locale), source).render(**(context or {})).strip()

    def gettext(self, locale: str, message: str) -> str:
        return self._translations.get(locale, self._translations[SOURCE_LOCALE]).gettext(message)


@lru_cache(maxsize=4096)
def _compile(env: Environment, source: str) -> Template:
    return env.from_string(source)
