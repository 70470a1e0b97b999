"""Assembles the FastAPI application: settings, engine, middleware and routers."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from api.logging_setup import configure_logging, request_id
from api.settings import Settings, get_settings
from api.wiring import engine_config
from bot.app import build_engine
from bot.metrics import ERRORS

log = logging.getLogger("yibao.http")


def create_app(settings: Settings | None = None, *, engine=None) -> FastAPI:  # type: ignore[no-untyped-def]
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine or build_engine(engine_config(settings))
        yield
        app.state.engine.db.dispose()

    app = FastAPI(
        title="yibao",
        version="0.1.0",
        lifespan=lifespan,
        description="异地就医 assistant: WeChat callback, web chat, settlement API, staff console",
    )
    app.state.settings = settings
    app.dependency_overrides[get_settings] = lambda: settings

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            declared = -1
        if declared < 0 or declared > settings.max_body_bytes:
            ERRORS.labels("http", "body_too_large").inc()
            response: Response = JSONResponse({"detail": "request body too large"}, status_code=413)
        else:
            try:
                response = await call_next(request)
            except Exception:  # the last line of defence: log, never show a traceback
                log.exception("unhandled error", extra={"path": request.url.path})
                ERRORS.labels("http", "unhandled").inc()
                response = JSONResponse({"detail": "internal error, please retry"}, status_code=500)
        response.headers["x-request-id"] = rid
        log.info(
            "request",
            extra={
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        request_id.reset(token)
        return response

    from api.routers import admin, auth, chat, filing, health, pledges, settlement, staff, web, wechat

    for module in (health, auth, chat, wechat, web, settlement, filing, pledges, staff, admin):
        app.include_router(module.router)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn --factory."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
