"""Signed, expiring session tokens for the web chat and the mini-program."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.settings import Settings


class TokenError(Exception):
    """The token is missing, forged or expired."""


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="yibao-web-session")


def issue_token(settings: Settings, *, channel: str, user_key: str, region: str) -> str:
    return _serializer(settings).dumps({"c": channel, "u": user_key, "r": region})


def read_token(settings: Settings, token: str) -> dict[str, str]:
    try:
        data: Any = _serializer(settings).loads(token, max_age=settings.token_max_age_seconds)
    except SignatureExpired as exc:
        raise TokenError("session expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid session") from exc
    if not isinstance(data, dict) or not {"c", "u", "r"} <= set(data):
        raise TokenError("invalid session")
    return {"channel": data["c"], "user_key": data["u"], "region": data["r"]}
