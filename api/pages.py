"""HTML pages the API serves (the chat page, the staff console): one autoescaping jinja2 environment per
locale over content/templates, and the security headers every page is sent with."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.rendering import LOCALES, load_translations

CHINA = ZoneInfo("Asia/Shanghai")


def china_time(value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored moment (UTC; naive values from SQLite are UTC too) shown in China time, as staff read it."""
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(CHINA).strftime(pattern)


@lru_cache(maxsize=8)
def page_environments(content_dir: Path) -> dict[str, Environment]:
    """One autoescaping jinja2 environment per locale over content/templates, with the babel catalogs."""
    environments = {}
    for locale in LOCALES:
        env = Environment(
            loader=FileSystemLoader(str(content_dir / "templates")),
            autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        translations = load_translations(content_dir / "translations", locale)
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals["locale"] = locale
        env.filters["china_time"] = china_time
        environments[locale] = env
    return environments


def security_headers(csp: str, cache_control: str, *, deny_framing: bool = False) -> dict[str, str]:
    """A page's headers: its content security policy, no MIME sniffing, no referrer, its caching."""
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": cache_control,
    }
    if deny_framing:
        headers["X-Frame-Options"] = "DENY"
    return headers
