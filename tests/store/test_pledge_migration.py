"""Migration 0003: pledge texts stored in the clear under 0002 are sealed on upgrade, opened on downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from api.settings import get_settings
from bot.crypto import DataCipher
from bot.store import filings, people
from bot.store.db import make_engine
from bot.store.migrate import alembic_config
from tests.conftest import empty_database

PLAIN = "承诺书\n承诺人：王五，身份证号：220102198001011234，电话：13900001111，地址：长春市示例路1号\n"
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def fresh_url(tmp_path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new schema on the test PostgreSQL."""
    with empty_database(tmp_path / "migrate.db", "m_") as url:
        yield url


def _cipher() -> DataCipher:
    settings = get_settings()
    return DataCipher.single(settings.data_key, settings.data_key_id or "default")


def test_upgrade_seals_existing_pledge_texts_and_downgrade_opens_them(fresh_url):
    config = alembic_config(fresh_url)
    command.upgrade(config, "0002")
    db = make_engine(fresh_url)
    cipher = _cipher()
    with Session(db) as session:
        person = people.create_person(
            session,
            cipher,
            name="王五",
            id_number="220102198001011234",
            phone="13900001111",
            region="jilin",
            pooling_region="220100",
            pooling_region_name="长春市",
            scheme="employee",
            insured_since=date(2015, 1, 1),
        )
        values = {"kind": "long_term", "destination_code": "460200", "destination_name": "三亚市"}
        filing = filings.create_filing(
            session,
            person_id=person.id,
            values={
                **values,
                "region": "jilin",
                "scheme": "employee",
                "pledge": True,
                "valid_from": AT.date(),
            },
            actor="test",
            channel="web",
            at=AT,
        )
        session.execute(
            text(
                "INSERT INTO pledge (filing_id, person_id, region, text, sha256, key_id, channel,"
                " account, signed_at, verify_code)"
                " VALUES (:f, :p, 'jilin', :t, 'x', '', 'web', 'web', :at, 'ABCDEFGHJKMN')"
            ),
            {"f": filing.id, "p": person.id, "t": PLAIN, "at": AT},
        )
        session.commit()

    command.upgrade(config, "head")
    with db.connect() as connection:
        row = connection.execute(text("SELECT * FROM pledge")).mappings().one()
    assert "text" not in row and "王五" not in str(dict(row)) and "13900001111" not in str(dict(row))
    assert row["key_id"] == cipher.current
    assert cipher.open(row["text_enc"], filings.PLEDGE_TEXT_FIELD) == PLAIN

    command.downgrade(config, "0002")
    with db.connect() as connection:
        assert connection.execute(text("SELECT text FROM pledge")).scalar_one() == PLAIN
    db.dispose()
