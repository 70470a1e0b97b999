"""FastAPI dependencies: settings, the engine, a database session per request, the current web user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlmodel import Session

from api.settings import Settings, get_settings
from api.tokens import TokenError, read_token
from bot.engine import Engine

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(get_engine)]


def get_session(engine: EngineDep) -> Iterator[Session]:
    with Session(engine.db) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_web_user(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> dict[str, str]:
    """The signed web/mini-program identity from `Authorization: Bearer <token>`."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status_code=401, detail="login required")
    try:
        return read_token(settings, authorization.split(" ", 1)[1].strip())
    except TokenError as exc:
        raise HTTPException(status_code=401, detail=str(exc)) from exc


WebUser = Annotated[dict[str, str], Depends(current_web_user)]
