"""Turns validated settings into the engine's configuration."""

from __future__ import annotations

from api.settings import Settings
from bot.app import EngineConfig


def engine_config(settings: Settings) -> EngineConfig:
    return EngineConfig(
        database_url=settings.database_url,
        content_dir=settings.content_dir,
        default_region=settings.default_region,
        redis_url=settings.redis_url,
        data_key=settings.data_key,
        data_key_id=settings.data_key_id,
        secret_key=settings.secret_key,
        sms_gateway_url=settings.sms_gateway_url,
        sms_gateway_token=settings.sms_gateway_token,
    )
