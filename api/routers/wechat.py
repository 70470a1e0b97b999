"""WeChat callback of each official account: GET /wechat/{account} (server check), POST (messages and events).

Always answers in time: refusals are 403/400/413/404, never 500; an answer not ready within the reply budget
is acknowledged with "success" and delivered afterwards by customer-service message.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from jinja2 import TemplateError
from starlette.background import BackgroundTask

from api.settings import Settings
from bot.channels.wechat import (
    SUCCESS,
    CallbackQuery,
    Incoming,
    WeChatCallback,
    reply_text,
    split_text,
)
from bot.channels.wechat_delivery import (
    ClientFactory,
    Rendezvous,
    client_factory,
    deliver,
    enqueue,
)
from bot.engine import Engine, reply_from_dict, reply_to_dict
from bot.errors import BadSignature, BotError, ChannelError, StaleRequest
from bot.messages import Outbound, Reply
from bot.metrics import ERRORS, LATENCY
from bot.store import claims

router = APIRouter(prefix="/wechat", tags=["wechat"])
log = logging.getLogger("yibao.wechat")

_POLL_SECONDS = 0.05  # how often a retried copy looks for the first copy's answer
_LATE: set[asyncio.Future[Any]] = set()  # late answers still being worked on: kept referenced until done
_OUTBOX_MARK = "delivery"  # set in a claim's reply when the answer went by customer-service message
# Thread budgets, per event loop. Engine turns are CPU-bound Python: a few threads keep the event loop (and so
# the reply budget) responsive; protocol steps (parsing, crypto, claim reads) have their own threads so they
# never queue behind turns; late deliveries wait on WeChat's API without holding an engine thread.
_THREADS = {"protocol": 8, "engine": 16, "delivery": 4}
_LIMITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, anyio.CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)
T = TypeVar("T")


async def _in_thread(pool: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a synchronous step off the event loop, in the named thread budget."""
    loop = asyncio.get_running_loop()
    limiters = _LIMITERS.get(loop)
    if limiters is None:
        limiters = _LIMITERS[loop] = {name: anyio.CapacityLimiter(n) for name, n in _THREADS.items()}
    return await anyio.to_thread.run_sync(functools.partial(func, *args, **kwargs), limiter=limiters[pool])


async def _quick(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A short protocol step: wechatpy parsing or crypto, a claim read, an outbox insert."""
    return await _in_thread("protocol", func, *args, **kwargs)


def _callback(request: Request, name: str) -> WeChatCallback:
    settings: Settings = request.app.state.settings
    account = settings.account(name)
    if account is None:
        ERRORS.labels("wechat", "unknown_account").inc()
        raise HTTPException(status_code=404, detail="unknown account")
    return WeChatCallback(account, tolerance_seconds=settings.timestamp_tolerance_seconds)


def _refused(exc: ChannelError) -> Response:
    if isinstance(exc, BadSignature | StaleRequest):
        status, reason = 403, ("stale" if isinstance(exc, StaleRequest) else "signature")
    else:
        status, reason = 400, "malformed"
    ERRORS.labels("wechat", reason).inc()
    log.info("wechat request refused", extra={"channel": "wechat", "status": status, "event": reason})
    return PlainTextResponse("refused", status_code=status)


@router.get("/{account}", response_class=PlainTextResponse)
async def check_server(account: str, request: Request) -> Response:
    """WeChat's server check: echo `echostr` once signature and timestamp are right."""
    callback = _callback(request, account)
    try:
        echostr = callback.echo(CallbackQuery.from_mapping(request.query_params), time.time())
    except ChannelError as exc:
        return _refused(exc)
    return PlainTextResponse(echostr)


@router.post("/{account}", response_class=PlainTextResponse)
async def receive(account: str, request: Request) -> Response:
    """One message or event, plaintext or safe mode; the reply is passive XML or "success"."""
    started = time.perf_counter()
    settings: Settings = request.app.state.settings
    engine: Engine = request.app.state.engine
    callback = _callback(request, account)
    body = await _read_body(request, settings.max_body_bytes)
    if body is None:
        ERRORS.labels("wechat", "body_too_large").inc()
        return PlainTextResponse("request body too large", status_code=413)
    try:
        incoming = await _quick(
            callback.open,
            CallbackQuery.from_mapping(request.query_params),
            body,
            now=time.time(),
            received_at=engine.clock.now(),
        )
    except ChannelError as exc:
        return _refused(exc)
    exchange = _Exchange(engine, incoming, client_factory(settings.wechat_accounts, settings.wechat_api_base))
    response = await exchange.respond(callback, deadline=started + settings.reply_budget_seconds)
    LATENCY.labels("wechat").observe(time.perf_counter() - started)
    return response


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it passes `limit` bytes (also when no Content-Length was sent)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class _Exchange:
    """One verified message on its way to an answer."""

    engine: Engine
    incoming: Incoming
    factory: ClientFactory
    rendezvous: Rendezvous = field(default_factory=Rendezvous)

    async def respond(self, callback: WeChatCallback, *, deadline: float) -> Response:
        task = asyncio.ensure_future(self._run())
        done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - time.perf_counter()))
        if done:
            reply, first = task.result()
        else:
            taken, late_reply = self.rendezvous.abandon()
            if not taken:  # the worker delivers it by customer-service message when it is ready
                _LATE.add(task)
                task.add_done_callback(_LATE.discard)
                ERRORS.labels("wechat", "late_answer").inc()
                return PlainTextResponse(SUCCESS)
            reply, first = late_reply, True
        if reply is None:  # a retried copy: the first copy's answer
            reply = await self._first_answer(deadline)
            first = False
        return await self._render(callback, reply, first)

    async def _run(self) -> tuple[Reply | None, bool]:
        reply, first, late = await _in_thread("engine", self._work)
        if late and reply is not None:
            await _in_thread("delivery", self._deliver_late, reply)
        return reply, first

    def _work(self) -> tuple[Reply | None, bool, bool]:
        """In an engine thread: claim and handle; (reply, handled here, the request gave up waiting)."""
        inbound = self.incoming.inbound
        try:
            reply = self.engine.handle_once(inbound, self.incoming.claim_key)
        except Exception:  # the engine failed; the person hears the apology, the claim is released
            log.exception("engine failed", extra={"channel": "wechat", "account": inbound.account})
            ERRORS.labels("wechat", "engine").inc()
            reply = self._apology()
        late = not self.rendezvous.settle(reply)
        return reply, reply is not None, late

    def _apology(self) -> Reply:
        try:
            text = self.engine.renderer.render("engine/internal_error", "zh_CN", {})
        except (BotError, TemplateError):
            log.exception("apology template failed", extra={"channel": "wechat"})
            return Reply(intent="error")
        return Reply(messages=(Outbound(text=text),), intent="error")

    def _deliver_late(self, reply: Reply) -> None:
        """The whole answer by customer-service messages; retries of this message then get "success"."""
        incoming = self.incoming
        try:
            if reply.intent != "error":
                claims.finish(
                    self.engine.db, incoming.claim_key, {**reply_to_dict(reply), _OUTBOX_MARK: "outbox"}
                )
            ids = enqueue(
                self.engine.db,
                account=incoming.inbound.account,
                user_key=incoming.openid,
                texts=split_text(reply_text(reply)),
            )
            report = deliver(self.engine.db, self.factory, ids)
        except Exception:  # late work: nobody else would hear of it; the outbox keeps what is unsent
            log.exception("late delivery failed", extra={"channel": "wechat"})
            return
        log.info(
            "late answer delivered",
            extra={"channel": "wechat", "intent": reply.intent, "status": report.sent},
        )

    async def _first_answer(self, deadline: float) -> Reply | None:
        """A retry: wait, within the budget, for the first copy's answer; None when it is not there in time or
        was delivered by customer-service message."""
        key = self.incoming.claim_key
        while True:
            row = await _quick(claims.read, self.engine.db, key)
            if row is not None and row.state == "done" and row.reply is not None:
                return None if row.reply.get(_OUTBOX_MARK) else reply_from_dict(row.reply)
            if row is None or time.perf_counter() + _POLL_SECONDS >= deadline:
                return None
            await asyncio.sleep(_POLL_SECONDS)

    async def _render(self, callback: WeChatCallback, reply: Reply | None, first: bool) -> Response:
        parts = split_text(reply_text(reply)) if reply is not None else []
        if not parts:
            return PlainTextResponse(SUCCESS)
        xml = await _quick(callback.passive_reply, self.incoming, parts[0], now=time.time())
        background = None
        if first and len(parts) > 1:  # the rest of a long answer, after the passive reply has gone
            ids = await _quick(
                enqueue,
                self.engine.db,
                account=self.incoming.inbound.account,
                user_key=self.incoming.openid,
                texts=parts[1:],
            )
            background = BackgroundTask(deliver, self.engine.db, self.factory, ids)
        return Response(content=xml, media_type="application/xml", background=background)
