"""Sending phone verification codes: the SMS gateway interface and the demo gateway.

A production gateway implements `send_code(phone, code) -> str | None` (None: the code went by SMS).
The demo gateway sends nothing and returns the code, which the bind flow then shows in the chat reply; it
logs nothing, so no phone number or code reaches a log.
"""

from __future__ import annotations

from typing import Protocol

import httpx

from flows.errors import ServiceUnavailable


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


class HttpSmsGateway:
    """The production adapter: POSTs {"phone", "code", "template"} as JSON with a bearer token to the bureau's
    SMS gateway; any answer but 2xx, or no answer within the timeout, raises ServiceUnavailable."""

    shows_code = False

    def __init__(
        self, url: str, token: str, *, template: str = "yibao_bind_code", timeout: float = 5.0
    ) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._template = template
        self._timeout = timeout

    def send_code(self, phone: str, code: str) -> str | None:
        payload = {"phone": phone, "code": code, "template": self._template}
        try:
            response = httpx.post(self._url, json=payload, headers=self._headers, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable("SMS gateway unreachable") from exc
        if not response.is_success:
            raise ServiceUnavailable(f"SMS gateway answered {response.status_code}")
        return None


def make_sms_gateway(url: str | None, token: str) -> SmsGateway:
    """The HTTP gateway when configured, else the demo gateway (which production settings refuse)."""
    return HttpSmsGateway(url, token) if url else DemoSms()
