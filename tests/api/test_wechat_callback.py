"""The WeChat callback over the real app and engine, with wechatpy's own crypto playing WeChat's servers."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.main import create_app
from api.settings import Settings
from bot.engine import Engine
from bot.locks import make_locks
from bot.messages import Inbound, Outbound, Reply
from bot.store.db import make_engine
from bot.store.models import Conversation, ConversationMessage, OutboxMessage
from tests.fakes.wechat_client import WeChatSimulator, text_message, with_openid
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.flows.transcript import module_engine

SAMPLES = Path("/work/shared/wechat-samples")
if not SAMPLES.is_dir():  # the samples travel with the repository's shared folder
    SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "wechat-samples"
SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.xml"))

# Samples a person sends on purpose get a text answer; platform notifications get "success".
ANSWERED = {
    "text.xml",
    "voice.xml",
    "image.xml",
    "link.xml",
    "location.xml",
    "unknown.xml",
    "event-subscribe.xml",
    "event-subscribe-2.xml",
    "event-click.xml",
    "event-scan.xml",
    "event-scancode_push.xml",
    "event-scancode_waitmsg.xml",
    "event-pic_sysphoto.xml",
    "event-pic_sysphoto-2.xml",
    "event-pic_photo_or_album.xml",
    "event-pic_weixin.xml",
    "event-location_select.xml",
    "event-user_enter_session_from_card.xml",
    "event-user_scan_product_enter_session.xml",
}


def openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


# ---- fixtures ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fake() -> FakeWeChat:
    with running_fake_wechat() as server:
        yield server


@pytest.fixture(scope="module")
def base_engine(db, database_url) -> Engine:
    return module_engine(db, database_url)


def make_settings(database_url: str, fake: FakeWeChat, **overrides) -> Settings:
    return Settings(env="test", database_url=database_url, wechat_api_base=fake.base, **overrides)


@pytest.fixture(scope="module")
def client(base_engine, database_url, fake):
    app = create_app(make_settings(database_url, fake), engine=base_engine)
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class SlowEngine(Engine):
    """The real engine, made slow: the budget and retry paths need an answer that takes time."""

    delay: float = 0.0

    def handle(self, inbound: Inbound) -> Reply:
        time.sleep(self.delay)
        return super().handle(inbound)


@dataclass
class LongEngine(Engine):
    """An engine whose answer is longer than a passive reply may be."""

    answer: str = ""

    def handle(self, inbound: Inbound) -> Reply:
        super().handle(inbound)
        return Reply(messages=(Outbound(text=self.answer),), intent="test:long")


@dataclass
class BrokenEngine(Engine):
    """An engine that fails on every message."""

    def handle(self, inbound: Inbound) -> Reply:
        raise RuntimeError("engine is down")


def variant(engine: Engine, cls: type[Engine], *, separate_worker: bool = False, **extra) -> Engine:
    values = {f.name: getattr(engine, f.name) for f in fields(Engine)}
    if separate_worker:  # its own connection pool and locks: what another worker process has
        values["db"] = make_engine(engine.db.url.render_as_string(hide_password=False))
        values["locks"] = make_locks(None)
    return cls(**values, **extra)


def post(client: TestClient, request, account: str = "jilin"):
    return client.post(f"/wechat/{account}", params=request.params, content=request.body)


def conversation_messages(engine: Engine, user: str) -> list[tuple[str, str]]:
    with Session(engine.db) as session:
        conversation = session.exec(select(Conversation).where(Conversation.user_key == user)).one()
        rows = session.exec(
            select(ConversationMessage)
            .where(ConversationMessage.conversation_id == conversation.id)
            .order_by(col(ConversationMessage.id))
        ).all()
        return [(row.direction, row.text) for row in rows]


# ---- every sample, both modes -----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_every_sample_gets_a_valid_reply(client, sample, mode):
    user = openid()
    xml = with_openid((SAMPLES / sample).read_text(encoding="utf-8"), user)
    sim = WeChatSimulator()
    response = post(client, sim.plain(xml) if mode == "plain" else sim.safe(xml))
    assert response.status_code == 200
    if sample not in ANSWERED:
        assert response.text == "success"
        return
    reply = sim.open_reply(response.text, encrypted=mode == "safe")
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == user
    assert reply["Content"].strip()
    assert len(reply["Content"].encode("utf-8")) <= 2048


def test_forty_samples_are_there():
    assert len(SAMPLE_FILES) == 40


def test_voice_recognition_is_answered_as_text(client):
    user = openid()
    xml = with_openid((SAMPLES / "voice.xml").read_text(encoding="utf-8"), user).replace("Meow~", "人工")
    sim = WeChatSimulator()
    post(client, sim.plain(xml))
    assert ("in", "人工") in conversation_messages(client.app.state.engine, user)


# ---- server check and signatures --------------------------------------------------------------------------
def test_server_check_echoes_echostr(client):
    params = {**WeChatSimulator().query(), "echostr": "echo-1234"}
    response = client.get("/wechat/jilin", params=params)
    assert response.status_code == 200
    assert response.text == "echo-1234"


@pytest.mark.parametrize("drop", ["signature", "timestamp", "nonce"])
def test_server_check_without_signature_parts_is_refused(client, drop):
    params = {**WeChatSimulator().query(), "echostr": "x"}
    del params[drop]
    assert client.get("/wechat/jilin", params=params).status_code == 403


def test_server_check_with_forged_signature_is_refused(client):
    params = {**WeChatSimulator(token="not-the-token").query(), "echostr": "x"}
    assert client.get("/wechat/jilin", params=params).status_code == 403


def test_forged_plaintext_signature_is_refused(client):
    request = WeChatSimulator(token="wrong").plain(text_message("你好", openid()))
    assert post(client, request).status_code == 403


def test_missing_signature_is_refused(client):
    request = WeChatSimulator().plain(text_message("你好", openid()))
    del request.params["signature"]
    assert post(client, request).status_code == 403


def test_forged_msg_signature_is_refused(client):
    request = WeChatSimulator().safe(text_message("你好", openid()))
    request.params["msg_signature"] = "0" * 40
    assert post(client, request).status_code == 403


def test_safe_mode_without_msg_signature_is_refused(client):
    request = WeChatSimulator().safe(text_message("你好", openid()))
    del request.params["msg_signature"]
    assert post(client, request).status_code == 403


def test_message_encrypted_for_another_account_is_refused(client):
    request = WeChatSimulator("dezhou").safe(text_message("你好", openid()))
    assert post(client, request, account="jilin").status_code == 403
    assert post(client, request, account="dezhou").status_code == 200


@pytest.mark.parametrize("offset", [-301, 400, -86400])
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_timestamp_outside_five_minutes_is_refused(client, offset, mode):
    sim = WeChatSimulator()
    xml = text_message("你好", openid())
    when = int(time.time()) + offset
    request = sim.plain(xml, timestamp=when) if mode == "plain" else sim.safe(xml, timestamp=when)
    assert post(client, request).status_code == 403


def test_server_check_with_stale_timestamp_is_refused(client):
    params = {**WeChatSimulator().query(timestamp=int(time.time()) - 3600), "echostr": "x"}
    assert client.get("/wechat/jilin", params=params).status_code == 403


def test_timestamp_inside_the_window_is_accepted(client):
    request = WeChatSimulator().plain(text_message("你好", openid()), timestamp=int(time.time()) - 200)
    assert post(client, request).status_code == 200


# ---- hostile and broken bodies ----------------------------------------------------------------------------
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
    "<xml><ToUserName>t</ToUserName><FromUserName>f</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>t</ToUserName><FromUserName>f</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&x;</Content><MsgId>1</MsgId></xml>"
)
HOSTILE = {
    "entity_bomb": BOMB,
    "external_entity": EXTERNAL,
    "external_dtd": '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml></xml>',
    "malformed": "<xml><ToUserName>t</ToUserName><MsgType>text",
    "not_xml": '{"MsgType": "text", "Content": "hi"}',
    "empty": "",
    "wrong_root": "<message><MsgType>text</MsgType><FromUserName>f</FromUserName></message>",
    "no_msgtype": "<xml><ToUserName>t</ToUserName><FromUserName>f</FromUserName></xml>",
    "no_sender": "<xml><ToUserName>t</ToUserName><MsgType>text</MsgType></xml>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_hostile_or_broken_xml_is_refused_with_400(client, name, mode):
    sim = WeChatSimulator()
    body = HOSTILE[name]
    request = sim.plain(body) if mode == "plain" else sim.safe(body)
    assert post(client, request).status_code == 400


def test_hostile_envelope_in_safe_mode_is_refused(client):
    sim = WeChatSimulator()
    request = sim.safe(text_message("你好", openid()))
    request.body = BOMB.encode("utf-8")
    assert post(client, request).status_code in (400, 403)


@pytest.mark.parametrize("encrypt", ["not base64 !!", "QUJD", "A" * 64])
def test_undecryptable_ciphertext_is_refused(client, encrypt):
    assert post(client, WeChatSimulator().safe_raw(encrypt)).status_code == 400


def test_non_utf8_body_is_refused(client):
    assert post(client, WeChatSimulator().plain(b"<xml>\xff\xfe</xml>")).status_code == 400


def test_huge_body_is_refused_with_413(client):
    big = text_message("长" * 40_000, openid())
    assert post(client, WeChatSimulator().plain(big)).status_code == 413


def test_huge_streamed_body_without_length_is_refused_with_413(client):
    request = WeChatSimulator().plain(b"")

    def chunks():
        yield b"<xml><Content>"
        for _ in range(100):
            yield b"x" * 1024
        yield b"</Content></xml>"

    response = client.post("/wechat/jilin", params=request.params, content=chunks())
    assert response.status_code == 413


def test_unknown_account_is_404(client):
    request = WeChatSimulator().plain(text_message("你好", openid()))
    assert post(client, request, account="nowhere").status_code == 404
    assert client.get("/wechat/nowhere", params={**request.params, "echostr": "x"}).status_code == 404


# ---- retries: one effect, the first answer ---------------------------------------------------------------
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_replay_returns_the_first_answer_and_has_one_effect(client, mode):
    user = openid()
    sim = WeChatSimulator()
    xml = text_message("人工", user, msg_id="6001")
    first = post(client, sim.plain(xml) if mode == "plain" else sim.safe(xml))
    after_first = conversation_messages(client.app.state.engine, user)
    second = post(client, sim.plain(xml) if mode == "plain" else sim.safe(xml))
    assert first.status_code == second.status_code == 200
    one, two = (sim.open_reply(r.text, encrypted=mode == "safe") for r in (first, second))
    assert one["Content"] == two["Content"]
    assert conversation_messages(client.app.state.engine, user) == after_first
    assert [d for d, _ in after_first].count("in") == 1


def test_same_msg_id_from_two_people_is_two_messages(client):
    sim = WeChatSimulator()
    users = [openid(), openid()]
    for user in users:
        assert post(client, sim.plain(text_message("人工", user, msg_id="7777"))).status_code == 200
    for user in users:
        assert [d for d, _ in conversation_messages(client.app.state.engine, user)].count("in") == 1


def test_repeated_event_is_handled_once(client):
    user = openid()
    sim = WeChatSimulator()
    xml = with_openid((SAMPLES / "event-subscribe.xml").read_text(encoding="utf-8"), user)
    first, second = post(client, sim.plain(xml)), post(client, sim.plain(xml))
    assert sim.open_reply(first.text, False)["Content"] == sim.open_reply(second.text, False)["Content"]
    assert [d for d, _ in conversation_messages(client.app.state.engine, user)].count("in") == 1


def _concurrent(clients_and_requests):
    with ThreadPoolExecutor(max_workers=len(clients_and_requests)) as pool:
        futures = [pool.submit(post, c, r) for c, r in clients_and_requests]
        return [f.result() for f in futures]


def test_concurrent_copies_get_the_same_answer_once(base_engine, database_url, fake):
    slow = variant(base_engine, SlowEngine, delay=0.4)
    app = create_app(make_settings(database_url, fake), engine=slow)
    user = openid()
    sim = WeChatSimulator()
    xml = text_message("人工", user, msg_id="8001")
    with TestClient(app) as test_client:
        responses = _concurrent([(test_client, sim.plain(xml)), (test_client, sim.plain(xml))])
    assert {r.status_code for r in responses} == {200}
    contents = {sim.open_reply(r.text, False)["Content"] for r in responses}
    assert len(contents) == 1
    assert [d for d, _ in conversation_messages(base_engine, user)].count("in") == 1


def test_two_app_instances_on_one_database_answer_once(base_engine, database_url, fake):
    """Two workers: each its own engine, pool and locks; the database claim decides who handles it."""
    one = variant(base_engine, SlowEngine, separate_worker=True, delay=0.4)
    two = variant(base_engine, SlowEngine, separate_worker=True, delay=0.4)
    settings = make_settings(database_url, fake)
    user = openid()
    sim = WeChatSimulator()
    xml = sim.safe(text_message("人工", user, msg_id="8002"))
    with (
        TestClient(create_app(settings, engine=one)) as first,
        TestClient(create_app(settings, engine=two)) as second,
    ):
        responses = _concurrent([(first, xml), (second, xml)])
    assert {r.status_code for r in responses} == {200}
    contents = {sim.open_reply(r.text, True)["Content"] for r in responses}
    assert len(contents) == 1
    assert [d for d, _ in conversation_messages(base_engine, user)].count("in") == 1


# ---- answers within the budget ----------------------------------------------------------------------------
def test_slow_answer_is_acknowledged_then_sent_as_customer_service_message(base_engine, database_url, fake):
    slow = variant(base_engine, SlowEngine, delay=0.6)
    app = create_app(make_settings(database_url, fake, reply_budget_seconds=0.2), engine=slow)
    user = openid()
    sim = WeChatSimulator()
    xml = text_message("人工", user, msg_id="9001")
    with TestClient(app) as test_client:
        started = time.perf_counter()
        response = post(test_client, sim.safe(xml))
        elapsed = time.perf_counter() - started
        assert response.status_code == 200
        assert response.text == "success"
        assert elapsed < 0.55
        assert fake.wait_for(lambda: len(fake.sent_texts(user)) == 1)
        # a retry of the same message now must not answer a second time
        retry = post(test_client, sim.plain(xml))
        assert retry.text == "success"
    expected = [m for d, m in conversation_messages(base_engine, user) if d == "out"]
    assert fake.sent_texts(user)[0].startswith(expected[0].split("\n")[0])
    with Session(base_engine.db) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.user_key == user)).all()
    assert len(rows) == 1 and rows[0].sent_at is not None


def test_long_answer_is_split_and_the_rest_sent_in_order(base_engine, database_url, fake):
    paragraphs = [f"第{i}段：" + "医保异地就医备案说明。" * 30 for i in range(8)]
    long_engine = variant(base_engine, LongEngine, answer="\n\n".join(paragraphs))
    app = create_app(make_settings(database_url, fake), engine=long_engine)
    user = openid()
    sim = WeChatSimulator()
    with TestClient(app) as test_client:
        response = post(test_client, sim.safe(text_message("你好", user)))
        first = sim.open_reply(response.text, True)["Content"]
        assert len(first.encode("utf-8")) <= 2048
        assert first.startswith("第0段")
        assert fake.wait_for(lambda: len(fake.sent_texts(user)) >= 2)
    rest = fake.sent_texts(user)
    assert all(len(part.encode("utf-8")) <= 2048 for part in rest)
    joined = "\n\n".join([first, *rest])
    assert joined == "\n\n".join(paragraphs)


def test_engine_failure_is_an_apology_not_a_500_and_a_retry_tries_again(base_engine, database_url, fake):
    broken = variant(base_engine, BrokenEngine)
    user = openid()
    sim = WeChatSimulator()
    xml = text_message("人工", user, msg_id="9501")
    with TestClient(create_app(make_settings(database_url, fake), engine=broken)) as test_client:
        response = post(test_client, sim.safe(xml))
        assert response.status_code == 200
        apology = sim.open_reply(response.text, True)["Content"]
        assert apology == base_engine.renderer.render("engine/internal_error", "zh_CN")
    with TestClient(create_app(make_settings(database_url, fake), engine=base_engine)) as test_client:
        retry = sim.open_reply(post(test_client, sim.plain(xml)).text, False)["Content"]
    assert retry != apology  # the claim was released: the working engine handled the retry
    assert [d for d, _ in conversation_messages(base_engine, user)].count("in") == 1


# ---- metrics and logs -------------------------------------------------------------------------------------
def _metric(client: TestClient, prefix: str) -> float:
    total = 0.0
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(prefix):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_messages_handoffs_and_refusals_are_counted(client):
    handoffs = _metric(client, 'yibao_handoffs_total{channel="wechat"}')
    messages = _metric(client, 'yibao_messages_total{channel="wechat",intent="cmd:human",kind="text"}')
    refusals = _metric(client, 'yibao_errors_total{channel="wechat",reason="signature"}')
    sim = WeChatSimulator()
    post(client, sim.plain(text_message("人工", openid())))
    post(client, WeChatSimulator(token="x").plain(text_message("人工", openid())))
    assert _metric(client, 'yibao_handoffs_total{channel="wechat"}') == handoffs + 1
    assert (
        _metric(client, 'yibao_messages_total{channel="wechat",intent="cmd:human",kind="text"}')
        == messages + 1
    )
    assert _metric(client, 'yibao_errors_total{channel="wechat",reason="signature"}') == refusals + 1
    assert _metric(client, 'yibao_reply_seconds_count{channel="wechat"}') > 0


def test_logs_carry_neither_openid_nor_content(client, caplog):
    user = openid()
    caplog.set_level("DEBUG")
    post(client, WeChatSimulator().safe(text_message("我的手机号13912345678", user)))
    post(client, WeChatSimulator(token="x").plain(text_message("秘密内容", user)))
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert user not in logged
    assert "13912345678" not in logged and "秘密内容" not in logged
