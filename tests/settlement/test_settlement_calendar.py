"""Working days on the official schedules (2024–2026 from chinesecalendar, newer years from content files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from settlement_test_support import CONTENT

from bot.content.calendar import load_calendar
from bot.errors import ContentError
from settlement import CalendarError, PolicyLoadError, WorkCalendar, parse_calendar_year

d = dt.date


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return load_calendar(CONTENT)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (d(2024, 2, 12), False),  # 春节 2024-02-10..17
        (d(2024, 2, 4), True),  # Sunday worked before 春节
        (d(2024, 2, 18), True),  # Sunday worked after 春节
        (d(2024, 10, 7), False),  # 国庆
        (d(2024, 10, 12), True),  # Saturday worked
        (d(2025, 1, 28), False),  # 春节 2025-01-28..02-04
        (d(2025, 1, 26), True),  # Sunday worked
        (d(2025, 2, 8), True),  # Saturday worked
        (d(2025, 10, 8), False),  # 国庆+中秋 2025-10-01..08
        (d(2025, 10, 11), True),  # Saturday worked
        (d(2026, 2, 23), False),  # 春节 2026-02-15..23
        (d(2026, 2, 14), True),  # Saturday worked
        (d(2026, 10, 7), False),  # 国庆 2026-10-01..07
        (d(2026, 10, 10), True),  # Saturday worked
        (d(2026, 11, 23), True),  # an ordinary Monday
        (d(2026, 11, 22), False),  # an ordinary Sunday
    ],
)
def test_official_days(calendar: WorkCalendar, day: dt.date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_known_years(calendar: WorkCalendar) -> None:
    assert {2024, 2025, 2026} <= calendar.known_years
    assert not calendar.is_known(2099)


def test_counting_across_national_day(calendar: WorkCalendar) -> None:
    # 2026-09-28 (Mon): 29 Tue 1, 30 Wed 2, Oct 1–7 off, 8 Thu 3, 9 Fri 4, 10 Sat (worked) 5
    result = calendar.add_working_days(d(2026, 9, 28), 5)
    assert (result.date, result.estimated) == (d(2026, 10, 10), False)
    assert calendar.add_working_days(d(2025, 9, 30), 1).date == d(2025, 10, 9)


def test_zero_days_is_the_start(calendar: WorkCalendar) -> None:
    assert calendar.add_working_days(d(2026, 10, 3), 0).date == d(2026, 10, 3)


def test_unknown_year_is_counted_monday_to_friday_and_flagged(calendar: WorkCalendar) -> None:
    # 2026-12-30 (Wed): 31 Thu 1; 2027-01-01 Fri counted (2027 unpublished) 2; 01-04 Mon 3
    result = calendar.add_working_days(d(2026, 12, 30), 3)
    assert result.date == d(2027, 1, 4)
    assert result.estimated is True
    assert result.unknown_years == (2027,)
    far = calendar.add_working_days(d(2099, 12, 31), 10)
    assert far.estimated and far.unknown_years == (2100,)


def test_content_file_adds_a_year(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2027.yaml").write_text(
        "year: 2027\nsource: test schedule\nholidays:\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}\n"
        "workdays: [2027-01-09]\n",
        encoding="utf-8",
    )
    calendar = load_calendar(tmp_path)
    assert calendar.is_known(2027) and calendar.is_known(2026)
    assert not calendar.is_working_day(d(2027, 1, 1))
    assert calendar.is_working_day(d(2027, 1, 9))  # a Saturday made a working day
    result = calendar.add_working_days(d(2026, 12, 30), 3)  # 31 Thu 1; Jan 1 off; Jan 4 Mon 2; Jan 5 Tue 3
    assert (result.date, result.estimated) == (d(2027, 1, 5), False)


def test_content_file_replaces_a_package_year(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2026.yaml").write_text(
        "year: 2026\nsource: correction\nholidays: []\nworkdays: []\n", encoding="utf-8"
    )
    assert load_calendar(tmp_path).is_working_day(d(2026, 10, 8))


def test_misnamed_or_broken_files_name_the_file(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    path = tmp_path / "calendar" / "2028.yaml"
    path.write_text("year: 2027\nsource: x\nholidays: []\nworkdays: []\n", encoding="utf-8")
    with pytest.raises(ContentError, match="2028.yaml"):
        load_calendar(tmp_path)
    path.write_text("year: 2028\nsource: x\nholidays: []\nworkdays: [2027-05-01]\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"calendar/2028.yaml:4"):
        load_calendar(tmp_path)


HEAD = "year: 2027\nsource: x\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (HEAD + "holidays: []\nworkdays: []\nextra: 1\n", "unknown key 'extra'"),
        (
            HEAD + "holidays:\n  - {name: a, from: 2027-01-03, to: 2027-01-01}\nworkdays: []\n",
            "must run forwards",
        ),
        (
            HEAD + "holidays:\n  - {name: a, from: 2027-01-01, to: 2027-01-01}\nworkdays: [2027-01-01]\n",
            "both as",
        ),
        (HEAD + "holidays:\n  - {name: a, from: 2027-01-01}\nworkdays: []\n", "lacks the key 'to'"),
    ],
)
def test_calendar_file_errors(text: str, words: str) -> None:
    with pytest.raises(PolicyLoadError, match=words):
        parse_calendar_year(text, "calendar/2027.yaml")


def test_inconsistent_data_is_refused() -> None:
    with pytest.raises(CalendarError):
        WorkCalendar(holidays=[d(2026, 1, 1)], workdays=[d(2026, 1, 1)], known_years=[2026])
    with pytest.raises(CalendarError):
        WorkCalendar(holidays=[d(2030, 1, 1)], workdays=[], known_years=[2026])
