"""Shared fixtures: a migrated database per test session (SQLite, or PostgreSQL with YIBAO_TEST_DATABASE_URL),
the real content, a fixed clock, and the engine and app built on them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine as DbEngine

from api.settings import Settings
from bot.app import EngineConfig, build_engine
from bot.engine import Engine
from bot.store.db import make_engine
from bot.store.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@contextmanager
def empty_database(sqlite_file: Path, schema_prefix: str) -> Iterator[str]:
    """An empty database of its own: `sqlite_file`, or a new schema on the test PostgreSQL (dropped after)."""
    base = os.environ.get("YIBAO_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{sqlite_file}"
        return
    # A schema of its own on PostgreSQL, so parallel workers do not meet.
    schema = schema_prefix + uuid.uuid4().hex[:10]
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(tmp_path_factory.mktemp("db") / "test.db", "t_") as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def db(database_url: str) -> Iterator[DbEngine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 10, 0, 0))


@pytest.fixture(scope="session")
def base_engine(db: DbEngine, database_url: str) -> Engine:
    """Content, index and flows are read once per test session; they are immutable after loading."""
    return build_engine(EngineConfig(database_url=database_url, content_dir=CONTENT), db=db)


@pytest.fixture
def engine(base_engine: Engine, clock: FixedClock) -> Engine:
    """The session's engine with this test's clock."""
    return base_engine.with_clock(clock)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(env="test", database_url=database_url)


def unique_user(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the database run again on PostgreSQL (`-m db`) in `make test`."""
    for item in items:
        if {"db", "database_url", "engine", "client", "app"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
