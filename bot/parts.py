"""What a turn needs from the engine, assembled once by the application: content, rendering, flows,
understanding, clock and domain services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.content.loader import Content
from bot.crypto import DataCipher
from bot.rendering import Renderer
from bot.understanding import Understander
from flows.base import Flow
from flows.services import Services


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in China (UTC+8), where every deadline is counted."""

    def now(self) -> datetime:
        from zoneinfo import ZoneInfo

        return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)


def _no_guard(_text: str) -> bool:
    return False


@dataclass
class Parts:
    content: Content
    renderer: Renderer
    flows: Mapping[str, Flow]
    understander: Understander
    services: Services
    cipher: DataCipher  # the same sealer the services hold, with the staff-side operations (reveal, rotate)
    clock: Clock = field(default_factory=SystemClock)
    guards: Callable[[str], bool] = _no_guard
