"""A tiny transcript driver for flow tests: send texts through the engine as one web user."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine as DbEngine

from bot.app import EngineConfig, build_engine
from bot.engine import Engine
from bot.messages import Inbound, Reply
from tests.conftest import CONTENT, FixedClock, unique_user


class Chat:
    def __init__(self, engine: Engine, region: str) -> None:
        self.engine = engine
        self.region = region
        self.user = unique_user("f2")

    def say(self, text: str) -> Reply:
        return self.engine.handle(
            Inbound(
                channel="web",
                account="web",
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


@pytest.fixture(scope="module", name="guide_engine")
def fixture_guide_engine(db: DbEngine, database_url: str) -> Engine:
    """One engine per test module (building the knowledge index per test would make these suites slow)."""
    clock = FixedClock(datetime(2026, 11, 22, 10, 0, 0))
    return build_engine(EngineConfig(database_url=database_url, content_dir=CONTENT), clock=clock, db=db)
