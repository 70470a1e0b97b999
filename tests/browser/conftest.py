"""Page tests: the app served by uvicorn on a free loopback port (temporary SQLite database), driven by
Debian's chromium through Playwright. One server and one browser per test session; a fresh context per test.

Without /usr/bin/chromium the tests skip locally with the reason, and FAIL under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Header, Request

from api.main import create_app
from api.settings import Settings
from bot.app import EngineConfig, build_engine
from bot.store.migrate import upgrade
from tests.conftest import CONTENT, FixedClock

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class SignatureInbox:
    """A stand-in for the pledge signature endpoint: records what the page posts."""

    posts: list[dict[str, Any]] = field(default_factory=list)


def _test_routes(inbox: SignatureInbox) -> APIRouter:
    router = APIRouter()

    @router.post("/test-only/signature")
    async def receive_signature(request: Request, authorization: str = Header(default="")) -> dict[str, bool]:
        inbox.posts.append({"authorization": authorization, "body": json.loads(await request.body())})
        return {"ok": True}

    return router


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    signatures: SignatureInbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'web.db'}"
    upgrade(database_url)
    # The clock is fixed so that dates people type ("10月8号") mean the same day in every run.
    config = EngineConfig(database_url=database_url, content_dir=CONTENT)
    engine = build_engine(config, clock=FixedClock(datetime(2026, 11, 22, 10)))
    app = create_app(Settings(env="test", database_url=database_url), engine=engine)
    inbox = SignatureInbox()
    app.include_router(_test_routes(inbox))
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", http="h11", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start for the browser tests")
        time.sleep(0.02)
    yield LiveServer(url=f"http://127.0.0.1:{port}", app=app, signatures=inbox)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        # A persistent context on a fresh, empty user-data dir: the only way Playwright lets us choose it.
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A new tab on the chat page with empty storage (a new visitor)."""
    tab = browser.new_page()
    tab.set_default_timeout(10_000)
    tab.goto(live_server.url + "/healthz")  # same origin, no chat: forget the previous visitor
    tab.evaluate("window.localStorage.clear()")
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(live_server.url + "/")
    yield tab
    tab.close()
    assert not errors, f"script errors on the page: {errors}"
