"""Sending phone verification codes: the SMS gateway interface and the demo gateway.

A production gateway implements `send_code(phone, code) -> str | None` (None: the code went by SMS).
The demo gateway sends nothing and returns the code, which the bind flow then shows in the chat reply; it
logs nothing, so no phone number or code reaches a log.
"""

from __future__ import annotations

from typing import Protocol


class SmsGateway(Protocol):
    def send_code(self, phone: str, code: str) -> str | None:
        """Send `code` to `phone`; return the code only when it must be shown on screen (demo)."""
        ...


class DemoSms:
    """Shows the code in the chat instead of sending it (development and demo)."""

    shows_code = True

    def send_code(self, phone: str, code: str) -> str | None:
        return code


class RecordingSms:
    """A gateway for tests: remembers what it sent, shows nothing."""

    shows_code = False

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_code(self, phone: str, code: str) -> str | None:
        self.sent.append((phone, code))
        return None
