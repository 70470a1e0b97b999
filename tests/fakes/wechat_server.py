"""A local fake of WeChat's server API on 127.0.0.1 and a random port, recording what it receives.

Endpoints: GET /cgi-bin/token, POST /cgi-bin/message/custom/send, POST /cgi-bin/menu/create,
POST /cgi-bin/message/subscribe/bizsend (subscribe messages: filing reminders),
GET /sns/jscode2session. `fail_sends` makes custom/send answer with an error code until reset.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BAD_CODE = "bad-code"  # jscode2session refuses this code with errcode 40029


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    accepted: bool = True  # False when the fake answered with an error code


@dataclass
class FakeWeChat:
    base: str = ""  # http://127.0.0.1:PORT/cgi-bin/
    calls: list[Recorded] = field(default_factory=list)
    fail_sends: bool = False
    tokens_issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call: Recorded) -> None:
        with self._lock:
            self.calls.append(call)

    def of(self, path: str) -> list[Recorded]:
        with self._lock:
            return [c for c in self.calls if c.path == path]

    def sent_texts(self, openid: str | None = None) -> list[str]:
        """Texts WeChat accepted (refused sends are recorded but not delivered)."""
        return [
            c.body["text"]["content"]
            for c in self.of("/cgi-bin/message/custom/send")
            if c.accepted and (openid is None or c.body.get("touser") == openid)
        ]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _answer(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _request(self, method: str) -> Recorded:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            body: Any = None
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                raw = self.rfile.read(length)
                body = json.loads(raw.decode("utf-8"))
            call = Recorded(method, url.path, query, body)
            fake.record(call)
            return call

        def do_GET(self) -> None:
            call = self._request("GET")
            path, query = call.path, call.query
            if path == "/cgi-bin/token":
                with fake._lock:
                    fake.tokens_issued += 1
                    number = fake.tokens_issued
                self._answer({"access_token": f"fake-token-{number}", "expires_in": 7200})
            elif path == "/sns/jscode2session":
                if query.get("js_code") == BAD_CODE:
                    self._answer({"errcode": 40029, "errmsg": "invalid code"})
                else:
                    openid = "mp-" + query.get("js_code", "")
                    self._answer({"openid": openid, "session_key": "fake-session-key"})
            else:
                self._answer({"errcode": 404, "errmsg": "not found"})

        def do_POST(self) -> None:
            call = self._request("POST")
            path, query = call.path, call.query
            if not query.get("access_token", "").startswith("fake-token-"):
                call.accepted = False
                self._answer({"errcode": 40001, "errmsg": "invalid credential"})
            elif path == "/cgi-bin/message/custom/send" and fake.fail_sends:
                call.accepted = False
                self._answer({"errcode": 45015, "errmsg": "response out of time limit"})
            elif path in (
                "/cgi-bin/message/custom/send",
                "/cgi-bin/menu/create",
                "/cgi-bin/message/subscribe/bizsend",
            ):
                self._answer({"errcode": 0, "errmsg": "ok"})
            else:
                self._answer({"errcode": 404, "errmsg": "not found"})

    return Handler


@contextmanager
def running_fake_wechat() -> Iterator[FakeWeChat]:
    """Start the fake on a free loopback port for the duration of the block."""
    fake = FakeWeChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.base = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wechat", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
