"""Web chat sessions: a guest session for the browser, a development login for demo persons."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import EngineDep, SettingsDep
from api.tokens import issue_token
from bot.channels.wechat_delivery import LoginRefused, client_for, code_to_openid
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


@router.post("/guest", response_model=TokenOut)
def guest(body: GuestRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """A new anonymous web-chat identity, kept by the browser."""
    if body.region not in engine.content.regions:
        raise HTTPException(status_code=422, detail="unknown region")
    user_key = "web-" + secrets.token_urlsafe(12)
    return TokenOut(
        token=issue_token(settings, channel="web", user_key=user_key, region=body.region),
        user_key=user_key,
        region=body.region,
    )


@router.post("/dev-login", response_model=TokenOut)
def dev_login(body: DevLoginRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """Development only: log in as a fixed web identity (e.g. a demo insured person)."""
    if settings.env == "production":
        raise HTTPException(status_code=404, detail="not found")
    if body.region not in engine.content.regions:
        raise HTTPException(status_code=422, detail="unknown region")
    user_key = f"dev-{body.user}"
    return TokenOut(
        token=issue_token(settings, channel="web", user_key=user_key, region=body.region),
        user_key=user_key,
        region=body.region,
    )


@router.post("/wxlogin", response_model=TokenOut)
def wxlogin(body: WxLoginRequest, settings: SettingsDep, engine: EngineDep) -> TokenOut:
    """Mini-program login: code2session through wechatpy, then a signed session token for the openid."""
    if body.region not in engine.content.regions:
        raise HTTPException(status_code=422, detail="unknown region")
    client = client_for(settings.miniprogram_app_id, settings.miniprogram_secret, settings.wechat_api_base)
    try:
        openid = code_to_openid(client, body.code)
    except LoginRefused as exc:
        raise HTTPException(status_code=401, detail="login code refused") from exc
    except DeliveryFailed as exc:
        raise HTTPException(status_code=502, detail="WeChat login service unavailable") from exc
    return TokenOut(
        token=issue_token(settings, channel="miniprogram", user_key=openid, region=body.region),
        user_key=openid,
        region=body.region,
    )
