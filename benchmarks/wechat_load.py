"""Load benchmark of the WeChat callback: N simulated users in safe mode over loopback against `uvicorn`.

Starts the app in a uvicorn subprocess on a free loopback port with a temporary SQLite database, lets each
user subscribe and then ask questions one after another (encrypted and signed with wechatpy's WeChatCrypto,
replies decrypted and checked), and prints messages/s and p50/p99 latency. Bounded in users, messages, time.

    .venv/bin/python benchmarks/wechat_load.py --users 50 --messages 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._server import free_port, percentile, running_server  # noqa: E402

TOKEN = "yibao-demo"  # the published demo account (api.settings)
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxdemojilin000001"
QUESTIONS = (
    "去外地住院要备案吗",
    "长期异地备案要什么材料",
    "异地就医手工报销截止到什么时候",
    "菜单",
    "急诊没备案能报销吗",
    "帮助",
)
MAX_USERS, MAX_MESSAGES = 500, 200


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def message_xml(openid: str, index: int) -> str:
    now = int(time.time())
    if index == 0:
        return (
            f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            "<Event><![CDATA[subscribe]]></Event></xml>"
        )
    question = QUESTIONS[(index - 1) % len(QUESTIONS)]
    return (
        f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{question}]]></Content><MsgId>{uuid.uuid4().int % 10**16}</MsgId></xml>"
    )


class User:
    def __init__(self, crypto: WeChatCrypto) -> None:
        self.crypto = crypto
        self.openid = "obench" + uuid.uuid4().hex[:22]

    def request(self, index: int) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        envelope = xmltodict.parse(
            self.crypto.encrypt_message(message_xml(self.openid, index), nonce, timestamp)
        )
        encrypt = envelope["xml"]["Encrypt"]
        params = {
            "signature": sign(TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": envelope["xml"]["MsgSignature"],
        }
        body = f"<xml><ToUserName>gh_bench</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return params, body.encode("utf-8")

    def check(self, text: str) -> bool:
        if text == "success":  # acknowledged: the answer follows by customer-service message
            return True
        envelope = xmltodict.parse(text)["xml"]
        plain = self.crypto.decrypt_message(
            text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )
        return bool(xmltodict.parse(plain)["xml"].get("Content"))


async def run_user(
    client: httpx.AsyncClient,
    url: str,
    messages: int,
    deadline: float,
    latencies: list[float],
    errors: list[str],
    late: list[int],
) -> None:
    user = User(WeChatCrypto(TOKEN, AES_KEY, APP_ID))
    for index in range(messages):
        if time.perf_counter() > deadline:
            return
        params, body = user.request(index)
        started = time.perf_counter()
        try:
            response = await client.post(url, params=params, content=body)
        except httpx.HTTPError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append(time.perf_counter() - started)
        if response.text == "success" and index > 0:
            late.append(index)
        if response.status_code != 200 or not user.check(response.text):
            errors.append(f"HTTP {response.status_code}")


async def load(
    url: str, users: int, messages: int, seconds: float
) -> tuple[list[float], list[str], list[int], float]:
    latencies: list[float] = []
    errors: list[str] = []
    late: list[int] = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(run_user(client, url, messages, deadline, latencies, errors, late) for _ in range(users))
        )
        elapsed = time.perf_counter() - started
    return latencies, errors, late, elapsed


def server_latency(base: str) -> str:
    """The server's own view, from its Prometheus histogram: time from request start to reply."""
    buckets: list[tuple[float, float]] = []
    total = count = 0.0
    for line in httpx.get(f"{base}/metrics", timeout=10).text.splitlines():
        if not line.startswith("yibao_reply_seconds") or 'channel="wechat"' not in line:
            continue
        value = float(line.rsplit(" ", 1)[1])
        if line.startswith("yibao_reply_seconds_bucket"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if bound == "+Inf" else float(bound), value))
        elif line.startswith("yibao_reply_seconds_sum"):
            total = value
        elif line.startswith("yibao_reply_seconds_count"):
            count = value
    if not count:
        return "server: no samples"

    def upper(fraction: float) -> str:
        bound = next(b for b, c in sorted(buckets) if c >= fraction * count)
        return f"<= {bound * 1000:.0f} ms" if bound != float("inf") else "> last bucket"

    return (
        f"server-side (histogram, 1 worker's view): mean {total / count * 1000:.1f} ms, "
        f"p50 {upper(0.5)}, p99 {upper(0.99)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help=f"simulated users (max {MAX_USERS})")
    parser.add_argument("--messages", type=int, default=10, help=f"messages per user (max {MAX_MESSAGES})")
    parser.add_argument("--seconds", type=float, default=60, help="stop sending after this long")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    users, messages = min(args.users, MAX_USERS), min(args.messages, MAX_MESSAGES)

    # nothing is delivered late here
    wechat_api = {"YIBAO_WECHAT_API_BASE": f"http://127.0.0.1:{free_port()}/cgi-bin/"}
    with running_server(args.workers, ready_timeout=60, stop_timeout=30, extra_env=wechat_api) as base:
        latencies, errors, late, elapsed = asyncio.run(
            load(f"{base}/wechat/jilin", users, messages, args.seconds)
        )
        server_view = server_latency(base)
    done = len(latencies)
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")  # fmt: skip
    print(
        f"setup: {users} users x {messages} messages, safe mode (AES), SQLite WAL, {args.workers} worker(s)"
    )
    if not done:
        raise SystemExit("no message was answered")
    print(
        f"messages: {done} in {elapsed:.2f} s = {done / elapsed:.1f} messages/s; errors: {len(errors)}; "
        f"questions past the reply budget (success + customer-service message): {len(late)}"
    )
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    print(
        f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    print(server_view)
    if errors:
        print("error kinds: " + ", ".join(sorted(set(errors))))


if __name__ == "__main__":
    main()
