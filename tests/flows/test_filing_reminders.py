"""The reminders job against the real database and a local fake WeChat API: pledge reminders 30/7/1 days
before the materials are due, lapsing, status-change notices, each sent once even with parallel runs."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot.channels.wechat_delivery import ApiClient
from bot.reminders import ChatSender, run_jobs
from bot.store import filings, people
from bot.store.filing_models import Reminder, WebNotice
from bot.store.models import Conversation
from flows.filing_rules import reminder_due
from tests.fakes.wechat_server import running_fake_wechat
from tests.flows.filing_support import demo, seed
from tests.flows.transcript import module_engine


@pytest.fixture(scope="module")
def engine(db, database_url):
    built = module_engine(db, database_url)
    seed(built)
    return built


@pytest.fixture(scope="module")
def fake():
    with running_fake_wechat() as server:
        yield server


def _person(engine, user):
    with Session(engine.db, expire_on_commit=False) as session:
        return people.find_by_id_number(session, engine.cipher, demo(user).id_number)


def _open_pledge(engine, user):
    with Session(engine.db, expire_on_commit=False) as session:
        return next(f for f in filings.filings_of(session, _person(engine, user).id) if f.pledge)


def _wechat_identity(engine, user, openid):
    with Session(engine.db, expire_on_commit=False) as session:
        person = people.find_by_id_number(session, engine.cipher, demo(user).id_number)
        conversation = Conversation(channel="wechat", account="jilin", user_key=openid, region="jilin")
        session.add(conversation)
        session.flush()
        people.bind(session, conversation, person)
        session.commit()


def _run(engine, fake, now):
    client = ApiClient("wxdemojilin000001", "demo-secret", api_base=fake.base)
    sender = ChatSender(
        session_factory=lambda: Session(engine.db, expire_on_commit=False),
        wechat_client=lambda _account: client,
        template_id="tmpl-1",
    )
    return run_jobs(
        engine.db,
        policies=engine.services.filing_policies,
        renderer=engine.renderer,
        sender=sender,
        now=now,
    )


def _reminders(engine, prefix):
    with Session(engine.db, expire_on_commit=False) as session:
        return list(session.exec(select(Reminder).where(Reminder.key.startswith(prefix))))  # type: ignore[attr-defined]


def test_reminder_thresholds():
    from datetime import date

    from tests.flows.test_filing_rules import JILIN, Row

    pledge = Row(pledge=True, proof=None, materials_due=date(2027, 1, 31), valid_to=date(2027, 1, 31))
    assert reminder_due(pledge, JILIN, date(2026, 12, 1)) is None  # 61 days left
    assert reminder_due(pledge, JILIN, date(2027, 1, 1)) == 30
    assert reminder_due(pledge, JILIN, date(2027, 1, 26)) == 7
    assert reminder_due(pledge, JILIN, date(2027, 1, 30)) == 1
    assert reminder_due(pledge, JILIN, date(2027, 2, 1)) is None


def test_due_pledge_is_reminded_once_on_wechat_and_web_even_with_parallel_runs(engine, fake):
    _wechat_identity(engine, "demo1", "openid-demo1")
    pledge = _open_pledge(engine, "demo1")  # due 2026-11-28
    now = datetime(2026, 11, 22, 9, 0)
    threads = [threading.Thread(target=_run, args=(engine, fake, now)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = _reminders(engine, f"pledge-due:{pledge.id}:")
    assert [(r.key, r.state) for r in rows] == [(f"pledge-due:{pledge.id}:7", "sent")]
    assert set(rows[0].channel.split(",")) == {"wechat", "web"}
    sends = [c for c in fake.of("/cgi-bin/message/subscribe/bizsend") if c.body["touser"] == "openid-demo1"]
    assert len(sends) == 1 and sends[0].body["template_id"] == "tmpl-1"
    with Session(engine.db, expire_on_commit=False) as session:
        web = session.exec(
            select(Conversation).where(Conversation.user_key == "dev-demo1", Conversation.channel == "web")
        ).one()
        notices = list(session.exec(select(WebNotice).where(WebNotice.conversation_id == web.id)))
    assert len(notices) == 1 and "2026年11月28日" in notices[0].text and "还剩6天" in notices[0].text
    _run(engine, fake, now)
    assert len(_reminders(engine, f"pledge-due:{pledge.id}:")) == 1
    # the last day's reminder
    report = _run(engine, fake, datetime(2026, 11, 27, 9, 0))
    assert f"pledge-due:{pledge.id}:1" in report.sent


def test_lapsed_pledge_is_marked_and_announced_once(engine, fake):
    pledge = _open_pledge(engine, "demo2")  # due 2026-09-22, never completed
    _run(engine, fake, datetime(2026, 11, 22, 9, 30))
    with Session(engine.db, expire_on_commit=False) as session:
        events = filings.events_of(session, pledge.id)
        assert [e.action for e in events] == ["created", "lapsed"] and events[-1].actor == "system:jobs"
        assert filings.get_filing(session, pledge.id).status == "lapsed"
    again = _run(engine, fake, datetime(2026, 11, 22, 9, 45))
    assert pledge.id not in again.lapsed
    rows = _reminders(engine, f"event:{events[-1].id}")
    assert [(r.state, r.channel) for r in rows] == [("sent", "web")]
    with Session(engine.db, expire_on_commit=False) as session:
        texts = [n.text for n in session.exec(select(WebNotice))]
    assert any("承诺期满未补齐材料，已失效" in t for t in texts)


def test_a_person_without_a_bound_chat_is_skipped(engine, fake):
    from datetime import date

    with Session(engine.db, expire_on_commit=False) as session:
        person = people.create_person(
            session,
            engine.cipher,
            name="赵六",
            id_number="220102198001011236",
            phone="13900000009",
            region="jilin",
            pooling_region="220100",
            pooling_region_name="长春市",
            scheme="employee",
            insured_since=date(2000, 1, 1),
        )
        filing = filings.create_filing(
            session,
            person_id=person.id,
            values=dict(
                region="jilin",
                scheme="employee",
                kind="referral",
                pledge=True,
                destination_code="110000",
                destination_name="北京市",
                valid_from=date(2026, 6, 20),
                valid_to=date(2026, 12, 20),
                materials_due=date(2026, 12, 20),
            ),
            actor="staff:agent",
            channel="staff",
            at=datetime(2026, 6, 20, 9, 0),
        )
        session.commit()
    report = _run(engine, fake, datetime(2026, 11, 22, 10, 0))
    assert f"pledge-due:{filing.id}:30" in report.skipped
