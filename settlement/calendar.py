"""Working days: a calendar of official holidays and adjusted working days, built from data passed in.

A year the data does not cover is counted Monday–Friday and every answer that counted a day in it says so
(`estimated`), because the State Council publishes each year's schedule only the winter before.

`content/calendar/<year>.yaml` layout (parsed by `parse_calendar_year`):

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays:                       # every day off, weekend days inside a holiday period included
      - {name: 元旦, from: 2027-01-01, to: 2027-01-01}
    workdays: [2027-02-20]          # adjusted working days (weekend days that are worked)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from settlement.errors import CalendarError
from settlement.yamltext import Reader, load_yaml

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """The official schedule of one year."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """The result of counting working days: the date reached and whether an unpublished year was counted."""

    date: dt.date
    estimated: bool
    unknown_years: tuple[int, ...]


class WorkCalendar:
    """Official working days for the known years; Monday–Friday (flagged as estimated) for any other year."""

    def __init__(
        self, *, holidays: Iterable[dt.date], workdays: Iterable[dt.date], known_years: Iterable[int]
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self.known_years = frozenset(known_years)
        both = self._holidays & self._workdays
        if both:
            raise CalendarError(f"days both off and adjusted working days: {sorted(both)[:5]}")
        stray = {d.year for d in self._holidays | self._workdays} - self.known_years
        if stray:
            raise CalendarError(f"holiday data given for years not declared known: {sorted(stray)}")

    @classmethod
    def from_years(cls, years: Iterable[CalendarYear]) -> WorkCalendar:
        """Build from per-year schedules; a later entry for the same year replaces the earlier one."""
        by_year = {y.year: y for y in years}
        return cls(
            holidays=(d for y in by_year.values() for d in y.holidays),
            workdays=(d for y in by_year.values() for d in y.workdays),
            known_years=by_year,
        )

    def is_known(self, year: int) -> bool:
        return year in self.known_years

    def is_working_day(self, day: dt.date) -> bool:
        """Official rule for known years; Monday–Friday otherwise."""
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> WorkingDays:
        """The `days`-th working day after `start` (the start day itself is not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted, unknown = start, 0, set()
        while counted < days:
            day += _ONE_DAY
            if day.year not in self.known_years:
                unknown.add(day.year)
            if self.is_working_day(day):
                counted += 1
        return WorkingDays(date=day, estimated=bool(unknown), unknown_years=tuple(sorted(unknown)))


def parse_calendar_year(text: str, source: str) -> CalendarYear:
    """Parse one `content/calendar/<year>.yaml` text."""
    reader = Reader(source)
    root = load_yaml(text, source)
    reader.keys(
        root, required=("year", "source", "holidays", "workdays"), optional=("note",), what="a calendar"
    )
    year = reader.integer(root, "year", "the calendar")
    origin = reader.text(root, "source", "the calendar")
    assert origin is not None
    holidays: set[dt.date] = set()
    periods = reader.sequence(root["holidays"], reader.line_of(root, "holidays"), "holidays")
    for node in periods:
        item = reader.mapping(node, periods.line, "a holiday")
        reader.keys(item, required=("name", "from", "to"), what="a holiday")
        reader.text(item, "name", "a holiday")
        first = reader.date(item, "from", "a holiday")
        last = reader.date(item, "to", "a holiday")
        assert first is not None and last is not None
        if last < first or first.year != year or last.year != year:
            raise reader.fail(item.line, f"a holiday must run forwards inside {year}")
        day = first
        while day <= last:
            holidays.add(day)
            day += _ONE_DAY
    listed = reader.sequence(root["workdays"], reader.line_of(root, "workdays"), "workdays")
    workdays: set[dt.date] = set()
    for value in listed:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date) or value.year != year:
            raise reader.fail(listed.line, f"workdays must be dates in {year}, not {value!r}")
        if value in holidays:
            raise reader.fail(listed.line, f"{value} is listed both as a holiday and as a working day")
        workdays.add(value)
    return CalendarYear(year=year, holidays=frozenset(holidays), workdays=frozenset(workdays), source=origin)
