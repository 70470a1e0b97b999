"""Web chat API, auth tokens, health, readiness and metrics through the real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app


@pytest.fixture
def client(settings, engine):
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


def _guest(client, region="jilin"):
    response = client.post("/api/v1/auth/guest", json={"region": region})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_start_then_question(client):
    headers = _guest(client)
    start = client.post("/api/v1/chat", json={"event": "start"}, headers=headers).json()
    assert start["intent"] == "welcome"
    assert start["messages"][0]["choices"]
    answer = client.post(
        "/api/v1/chat", json={"text": "异地就医手工报销截止到什么时候"}, headers=headers
    ).json()
    assert answer["messages"] and answer["intent"]


def test_resent_message_is_answered_once(client):
    headers = _guest(client)
    body = {"text": "人工", "client_msg_id": "m-1"}
    first = client.post("/api/v1/chat", json=body, headers=headers).json()
    second = client.post("/api/v1/chat", json=body, headers=headers).json()
    assert first == second
    third = client.post("/api/v1/chat", json={"text": "在吗", "client_msg_id": "m-2"}, headers=headers).json()
    assert third["intent"] == "handoff:waiting"


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, {"text": "hi"}, 401),
        ({"Authorization": "Bearer forged.token.value"}, {"text": "hi"}, 401),
        (None, {"text": ""}, 422),
        (None, {"text": "x" * 1001}, 422),
        (None, {"text": "hi", "client_msg_id": "bad id!"}, 422),
    ],
)
def test_bad_requests_get_clear_answers(client, headers, body, status):
    response = client.post("/api/v1/chat", json=body, headers=_guest(client) if headers is None else headers)
    assert response.status_code == status
    assert "Traceback" not in response.text


def test_malformed_json_is_422_and_oversized_body_is_413(client):
    headers = {**_guest(client), "Content-Type": "application/json"}
    assert client.post("/api/v1/chat", content=b"{not json", headers=headers).status_code == 422
    assert client.post("/api/v1/chat", content=b"x" * (70 * 1024), headers=headers).status_code == 413


def test_unknown_region_is_refused(client):
    assert client.post("/api/v1/auth/guest", json={"region": "atlantis"}).status_code == 422


def test_dev_login_is_not_served_in_production(settings, engine):
    from api.settings import Settings

    production = Settings.model_construct(**{**settings.model_dump(), "env": "production"})
    with TestClient(create_app(production, engine=engine)) as test_client:
        assert test_client.post("/api/v1/auth/dev-login", json={"user": "demo1"}).status_code == 404


def test_health_ready_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.post("/api/v1/chat", json={"event": "start"}, headers=_guest(client))
    metrics = client.get("/metrics").text
    assert "yibao_messages_total" in metrics and "yibao_reply_seconds_bucket" in metrics


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    assert "/api/v1/chat" in client.get("/openapi.json").json()["paths"]


def test_web_chat_receives_what_staff_write(client, engine):
    from sqlmodel import Session

    from bot.store.conversations import find_conversation
    from bot.store.staff import claim, staff_reply

    token = client.post("/api/v1/auth/guest", json={"region": "jilin"}).json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/chat/updates", headers=headers).json() == {"status": "bot", "messages": []}
    client.post("/api/v1/chat", json={"text": "人工"}, headers=headers)
    with Session(engine.db) as session:
        conversation = find_conversation(session, "web", "web", token["user_key"])
        claim(session, conversation.id, "agent")
        staff_reply(session, conversation.id, "agent", "您好，我是客服小李。")
        session.commit()
    updates = client.get("/api/v1/chat/updates", headers=headers).json()
    assert updates["status"] == "staff"
    assert [m["text"] for m in updates["messages"]] == ["您好，我是客服小李。"]
    last = updates["messages"][-1]["id"]
    assert client.get(f"/api/v1/chat/updates?after={last}", headers=headers).json()["messages"] == []
    assert client.get("/api/v1/chat/updates?after=-1", headers=headers).status_code == 422
