"""The terminal channel talks to the same engine."""

import io
from datetime import datetime

from bot.channels.console import run_console
from tests.conftest import unique_user


def test_console_conversation(engine):
    stdin = io.StringIO("人工\n取消\n")
    stdout = io.StringIO()
    run_console(
        engine,
        region="dezhou",
        user_key=unique_user("console"),
        now=lambda: datetime(2026, 11, 22),
        stdin=stdin,
        stdout=stdout,
    )
    output = stdout.getvalue()
    assert "德州市" in output
    assert "人工客服" in output
    assert "已取消人工服务" in output
