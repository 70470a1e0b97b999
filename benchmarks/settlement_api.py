"""Load benchmark of the settlement API: estimate and deadline requests over loopback against `uvicorn`.

Starts the app in a uvicorn subprocess on a free loopback port with a temporary SQLite database, sends varied
claims (both regions, schemes, services, levels, categories; about one request in five a deadline request)
from C concurrent clients, checks every answer (200, fund + person = total), and prints requests/s and
p50/p95/p99 latency. Bounded in request count and in time.

    .venv/bin/python benchmarks/settlement_api.py --requests 5000 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._server import percentile, running_server  # noqa: E402

MAX_REQUESTS = 50_000
MAX_CONCURRENCY = 200
FIRST_DAY = {"jilin": dt.date(2025, 1, 1), "dezhou": dt.date(2022, 1, 1)}
SERVICES = ("inpatient", "outpatient", "chronic", "emergency_observation")
CATEGORIES = ("long_term", "referral", "temporary", "emergency", "unfiled")


def claim(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One varied request: (path, JSON body)."""
    region = rng.choice(("jilin", "dezhou"))
    discharged = FIRST_DAY[region] + dt.timedelta(days=rng.randrange(0, 690))
    if rng.random() < 0.2:
        body: dict[str, Any] = {"region": region, "discharged_on": discharged.isoformat()}
        if rng.random() < 0.5:
            body["materials_complete_on"] = (discharged + dt.timedelta(days=rng.randrange(0, 60))).isoformat()
        return "/api/v1/settlement/deadlines", body
    service = rng.choice(SERVICES)
    inpatient = service in ("inpatient", "emergency_observation")
    total = Decimal(rng.randrange(100, (200_000 if inpatient else 3_000) * 100)) / 100
    direct = rng.random() < 0.8
    body = {
        "region": region,
        "scheme": rng.choice(("employee", "resident")),
        "service": service,
        "hospital_level": rng.randint(1, 3),
        "category": rng.choice(CATEGORIES),
        "direct_settlement": direct,
        "own_fault": not direct and rng.random() < 0.5,
        "admitted_on": (discharged - dt.timedelta(days=rng.randrange(0, 40) if inpatient else 0)).isoformat(),
        "discharged_on": discharged.isoformat(),
        "total": str(total),
    }
    if rng.random() < 0.5:
        body["out_of_scope"] = str((total * Decimal(rng.randrange(0, 20)) / 100).quantize(Decimal("0.01")))
        body["fund_paid_by_year"] = {str(discharged.year): str(rng.randrange(0, 100_000))}
    return "/api/v1/settlement/estimate", body


def check(path: str, body: dict[str, Any], response: httpx.Response) -> str | None:
    if response.status_code != 200:
        return f"{path}: HTTP {response.status_code} {response.text[:200]}"
    answer = response.json()
    if path.endswith("/estimate"):
        if Decimal(answer["fund_pays"]) + Decimal(answer["person_pays"]) != Decimal(body["total"]):
            return f"fund + person != total for {body}"
    elif not answer["deadlines"]:
        return f"no deadlines for {body}"
    return None


async def load(
    base: str, requests: int, concurrency: int, seconds: float, seed: int
) -> tuple[list[float], list[str], float]:
    rng = random.Random(seed)
    work = [claim(rng) for _ in range(requests)]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    cursor = iter(work)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for path, body in cursor:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.post(path, json=body)
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {exc!r}")
                continue
            latencies.append(time.perf_counter() - started)
            problem = check(path, body, response)
            if problem:
                errors.append(problem)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        path, body = claim(random.Random(0))
        await client.post(path, json=body)  # warm-up: the first request compiles templates
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help=f"requests to send (max {MAX_REQUESTS})")
    parser.add_argument(
        "--concurrency", type=int, default=20, help=f"concurrent clients (max {MAX_CONCURRENCY})"
    )
    parser.add_argument("--seconds", type=float, default=60, help="stop sending after this long")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    requests, concurrency = min(args.requests, MAX_REQUESTS), min(args.concurrency, MAX_CONCURRENCY)

    with running_server(args.workers, ready_timeout=90, stop_timeout=10) as base:
        latencies, errors, elapsed = asyncio.run(load(base, requests, concurrency, args.seconds, args.seed))
    done = len(latencies)
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"uvicorn workers: {args.workers}, concurrent clients: {concurrency}")
    print(f"requests: {done} in {elapsed:.2f} s = {done / elapsed:.0f} requests/s, errors: {len(errors)}")
    if latencies:
        ms = [value * 1000 for value in latencies]
        print(
            f"latency ms: mean {statistics.fmean(ms):.1f}, p50 {percentile(ms, 0.50):.1f}, "
            f"p95 {percentile(ms, 0.95):.1f}, p99 {percentile(ms, 0.99):.1f}, max {max(ms):.1f}"
        )
    for error in errors[:5]:
        print("error:", error)
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
