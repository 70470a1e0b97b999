"""The HTTP SMS gateway adapter against a local gateway server the test starts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.sms import DemoSms, HttpSmsGateway, make_sms_gateway
from flows.errors import ServiceUnavailable


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append({"auth": self.headers.get("Authorization"), **body})
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.status = [], 200
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def test_code_goes_to_the_gateway_and_is_not_shown(gateway):
    sms = HttpSmsGateway(gateway, "secret-token")
    assert sms.send_code("13912345678", "123456") is None
    assert _Gateway.received == [
        {
            "auth": "Bearer secret-token",
            "phone": "13912345678",
            "code": "123456",
            "template": "yibao_bind_code",
        }
    ]


def test_a_refusing_or_missing_gateway_is_service_unavailable(gateway):
    _Gateway.status = 503
    with pytest.raises(ServiceUnavailable):
        HttpSmsGateway(gateway, "t").send_code("13912345678", "1")
    with pytest.raises(ServiceUnavailable):
        HttpSmsGateway("http://127.0.0.1:9/sms", "t", timeout=1).send_code("13912345678", "1")


def test_the_demo_gateway_is_used_only_without_a_url(gateway):
    assert isinstance(make_sms_gateway(None, ""), DemoSms)
    assert isinstance(make_sms_gateway(gateway, "t"), HttpSmsGateway)
