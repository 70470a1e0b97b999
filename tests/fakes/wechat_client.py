"""WeChat's side of the callback protocol for tests: signed plaintext and safe-mode requests built with
wechatpy's own signer and WeChatCrypto, and replies opened (and their signatures checked) the same way."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner, check_signature

DEMO_TOKEN = "yibao-demo"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_IDS = {"jilin": "wxdemojilin000001", "dezhou": "wxdemodezhou00001"}

_FROM = re.compile(r"<FromUserName>.*?</FromUserName>", re.S)


def sign(token: str, *parts: str) -> str:
    """check_signature's algorithm: sha1 over the sorted token, timestamp, nonce (and Encrypt)."""
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return str(signer.signature)


def with_openid(xml: str, openid: str) -> str:
    """The sample with its FromUserName replaced, so each test is a different person."""
    return _FROM.sub(f"<FromUserName><![CDATA[{openid}]]></FromUserName>", xml, count=1)


@dataclass
class Request:
    params: dict[str, str]
    body: bytes


class WeChatSimulator:
    """Builds the requests WeChat's servers send to an account's callback."""

    def __init__(
        self, account: str = "jilin", *, token: str = DEMO_TOKEN, aes_key: str = DEMO_AES_KEY
    ) -> None:
        self.account = account
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, APP_IDS.get(account, account))

    def query(self, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or uuid.uuid4().hex[:10]
        signature = sign(self.token, ts, nonce)
        check_signature(self.token, signature, ts, nonce)  # the simulator agrees with wechatpy
        return {"signature": signature, "timestamp": ts, "nonce": nonce}

    def plain(self, xml: str | bytes, timestamp: int | None = None) -> Request:
        body = xml.encode("utf-8") if isinstance(xml, str) else xml
        return Request(self.query(timestamp), body)

    def safe(self, xml: str, timestamp: int | None = None) -> Request:
        params = self.query(timestamp)
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, params["nonce"], params["timestamp"]))[
            "xml"
        ]
        params.update(encrypt_type="aes", msg_signature=envelope["MsgSignature"])
        return Request(params, _envelope(envelope["Encrypt"]))

    def safe_raw(self, encrypt: str, timestamp: int | None = None) -> Request:
        """A safe-mode request around any Encrypt value, correctly signed."""
        params = self.query(timestamp)
        params.update(
            encrypt_type="aes", msg_signature=sign(self.token, params["timestamp"], params["nonce"], encrypt)
        )
        body = (
            f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        return Request(params, body.encode("utf-8"))

    def open_reply(self, text: str, encrypted: bool) -> dict[str, Any]:
        """The reply's fields; a safe-mode reply is signature-checked and decrypted with wechatpy."""
        if encrypted:
            envelope = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(
                text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
            )
        return dict(xmltodict.parse(text)["xml"])


def _envelope(encrypt: str) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    ).encode()


def text_message(content: str, openid: str, msg_id: str | None = None) -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id or str(uuid.uuid4().int)[:16]}</MsgId></xml>"
    )
