"""The filing desk in the staff console: a bound person's file, completing a pledge's materials at the
counter, and a supervisor's audited read of a clear ID number or phone."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.main import create_app
from api.settings import Settings
from bot.registry import EmbeddedRegistry
from bot.store import filings, people
from bot.store.filing_models import PersonalDataAccess
from bot.store.models import Conversation, StaffUser
from flows import filing_rules as rules
from flows.destinations import find_destination
from flows.errors import RuleViolation
from tests.conftest import unique_user
from tests.flows.filing_support import Chat, fresh_person
from tests.flows.transcript import module_engine

PASSWORD = "correct horse battery"
_hash = PasswordHasher().hash(PASSWORD)
TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def engine(db, database_url):
    return module_engine(db, database_url)


@pytest.fixture(scope="module")
def shared_client(engine, database_url):
    settings = Settings(env="test", database_url=database_url)
    with TestClient(create_app(settings, engine=engine), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def client(shared_client):
    shared_client.cookies.clear()
    return shared_client


@pytest.fixture
def users(db):
    names = {}
    with Session(db) as session:
        for role in ("agent", "supervisor", "admin"):
            name = f"{role}-{uuid.uuid4().hex[:8]}"
            session.add(StaffUser(username=name, display_name=name, role=role, password_hash=_hash))
            names[role] = name
        session.commit()
    return names


@pytest.fixture
def pledged(engine):
    """A Jilin person bound to a web chat, with an open pledge filing made in that chat."""
    user = unique_user("desk")
    person = fresh_person(engine, user)
    chat = Chat(engine, "jilin", user=user)
    chat.say("我要办备案")
    chat.say(_option(chat, "承诺制"))
    chat.say(_option(chat, "长期"))
    chat.say("三亚，户籍地")
    chat.say("今天")
    assert "承诺制备案已办理" in chat.say("我承诺")
    filing_id = chat.replies[-1].messages[-1].data["filing_id"]
    with Session(engine.db) as session:
        conversation = session.exec(select(Conversation).where(Conversation.user_key == user)).one()
    return {
        "person": person,
        "person_id": conversation.person_id,
        "conversation_id": conversation.id,
        "filing_id": filing_id,
    }


def _option(chat: Chat, label_part: str) -> str:
    return str(next(i for i, label in enumerate(chat.choices(), 1) if label_part in label))


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def _login(client: TestClient, username: str) -> str:
    """Log in; the CSRF token of the session."""
    form = client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"username": username, "password": PASSWORD, "csrf_token": _csrf(form.text)}
    )
    assert response.status_code == 303
    return _csrf(client.get("/staff").text)


def _audit_rows(engine, person_id: int) -> list[PersonalDataAccess]:
    with Session(engine.db) as session:
        return list(session.exec(select(PersonalDataAccess).where(PersonalDataAccess.person_id == person_id)))


def _filing(engine, filing_id: int):
    with Session(engine.db) as session:
        filing = filings.get_filing(session, filing_id)
        return filing, list(filings.events_of(session, filing_id))


# ---- the person's file -----------------------------------------------------------------------------------
def test_a_bound_conversation_leads_to_the_persons_file_with_masked_data_only(client, users, pledged):
    _login(client, users["agent"])
    conversation = client.get(f"/staff/conversations/{pledged['conversation_id']}")
    assert f'href="/staff/people/{pledged["person_id"]}"' in conversation.text
    page = client.get(f"/staff/people/{pledged['person_id']}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    id_number, phone = pledged["person"].id_number, pledged["person"].phone
    assert id_number[:4] + "**********" + id_number[-4:] in page.text and id_number not in page.text
    assert phone[:3] + "****" + phone[-4:] in page.text and phone not in page.text
    assert pledged["person"].name not in page.text
    assert "海南省" in page.text and "承诺制" in page.text and "有效" in page.text
    assert "2026-11-22 — 2027-05-22" in page.text and "2027-05-22（还剩 181 天）" in page.text
    assert f"/staff/people/{pledged['person_id']}/filings/{pledged['filing_id']}/complete" in page.text
    assert "办理" in page.text and "person:" in page.text  # the created event, by the person, on the web
    assert "吉医保规〔2023〕4号 第六条" in page.text
    assert "/reveal" not in page.text and "联系值班长" in page.text  # agents get no reveal form


def test_the_file_in_english(client, users, pledged):
    _login(client, users["supervisor"])
    page = client.get(f"/staff/people/{pledged['person_id']}?lang=en").text
    assert "Insured person" in page and "Materials handed in at the counter" in page
    assert "Show full ID number" in page and "Valid" in page


def test_unknown_person_or_someone_elses_filing_is_404(client, users, pledged, engine):
    csrf = _login(client, users["supervisor"])
    assert client.get("/staff/people/987654321").status_code == 404
    other = fresh_person(engine, unique_user("other"))
    with Session(engine.db) as session:
        other_id = people.find_by_id_number(session, engine.cipher, other.id_number).id
    wrong = client.post(
        f"/staff/people/{other_id}/filings/{pledged['filing_id']}/complete",
        data={"csrf_token": csrf, "proof": "work_away"},
    )
    assert wrong.status_code == 404
    assert (
        client.post(
            "/staff/people/987654321/reveal", data={"csrf_token": csrf, "field": "phone", "reason": "核对"}
        ).status_code
        == 404
    )
    assert _filing(engine, pledged["filing_id"])[0].materials_completed_on is None


def test_pages_need_login(client, pledged):
    response = client.get(f"/staff/people/{pledged['person_id']}")
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login?next=")


# ---- reveal: supervisors only, audited -------------------------------------------------------------------
def test_an_agent_cannot_reveal(client, users, pledged, engine):
    csrf = _login(client, users["agent"])
    response = client.post(
        f"/staff/people/{pledged['person_id']}/reveal",
        data={"csrf_token": csrf, "field": "id_number", "reason": "核对身份"},
    )
    assert response.status_code == 403 and pledged["person"].id_number not in response.text
    assert _audit_rows(engine, pledged["person_id"]) == []


def test_admin_is_not_a_supervisor_for_personal_data(client, users, pledged, engine):
    csrf = _login(client, users["admin"])
    response = client.post(
        f"/staff/people/{pledged['person_id']}/reveal",
        data={"csrf_token": csrf, "field": "phone", "reason": "核对"},
    )
    assert response.status_code == 403 and _audit_rows(engine, pledged["person_id"]) == []


def test_a_supervisor_reveals_once_with_an_audit_row_and_nothing_logged(
    client, users, pledged, engine, caplog
):
    caplog.set_level("DEBUG")
    csrf = _login(client, users["supervisor"])
    page = client.get(f"/staff/people/{pledged['person_id']}").text
    assert f'action="/staff/people/{pledged["person_id"]}/reveal"' in page
    url = f"/staff/people/{pledged['person_id']}/reveal"
    response = client.post(url, data={"csrf_token": csrf, "field": "id_number", "reason": "窗口核对承诺书"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert pledged["person"].id_number in response.text and "本次查看已记录" in response.text
    (row,) = _audit_rows(engine, pledged["person_id"])
    assert (row.staff, row.field_name, row.reason) == (users["supervisor"], "id_number", "窗口核对承诺书")
    # shown once: the file itself stays masked
    assert pledged["person"].id_number not in client.get(f"/staff/people/{pledged['person_id']}").text
    phone = client.post(url, data={"csrf_token": csrf, "field": "phone", "reason": "回电"})
    assert phone.status_code == 200 and pledged["person"].phone in phone.text
    assert [r.field_name for r in _audit_rows(engine, pledged["person_id"])] == ["id_number", "phone"]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert pledged["person"].id_number not in logged and pledged["person"].phone not in logged


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"field": "id_number", "reason": "   "}, 400),
        ({"field": "id_number"}, 400),
        ({"field": "name", "reason": "核对"}, 400),
        ({"field": "address", "reason": "核对"}, 400),
    ],
)
def test_a_reveal_needs_a_reason_and_a_revealable_field(client, users, pledged, engine, data, status):
    csrf = _login(client, users["supervisor"])
    response = client.post(f"/staff/people/{pledged['person_id']}/reveal", data={"csrf_token": csrf, **data})
    assert response.status_code == status
    assert pledged["person"].id_number not in response.text
    assert _audit_rows(engine, pledged["person_id"]) == []


# ---- CSRF --------------------------------------------------------------------------------------------------
def test_posts_without_the_session_csrf_token_are_refused(client, users, pledged, engine):
    _login(client, users["supervisor"])
    for token in ("", "forged-token"):
        reveal = client.post(
            f"/staff/people/{pledged['person_id']}/reveal",
            data={"csrf_token": token, "field": "id_number", "reason": "核对"},
        )
        assert reveal.status_code == 403 and "请求无效" in reveal.text
        complete = client.post(
            f"/staff/people/{pledged['person_id']}/filings/{pledged['filing_id']}/complete",
            data={"csrf_token": token, "proof": "work_away"},
        )
        assert complete.status_code == 403 and "请求无效" in complete.text
    assert _audit_rows(engine, pledged["person_id"]) == []
    filing, events = _filing(engine, pledged["filing_id"])
    assert filing.materials_completed_on is None and [e.action for e in events] == ["created"]


# ---- materials completed at the counter ------------------------------------------------------------------
def _change_to_beijing(engine, filing_id: int) -> dict:
    policy = engine.services.filing_policies.on("jilin", TODAY)
    with Session(engine.db) as session:
        filing = filings.get_filing(session, filing_id)
        person = EmbeddedRegistry(session, engine.cipher).record(filing.person_id)
        every = list(filings.filings_of(session, filing.person_id))
        return rules.check_change(filing, find_destination("北京", "jilin"), person, every, policy, TODAY)


def test_materials_completed_at_the_counter_end_the_lock_and_are_recorded(client, users, pledged, engine):
    with pytest.raises(RuleViolation) as locked:
        _change_to_beijing(engine, pledged["filing_id"])
    assert locked.value.rule == "pledge_locked" and locked.value.citation.startswith(
        "吉医保规〔2023〕4号 第六条"
    )
    csrf = _login(client, users["agent"])
    url = f"/staff/people/{pledged['person_id']}/filings/{pledged['filing_id']}/complete"
    response = client.post(url, data={"csrf_token": csrf, "proof": "work_away"})
    assert (
        response.status_code == 303
        and response.headers["location"] == f"/staff/people/{pledged['person_id']}"
    )
    filing, events = _filing(engine, pledged["filing_id"])
    assert (filing.materials_completed_on, filing.proof, filing.status) == (TODAY, "work_away", "active")
    assert [e.action for e in events] == ["created", "completed"]
    completed = events[-1]
    assert completed.actor == f"staff:{users['agent']}" and completed.channel == "staff"
    assert completed.before["materials_completed_on"] is None
    assert completed.after["materials_completed_on"] == TODAY.isoformat()
    # the lock is over: the rules now allow a change
    assert _change_to_beijing(engine, pledged["filing_id"])["destination_name"].startswith("北京")
    page = client.get(f"/staff/people/{pledged['person_id']}").text
    assert "材料补齐" in page and "经办窗口" in page and f"staff:{users['agent']}" in page
    assert "/complete" not in page  # nothing left to complete
    again = client.post(url, data={"csrf_token": csrf, "proof": "work_away"})
    assert again.status_code == 409 and "不能再标记材料已补齐" in again.text
    assert [e.action for e in _filing(engine, pledged["filing_id"])[1]] == ["created", "completed"]


def test_completion_needs_a_proof_of_the_filings_kind(client, users, pledged, engine):
    csrf = _login(client, users["agent"])
    url = f"/staff/people/{pledged['person_id']}/filings/{pledged['filing_id']}/complete"
    response = client.post(url, data={"csrf_token": csrf, "proof": "birth_certificate"})
    assert response.status_code == 409 and "请选择收到的认定材料" in response.text
    assert _filing(engine, pledged["filing_id"])[0].materials_completed_on is None
