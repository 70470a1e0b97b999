"""Benchmark: settlement estimates per second, in-process, over a generated batch of varied claims.

Usage: .venv/bin/python benchmarks/settlement_batch.py [--count 100000] [--seed 7]
Claims cover both regions, both schemes, all services, levels and categories, direct or not, same-day visits
and stays of up to 60 nights (some crossing a calendar year), with and without the optional cost parts and
this year's fund payments. One process, one core: the figure is the core's own cost, without HTTP.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from bot.content.policy import load_policies
from settlement import EstimateRequest, InvalidRequest, estimate

CONTENT = Path(__file__).resolve().parents[1] / "content"
FIRST_DAY = {"jilin": dt.date(2025, 1, 1), "dezhou": dt.date(2022, 1, 1)}
SERVICES = ("inpatient", "outpatient", "chronic", "emergency_observation")
CATEGORIES = ("long_term", "referral", "temporary", "emergency", "unfiled")


def money(rng: random.Random, high: int) -> Decimal:
    return Decimal(rng.randrange(0, high * 100)) / 100


def generate(count: int, seed: int) -> list[EstimateRequest]:
    rng = random.Random(seed)
    claims = []
    for _ in range(count):
        region = rng.choice(("jilin", "dezhou"))
        service = rng.choice(SERVICES)
        inpatient = service in ("inpatient", "emergency_observation")
        discharged = FIRST_DAY[region] + dt.timedelta(days=rng.randrange(0, 700))
        admitted = discharged - dt.timedelta(days=rng.randrange(0, 60) if service == "inpatient" else 0)
        total = money(rng, 200_000 if inpatient else 3_000)
        optional = rng.random() < 0.5
        out_of_scope = (total * Decimal(rng.randrange(0, 20)) / 100).quantize(Decimal("0.01"))
        paid = {discharged.year: money(rng, 200_000 if inpatient else 2_000)} if rng.random() < 0.5 else {}
        direct = rng.random() < 0.8
        claims.append(
            EstimateRequest(
                region=region,
                scheme=rng.choice(("employee", "resident")),
                service=service,  # type: ignore[arg-type]
                hospital_level=rng.randint(1, 3),
                category=rng.choice(CATEGORIES),  # type: ignore[arg-type]
                direct_settlement=direct,
                own_fault=not direct and rng.random() < 0.5,
                admitted_on=admitted,
                discharged_on=discharged,
                total=total,
                out_of_scope=out_of_scope if optional else None,
                over_limit=Decimal("0") if optional else None,
                class_b_self_pay=(total - out_of_scope) * Decimal("0.05") if optional else None,
                fund_paid_by_year=paid,
            )
        )
    return claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    policies = load_policies(CONTENT)
    loaded = time.perf_counter() - started
    claims = generate(args.count, args.seed)

    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    fund = Decimal(0)
    clock = time.perf_counter
    batch_start = clock()
    for claim in claims:
        before = clock()
        try:
            result = estimate(claim, policies[claim.region])
        except InvalidRequest:
            kinds["refused"] += 1
        else:
            fund += result.fund_pays
            kinds["cross_year" if len(result.fund_by_year) > 1 else claim.service] += 1
        latencies.append(clock() - before)
    elapsed = clock() - batch_start

    latencies.sort()
    print(f"policy packs loaded in {loaded * 1000:.1f} ms")
    print(f"claims: {len(claims):,}  ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))})")
    print(f"elapsed: {elapsed:.2f} s   estimates/second: {len(claims) / elapsed:,.0f}")
    print(
        "per estimate: "
        f"mean {statistics.fmean(latencies) * 1e6:.1f} µs, "
        f"p50 {latencies[len(latencies) // 2] * 1e6:.1f} µs, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1e6:.1f} µs"
    )
    print(f"fund pays in total: ¥{fund:,.2f}")


if __name__ == "__main__":
    main()
