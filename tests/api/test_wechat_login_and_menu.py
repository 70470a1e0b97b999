"""Mini-program login (code2session) and the `yibao wechat menu` command, against the fake WeChat API."""

from __future__ import annotations

import json
import socket

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.main import create_app
from api.settings import Settings, get_settings
from api.tokens import read_token
from bot.app import EngineConfig, build_engine
from tests.conftest import CONTENT
from tests.fakes.wechat_server import BAD_CODE, FakeWeChat, running_fake_wechat


@pytest.fixture(scope="module")
def fake() -> FakeWeChat:
    with running_fake_wechat() as server:
        yield server


@pytest.fixture(scope="module")
def engine(db, database_url):
    """One engine for the module: login needs the regions, not a fresh engine per test."""
    return build_engine(EngineConfig(database_url=database_url, content_dir=CONTENT), db=db)


def _client(engine, database_url: str, api_base: str) -> TestClient:
    settings = Settings(env="test", database_url=database_url, wechat_api_base=api_base)
    return TestClient(create_app(settings, engine=engine))


def test_wxlogin_issues_a_miniprogram_token(engine, database_url, fake):
    with _client(engine, database_url, fake.base) as client:
        response = client.post("/api/v1/auth/wxlogin", json={"code": "c0de-1", "region": "dezhou"})
        assert response.status_code == 200
        body = response.json()
        assert body["user_key"] == "mp-c0de-1"
        identity = read_token(client.app.state.settings, body["token"])
        assert identity == {"channel": "miniprogram", "user_key": "mp-c0de-1", "region": "dezhou"}
        assert "session_key" not in response.text
        chat = client.post(
            "/api/v1/chat", json={"event": "start"}, headers={"Authorization": f"Bearer {body['token']}"}
        )
        assert chat.status_code == 200
    call = fake.of("/sns/jscode2session")[-1]
    assert call.query["js_code"] == "c0de-1"
    assert call.query["appid"] == "wxdemominiapp0001"


def test_wxlogin_with_a_refused_code_is_401(engine, database_url, fake):
    with _client(engine, database_url, fake.base) as client:
        response = client.post("/api/v1/auth/wxlogin", json={"code": BAD_CODE})
    assert response.status_code == 401


@pytest.mark.parametrize("body", [{"code": ""}, {"code": "x" * 200}, {"code": "ok", "region": "mars"}])
def test_wxlogin_validates_its_input(engine, database_url, fake, body):
    with _client(engine, database_url, fake.base) as client:
        assert client.post("/api/v1/auth/wxlogin", json=body).status_code == 422


def test_wxlogin_when_wechat_is_unreachable_is_502(engine, database_url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _client(engine, database_url, f"http://127.0.0.1:{port}/cgi-bin/") as client:
        response = client.post("/api/v1/auth/wxlogin", json={"code": "c0de-2"})
    assert response.status_code == 502


@pytest.fixture
def cli_settings(monkeypatch, fake):
    monkeypatch.setenv("YIBAO_WECHAT_API_BASE", fake.base)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_menu_command_prints_the_menu_of_the_account(cli_settings):
    result = CliRunner().invoke(cli, ["wechat", "menu", "--account", "jilin"])
    assert result.exit_code == 0, result.output
    menu = json.loads(result.stdout)
    assert 1 <= len(menu["button"]) <= 3
    keys = [item.get("key") for button in menu["button"] for item in button.get("sub_button", [button])]
    assert "HUMAN" in keys


def test_menu_command_pushes_through_menu_create(cli_settings, fake):
    result = CliRunner().invoke(cli, ["wechat", "menu", "--account", "dezhou", "--push"])
    assert result.exit_code == 0, result.output
    pushed = fake.of("/cgi-bin/menu/create")[-1]
    assert pushed.body == json.loads(result.stdout)
    assert pushed.query["access_token"].startswith("fake-token-")
    token_call = fake.of("/cgi-bin/token")[-1]
    assert token_call.query["appid"] == "wxdemodezhou00001"


def test_menu_command_refuses_an_unknown_account(cli_settings):
    result = CliRunner().invoke(cli, ["wechat", "menu", "--account", "nowhere"])
    assert result.exit_code == 2
