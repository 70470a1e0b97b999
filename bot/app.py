"""Assembles the engine from configuration values: database, content, knowledge, flows, locks, services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine as DbEngine

from bot.content.calendar import load_calendar
from bot.content.loader import Content, load_content
from bot.content.policy import load_policies
from bot.crypto import DataCipher
from bot.engine import Engine
from bot.filing_wiring import make_cipher
from bot.locks import make_locks
from bot.parts import Clock, Parts, SystemClock
from bot.rendering import Renderer
from bot.sms import make_sms_gateway
from bot.store.db import make_engine
from flows.services import Services


@dataclass(frozen=True)
class EngineConfig:
    """The configuration the engine needs, whoever reads it (api settings, CLI, tests)."""

    database_url: str
    content_dir: Path
    default_region: str = "jilin"
    redis_url: str | None = None
    data_key: str = ""
    data_key_id: str = ""
    secret_key: str = ""
    sms_gateway_url: str | None = None
    sms_gateway_token: str = ""


def build_engine(
    config: EngineConfig,
    *,
    clock: Clock | None = None,
    db: DbEngine | None = None,
) -> Engine:
    content = load_content(config.content_dir)
    attach_settlement(content)
    from bot.knowledge_wiring import attach_knowledge  # the FAQ index is built from the loaded packs

    understander, guards = attach_knowledge(content)
    from flows import FLOWS

    cipher = make_cipher(config.data_key, config.data_key_id)
    services = filing_services(config, cipher)
    parts = Parts(
        content=content,
        renderer=Renderer(config.content_dir),
        flows={flow.name: flow for flow in FLOWS},
        understander=understander,
        cipher=cipher,
        clock=clock or SystemClock(),
        services=services,
        guards=guards,
    )
    return Engine(
        db=db or make_engine(config.database_url),
        parts=parts,
        locks=make_locks(config.redis_url),
        default_region=config.default_region,
    )


def filing_services(config: EngineConfig, cipher: DataCipher) -> Services:
    """Registry, cipher, stores, filing policies, SMS and calendar for the filing flows."""
    from bot.filing_wiring import filing_services as build

    services = build(config.content_dir, cipher)
    services.sms = make_sms_gateway(config.sms_gateway_url, config.sms_gateway_token)
    return services


def attach_settlement(content: Content) -> None:
    """The region policies and the working-day calendar, where flows and the settlement API find them."""
    content.extras["policies"] = load_policies(content.root)
    content.extras["calendar"] = load_calendar(content.root)


def loaded_content(config: EngineConfig) -> Content:
    return load_content(config.content_dir)
