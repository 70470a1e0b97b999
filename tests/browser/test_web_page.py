"""The chat page and its static files over HTTP (no browser): headers, locales, string tables, limits."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from api.main import create_app
from api.routers.web import _max_text_length
from api.settings import Settings


class _Page(HTMLParser):
    """Collects the string tables, the sources of scripts and styles, and the region options."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, str]] = {}
        self.sources: list[str] = []
        self.options: list[tuple[str, bool]] = []
        self._table: str | None = None
        self._key: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-strings" in a:
            self._table = a["data-locale"] or ""
            self.tables[self._table] = {}
        elif self._table and a.get("data-key"):
            self._key = a["data-key"]
            self.tables[self._table][self._key] = ""
        if tag == "script" and a.get("src"):
            self.sources.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.sources.append(a["href"] or "")
        if tag == "option":
            self.options.append((a.get("value") or "", "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._key = None
        elif tag == "div" and self._key is None:
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._table and self._key:
            self.tables[self._table][self._key] += data


@pytest.fixture(scope="module")
def client(database_url):
    """One app for the module: these tests only read pages, and building the engine takes a while."""
    with TestClient(create_app(Settings(env="test", database_url=database_url))) as test_client:
        yield test_client


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_page_is_chinese_first_with_both_string_tables(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert '<h1 data-i18n="title">医保异地就医助手</h1>' in html
    assert f'maxlength="{_max_text_length()}"' in html
    page = _parse(html)
    assert set(page.tables) == {"zh_CN", "en"}
    assert page.tables["zh_CN"]["send"] == "发送"
    assert page.options[0] == ("jilin", True)  # the default region comes first, selected
    assert {value for value, _ in page.options} == {"jilin", "dezhou"}


def test_every_page_string_has_an_english_translation(client):
    tables = _parse(client.get("/").text).tables
    chinese, english = tables["zh_CN"], tables["en"]
    assert chinese.keys() == english.keys()
    untranslated = [key for key in chinese if chinese[key] == english[key] or not english[key].strip()]
    assert not untranslated
    assert not [key for key, text in english.items() if re.search(r"[\u4e00-\u9fff]", text)]


def test_english_page_chrome(client):
    html = client.get("/", params={"lang": "en"}).text
    assert '<html lang="en">' in html
    assert ">Remote Medical Insurance Assistant</h1>" in html
    assert ">中文</button>" in html
    assert '<html lang="zh-CN">' in client.get("/", params={"lang": "xx"}).text


def test_static_files_are_local_and_only_those_in_the_folder(client):
    page = _parse(client.get("/").text)
    assert page.sources and all(src.startswith("/static/") for src in page.sources)  # no CDN
    for src in page.sources:
        response = client.get(src)
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
    assert client.get("/static/nothing.js").status_code == 404
    assert client.get("/static/..%2Fmain.py").status_code == 404
    assert client.get("/static/%2E%2E/routers/web.py").status_code == 404


def test_page_strings_shared_with_other_catalogs_agree():
    """Catalogs are merged into one: a msgid translated differently elsewhere would silently change here."""
    folder = Path(__file__).resolve().parents[2] / "content" / "translations" / "en" / "LC_MESSAGES"

    def entries(path: Path) -> dict[str, str]:
        with path.open("rb") as handle:
            return {m.id: m.string for m in read_po(handle) if m.id}

    web = entries(folder / "web.po")
    for other in sorted(folder.glob("*.po")):
        if other.name == "web.po":
            continue
        theirs = entries(other)
        clashes = {k: (v, theirs[k]) for k, v in web.items() if k in theirs and theirs[k] != v}
        assert not clashes, f"{other.name}: {clashes}"
