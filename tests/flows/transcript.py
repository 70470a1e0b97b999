"""A tiny transcript driver for flow tests: send texts through the engine as one user, on an engine per test
module whose clock says 2026-11-22 10:00."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine as DbEngine

from bot.app import EngineConfig, build_engine
from bot.engine import Engine
from bot.messages import Inbound, Reply
from tests.conftest import CONTENT, FixedClock, unique_user


class Pick(str):
    """An answer given as the number of the offered choice whose label holds this text."""


class Chat:
    """One user's conversation; on the web channel, or on `region`'s official account."""

    def __init__(
        self,
        engine: Engine,
        region: str = "jilin",
        *,
        channel: str = "web",
        prefix: str = "f2",
        user: str | None = None,
    ) -> None:
        self.engine = engine
        self.region = region
        self.channel = channel
        self.user = user or unique_user(prefix)

    def say(self, text: str) -> Reply:
        return self.engine.handle(
            Inbound(
                channel=self.channel,
                account="web" if self.channel == "web" else f"{self.region}-account",
                user_key=self.user,
                kind="text",
                text=text,
                region=self.region,
                received_at=datetime(2026, 11, 22, 10, 0),
            )
        )

    def run(self, *texts: str) -> Reply:
        reply = Reply()
        for text in texts:
            reply = self.say(text)
        return reply


def text_of(reply: Reply) -> str:
    return "\n".join(message.as_plain_text() for message in reply.messages)


def module_engine(db: Any, database_url: str) -> Engine:
    """One engine per test module (building the FAQ index takes seconds); the clock is fixed."""
    return build_engine(
        EngineConfig(database_url=database_url, content_dir=CONTENT),
        clock=FixedClock(datetime(2026, 11, 22, 10, 0, 0)),
        db=db,
    )


@pytest.fixture(scope="module", name="guide_engine")
def fixture_guide_engine(db: DbEngine, database_url: str) -> Engine:
    """One engine per test module (building the knowledge index per test would make these suites slow)."""
    return module_engine(db, database_url)
