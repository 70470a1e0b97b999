"""pledge text sealed: pledge.text (name, ID number, phone, address in the clear) becomes pledge.text_enc

Existing rows are sealed with the configured data key (YIBAO_DATA_KEY / YIBAO_DATA_KEY_ID, as the app seals);
their sha256 stays, being over the plain text. Downgrade opens them again with the same key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:37:58.787925
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELD = "pledge_text"  # bot.store.filings.PLEDGE_TEXT_FIELD when this revision was written

pledge = sa.table(
    "pledge",
    sa.column("id", sa.Integer),
    sa.column("text", sa.Text),
    sa.column("text_enc", sa.Text),
    sa.column("key_id", sa.String),
)


def _cipher():  # type: ignore[no-untyped-def]
    """The app's cipher from settings; no per-process fallback key: sealed rows must outlive this run."""
    from api.settings import get_settings
    from bot.crypto import DataCipher

    settings = get_settings()
    if not settings.data_key:
        raise RuntimeError("migration 0003 seals pledge texts: set YIBAO_DATA_KEY")
    return DataCipher.single(settings.data_key, settings.data_key_id or "default")


def upgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_enc", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(pledge.c.id, pledge.c.text, pledge.c.key_id)).all()
    if rows:
        cipher = _cipher()
        for row in rows:
            bind.execute(
                pledge.update()
                .where(pledge.c.id == row.id)
                .values(text_enc=cipher.seal(row.text, FIELD), key_id=row.key_id or cipher.current)
            )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.alter_column("text_enc", existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f("ix_pledge_key_id"), ["key_id"], unique=False)
        batch_op.drop_column("text")


def downgrade() -> None:
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(pledge.c.id, pledge.c.text_enc)).all()
    if rows:
        cipher = _cipher()
        for row in rows:
            bind.execute(
                pledge.update().where(pledge.c.id == row.id).values(text=cipher.open(row.text_enc, FIELD))
            )
    with op.batch_alter_table("pledge", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.Text(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_pledge_key_id"))
        batch_op.drop_column("text_enc")
