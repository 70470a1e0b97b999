"""Benchmark of answer selection: 1,000 generated FAQ entries of 10 variants each; prints p50/p99 latency.

Run: .venv/bin/python benchmarks/faq_select.py [--entries 1000] [--variants 10] [--queries 2000]
Target (issue 5): p99 < 5 ms for KnowledgeIndex.search on one region.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from datetime import date

from bot.content.faq import load_knowledge_content
from bot.knowledge.index import KnowledgeIndex
from bot.knowledge.models import FaqEntry

# Vocabulary of the domain, so generated questions share words the way real ones do.
TOPICS = (
    "长期异地 异地安置 转诊转院 承诺制 急诊 门诊慢特病 双通道药品 生育 外伤 跨省 省内 居民医保 职工医保 "
    "手工报销 直接结算 备案表 承诺书 起付线 报销比例 住院 门诊 药店 转移接续 周转金 清算 协查 定点医院"
).split()
ACTIONS = "备案 撤销 变更 补办 报销 结算 认定 申请 查询 办理 退费 续办".split()
ASKS = (
    "要什么材料 多久能办好 去哪里办 有效期多长 截止到什么时候 能不能直接结算 报多少 怎么办 要备案吗 需要带啥"
).split()
FILLERS = "请问 我想问 我妈 在北京 在上海 出差时 退休后 去年 刚刚 孩子 老人 现在".split()
CITIES = "北京 上海 天津 广州 深圳 杭州 南京 武汉 成都 三亚 大连 济南".split()


def question(rng: random.Random) -> str:
    parts = [rng.choice(FILLERS) if rng.random() < 0.4 else "", rng.choice(TOPICS), rng.choice(ACTIONS)]
    if rng.random() < 0.3:
        parts.append(rng.choice(CITIES))
    parts.append(rng.choice(ASKS))
    return "".join(parts)


def generate(entries: int, variants: int, rng: random.Random) -> list[FaqEntry]:
    return [
        FaqEntry(
            id=f"generated-{number}",
            audience="insured",
            questions=tuple(question(rng) for _ in range(variants)),
            answer="生成的答复，用于测速。" + "".join(rng.sample(TOPICS, 3)),
            citations=("吉医保规〔2023〕4号 第三条",),
            effective_from=date(2023, 8, 14),
            tags=("filing",),
        )
        for number in range(entries)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--variants", type=int, default=10)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(20261122)
    content = load_knowledge_content()
    faq = generate(args.entries, args.variants, rng)

    started = time.perf_counter()
    index = KnowledgeIndex.build({"bench": faq}, content.intents, content.synonyms)
    build_s = time.perf_counter() - started
    # The index lives for the whole process: move it out of the collector's generations, as a server would
    # after start-up, so a collection pass over 10,000 variants' objects does not land inside a question.
    gc.collect()
    gc.freeze()

    questions = [question(rng) for _ in range(args.queries)]
    on = date(2026, 11, 22)
    for text in questions[:50]:  # warm-up: jieba's dictionary, numpy
        index.search(text, region="bench", on=on)
    wall_ms: list[float] = []
    cpu_ms: list[float] = []
    bands: dict[str, int] = {}
    for text in questions:
        w0, c0 = time.perf_counter(), time.thread_time()
        result = index.search(text, region="bench", on=on)
        cpu_ms.append((time.thread_time() - c0) * 1000)
        wall_ms.append((time.perf_counter() - w0) * 1000)
        bands[result.band] = bands.get(result.band, 0) + 1
    print(f"entries {args.entries} x {args.variants} variants, {args.queries} questions")
    print(f"index build: {build_s:.2f} s")
    for name, timings in (("wall", wall_ms), ("cpu", cpu_ms)):
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        worst = max(timings)
        print(f"answer selection ({name}): p50 {cuts[49]:.3f} ms, p99 {cuts[98]:.3f} ms, max {worst:.3f} ms")
    print("(wall includes time the OS gave other processes; cpu is this thread's own time)")
    print(f"bands: {bands}")


if __name__ == "__main__":
    main()
