"""Staff console and admin pages through the real app: login, roles, CSRF, and a full handoff."""

from __future__ import annotations

import re
import uuid

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.main import create_app
from api.settings import Settings
from bot.store import staff as console
from bot.store import unanswered
from bot.store.models import (
    Conversation,
    ConversationMessage,
    Handoff,
    OutboxMessage,
    StaffUser,
    UnansweredQuestion,
)
from tests.flows.transcript import module_engine

PASSWORD = "correct horse battery"
_hash = PasswordHasher().hash(PASSWORD)


@pytest.fixture(scope="module")
def shared_client(db, database_url):
    """One app for the module: building the engine (content, retrieval index) is the slow part."""
    engine = module_engine(db, database_url)
    settings = Settings(env="test", database_url=database_url)
    with TestClient(create_app(settings, engine=engine), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def client(shared_client):
    shared_client.cookies.clear()  # every test starts logged out
    return shared_client


@pytest.fixture
def users(db):
    """One fresh user per role: {role: username}."""
    names = {}
    with Session(db) as session:
        for role in ("agent", "supervisor", "policy", "admin"):
            name = f"{role}-{uuid.uuid4().hex[:8]}"
            session.add(StaffUser(username=name, display_name=name, role=role, password_hash=_hash))
            names[role] = name
        session.commit()
    return names


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login(client, username, password=PASSWORD, next_=""):
    form = client.get("/staff/login")
    assert form.status_code == 200
    return client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf_token": _csrf(form.text), "next": next_},
    )


def _guest(client, region="jilin"):
    response = client.post("/api/v1/auth/guest", json={"region": region})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _say(client, headers, text):
    response = client.post("/api/v1/chat", json={"text": text}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# ---- login, logout, roles, CSRF ----------------------------------------------------------------------------
def test_pages_need_login(client):
    for path in ("/staff", "/staff/conversations/1", "/admin"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/staff/login?next=")


def test_login_sets_a_protected_cookie_and_logout_ends_it(client, users):
    response = _login(client, users["agent"])
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/staff")
    assert page.status_code == 200 and "客服工作台" in page.text
    assert page.headers["cache-control"] == "no-store"
    logout = client.post("/staff/logout", data={"csrf_token": _csrf(page.text)})
    assert logout.status_code == 303
    client.cookies.clear()  # the test client keeps deleted cookies only until told otherwise
    assert client.get("/staff").status_code == 303


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(client, users):
    assert _login(client, users["agent"], next_="/staff/conversations/5").headers["location"] == (
        "/staff/conversations/5"
    )
    client.cookies.clear()
    assert _login(client, users["agent"], next_="https://evil.example/").headers["location"] == "/staff"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, users):
    wrong = _login(client, users["agent"], password="nope")
    unknown = _login(client, "nobody-" + uuid.uuid4().hex[:6], password="nope")
    assert wrong.status_code == unknown.status_code == 401
    message = "用户名或密码不正确"
    assert message in wrong.text and message in unknown.text
    assert "yibao_staff=" not in wrong.headers.get("set-cookie", "")
    assert client.get("/staff").status_code == 303


def test_inactive_user_cannot_log_in(client, db, users):
    with Session(db) as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == users["agent"])).one()
        user.active = False
        session.add(user)
        session.commit()
    assert _login(client, users["agent"]).status_code == 401


def test_login_without_its_csrf_token_is_refused(client, users):
    client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"username": users["agent"], "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400 and "yibao_staff=" not in response.headers.get("set-cookie", "")


def test_forged_session_cookie_is_ignored(client):
    client.cookies.set("yibao_staff", "eyJ1IjoiYWRtaW4ifQ.forged.sig")
    assert client.get("/admin").status_code == 303


@pytest.mark.parametrize(
    ("role", "staff", "admin"),
    [("agent", 200, 403), ("supervisor", 200, 403), ("policy", 403, 200), ("admin", 200, 200)],
)
def test_roles(client, users, role, staff, admin):
    home = _login(client, users[role]).headers["location"]
    assert home == ("/admin" if role in ("policy", "admin") else "/staff")
    assert client.get("/staff").status_code == staff
    forbidden = client.get("/admin" if admin == 403 else "/staff")
    assert forbidden.status_code in (200, 403)
    assert client.get("/admin").status_code == admin
    if 403 in (staff, admin):
        assert "无权访问" in client.get("/admin" if admin == 403 else "/staff").text


def test_post_without_the_session_csrf_token_is_refused(client, users, db):
    headers = _guest(client)
    _say(client, headers, "人工")
    _login(client, users["agent"])
    with Session(db) as session:
        cid = console.waiting_queue(session)[-1].conversation_id
    for token in ("", "forged"):
        response = client.post(f"/staff/conversations/{cid}/claim", data={"csrf_token": token})
        assert response.status_code == 403
    with Session(db) as session:
        assert session.get(Conversation, cid).status == "waiting"


def test_english_pages(client, users):
    _login(client, users["agent"])
    assert "Staff console" in client.get("/staff?lang=en").text


# ---- the full handoff ------------------------------------------------------------------------------------
def _conversation_id(db, user_token_headers, client) -> int:
    with Session(db) as session:
        newest = session.exec(select(Conversation).order_by(Conversation.id.desc())).first()
        return newest.id


def test_full_handoff_on_the_web_chat(client, users, db):
    headers = _guest(client)
    assert _say(client, headers, "人工")["intent"] == "cmd:human"
    assert _say(client, headers, "请问在吗 手机13812345678")["intent"] == "handoff:waiting"
    cid = _conversation_id(db, headers, client)

    _login(client, users["agent"])
    queue = client.get("/staff")
    assert f'data-conversation="{cid}"' in queue.text and "本人要求人工" in queue.text
    assert "吉林" in queue.text  # the region by its title
    page = client.get(f"/staff/conversations/{cid}")
    assert "138****5678" in page.text and "13812345678" not in page.text  # personal data stays masked
    token = _csrf(page.text)

    taken = client.post(f"/staff/conversations/{cid}/claim", data={"csrf_token": token})
    assert taken.status_code == 303
    with Session(db) as session:
        conversation = session.get(Conversation, cid)
        assert (conversation.status, conversation.owner) == ("staff", users["agent"])
        handoff = session.exec(select(Handoff).where(Handoff.conversation_id == cid)).one()
        assert handoff.claimed_by == users["agent"] and handoff.closed_at is None
    assert f'data-conversation="{cid}"' in client.get("/staff").text.split('id="mine"')[1]

    sent = client.post(
        f"/staff/conversations/{cid}/reply", data={"csrf_token": token, "text": "您好，我是客服小李。"}
    )
    assert sent.status_code == 303
    with Session(db) as session:
        staff_messages = console.staff_messages_since(session, cid, 0)
        assert [m.text for m in staff_messages] == ["您好，我是客服小李。"]
        assert console.staff_messages_since(session, cid, staff_messages[-1].id) == []
        query = select(OutboxMessage).where(OutboxMessage.user_key == conversation.user_key)
        assert list(session.exec(query)) == []  # the web chat polls; nothing goes through the WeChat outbox

    silent = _say(client, headers, "好的，我想问备案的事")
    assert silent["messages"] == [] and silent["intent"] == "handoff:to_staff"
    with Session(db) as session:
        logged = session.exec(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == cid)
            .order_by(ConversationMessage.id)  # type: ignore[arg-type]
        ).all()
        assert logged[-1].direction == "in" and logged[-1].text == "好的，我想问备案的事"
    assert "好的，我想问备案的事" in client.get(f"/staff/conversations/{cid}").text

    back = client.post(f"/staff/conversations/{cid}/release", data={"csrf_token": token})
    assert back.status_code == 303 and back.headers["location"] == "/staff"
    with Session(db) as session:
        conversation = session.get(Conversation, cid)
        assert (conversation.status, conversation.owner) == ("bot", None)
        assert session.exec(select(Handoff).where(Handoff.conversation_id == cid)).one().closed_at is not None
    answer = _say(client, headers, "异地就医手工报销截止到什么时候")
    assert answer["messages"] and not answer["intent"].startswith("handoff")


def test_staff_reply_to_a_wechat_conversation_goes_to_the_outbox(client, users, db):
    user_key = "o" + uuid.uuid4().hex[:20]
    with Session(db) as session:
        conversation = Conversation(
            channel="wechat", account="jilin", user_key=user_key, region="jilin", status="waiting"
        )
        session.add(conversation)
        session.flush()
        session.add(Handoff(conversation_id=conversation.id, reason="asked"))
        session.commit()
        cid = conversation.id
    _login(client, users["supervisor"])
    token = _csrf(client.get(f"/staff/conversations/{cid}").text)
    client.post(f"/staff/conversations/{cid}/claim", data={"csrf_token": token})
    client.post(f"/staff/conversations/{cid}/reply", data={"csrf_token": token, "text": "请拨打12393咨询。"})
    with Session(db) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.user_key == user_key)).all()
        assert [(r.channel, r.account, r.payload) for r in rows] == [
            ("wechat", "jilin", {"msgtype": "text", "text": "请拨打12393咨询。"})
        ]
    closed = client.post(f"/staff/conversations/{cid}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    with Session(db) as session:
        assert session.get(Conversation, cid).status == "bot"


def test_only_the_owner_replies_and_hands_back(client, users, db):
    headers = _guest(client)
    _say(client, headers, "人工")
    cid = _conversation_id(db, headers, client)
    _login(client, users["agent"])
    token = _csrf(client.get(f"/staff/conversations/{cid}").text)
    client.post(f"/staff/conversations/{cid}/claim", data={"csrf_token": token})
    client.cookies.clear()
    _login(client, users["supervisor"])
    other = _csrf(client.get("/staff").text)
    for action, data in (("claim", {}), ("reply", {"text": "hi"}), ("release", {}), ("close", {})):
        response = client.post(f"/staff/conversations/{cid}/{action}", data={"csrf_token": other, **data})
        assert response.status_code == 409, action
    with Session(db) as session:
        assert session.get(Conversation, cid).owner == users["agent"]
    assert client.get("/staff/conversations/999999").status_code == 404


def test_people_can_still_cancel_while_waiting(client, users, db):
    headers = _guest(client)
    _say(client, headers, "人工")
    cid = _conversation_id(db, headers, client)
    _say(client, headers, "取消")
    with Session(db) as session:
        assert all(item.conversation_id != cid for item in console.waiting_queue(session))


# ---- admin -----------------------------------------------------------------------------------------------
def test_admin_groups_unanswered_questions_and_shows_coverage(client, users, db):
    marker = uuid.uuid4().hex[:6]
    with Session(db) as session:
        for text, score in ((f"医保卡 丢了{marker}怎么办？", 0.4), (f"医保卡丢了{marker}怎么办", 0.6)):
            session.add(
                UnansweredQuestion(
                    region="jilin",
                    text=text,
                    band="fallback",
                    candidates=[{"kind": "faq", "key": "lost-card", "score": score}],
                )
            )
        session.commit()
    _login(client, users["policy"])
    page = client.get("/admin?region=jilin")
    assert page.status_code == 200
    row = next(r for r in page.text.split("<tr>") if marker in r)
    assert '<td class="n">2</td>' in row and "faq:lost-card (0.60)" in row
    assert 'id="coverage"' in page.text


def test_normalised_question():
    same = unanswered.normalise_question("医保卡丢了怎么办")
    assert unanswered.normalise_question("医保卡 丢了，怎么办？") == same
    assert unanswered.normalise_question("ＡＢＣ") == "abc"


def test_staff_pages_show_times_in_china_time():
    from datetime import UTC, datetime

    from api.pages import china_time

    assert china_time(datetime(2026, 11, 22, 7, 32)) == "2026-11-22 15:32"  # naive values from SQLite are UTC
    assert china_time(datetime(2026, 11, 22, 23, 5, tzinfo=UTC), "%m-%d %H:%M") == "11-23 07:05"
    assert china_time(None) == ""
