"""Web chat sessions: a guest session for the browser, a development login for demo persons."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import EngineDep, SettingsDep
from api.settings import Settings
from api.tokens import issue_token
from bot.channels.wechat_delivery import LoginRefused, client_for, code_to_openid
from bot.engine import Engine
from bot.errors import DeliveryFailed

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class GuestRequest(BaseModel):
    region: str = Field(default="jilin", max_length=40)


class DevLoginRequest(BaseModel):
    user: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    region: str = Field(default="jilin", max_length=40)


class WxLoginRequest(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="The code from the mini-program's wx.login()")
    region: str = Field(default="jilin", max_length=40)


class TokenOut(BaseModel):
    token: str
    user_key: str
    region: str


def _check_region(engine: Engine, region: str) -> None:
    if region not in engine.content.regions:
        raise HTTPException(status_code=422, detail="unknown region")


def _token_out(settings: Settings, channel: str, user_key: str, region: str) -> TokenOut:
    """A signed session token for the chat identity, with what it stands for."""
    token = issue_token(settings, channel=channel, user_key=user_key, region=region)
    return TokenOut(token=token, user_key=user_key, region=region)


@router.post("/guest", response_model=TokenOut)
def guest(body: GuestRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """A new anonymous web-chat identity, kept by the browser."""
    _check_region(engine, body.region)
    user_key = "web-" + secrets.token_urlsafe(12)
    return _token_out(settings, "web", user_key, body.region)


@router.post("/dev-login", response_model=TokenOut)
def dev_login(body: DevLoginRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """Development only: log in as a fixed web identity (e.g. a demo insured person)."""
    if settings.env == "production":
        raise HTTPException(status_code=404, detail="not found")
    _check_region(engine, body.region)
    user_key = f"dev-{body.user}"
    return _token_out(settings, "web", user_key, body.region)


@router.post("/wxlogin", response_model=TokenOut)
def wxlogin(body: WxLoginRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """Mini-program login: code2session through wechatpy, then a signed session token for the openid."""
    _check_region(engine, body.region)
    client = client_for(settings.miniprogram_app_id, settings.miniprogram_secret, settings.wechat_api_base)
    try:
        openid = code_to_openid(client, body.code)
    except LoginRefused as exc:
        raise HTTPException(status_code=401, detail="login code refused") from exc
    except DeliveryFailed as exc:
        raise HTTPException(status_code=502, detail="WeChat login service unavailable") from exc
    return _token_out(settings, "miniprogram", openid, body.region)
