"""Customer-service delivery through wechatpy's client against the fake WeChat API: order, failures."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from bot.channels.wechat_delivery import (
    LEASE_SECONDS,
    LoginRefused,
    Rendezvous,
    client_factory,
    client_for,
    code_to_openid,
    deliver,
    deliver_pending,
    enqueue,
)
from bot.errors import DeliveryFailed
from bot.messages import Reply
from bot.store.models import OutboxMessage, utcnow
from tests.fakes.wechat_server import BAD_CODE, FakeWeChat, running_fake_wechat


class Account:
    def __init__(self, name: str, app_id: str) -> None:
        self.name, self.app_id, self.app_secret = name, app_id, "demo-secret"


@pytest.fixture
def fake() -> FakeWeChat:
    with running_fake_wechat() as server:
        yield server


@pytest.fixture
def factory(fake):
    return client_factory([Account("jilin", "wxdemojilin000001")], fake.base)


def openid() -> str:
    return "o" + uuid.uuid4().hex[:20]


def rows_of(db, user: str) -> list[OutboxMessage]:
    with Session(db) as session:
        query = select(OutboxMessage).where(OutboxMessage.user_key == user).order_by(col(OutboxMessage.id))
        return list(session.exec(query))


def test_messages_are_sent_in_order_and_marked_sent(db, fake, factory):
    user = openid()
    ids = enqueue(db, account="jilin", user_key=user, texts=["一", "二", "", "三"])
    assert len(ids) == 3
    report = deliver(db, factory, ids)
    assert (report.sent, report.failed) == (3, 0)
    assert fake.sent_texts(user) == ["一", "二", "三"]
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows_of(db, user))
    assert len(fake.of("/cgi-bin/token")) == 1  # one access token for all three


def test_a_failed_send_stays_for_deliver_pending_and_keeps_order(db, fake, factory):
    user = openid()
    enqueue(db, account="jilin", user_key=user, texts=["first", "second"])
    fake.fail_sends = True
    report = deliver_pending(db, factory)
    assert report.failed >= 1
    first, second = rows_of(db, user)
    assert first.sent_at is None and "45015" in first.last_error
    assert second.attempts == 0  # not tried out of order
    fake.fail_sends = False
    deliver_pending(db, factory)
    assert fake.sent_texts(user) == ["first", "second"]
    assert all(row.sent_at is not None for row in rows_of(db, user))
    deliver_pending(db, factory)
    assert fake.sent_texts(user) == ["first", "second"]  # nothing sent twice


def test_two_senders_never_send_a_row_twice(db, fake, factory):
    user = openid()
    enqueue(db, account="jilin", user_key=user, texts=[f"m{i}" for i in range(6)])
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        deliver_pending(db, factory)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deliver_pending(db, factory)
    assert fake.sent_texts(user) == [f"m{i}" for i in range(6)]


def test_a_row_being_sent_is_left_alone_until_its_lease_runs_out(db, fake, factory):
    user = openid()
    (row_id,) = enqueue(db, account="jilin", user_key=user, texts=["once"])
    with Session(db) as session:
        row = session.get(OutboxMessage, row_id)
        row.attempts, row.last_error = 1, "sending " + utcnow().isoformat()
        session.add(row)
        session.commit()
    deliver_pending(db, factory)
    assert fake.sent_texts(user) == []  # another sender is on it
    with Session(db) as session:
        row = session.get(OutboxMessage, row_id)
        row.last_error = "sending " + (utcnow() - timedelta(seconds=LEASE_SECONDS + 1)).isoformat()
        session.add(row)
        session.commit()
    deliver_pending(db, factory)
    assert fake.sent_texts(user) == ["once"]  # that sender died: the row is taken again


def test_unreachable_api_is_a_delivery_failure(db):
    dead = client_factory([Account("jilin", "wxdemojilin000001")], "http://127.0.0.1:9/cgi-bin/")
    user = openid()
    ids = enqueue(db, account="jilin", user_key=user, texts=["x"])
    assert deliver(db, dead, ids).failed == 1
    assert rows_of(db, user)[0].sent_at is None


def test_unknown_account_is_a_delivery_failure(fake):
    with pytest.raises(DeliveryFailed):
        client_factory([], fake.base)("jilin")


def test_code_to_openid(fake):
    client = client_for("wxdemominiapp0001", "demo-secret", fake.base)
    assert code_to_openid(client, "abc") == "mp-abc"
    with pytest.raises(LoginRefused):
        code_to_openid(client, BAD_CODE)


def test_rendezvous_gives_the_reply_to_exactly_one_side():
    reply = Reply(intent="x")
    waiting = Rendezvous()
    assert waiting.settle(reply) is True
    assert waiting.abandon() == (True, reply)
    gone = Rendezvous()
    assert gone.abandon() == (False, None)
    assert gone.settle(reply) is False
