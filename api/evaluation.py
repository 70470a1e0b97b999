"""`yibao eval`: the evaluation set run against the assistant on a database of its own with the demo persons,
single questions on one copy and every conversation on a fresh copy, scored on what people read."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.demo import DEMO_PERSONS, seed_insured
from bot.app import EngineConfig, build_engine
from bot.engine import Engine
from bot.evaluation.cases import ConversationCase, SingleCase, load_conversations, load_single
from bot.evaluation.engine_target import EngineTarget
from bot.evaluation.runner import EvalRun, Target, run_conversation, run_singles
from bot.store.db import make_engine
from bot.store.migrate import upgrade
from bot.understanding import State

DEMO_IDS = {demo.user: demo.id_number for demo in DEMO_PERSONS}
DEFAULT_EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval"


@dataclass
class EvalBench:
    """A migrated SQLite database with the demo persons, copied afresh for each run or conversation."""

    engine: Engine
    template: Path
    workdir: Path

    @contextmanager
    def fresh(self) -> Iterator[Engine]:
        copy = Path(tempfile.mkstemp(suffix=".db", dir=self.workdir)[1])
        shutil.copyfile(self.template, copy)
        db = make_engine(f"sqlite:///{copy}")
        try:
            yield replace(self.engine, db=db)
        finally:
            db.dispose()
            copy.unlink(missing_ok=True)

    def slots(self, text: str, region: str, on: date) -> Any:
        understood = self.engine.parts.understander.read(text, State(), region=region, on=on)
        return {**understood.slots, **({"region": understood.region} if understood.region else {})}


@contextmanager
def eval_bench(content_dir: Path, on: date) -> Iterator[EvalBench]:
    workdir = Path(tempfile.mkdtemp(prefix="yibao-eval-"))
    template = workdir / "template.db"
    url = f"sqlite:///{template}"
    try:
        upgrade(url)
        engine = build_engine(EngineConfig(database_url=url, content_dir=content_dir))
        with Session(engine.db) as session:
            list(seed_insured(session, engine.cipher, on, datetime.combine(on, time(9))))
            session.commit()
        engine.db.dispose()
        yield EvalBench(engine, template, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


TargetFactory = Callable[[Engine], Target]


def engine_target(engine: Engine) -> Target:
    return EngineTarget(engine, DEMO_IDS)


def run_evaluation(
    content_dir: Path,
    eval_dir: Path = DEFAULT_EVAL_DIR,
    *,
    target: TargetFactory = engine_target,
    singles: bool = True,
    conversations: bool = True,
) -> EvalRun:
    single_cases = load_single(eval_dir / "replies") if singles else ()
    conversation_cases = load_conversations(eval_dir / "conversations") if conversations else ()
    dates = [c.on for c in single_cases] + [c.on for c in conversation_cases]
    with eval_bench(content_dir, min(dates) if dates else date.today()) as bench:
        return run_on(bench, single_cases, conversation_cases, target)


def run_on(
    bench: EvalBench,
    single_cases: Sequence[SingleCase],
    conversation_cases: Sequence[ConversationCase],
    target: TargetFactory = engine_target,
) -> EvalRun:
    """Single questions on one fresh copy of the database, each conversation on a fresh copy of its own."""
    single_results: list[Any] = []
    if single_cases:
        with bench.fresh() as engine:
            single_results = run_singles(target(engine), single_cases, bench.slots)
    conversation_results = []
    for case in conversation_cases:
        with bench.fresh() as engine:
            conversation_results.append(run_conversation(target(engine), case))
    return EvalRun(tuple(single_results), tuple(conversation_results))
