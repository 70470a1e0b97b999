"""The staff console in Chromium: an agent logs in and takes over a conversation waiting for a person."""

from __future__ import annotations

import uuid

import httpx
import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from bot.store.models import Conversation, StaffUser

pytestmark = pytest.mark.browser

PASSWORD = "browser-staff-pass"


@pytest.fixture
def agent(live_server) -> str:
    name = f"agent-{uuid.uuid4().hex[:6]}"
    with Session(live_server.app.state.engine.db) as session:
        session.add(
            StaffUser(
                username=name,
                display_name="客服小测",
                role="agent",
                password_hash=PasswordHasher().hash(PASSWORD),
            )
        )
        session.commit()
    return name


@pytest.fixture
def staff_tab(browser, live_server):
    tab = browser.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    browser.clear_cookies()  # the next test's visitor is not logged in
    assert not errors


def test_agent_logs_in_and_takes_over(staff_tab, live_server, agent):
    with httpx.Client(base_url=live_server.url) as api:
        token = api.post("/api/v1/auth/guest", json={"region": "jilin"}).json()["token"]
        asked = api.post("/api/v1/chat", json={"text": "人工"}, headers={"Authorization": f"Bearer {token}"})
        assert asked.json()["intent"] == "cmd:human"

    staff_tab.goto(live_server.url + "/staff")
    assert "/staff/login" in staff_tab.url
    staff_tab.fill("input[name=username]", agent)
    staff_tab.fill("input[name=password]", "wrong")
    staff_tab.click("button[type=submit]")
    assert staff_tab.locator("p.error").is_visible()
    staff_tab.fill("input[name=username]", agent)
    staff_tab.fill("input[name=password]", PASSWORD)
    staff_tab.click("button[type=submit]")
    staff_tab.wait_for_url(live_server.url + "/staff")

    row = staff_tab.locator("#waiting tbody tr").last
    cid = int(row.get_attribute("data-conversation") or 0)
    row.locator("a").click()
    staff_tab.wait_for_url(f"{live_server.url}/staff/conversations/{cid}")
    assert "人工" in staff_tab.locator("#messages").inner_text()
    staff_tab.click("#claim")
    staff_tab.wait_for_selector("#release")
    assert staff_tab.locator("#owner").inner_text() == agent
    staff_tab.fill("#reply", "您好，我来帮您。")
    staff_tab.click("#send")
    staff_tab.wait_for_selector("#messages .msg-staff")
    assert "您好，我来帮您。" in staff_tab.locator("#messages .msg-staff").last.inner_text()
    with Session(live_server.app.state.engine.db) as session:
        conversation = session.get(Conversation, cid)
        assert (conversation.status, conversation.owner) == ("staff", agent)
