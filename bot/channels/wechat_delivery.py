"""WeChat's server API through wechatpy: clients on a configurable API base, customer-service delivery through
the outbox (late and long answers), the late-answer hand-over, and mini-program code2session.

Delivery is at-least-once and ordered per person: a sender takes a row by compare-and-swap with a short
lease (two senders never send the same row), marks it sent once WeChat accepts it; a failed row waits for
deliver_pending. The outbox SQL lives in bot.store.outbox.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urljoin

import requests
from sqlalchemy.engine import Engine as DbEngine
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.wechat import user_tag
from bot.errors import DeliveryFailed, LoginRefused
from bot.messages import Reply
from bot.store import outbox
from bot.store.models import OutboxMessage

log = logging.getLogger(__name__)

CHANNEL = "wechat"
HTTP_TIMEOUT_SECONDS = 5.0
LEASE_SECONDS = 60  # a row "sending" for longer than this belongs to a sender that died: retake it


class TextSender(Protocol):
    """The part of wechatpy's WeChatClient delivery uses."""

    @property
    def message(self) -> Any: ...


ClientFactory = Callable[[str], TextSender]  # account name -> client


class ApiClient(WeChatClient):  # type: ignore[misc]
    """wechatpy's WeChatClient with every endpoint, the token one included, under one configurable base."""

    def __init__(
        self, appid: str, secret: str, *, api_base: str, timeout: float = HTTP_TIMEOUT_SECONDS
    ) -> None:
        super().__init__(appid, secret, timeout=timeout)
        self.API_BASE_URL = api_base
        self.wxa.API_BASE_URL = urljoin(api_base, "../")  # sns/jscode2session lives above cgi-bin/

    def fetch_access_token(self) -> dict[str, Any]:
        return self._fetch_access_token(  # type: ignore[no-any-return]
            url=urljoin(self.API_BASE_URL, "token"),
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


@lru_cache(maxsize=64)
def client_for(app_id: str, secret: str, api_base: str) -> ApiClient:
    """One client per app and base, so the access token is fetched once per two hours, not per call."""
    return ApiClient(app_id, secret, api_base=api_base)


class AccountSecrets(Protocol):
    name: str
    app_id: str
    app_secret: str


def client_factory(accounts: Sequence[AccountSecrets], api_base: str) -> ClientFactory:
    """Clients by account name, from the deployment's account list."""
    by_name = {a.name: a for a in accounts}

    def factory(name: str) -> TextSender:
        try:
            account = by_name[name]
        except KeyError as exc:
            raise DeliveryFailed(f"no WeChat account named {name}") from exc
        return client_for(account.app_id, account.app_secret, api_base)

    return factory


# ---- outbox -----------------------------------------------------------------------------------------------
def enqueue(db: DbEngine, *, account: str, user_key: str, texts: Iterable[str]) -> list[int]:
    """Store customer-service text messages to send, in order; returns their ids."""
    payloads = [_text_payload(t) for t in texts if t]
    return outbox.enqueue(db, channel=CHANNEL, account=account, user_key=user_key, payloads=payloads)


def _text_payload(text: str) -> dict[str, str]:
    return {"msgtype": "text", "text": text}


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def deliver(db: DbEngine, factory: ClientFactory, ids: Sequence[int]) -> DeliveryReport:
    """Send these outbox rows in order; after a failure the person's later rows wait (order is kept)."""
    return _send_rows(db, factory, outbox.rows_by_ids(db, ids=ids))


def deliver_pending(
    engine_db: DbEngine, client_factory: ClientFactory, *, limit: int = 500
) -> DeliveryReport:
    """Retry every unsent WeChat outbox row, oldest first (for `yibao jobs run`)."""
    return _send_rows(engine_db, client_factory, outbox.unsent(engine_db, channel=CHANNEL, limit=limit))


def _send_rows(db: DbEngine, factory: ClientFactory, rows: Sequence[OutboxMessage]) -> DeliveryReport:
    sent = failed = 0
    blocked: set[tuple[str, str]] = set()
    for row in rows:
        person = (row.account, row.user_key)
        if person in blocked or row.sent_at is not None:
            continue
        if not outbox.lease(db, row=row, lease_seconds=LEASE_SECONDS):
            blocked.add(person)  # another sender is on this person's messages: it keeps their order
            continue
        try:
            _send(factory, row)
        except DeliveryFailed as exc:
            failed += 1
            blocked.add(person)
            outbox.mark_failed(db, row_id=row.id, error=str(exc))
            log.warning("outbox send failed", extra={"outbox_id": row.id, "user": user_tag(row.user_key)})
            continue
        outbox.mark_sent(db, row_id=row.id)
        sent += 1
    return DeliveryReport(sent=sent, failed=failed)


def _send(factory: ClientFactory, row: OutboxMessage) -> None:
    text = str(row.payload.get("text", ""))
    try:
        factory(row.account).message.send_text(row.user_key, text)
    except WeChatClientException as exc:
        raise DeliveryFailed(f"WeChat refused the message: errcode {exc.errcode}") from exc
    except requests.RequestException as exc:
        raise DeliveryFailed(f"WeChat API unreachable: {type(exc).__name__}") from exc


# ---- late answers -----------------------------------------------------------------------------------------
class Rendezvous:
    """Hands the engine's answer to the request still waiting for it, or, once the request has answered
    "success" for lack of time, to the outbox. Exactly one of the two gets it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settled = False
        self._abandoned = False
        self._reply: Reply | None = None

    def settle(self, reply: Reply | None) -> bool:
        """From the worker: True when the waiting request takes the reply, False when it must go late."""
        with self._lock:
            if self._abandoned:
                return False
            self._settled = True
            self._reply = reply
            return True

    def abandon(self) -> tuple[bool, Reply | None]:
        """From the request, out of time: (True, reply) if it arrived just now, else (False, None) and the
        worker delivers it later."""
        with self._lock:
            if self._settled:
                return True, self._reply
            self._abandoned = True
            return False, None


# ---- mini-program -----------------------------------------------------------------------------------------
def code_to_openid(client: ApiClient, code: str) -> str:
    """code2session through wechatpy's WeChatWxa; the session_key is dropped at once (never stored)."""
    try:
        result = client.wxa.code_to_session(code)
    except WeChatClientException as exc:
        if exc.errcode is None:
            raise DeliveryFailed("WeChat API failed") from exc
        raise LoginRefused(f"code2session refused: errcode {exc.errcode}") from exc
    except requests.RequestException as exc:
        raise DeliveryFailed(f"WeChat API unreachable: {type(exc).__name__}") from exc
    openid = result.get("openid") if isinstance(result, dict) else None
    if not openid:
        raise LoginRefused("code2session returned no openid")
    return str(openid)


# ---- menu -------------------------------------------------------------------------------------------------
def push_menu(client: ApiClient, menu: dict[str, Any]) -> None:
    """Create the account menu through wechatpy's menu/create."""
    try:
        client.menu.create(menu)
    except WeChatClientException as exc:
        raise DeliveryFailed(f"WeChat refused the menu: errcode {exc.errcode} {exc.errmsg}") from exc
    except requests.RequestException as exc:
        raise DeliveryFailed(f"WeChat API unreachable: {type(exc).__name__}") from exc
