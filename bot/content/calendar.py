"""Builds the working-day calendar from the chinesecalendar package and content/calendar/<year>.yaml files.

The package covers the years it ships data for; a YAML file adds a newer year (or replaces a year whose
package data is wrong). Any other year is left unknown: settlement counts it Monday–Friday and says so.
"""

from __future__ import annotations

from pathlib import Path

import chinese_calendar

from bot.errors import ContentError
from settlement import CalendarYear, PolicyLoadError, WorkCalendar, parse_calendar_year


def package_years() -> list[CalendarYear]:
    """The schedules the installed chinesecalendar package knows, one per year."""
    holidays = sorted(chinese_calendar.holidays)
    workdays = sorted(chinese_calendar.workdays)
    if not holidays:
        return []
    first, last = holidays[0].year, holidays[-1].year
    source = f"chinesecalendar {chinese_calendar.__version__}"
    return [
        CalendarYear(
            year=year,
            holidays=frozenset(d for d in holidays if d.year == year),
            workdays=frozenset(d for d in workdays if d.year == year),
            source=source,
        )
        for year in range(first, last + 1)
    ]


def content_years(content_root: Path) -> list[CalendarYear]:
    """The schedules the policy team added as content/calendar/<year>.yaml."""
    years: list[CalendarYear] = []
    for path in sorted((content_root / "calendar").glob("*.yaml")):
        source = path.relative_to(content_root).as_posix()
        try:
            year = parse_calendar_year(path.read_text(encoding="utf-8"), source)
        except (OSError, UnicodeDecodeError) as exc:
            raise ContentError(f"cannot read {path}: {exc}") from exc
        except PolicyLoadError as exc:
            raise ContentError(str(exc)) from exc
        if path.stem != str(year.year):
            raise ContentError(f"{source}: the file name must be the year it holds ({year.year}.yaml)")
        years.append(year)
    return years


def load_calendar(content_root: Path) -> WorkCalendar:
    """Package years first, then content files (a content file replaces the package's data for its year)."""
    return WorkCalendar.from_years([*package_years(), *content_years(content_root)])
