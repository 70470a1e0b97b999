"""Every table module, imported for Alembic and for create-all in tests."""

from bot.store import filing_models, models  # noqa: F401
