"""Deadlines of a region pack (manual reimbursement, processing, insurance transfer, pledge materials).

Layout of `policy/deadlines.yaml` (every deadline listed; each a list of dated versions):

    region: jilin
    deadlines:
      manual_reimbursement:
        - kind: end_of_following_year          # by 31 December of the year after the start date
          citation: 吉医保规〔2023〕4号 第十五条
          effective_from: 2023-08-14
      processing:
        - {kind: working_days, days: 22, citation: ..., effective_from: 2019-10-01}

Kinds: end_of_following_year; day_of_following_year (month, day); working_days (days); calendar_months
(months); not_specified (the region's documents give none: say so, never borrow another region's rule);
not_applicable. The version in force on the date of asking (`as_of`) is the current rule; versions whose
period ended before it are reported as superseded so an answer can correct someone quoting the old rule.
Periods are counted as 《民法典》第二百零一条–第二百零三条 count them: the start day is not counted;
a month period ends on the same day number (the month's last day when there is none).
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from settlement.calendar import WorkCalendar
from settlement.errors import RuleNotFound
from settlement.yamltext import Reader, YamlMap, load_yaml

DEADLINE_NAMES = ("manual_reimbursement", "processing", "insurance_transfer", "pledge_materials")
KINDS: Mapping[str, tuple[str, ...]] = {
    "end_of_following_year": (),
    "day_of_following_year": ("month", "day"),
    "working_days": ("days",),
    "calendar_months": ("months",),
    "not_specified": (),
    "not_applicable": (),
}
_OPEN_KINDS = ("not_specified", "not_applicable")


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """One dated version of a deadline rule."""

    name: str
    kind: str
    params: Mapping[str, int]
    citation: str | None
    effective_from: dt.date | None
    effective_to: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        started = self.effective_from is None or self.effective_from <= on
        return started and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class RegionDeadlines:
    """All deadline rules of one region pack."""

    region: str
    source: str
    rules: Mapping[str, tuple[DeadlineRule, ...]]


@dataclass(frozen=True, slots=True)
class SupersededRule:
    """An older version of the rule and the date it would have given."""

    kind: str
    params: Mapping[str, int]
    citation: str | None
    effective_to: dt.date | None
    due_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline: `status` is due, not_specified or not_applicable; `due_on` only when due."""

    name: str
    status: str
    start: dt.date
    due_on: dt.date | None
    overdue: bool | None
    estimated: bool
    unknown_years: tuple[int, ...]
    kind: str
    params: Mapping[str, int]
    citation: str | None
    due_is_working_day: bool | None
    superseded: tuple[SupersededRule, ...] = field(default=())


def parse_deadlines(text: str, source: str, documents: tuple[str, ...] = ()) -> RegionDeadlines:
    """Parse `deadlines.yaml` text; every deadline name must be listed, with at least one version."""
    reader = Reader(source)
    root = load_yaml(text, source)
    reader.keys(root, required=("region", "deadlines"), optional=("description",), what="the deadlines file")
    region = reader.text(root, "region", "the deadlines file")
    assert region is not None
    node = reader.mapping(root["deadlines"], reader.line_of(root, "deadlines"), "deadlines")
    reader.keys(node, required=DEADLINE_NAMES, what="deadlines")
    rules: dict[str, tuple[DeadlineRule, ...]] = {}
    for name in DEADLINE_NAMES:
        versions = reader.sequence(node[name], reader.line_of(node, name), f"deadline {name}")
        if not versions:
            raise reader.fail(versions.line, f"deadline {name} has no versions")
        parsed = [_version(reader, item, versions.line, name, documents) for item in versions]
        parsed.sort(key=lambda r: r.effective_from or dt.date.min)
        for earlier, later in zip(parsed, parsed[1:], strict=False):
            if (
                earlier.effective_to is None
                or later.effective_from is None
                or (earlier.effective_to >= later.effective_from)
            ):
                raise reader.fail(versions.line, f"deadline {name}: versions overlap in time")
        rules[name] = tuple(parsed)
    return RegionDeadlines(region=region, source=source, rules=rules)


def _version(reader: Reader, node: Any, line: int, name: str, documents: tuple[str, ...]) -> DeadlineRule:
    item: YamlMap = reader.mapping(node, line, f"a version of {name}")
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise reader.fail(reader.line_of(item, "kind"), f"{name}: kind must be one of {', '.join(KINDS)}")
    what = f"deadline {name}"
    reader.keys(
        item,
        required=("kind", "effective_from", *KINDS[kind], *(() if kind in _OPEN_KINDS else ("citation",))),
        optional=("effective_to", "note", *(("citation",) if kind in _OPEN_KINDS else ())),
        what=what,
    )
    params = {key: reader.integer(item, key, what) for key in KINDS[kind]}
    if any(v <= 0 for v in params.values()):
        raise reader.fail(item.line, f"{what}: counts must be positive")
    if kind == "day_of_following_year":
        try:
            dt.date(2001, params["month"], params["day"])
        except ValueError as exc:
            raise reader.fail(item.line, f"{what}: no such day of the year") from exc
    citation = None if item.get("citation") is None else reader.citation(item, "citation", what, documents)
    start = reader.date(item, "effective_from", what, optional=True)
    end = reader.date(item, "effective_to", what, optional=True)
    if start is not None and end is not None and end < start:
        raise reader.fail(
            reader.line_of(item, "effective_to"), f"{what}: effective_to is before effective_from"
        )
    return DeadlineRule(
        name=name, kind=kind, params=params, citation=citation, effective_from=start, effective_to=end
    )


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day number `months` later; the month's last day when that month is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, stdlib_calendar.monthrange(year, month)[1]))


def _due(
    rule: DeadlineRule, start: dt.date, calendar: WorkCalendar | None
) -> tuple[dt.date | None, tuple[int, ...]]:
    if rule.kind == "end_of_following_year":
        return dt.date(start.year + 1, 12, 31), ()
    if rule.kind == "day_of_following_year":
        return dt.date(start.year + 1, rule.params["month"], rule.params["day"]), ()
    if rule.kind == "calendar_months":
        return add_months(start, rule.params["months"]), ()
    if rule.kind == "working_days":
        if calendar is None:
            raise ValueError(f"{rule.name} counts working days: a WorkCalendar is needed")
        counted = calendar.add_working_days(start, rule.params["days"])
        return counted.date, counted.unknown_years
    return None, ()


def deadline(
    deadlines: RegionDeadlines,
    name: str,
    *,
    start: dt.date,
    as_of: dt.date,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """The deadline `name` counted from `start` under the rule in force on `as_of` (the date of asking)."""
    versions = deadlines.rules.get(name)
    if versions is None:
        raise RuleNotFound(f"{deadlines.region} defines no deadline {name!r}")
    current = next((v for v in versions if v.in_force(as_of)), None)
    if current is None:
        raise RuleNotFound(f"{deadlines.region}: no {name} rule is in force on {as_of}")
    due_on, unknown = _due(current, start, calendar)
    superseded = tuple(
        SupersededRule(
            kind=v.kind,
            params=v.params,
            citation=v.citation,
            effective_to=v.effective_to,
            due_on=_due(v, start, calendar)[0],
        )
        for v in versions
        if v.effective_to is not None and v.effective_to < as_of
    )
    status = current.kind if current.kind in _OPEN_KINDS else "due"
    return Deadline(
        name=name,
        status=status,
        start=start,
        due_on=due_on,
        overdue=None if due_on is None else as_of > due_on,
        estimated=bool(unknown),
        unknown_years=unknown,
        kind=current.kind,
        params=current.params,
        citation=current.citation,
        due_is_working_day=None if due_on is None or calendar is None else calendar.is_working_day(due_on),
        superseded=superseded,
    )


def manual_reimbursement_deadline(
    deadlines: RegionDeadlines, *, treated_on: dt.date, as_of: dt.date, calendar: WorkCalendar | None = None
) -> Deadline:
    """Last day to claim costs not settled directly; `treated_on` is the discharge (or visit) date."""
    return deadline(deadlines, "manual_reimbursement", start=treated_on, as_of=as_of, calendar=calendar)


def processing_deadline(
    deadlines: RegionDeadlines, calendar: WorkCalendar, *, materials_complete_on: dt.date, as_of: dt.date
) -> Deadline:
    """Date the agency should pay a manual claim by, counted from the day the materials were complete."""
    return deadline(deadlines, "processing", start=materials_complete_on, as_of=as_of, calendar=calendar)


def insurance_transfer_deadline(
    deadlines: RegionDeadlines, calendar: WorkCalendar, *, applied_on: dt.date, as_of: dt.date
) -> Deadline:
    """Date a cross-province transfer of the insurance relation should be done by."""
    return deadline(deadlines, "insurance_transfer", start=applied_on, as_of=as_of, calendar=calendar)


def pledge_materials_deadline(
    deadlines: RegionDeadlines, *, filed_on: dt.date, as_of: dt.date, calendar: WorkCalendar | None = None
) -> Deadline:
    """Last day to hand in the materials promised by a pledge filing."""
    return deadline(deadlines, "pledge_materials", start=filed_on, as_of=as_of, calendar=calendar)
