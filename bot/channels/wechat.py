"""WeChat official-account callback protocol: signatures, safe-mode crypto, hostile-XML-proof parsing, mapping
to Inbound, passive replies, long-text splitting, and the account menu. No web framework here.

Order of checks on a POST, each refusing before the next runs: signature (plain or msg_signature), timestamp
window, XML parsed by defusedxml (no DTD, entities or external references), then wechatpy.parse_message.
Errors raised: bot.errors.BadSignature, StaleRequest, MalformedMessage (the api layer chooses 403/400).
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError  # noqa: S405  (types only; parsing is defusedxml's)

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import BaseEvent
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from bot.content.loader import MenuItem
from bot.errors import BadSignature, ContentError, MalformedMessage, StaleRequest
from bot.messages import Inbound, InboundKind, Reply

# WeChat's limit for the Content of a passive text reply and of a customer-service text message.
MAX_TEXT_BYTES = 2048
SUCCESS = "success"  # the body WeChat reads as "received, nothing to say"

_KINDS: dict[str, InboundKind] = {
    "text": "text",
    "voice": "voice",
    "image": "image",
    "location": "location",
    "link": "link",
    "video": "video",
    "shortvideo": "video",
    "file": "file",
    "event": "event",
}
# WeChat menu limits: 3 buttons of at most 5 items; names of 16 and 60 bytes.
_MENU_BUTTONS, _MENU_ITEMS, _BUTTON_BYTES, _ITEM_BYTES = 3, 5, 16, 60


class AccountKeys(Protocol):
    """What the protocol needs to know of an official account (api.settings.WeChatAccount fits)."""

    name: str
    region: str
    app_id: str
    token: str
    aes_key: str | None


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat adds to every callback request."""

    signature: str = ""
    timestamp: str = ""
    nonce: str = ""
    echostr: str = ""
    encrypt_type: str = ""
    msg_signature: str = ""

    @classmethod
    def from_mapping(cls, params: Mapping[str, str]) -> CallbackQuery:
        return cls(**{name: params.get(name, "") for name in cls.__dataclass_fields__})

    @property
    def encrypted(self) -> bool:
        return self.encrypt_type.lower() == "aes"


@dataclass(frozen=True)
class Incoming:
    """A verified, parsed message: what the engine sees, and what the reply needs."""

    inbound: Inbound
    claim_key: str
    openid: str
    account_id: str  # the official account's own id (ToUserName), the source of our reply
    encrypted: bool
    nonce: str


def signature_of(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted parts (token, timestamp, nonce[, Encrypt])."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def user_tag(openid: str) -> str:
    """A stable, non-reversible tag of an openid for logs (never log the openid itself)."""
    return hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


class WeChatCallback:
    """The callback protocol of one official account."""

    def __init__(self, account: AccountKeys, *, tolerance_seconds: int) -> None:
        self.account = account
        self.tolerance = tolerance_seconds
        self._crypto = (
            WeChatCrypto(account.token, account.aes_key, account.app_id) if account.aes_key else None
        )

    # ---- verification ------------------------------------------------------------------------------------
    def verify(self, query: CallbackQuery, now: float) -> None:
        """The plain signature over token, timestamp and nonce, then the timestamp window."""
        _require(query.signature and query.timestamp and query.nonce, "signature, timestamp or nonce missing")
        expected = signature_of(self.account.token, query.timestamp, query.nonce)
        if not hmac.compare_digest(expected, query.signature):
            raise BadSignature("signature does not match")
        self._check_time(query.timestamp, now)

    def echo(self, query: CallbackQuery, now: float) -> str:
        """GET: the server check echoes echostr once the signature is right."""
        self.verify(query, now)
        return query.echostr

    def _check_time(self, timestamp: str, now: float) -> None:
        try:
            sent = int(timestamp)
        except ValueError as exc:
            raise BadSignature("timestamp is not a number") from exc
        if abs(now - sent) > self.tolerance:
            raise StaleRequest("timestamp outside the accepted window")

    # ---- opening a message -------------------------------------------------------------------------------
    def open(self, query: CallbackQuery, body: bytes, *, now: float, received_at: datetime) -> Incoming:
        """Verify, decrypt (safe mode), parse and map one POSTed message."""
        if query.encrypted:
            xml_text = self._decrypt(query, body, now)
        else:
            self.verify(query, now)
            xml_text = _decode(body)
        fields = parse_xml(xml_text)
        message = _wechatpy_message(xml_text)
        openid = fields.get("FromUserName", "")
        if not openid:
            raise MalformedMessage("FromUserName missing")
        return Incoming(
            inbound=to_inbound(message, fields, account=self.account, received_at=received_at),
            claim_key=claim_key(self.account.name, fields),
            openid=openid,
            account_id=fields.get("ToUserName", ""),
            encrypted=query.encrypted,
            nonce=query.nonce,
        )

    def _decrypt(self, query: CallbackQuery, body: bytes, now: float) -> str:
        if self._crypto is None:
            raise MalformedMessage("safe mode is not configured for this account")
        _require(query.msg_signature and query.timestamp and query.nonce, "msg_signature missing")
        if query.signature:  # WeChat sends both; a wrong plain signature is a forgery too
            self.verify(query, now)
        envelope = parse_xml(_decode(body))
        encrypt = envelope.get("Encrypt", "")
        if not encrypt:
            raise MalformedMessage("Encrypt missing")
        try:
            plain = self._crypto.decrypt_message(
                {"Encrypt": encrypt}, query.msg_signature, query.timestamp, query.nonce
            )
        except (InvalidSignatureException, InvalidAppIdException) as exc:
            raise BadSignature("msg_signature or AppID does not match") from exc
        except (ValueError, TypeError, IndexError, struct.error) as exc:
            raise MalformedMessage("Encrypt is not a valid ciphertext") from exc
        self._check_time(query.timestamp, now)
        return str(plain)

    # ---- replying ----------------------------------------------------------------------------------------
    def passive_reply(self, incoming: Incoming, text: str, *, now: float) -> str:
        """The XML of a passive text reply, encrypted when the message came encrypted."""
        xml = TextReply(
            source=incoming.account_id, target=incoming.openid, content=cdata_safe(text), time=int(now)
        ).render()
        return self.seal(incoming, xml, now=now)

    def seal(self, incoming: Incoming, xml: str, *, now: float) -> str:
        if not incoming.encrypted or self._crypto is None:
            return xml
        return str(self._crypto.encrypt_message(xml, incoming.nonce, str(int(now))))


def _require(condition: Any, reason: str) -> None:
    if not condition:
        raise BadSignature(reason)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage("body is not UTF-8") from exc


def parse_xml(text: str) -> dict[str, str]:
    """The children of a WeChat <xml> document as text; DTDs, entities and external references refused."""
    if not text.strip():
        raise MalformedMessage("empty body")
    try:
        root: Element = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as exc:
        raise MalformedMessage(f"refused XML: {type(exc).__name__}") from exc
    if root.tag != "xml":
        raise MalformedMessage("root element is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def _wechatpy_message(xml_text: str) -> BaseMessage:
    """wechatpy's typed message, only ever for XML defusedxml has already accepted."""
    try:
        message = parse_message(xml_text)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise MalformedMessage("not a WeChat message (MsgType missing or malformed)") from exc
    if message is None:
        raise MalformedMessage("empty message")
    return message


def to_inbound(
    message: BaseMessage, fields: Mapping[str, str], *, account: AccountKeys, received_at: datetime
) -> Inbound:
    """Channel-neutral form: text, voice with its Recognition, events lower-cased, the rest by kind."""
    raw_type = fields.get("MsgType", "").lower()
    kind: InboundKind = _KINDS.get(raw_type, "unknown")
    text = ""
    event = event_key = ""
    if kind == "text":
        text = fields.get("Content", "")
    elif kind == "voice":
        text = fields.get("Recognition", "")
    elif kind == "event":
        # wechatpy names scan-to-subscribe "subscribe_scan"; unknown events keep their own name
        event = message.event if isinstance(message, BaseEvent) else fields.get("Event", "").lower()
        event_key = fields.get("EventKey", "")
    return Inbound(
        channel="wechat",
        account=account.name,
        user_key=fields.get("FromUserName", ""),
        kind=kind,
        received_at=received_at,
        text=text,
        event=event,
        event_key=event_key,
        message_id=fields.get("MsgId", ""),
        region=account.region,
    )


def claim_key(account: str, fields: Mapping[str, str]) -> str:
    """Retry dedupe key: FromUserName + MsgId for messages; FromUserName + CreateTime + Event + EventKey for
    events (MsgId alone collides across users). Hashed: fixed length, and no openid in the claims table."""
    openid = fields.get("FromUserName", "")
    msg_id = fields.get("MsgId", "")
    parts: tuple[str, ...]
    if msg_id and fields.get("MsgType", "").lower() != "event":
        parts = ("msg", account, openid, msg_id)
    else:
        parts = (
            "event",
            account,
            openid,
            fields.get("CreateTime", ""),
            fields.get("MsgType", ""),
            fields.get("Event", ""),
            fields.get("EventKey", ""),
        )
    return "wechat:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# ---- text -------------------------------------------------------------------------------------------------
def reply_text(reply: Reply) -> str:
    """Everything the engine answered, as one text (numbered choices become lines)."""
    return "\n\n".join(t for t in (m.as_plain_text() for m in reply.messages) if t)


def cdata_safe(text: str) -> str:
    """wechatpy writes Content inside CDATA: a literal ']]>' must be split across two sections."""
    return text.replace("]]>", "]]]]><![CDATA[>")


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes, cut at paragraph, then line, then sentence boundaries."""
    text = text.strip()
    if _size(text) <= limit:
        return [text] if text else []
    return [p.strip() for p in _pieces(text, ("\n\n", "\n"), limit) if p.strip()]


def _pieces(text: str, separators: Sequence[str], limit: int) -> list[str]:
    """Split by the first separator; pieces still too long are split by the next, finally by sentences."""
    if _size(text) <= limit:
        return [text]
    if not separators:
        return _hard_split(text, limit)
    separator, rest = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for block in text.split(separator):
        candidate = f"{current}{separator}{block}" if current else block
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if _size(block) <= limit:
            current = block
        else:
            chunks.extend(_pieces(block, rest, limit))
            current = ""
    if current:
        chunks.append(current)
    return chunks


_SENTENCE_ENDS = "。！？；.!?;"


def _hard_split(text: str, limit: int) -> list[str]:
    """A single over-long line: cut after the last sentence end that fits, else at the byte limit."""
    chunks: list[str] = []
    while _size(text) > limit:
        cut = 0
        size = 0
        for index, char in enumerate(text):
            size += _size(char)
            if size > limit:
                break
            cut = index + 1
        window = text[:cut]
        ends = [window.rfind(mark) for mark in _SENTENCE_ENDS]
        best = max(ends)
        if best >= cut // 2:
            cut = best + 1
        chunks.append(text[:cut])
        text = text[cut:]
    if text:
        chunks.append(text)
    return chunks


# ---- menu -------------------------------------------------------------------------------------------------
def menu_json(menu: Sequence[MenuItem]) -> dict[str, Any]:
    """The account menu in WeChat menu/create format: click buttons by menu key, url: items as view."""
    if len(menu) > _MENU_BUTTONS:
        raise ContentError(f"menu.yaml: WeChat allows {_MENU_BUTTONS} buttons, found {len(menu)}")
    buttons: list[dict[str, Any]] = []
    for item in menu:
        _check_name(item.label, _BUTTON_BYTES)
        if item.children:
            if len(item.children) > _MENU_ITEMS:
                raise ContentError(f"menu.yaml: {item.key} has more than {_MENU_ITEMS} items")
            for child in item.children:
                _check_name(child.label, _ITEM_BYTES)
            buttons.append({"name": item.label, "sub_button": [_button(c) for c in item.children]})
        else:
            buttons.append(_button(item))
    return {"button": buttons}


def _button(item: MenuItem) -> dict[str, str]:
    kind, _, value = item.target.partition(":")
    if kind == "url":
        return {"type": "view", "name": item.label, "url": value}
    return {"type": "click", "name": item.label, "key": item.key}


def _check_name(label: str, limit: int) -> None:
    if _size(label) > limit:
        raise ContentError(f"menu.yaml: label {label!r} is longer than WeChat's {limit} bytes")
