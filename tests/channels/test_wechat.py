"""The WeChat protocol module on raw XML: parsing refusals, mapping, claim keys, splitting, replies, menu."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
import xmltodict

from bot.channels.wechat import (
    CallbackQuery,
    WeChatCallback,
    cdata_safe,
    claim_key,
    menu_json,
    parse_xml,
    reply_text,
    split_text,
)
from bot.content.loader import MenuItem, load_region
from bot.errors import BadSignature, ContentError, MalformedMessage, StaleRequest
from bot.messages import Choice, Link, Outbound, Reply
from tests.conftest import CONTENT
from tests.fakes.wechat_client import WeChatSimulator, text_message, with_openid

SAMPLES = Path("/work/shared/wechat-samples")
if not SAMPLES.is_dir():
    SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "wechat-samples"


class Account:
    name = "jilin"
    region = "jilin"
    app_id = "wxdemojilin000001"
    token = "yibao-demo"
    aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


WHEN = datetime(2026, 11, 22, 10, 0)


def callback() -> WeChatCallback:
    return WeChatCallback(Account(), tolerance_seconds=300)


def open_sample(name: str, *, safe: bool = False, user: str = "o-user-1"):
    xml = with_openid((SAMPLES / name).read_text(encoding="utf-8"), user)
    sim = WeChatSimulator()
    request = sim.safe(xml) if safe else sim.plain(xml)
    query = CallbackQuery.from_mapping(request.params)
    return callback().open(query, request.body, now=time.time(), received_at=WHEN)


# ---- mapping ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("safe", [False, True])
def test_text_maps_to_inbound(safe):
    incoming = open_sample("text.xml", safe=safe)
    inbound = incoming.inbound
    assert (inbound.channel, inbound.account, inbound.region) == ("wechat", "jilin", "jilin")
    assert (inbound.kind, inbound.text, inbound.user_key) == ("text", "this is a test", "o-user-1")
    assert incoming.encrypted is safe
    assert incoming.account_id == "toUser"


@pytest.mark.parametrize(
    ("sample", "kind", "text", "event", "key"),
    [
        ("voice.xml", "voice", "Meow~", "", ""),
        ("image.xml", "image", "", "", ""),
        ("location.xml", "location", "", "", ""),
        ("unknown.xml", "unknown", "", "", ""),
        ("event-click.xml", "event", "", "click", "EVENTKEY"),
        ("event-subscribe.xml", "event", "", "subscribe", ""),
        ("event-subscribe-2.xml", "event", "", "subscribe_scan", "qrscene_123123"),
        ("event-unknown.xml", "event", "", "unknown", ""),
        ("event-user_consume_card.xml", "event", "", "user_consume_card", ""),
    ],
)
def test_kinds_and_events(sample, kind, text, event, key):
    inbound = open_sample(sample).inbound
    assert (inbound.kind, inbound.text, inbound.event, inbound.event_key) == (kind, text, event, key)


def test_whitespace_around_cdata_is_trimmed():
    incoming = open_sample("event-user_consume_card.xml", user="o-spaced")
    assert incoming.openid == "o-spaced"
    assert incoming.account_id == "gh_fc0a06a20993"


# ---- verification -----------------------------------------------------------------------------------------
def test_wrong_token_is_bad_signature():
    request = WeChatSimulator(token="other").plain(text_message("hi", "o1"))
    with pytest.raises(BadSignature):
        callback().open(
            CallbackQuery.from_mapping(request.params), request.body, now=time.time(), received_at=WHEN
        )


def test_old_timestamp_is_stale_even_with_a_good_signature():
    request = WeChatSimulator().plain(text_message("hi", "o1"), timestamp=int(time.time()) - 301)
    with pytest.raises(StaleRequest):
        callback().open(
            CallbackQuery.from_mapping(request.params), request.body, now=time.time(), received_at=WHEN
        )


def test_non_numeric_timestamp_is_refused():
    query = CallbackQuery.from_mapping({**WeChatSimulator().query(), "timestamp": "soon"})
    with pytest.raises(BadSignature):
        callback().verify(query, time.time())


# ---- parsing ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE xml [<!ENTITY a "x">]><xml><A>&a;</A></xml>',
        '<!DOCTYPE xml [<!ENTITY a SYSTEM "file:///etc/hostname">]><xml><A>&a;</A></xml>',
        '<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd"><xml/>',
        "<xml><A></xml>",
        "plain words",
        "   ",
        "<other/>",
    ],
)
def test_parse_xml_refuses(body):
    with pytest.raises(MalformedMessage):
        parse_xml(body)


def test_parse_xml_reads_children():
    assert parse_xml("<xml><A><![CDATA[ x ]]></A><B>2</B><C><D>1</D></C></xml>") == {
        "A": "x",
        "B": "2",
        "C": "",
    }


# ---- claim keys -------------------------------------------------------------------------------------------
def test_claim_key_uses_sender_and_msg_id():
    one = {"FromUserName": "a", "MsgId": "1", "MsgType": "text", "CreateTime": "5"}
    assert claim_key("jilin", one) == claim_key("jilin", {**one, "CreateTime": "6"})
    assert claim_key("jilin", one) != claim_key("jilin", {**one, "FromUserName": "b"})
    assert claim_key("jilin", one) != claim_key("dezhou", one)
    secret = {**one, "FromUserName": "o-secret-openid"}
    assert "o-secret-openid" not in claim_key("jilin", secret) and len(claim_key("jilin", secret)) < 200


def test_claim_key_of_events_uses_time_event_and_key():
    event = {"FromUserName": "a", "MsgType": "event", "CreateTime": "5", "Event": "CLICK", "EventKey": "K"}
    assert claim_key("jilin", event) == claim_key("jilin", dict(event))
    for change in ({"CreateTime": "6"}, {"EventKey": "L"}, {"Event": "VIEW"}, {"FromUserName": "b"}):
        assert claim_key("jilin", event) != claim_key("jilin", {**event, **change})


# ---- text -------------------------------------------------------------------------------------------------
def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def test_short_text_is_one_part():
    assert split_text("你好\n\n再见") == ["你好\n\n再见"]
    assert split_text("   ") == []


def test_paragraphs_are_kept_whole_when_they_fit():
    paragraphs = [f"第{i}段" + "内容" * 150 for i in range(6)]
    parts = split_text("\n\n".join(paragraphs))
    assert all(_bytes(p) <= 2048 for p in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    assert all(p.startswith("第") for p in parts)


def test_long_paragraph_is_cut_at_lines_then_sentences():
    lines = "\n".join(f"{i}. " + "报销需要材料。" * 20 for i in range(10))
    parts = split_text(lines)
    assert len(parts) > 1 and all(_bytes(p) <= 2048 for p in parts)
    assert all(p.split("\n")[0].split(".")[0].isdigit() for p in parts)
    sentence = "这是一句很长的话。" * 200
    pieces = split_text(sentence)
    assert all(_bytes(p) <= 2048 and p.endswith("。") for p in pieces)
    assert "".join(pieces) == sentence


def test_text_without_any_boundary_is_cut_at_the_byte_limit():
    pieces = split_text("长" * 3000, limit=2048)
    assert all(_bytes(p) <= 2048 for p in pieces)
    assert "".join(pieces) == "长" * 3000


def test_reply_text_renders_choices_and_links_as_lines():
    reply = Reply(
        messages=(
            Outbound(text="请选择：", choices=(Choice("a", "备案"), Choice("b", "报销"))),
            Outbound(text="详情", links=(Link("政策原文", "https://example.org/p"),)),
        )
    )
    assert reply_text(reply) == "请选择：\n1. 备案\n2. 报销\n\n详情\n政策原文：https://example.org/p"


@pytest.mark.parametrize("safe", [False, True])
def test_passive_reply_survives_cdata_terminator(safe):
    incoming = open_sample("text.xml", safe=safe)
    xml = callback().passive_reply(incoming, "a]]>b <tag> &", now=time.time())
    fields = WeChatSimulator().open_reply(xml, encrypted=safe)
    assert fields["Content"] == "a]]>b <tag> &"
    assert fields["ToUserName"] == "o-user-1" and fields["FromUserName"] == "toUser"
    assert cdata_safe("x") == "x"
    assert xmltodict.parse(xml)["xml"]


# ---- menu -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["jilin", "dezhou"])
def test_menu_of_each_region_is_valid_wechat_menu(region):
    pack = load_region(CONTENT / "regions" / region)
    menu = menu_json(pack.menu)
    assert 1 <= len(menu["button"]) <= 3
    for button in menu["button"]:
        for item in button.get("sub_button", [button]):
            assert item["type"] in ("click", "view")
            assert pack.menu_target(item["key"]) if item["type"] == "click" else item["url"]


def test_menu_url_items_become_view_buttons():
    menu = menu_json([MenuItem("WEB", "网页", "url:https://example.org/")])
    assert menu == {"button": [{"type": "view", "name": "网页", "url": "https://example.org/"}]}


@pytest.mark.parametrize(
    "items",
    [
        [MenuItem(f"K{i}", "菜单", "cmd:help") for i in range(4)],
        [MenuItem("P", "菜单", "", children=tuple(MenuItem(f"C{i}", "子项", "cmd:help") for i in range(6)))],
        [MenuItem("K", "一个非常非常长的菜单名字", "cmd:help")],
    ],
)
def test_menu_beyond_wechat_limits_is_a_content_error(items):
    with pytest.raises(ContentError):
        menu_json(items)
