"""Filing over the web chat API: demo login, status, a pledge filing, and the canvas signature endpoint."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.main import create_app
from api.settings import Settings
from bot.store import filings
from tests.conftest import unique_user
from tests.flows.filing_support import fresh_person, seed
from tests.flows.transcript import module_engine

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def engine(db, database_url):
    built = module_engine(db, database_url)
    seed(built)
    return built


@pytest.fixture(scope="module")
def client(engine, database_url):
    with TestClient(
        create_app(Settings(env="test", database_url=database_url), engine=engine)
    ) as test_client:
        yield test_client


def _login(client, user, region="jilin"):
    token = client.post("/api/v1/auth/dev-login", json={"user": user, "region": region}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _say(client, headers, text):
    response = client.post("/api/v1/chat", json={"text": text}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _pick(reply, part):
    labels = [c["label"] for m in reply["messages"] for c in m["choices"]]
    return str(next(i for i, label in enumerate(labels, 1) if part in label))


def test_demo_person_sees_status_over_the_api(client):
    headers = _login(client, "demo1")
    reply = _say(client, headers, "我的备案")
    assert reply["intent"] == "status:shown"
    assert "还剩6天" in reply["messages"][0]["text"]


def test_pledge_then_signature_upload(client, engine):
    user = unique_user("sig")
    fresh_person(engine, f"dev-{user}")
    headers = _login(client, user)
    reply = _say(client, headers, "我要办备案")
    reply = _say(client, headers, _pick(reply, "承诺制"))
    reply = _say(client, headers, _pick(reply, "转诊"))
    _say(client, headers, "北京")
    reply = _say(client, headers, "今天")
    assert "承诺书" in reply["messages"][0]["text"]
    reply = _say(client, headers, "我承诺")
    assert reply["intent"] == "filing:pledge"
    data = reply["messages"][-1]["data"]
    url = data["signature_request"]["post_url"]
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    other = _login(client, "demo2")
    assert client.post(url, json={"image": image}, headers=other).status_code == 404
    assert client.post(url, json={"image": "data:image/png;base64,AAAA"}, headers=headers).status_code == 422
    signed = client.post(url, json={"image": image}, headers=headers)
    assert signed.status_code == 200 and signed.json()["signed"] is True
    assert client.post(url, json={"image": image}, headers=headers).status_code == 409
    with Session(engine.db) as session:
        pledge = filings.pledge_of(session, data["filing_id"])
        assert pledge.signature_enc and PNG not in pledge.signature_enc.encode()
        assert engine.cipher.open_bytes(pledge.signature_enc, "signature") == PNG


def test_demo_load_then_jobs_run_from_the_command_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app
    from api.settings import get_settings

    monkeypatch.setenv("YIBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    monkeypatch.setenv("YIBAO_ENV", "development")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        loaded = runner.invoke(app, ["demo", "load"])
        assert loaded.exit_code == 0, loaded.output
        assert "bound to dev-demo1" in loaded.output and "220102195803071235" not in loaded.output
        first = runner.invoke(app, ["jobs", "run"])
        assert first.exit_code == 0, first.output
        assert "pledges lapsed: 1" in first.output  # demo2's pledge ended without the materials
        second = runner.invoke(app, ["jobs", "run"])
        assert "pledges lapsed: 0" in second.output and "reminders sent: 0" in second.output
        again = runner.invoke(app, ["demo", "load"])
        assert again.exit_code == 0 and "bound to" not in again.output
    finally:
        get_settings.cache_clear()
