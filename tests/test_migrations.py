"""Alembic migrations create exactly the tables the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401


def test_migrations_match_models(db):
    with db.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = [d for d in compare_metadata(context, SQLModel.metadata) if d[0] != "remove_table"]
    assert differences == []
