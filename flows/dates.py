"""Chinese dates as people type them, and month arithmetic: the one date reader of the project.

Days: 2026年12月1日, 2026-12-1, 12月1号, 12.1, 12/1, 十二月一号, 去年10月8号, 今天 / 明天 / 后天 / 大后天 /
昨天 / 前天 / 大前天, 3天前, 下周一 / 下星期三 / 这周五 / 上周五 / 上上周五, 下个月5号, 上个月5号, 5号, 月底,
11月底, 年底; months without a day (前年11月, 去年1月) through `find_months`. A date that leaves out its year
(or month, or week) falls on the side `direction` says: "past" is the latest such day not after today
("10月8号出院"), "future" the earliest not before today ("12月10号开始"). Spans are positions in the text as
typed. Fixed-date holidays are read as their first day (元旦, 五一 / 劳动节, 国庆, 今年国庆); the lunar ones
(春节, 端午, 中秋) are not. The tables are patterns for input, not user-facing text.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from flows.errors import FlowsError
from flows.typed_text import chinese_number, fold
from settlement.deadlines import add_months as add_months  # the one month arithmetic, re-exported

Direction = Literal["past", "future"]

_D = r"\d{1,2}|[零〇一二三四五六七八九十]{1,3}"  # a month or day number (两 counts, it names no month)
_CN4 = "[零〇一二三四五六七八九]"
_RELATIVE_YEARS = {"大前年": -3, "前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2}
_YEAR = (
    rf"(?:(?P<y>\d{{4}}|{_CN4}{{4}}|(?:\d\d|{_CN4}{{2}})(?=\s*年))\s*(?:年|[-/.])\s*"
    rf"|(?P<ry>{'|'.join(_RELATIVE_YEARS)})\s*)"
)
_NEAR = r"上上个?|上个?|下下个?|下个?|这个?|本"
_OFFSETS = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}
_EDGES = {"底": "end", "末": "end", "初": "start"}
_NOT_AMOUNT = r"(?![\d.%万千百元块天个倍岁])"
_CALENDAR = (
    # 2026年12月1日, 去年10月8号, 十二月一号, 11月底, 2025年3月 / 前年11月 (month only)
    re.compile(rf"{_YEAR}?(?P<m>{_D})\s*月份?\s*(?:(?P<d>{_D})\s*[日号]?{_NOT_AMOUNT}|(?P<edge>[底末初]))?"),
    # 2026-12-1, 2026.12.01, 12.1, 12/1 (digits only; "1.5万", "3.5天", "12.5%" are not dates)
    re.compile(
        rf"(?<![\d.])(?:(?P<y>\d{{4}})[-/.])?(?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})[日号]?{_NOT_AMOUNT}"
    ),
    # 下个月5号, 上个月底, 本月20日, 月底, and 5号 alone (not 5号楼, 3号床, 1号线)
    re.compile(
        rf"(?:(?P<near>{_NEAR})|(?<![\d零〇一二三四五六七八九十个]))月\s*(?:(?P<d>{_D})\s*[日号]?|(?P<edge>[底末初]))"
    ),
    re.compile(rf"(?<![\d月.年])(?P<d>{_D})\s*号(?![楼床线房院窗病码位门台])"),
    # 年底, 去年底, 今年年底 (not 当年年底, 第二年年底: no day of their own)
    re.compile(r"(?P<ry>[去今明])?(?<![当二次每年])年年?[底末]"),
)
# Holidays on a fixed day of the year: their first day.
_HOLIDAYS = {"元旦": (1, 1), "五一": (5, 1), "劳动节": (5, 1), "国庆": (10, 1), "国庆节": (10, 1)}
_HOLIDAY = re.compile(rf"{_YEAR}?(?P<holiday>国庆节|{'|'.join(_HOLIDAYS)})")
_RELATIVE_DAYS = {"大前天": -3, "大后天": 3, "前天": -2, "后天": 2, "昨天": -1, "昨日": -1}
_RELATIVE_DAYS |= {"今天": 0, "今日": 0, "明天": 1, "明日": 1}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_RELATIVE = (
    re.compile("|".join(_RELATIVE_DAYS)),
    re.compile(r"(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*天[以之]?(?P<side>[前后])"),
    re.compile(rf"(?P<week>{_NEAR})?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末1-7])"),
)
_COUNTING = set("0123456789零一二两俩三四五六七八九十几每个多")  # "两周一次", "一礼拜一共": no weekday
_MATERIALS_WORDS = ("材料", "交齐", "交全", "齐了", "递交", "提交", "资料")
_CLAUSE = re.compile(r"[,。;!?、:\s]+")


class DateWordsError(FlowsError):
    """No usable date in the text; `code` says why (missing, impossible, several) with template context."""

    def __init__(self, code: str, **context: Any) -> None:
        super().__init__(code)
        self.code = code
        self.context = context


@dataclass(frozen=True)
class FoundDate:
    """A day found in a text, whether its clause speaks of materials handed in, and where it was typed."""

    on: dt.date
    about_materials: bool
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class FoundMonth:
    """A month named without a day ("前年11月"), as its first day, and where it was typed."""

    first_day: dt.date
    span: tuple[int, int]


@dataclass(frozen=True)
class _Mention:
    kind: Literal["day", "month"]
    on: dt.date
    span: tuple[int, int]
    relative: bool = False  # 今天, 上周五, 3天前: no date of its own in a clause with a calendar date
    day_alone: int | None = None  # 8号: in "10月1号住院 8号出院" it is in the month named before it


# ---- one mention -------------------------------------------------------------------------------------------
def _day(year: int, month: int, day: int | str) -> dt.date | None:
    """A day of a month ("end" / "start" for its edges); None when the month has no such day."""
    if day == "end":
        return dt.date(year, month, stdlib_calendar.monthrange(year, month)[1])
    try:
        return dt.date(year, month, 1 if day == "start" else int(day))
    except ValueError:
        return None


def _nearest(candidates: Iterable[dt.date | None], today: dt.date, direction: Direction) -> dt.date | None:
    """The first candidate on the `direction` side of today (candidates run from today outwards)."""
    for day in candidates:
        if day is not None and (day <= today if direction == "past" else day >= today):
            return day
    return None


def _outwards(direction: Direction, count: int) -> range:
    return range(0, -count, -1) if direction == "past" else range(count)


def _year_of(groups: dict[str, Any], today: dt.date) -> int | None:
    if groups.get("ry"):
        return today.year + _RELATIVE_YEARS[groups["ry"]]
    if groups.get("y"):
        year = chinese_number(groups["y"])
        return year + 2000 if year < 100 else year
    return None


def _month_day(match: re.Match[str], today: dt.date, direction: Direction) -> _Mention | None:
    """A month with its day, edge (底, 初) or nothing (a month alone); None for digits that are no date."""
    groups = match.groupdict()
    month = chinese_number(groups["m"])
    day: int | str = (
        chinese_number(groups["d"]) if groups.get("d") else _EDGES.get(groups.get("edge") or "", 0)
    )
    if match.re is _CALENDAR[1] and not (1 <= month <= 12 and 1 <= int(day) <= 31):
        return None
    if not 1 <= month <= 12 or (isinstance(day, int) and day and _day(2000, month, day) is None):
        raise DateWordsError("impossible", month=month, day=day)  # 2000 is a leap year: 2月29日 may exist
    year = _year_of(groups, today)
    years = [year] if year is not None else [today.year + n for n in _outwards(direction, 5)]
    if not day:
        firsts = [dt.date(y, month, 1) for y in years]
        return _Mention("month", _nearest(firsts, today.replace(day=1), direction) or firsts[0], match.span())
    days = [_day(y, month, day) for y in years]
    on = days[0] if year is not None else _nearest(days, today, direction)
    if on is None:
        raise DateWordsError("impossible", month=month, day=day)
    return _Mention("day", on, match.span())


def _in_month(match: re.Match[str], today: dt.date, direction: Direction) -> _Mention:
    """下个月5号, 上个月底, or a day alone (5号): in the month said, or the nearest month that has it."""
    groups = match.groupdict()
    day: int | str = chinese_number(groups["d"]) if groups.get("d") else _EDGES[groups["edge"]]
    first = today.replace(day=1)
    if groups.get("near"):
        month = add_months(first, _OFFSETS[groups["near"].rstrip("个")])
        on = _day(month.year, month.month, day)
    else:
        months = [add_months(first, n) for n in _outwards(direction, 13)]
        on = _nearest((_day(m.year, m.month, day) for m in months), today, direction)
    if on is None:
        raise DateWordsError("impossible", month=first.month, day=day)
    alone = day if isinstance(day, int) and not groups.get("near") else None
    return _Mention("day", on, match.span(), day_alone=alone)


def _year_end(match: re.Match[str], today: dt.date, direction: Direction) -> _Mention:
    if match["ry"]:
        return _Mention(
            "day", dt.date(today.year + _RELATIVE_YEARS[match["ry"] + "年"], 12, 31), match.span()
        )
    ends = [dt.date(today.year + n, 12, 31) for n in _outwards(direction, 2)]
    return _Mention("day", _nearest(ends, today, direction) or ends[0], match.span())


def _relative(match: re.Match[str], clean: str, today: dt.date, direction: Direction) -> _Mention | None:
    groups = match.groupdict()
    if groups.get("n") is not None:  # 3天前, 两天后
        days = chinese_number(groups["n"])
        on = today + dt.timedelta(days=-days if groups["side"] == "前" else days)
    elif groups.get("wd") is not None:  # 下周一, 周五
        if groups.get("week") is None and match.start() > 0 and clean[match.start() - 1] in _COUNTING:
            return None
        weekday = int(groups["wd"]) - 1 if groups["wd"].isdigit() else _WEEKDAYS[groups["wd"]]
        this_week = today + dt.timedelta(days=weekday - today.weekday())
        if groups.get("week") is not None:
            on = this_week + dt.timedelta(weeks=_OFFSETS[groups["week"].rstrip("个")])
        else:
            weeks = (this_week + dt.timedelta(weeks=n) for n in _outwards(direction, 2))
            on = _nearest(weeks, today, direction) or this_week
    else:
        on = today + dt.timedelta(days=_RELATIVE_DAYS[match.group(0)])
    return _Mention("day", on, match.span(), relative=True)


def _read(
    index: int, match: re.Match[str], clean: str, today: dt.date, direction: Direction
) -> _Mention | None:
    if index < 2:
        return _month_day(match, today, direction)
    if index < 4:
        return _in_month(match, today, direction)
    if index == 4:
        return _year_end(match, today, direction)
    if index == 5:
        return _holiday(match, today, direction)
    return _relative(match, clean, today, direction)


def _holiday(match: re.Match[str], today: dt.date, direction: Direction) -> _Mention:
    month, day = _HOLIDAYS[match["holiday"]]
    year = _year_of(match.groupdict(), today)
    if year is not None:
        return _Mention("day", dt.date(year, month, day), match.span())
    days = [dt.date(today.year + n, month, day) for n in _outwards(direction, 2)]
    return _Mention("day", _nearest(days, today, direction) or days[0], match.span())


def _scan(text: str, today: dt.date, direction: Direction, strict: bool = True) -> list[_Mention]:
    """Every date and month mention, in order; earlier patterns win where mentions overlap."""
    clean = fold(text)
    taken = [False] * len(clean)
    found: list[_Mention] = []
    for index, pattern in enumerate((*_CALENDAR, _HOLIDAY, *_RELATIVE)):
        for match in pattern.finditer(clean):
            if any(taken[match.start() : match.end()]):
                continue
            try:
                mention = _read(index, match, clean, today, direction)
            except (DateWordsError, ValueError) as exc:
                if strict:
                    raise exc if isinstance(exc, DateWordsError) else DateWordsError("missing") from exc
                mention = None
            if mention is not None:
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append(mention)
    return _after_months(sorted(found, key=lambda m: m.span))


def _after_months(mentions: list[_Mention]) -> list[_Mention]:
    """A day alone after a day with its month is in that month, or the next when it would come before."""
    out: list[_Mention] = []
    for mention in mentions:
        before = next((m for m in reversed(out) if m.kind == "day" and not m.relative), None)
        before = before if before is not None and before.day_alone is None else None
        if mention.day_alone is not None and before is not None:
            month = before.on.replace(day=1)
            on = _day(month.year, month.month, mention.day_alone)
            if on is None or on < before.on:
                month = add_months(month, 1)
                on = _day(month.year, month.month, mention.day_alone)
            mention = _Mention("day", on or mention.on, mention.span)
        out.append(mention)
    return out


def find_dates(
    text: str, today: dt.date, direction: Direction = "past", *, strict: bool = True
) -> list[FoundDate]:
    """Every day named in `text`, in order, each marked when its clause is about materials handed in.

    A relative word in a clause that names a calendar date is no date of its own ("今天问下10月8号出院的事").
    `strict=False` skips impossible dates (2月30日) instead of raising DateWordsError("impossible").
    """
    clean = fold(text)
    mentions = [m for m in _scan(text, today, direction, strict) if m.kind == "day"]
    found: list[FoundDate] = []
    for mention in mentions:
        start, end = mention.span
        left = max((m.end() for m in _CLAUSE.finditer(clean, 0, start)), default=0)
        right = next((m.start() for m in _CLAUSE.finditer(clean, end)), len(clean))
        if mention.relative and any(not m.relative and left <= m.span[0] < right for m in mentions):
            continue
        about = any(word in clean[left:right] for word in _MATERIALS_WORDS)
        found.append(FoundDate(mention.on, about, mention.span))
    return found


def find_months(text: str, today: dt.date, direction: Direction = "past") -> list[FoundMonth]:
    """Months named without a day ("前年11月住了8天", "3月份"), in order; impossible dates are skipped."""
    mentions = _scan(text, today, direction, strict=False)
    return [FoundMonth(m.on, m.span) for m in mentions if m.kind == "month"]


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` names a date or a month (so a duration or an amount reader can leave them alone)."""
    return [m.span for m in _scan(text, dt.date(2000, 1, 1), "past", strict=False)]


def parse_one_date(text: str, today: dt.date, direction: Direction = "past") -> dt.date:
    """The one day in `text`; DateWordsError when there is none or several different ones."""
    dates = {d.on for d in find_dates(text, today, direction)}
    if not dates:
        raise DateWordsError("missing")
    if len(dates) > 1:
        raise DateWordsError("several")
    return dates.pop()


def parse_day(text: str, today: dt.date, direction: Direction = "future") -> dt.date | None:
    """The one day in `text`, or None when there is none, several or an impossible one."""
    try:
        return parse_one_date(text, today, direction)
    except DateWordsError:
        return None
