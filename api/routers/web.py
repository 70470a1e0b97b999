"""The H5 web chat: the page at `/` (jinja2 template in content/templates/web/) and its static files."""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response
from jinja2 import TemplateNotFound
from markupsafe import Markup

from api.deps import EngineDep, SettingsDep
from api.pages import page_environments, security_headers
from api.routers.chat import ChatRequest
from bot.errors import ContentError
from bot.rendering import LOCALES, SOURCE_LOCALE

router = APIRouter(tags=["web"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PAGE_TEMPLATE = "web/chat.html.j2"
STRINGS_TEMPLATE = "web/strings.html.j2"
# The page's CSP: everything from this origin, inline data: images (the signature), nothing else.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@lru_cache(maxsize=1)
def _max_text_length() -> int:
    """The longest message the chat API accepts, so the page's input says the same."""
    return int(ChatRequest.model_json_schema()["properties"]["text"]["maxLength"])


def _render(content_dir: Path, locale: str, name: str, context: dict[str, Any]) -> str:
    env = page_environments(content_dir)[locale]
    try:
        return env.get_template(name).render(**context)
    except TemplateNotFound as exc:  # a deployment without content/templates/web: logged, answered 500
        raise ContentError(f"page template not found: {exc.name}") from exc


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(settings: SettingsDep, engine: EngineDep, lang: str | None = None) -> Response:
    """The mobile-first chat page. `?lang=en` renders the page chrome in English first."""
    locale = lang if lang in LOCALES else SOURCE_LOCALE
    default_region = settings.default_region
    if default_region not in engine.content.regions:
        default_region = next(iter(engine.content.regions))
    regions = [
        {"name": name, "title": pack.title, "title_en": pack.title_en}
        for name, pack in sorted(engine.content.regions.items(), key=lambda item: item[0] != default_region)
    ]
    strings = {
        # rendered (and escaped) by the autoescaping environment of each locale
        loc: Markup(_render(settings.content_dir, loc, STRINGS_TEMPLATE, {}))  # noqa: S704
        for loc in LOCALES
    }
    html = _render(
        settings.content_dir,
        locale,
        PAGE_TEMPLATE,
        {
            "regions": regions,
            "default_region": default_region,
            "max_length": _max_text_length(),
            "max_body": settings.max_body_bytes,
            "strings": strings,
            "static_version": _static_version(),
        },
    )
    return HTMLResponse(
        html,
        headers=security_headers(CONTENT_SECURITY_POLICY, "no-cache"),
    )


@lru_cache(maxsize=1)
def _static_files() -> dict[str, Path]:
    """The files under api/static, by name: nothing outside it can be asked for."""
    return {path.name: path for path in STATIC_DIR.iterdir() if path.is_file()}


def _static_version() -> str:
    """A cache-busting token that changes when any static file changes."""
    stamps = sorted(int(path.stat().st_mtime) for path in _static_files().values())
    return str(max(stamps, default=0))


@router.get("/static/{name}", include_in_schema=False)
def static_file(name: str) -> Response:
    """A JS or CSS file of the page (no CDN, no build step)."""
    path = _static_files().get(name)
    if path is None:
        raise HTTPException(status_code=404, detail="not found")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith("javascript"):
        media_type += "; charset=utf-8"
    return Response(
        path.read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
