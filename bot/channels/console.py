"""Terminal channel: read a line, answer with the engine, until end of input or 退出 twice."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.engine import Engine
from bot.messages import Inbound, Reply


def _print_reply(reply: Reply, out: TextIO) -> None:
    for message in reply.messages:
        out.write(message.as_plain_text() + "\n\n")
    out.flush()


def run_console(
    engine: Engine,
    *,
    region: str,
    user_key: str,
    now: Callable[[], datetime],
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> None:
    stdin = stdin or sys.stdin  # read at call time: pytest and other callers swap sys.stdin
    stdout = stdout or sys.stdout

    def send(kind: str, text: str = "", event: str = "") -> None:
        inbound = Inbound(
            channel="console",
            account="console",
            user_key=user_key,
            kind=kind,  # type: ignore[arg-type]
            text=text,
            event=event,
            region=region,
            received_at=now(),
        )
        _print_reply(engine.handle(inbound), stdout)

    send("event", event="subscribe")
    while True:
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n")
            return
        if line.strip():
            send("text", line.strip())
