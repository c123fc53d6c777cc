"""Recurrence rules for follow-ups, expanded with python-dateutil's rrule.

Times are local wall-clock times in the follow-up's own IANA zone: a rule is expanded over naive
local datetimes and each occurrence is given its zone afterwards, so a weekly 10:00 visit stays
at 10:00 local across a daylight-saving change (its UTC time moves by an hour instead).

Monthly by date on the 29th, 30th or 31st: in a month without that day the visit falls on the
month's last day (the 31st becomes 30 April, 28 or 29 February) — it never silently disappears.
A rule whose start is not itself one of its occurrences (a weekly rule on Mondays starting on a
Tuesday) is refused with a sentence rather than quietly starting later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, cast

from dateutil import rrule as _rr

from app.i18n import _, format_date

MAX_COUNT = 500
WEEKDAYS = (_rr.MO, _rr.TU, _rr.WE, _rr.TH, _rr.FR, _rr.SA, _rr.SU)


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # every `interval` weeks on `weekdays` (interval 7 or 8 included)
    MONTHLY_BY_DATE = "monthly_date"  # the same day of the month (short months: the last day)
    MONTHLY_BY_WEEKDAY = "monthly_weekday"  # e.g. the 2nd Tuesday, or the last Friday (-1)

    @property
    def label(self) -> str:
        return {Frequency.DAILY: _("Daily"), Frequency.WEEKLY: _("Weekly"),
                Frequency.MONTHLY_BY_DATE: _("Monthly on the same date"),
                Frequency.MONTHLY_BY_WEEKDAY: _("Monthly on the same weekday")}[self]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a follow-up repeats. `weekdays` are 0 = Monday … 6 = Sunday (weekly only; empty means
    the start's weekday). `until` (a local date, inclusive) or `count` ends it; neither: no end.
    Monthly rules take their day (or nth weekday) from the start date."""

    frequency: Frequency
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    until: date | None = None
    count: int | None = None
    # Monthly by weekday: which one in the month (1–4, or -1 for the last); None = from the start.
    nth: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"frequency": self.frequency.value, "interval": self.interval, "weekdays": list(self.weekdays),
                "until": self.until.isoformat() if self.until else None, "count": self.count, "nth": self.nth}

    @staticmethod
    def from_json(data: dict[str, Any]) -> Recurrence:
        return Recurrence(Frequency(data["frequency"]), int(data.get("interval") or 1),
                          tuple(int(d) for d in data.get("weekdays") or ()),
                          date.fromisoformat(data["until"]) if data.get("until") else None,
                          data.get("count"), data.get("nth"))


def nth_of_month(day: date) -> int:
    """Which occurrence of its weekday `day` is in its month: 1–5."""
    return (day.day - 1) // 7 + 1


def _rule(rec: Recurrence, anchor: datetime, dtstart: datetime | None = None) -> Any:
    """The dateutil rule. The day, weekday and nth come from `anchor` (the series' first
    occurrence); `dtstart` may be a later point on the rule's grid to start expanding from."""
    kwargs: dict[str, Any] = {"dtstart": dtstart or anchor, "interval": max(1, rec.interval), "cache": False}
    if rec.count is not None:
        kwargs["count"] = rec.count
    elif rec.until is not None:
        kwargs["until"] = datetime.combine(rec.until, time(23, 59, 59))
    if rec.frequency is Frequency.DAILY:
        return _rr.rrule(_rr.DAILY, **kwargs)
    if rec.frequency is Frequency.WEEKLY:
        days = rec.weekdays or (anchor.weekday(),)
        return _rr.rrule(_rr.WEEKLY, byweekday=[WEEKDAYS[d] for d in sorted(set(days))], wkst=_rr.MO, **kwargs)
    if rec.frequency is Frequency.MONTHLY_BY_DATE:
        d = anchor.day
        if d <= 28:
            return _rr.rrule(_rr.MONTHLY, bymonthday=d, **kwargs)
        return _rr.rrule(_rr.MONTHLY, bymonthday=list(range(28, d + 1)), bysetpos=-1, **kwargs)
    nth = rec.nth if rec.nth is not None else nth_of_month(anchor.date())
    return _rr.rrule(_rr.MONTHLY, byweekday=WEEKDAYS[anchor.weekday()](nth), **kwargs)


def occurrence_starts(rec: Recurrence | None, start: datetime, window_start: datetime,
                      window_end: datetime) -> list[datetime]:
    """Local (naive) start times of the occurrences with window_start <= start <= window_end.

    Without a count, the rule is restarted at an aligned point shortly before the window so a
    series begun years ago costs no more to expand than a new one."""
    if rec is None:
        return [start] if window_start <= start <= window_end else []
    if window_end < start:
        return []
    if rec.frequency in (Frequency.MONTHLY_BY_DATE, Frequency.MONTHLY_BY_WEEKDAY):
        found = _monthly_starts(rec, start, window_start, window_end)
        if found is not None:
            return found
    step = _fixed_step(rec, start)
    if step is not None:  # plain arithmetic for "every n days / weeks on the start's weekday"
        first = max(0, -(-(window_start - start).days // step) - 1)
        out: list[datetime] = []
        k = first
        while True:
            when = start + timedelta(days=k * step)
            if when > window_end or (rec.count is not None and k >= rec.count) or (
                    rec.until is not None and when.date() > rec.until):
                return out
            if when >= window_start:
                out.append(when)
            k += 1
    dtstart = start
    if rec.count is None and window_start > start:
        dtstart = _aligned_start(rec, start, window_start)
    rule = _rule(rec, start, dtstart)
    return cast(list[datetime], rule.between(max(window_start, start), window_end, inc=True))


Expander = Callable[[datetime, datetime], list[datetime]]


def expander(rec: Recurrence, start: datetime) -> Expander:
    """`occurrence_starts(rec, start, …)` as a function of the window alone, with what can be
    worked out once done once — for a series expanded into many windows."""
    step = _fixed_step(rec, start)
    if step is None:
        return lambda low, high: occurrence_starts(rec, start, low, high)
    count, until, delta = rec.count, rec.until, timedelta(days=step)
    last = datetime.combine(until, time(23, 59, 59)) if until is not None else None

    def every(low: datetime, high: datetime) -> list[datetime]:
        if last is not None and last < high:
            high = last
        if high < start:
            return []
        k = max(0, (low - start).days // step)
        when = start + k * delta
        out: list[datetime] = []
        while when <= high and (count is None or k < count):
            if when >= low:
                out.append(when)
            when += delta
            k += 1
        return out

    return every


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def _month_day(frequency: Frequency, anchor: datetime, nth: int, year: int, month: int) -> int:
    """The day of `month` a monthly rule anchored on `anchor` falls on (every month has one)."""
    if frequency is Frequency.MONTHLY_BY_DATE:
        return min(anchor.day, _days_in(year, month))
    weekday = anchor.weekday()
    if nth == -1:
        last = _days_in(year, month)
        return last - (date(year, month, last).weekday() - weekday) % 7
    return 1 + (weekday - date(year, month, 1).weekday()) % 7 + 7 * (nth - 1)


def _monthly_starts(rec: Recurrence, start: datetime, window_start: datetime,
                    window_end: datetime) -> list[datetime] | None:
    """Monthly rules by arithmetic (the same dates dateutil gives, without building a rule for
    each window): one occurrence in every `interval`-th month from the start's month. None when
    the rule is not of that shape (the start is not its own first occurrence)."""
    nth = 0
    if rec.frequency is Frequency.MONTHLY_BY_WEEKDAY:
        nth = rec.nth if rec.nth is not None else nth_of_month(start.date())
        if nth not in (1, 2, 3, 4, -1):
            return None
    if _month_day(rec.frequency, start, nth, start.year, start.month) != start.day:
        return None
    step = max(1, rec.interval)
    base = start.year * 12 + start.month - 1
    k = max(0, (window_start.year * 12 + window_start.month - 1 - base) // step - 1)
    out: list[datetime] = []
    while rec.count is None or k < rec.count:
        year, month = divmod(base + k * step, 12)
        month += 1
        when = datetime(year, month, _month_day(rec.frequency, start, nth, year, month), start.hour, start.minute,
                        start.second, start.microsecond)
        if when > window_end or (rec.until is not None and when.date() > rec.until):
            break
        if when >= window_start:
            out.append(when)
        k += 1
    return out


def _fixed_step(rec: Recurrence, start: datetime) -> int | None:
    """The gap in days when every occurrence is the previous one plus a fixed number of days."""
    if rec.frequency is Frequency.DAILY:
        return max(1, rec.interval)
    if rec.frequency is Frequency.WEEKLY and set(rec.weekdays or (start.weekday(),)) == {start.weekday()}:
        return 7 * max(1, rec.interval)
    return None


def _aligned_start(rec: Recurrence, start: datetime, window_start: datetime) -> datetime:
    """A start on the rule's own grid (same phase), at most one period before `window_start`."""
    days = (window_start - start).days
    if rec.frequency is Frequency.DAILY:
        step = max(1, rec.interval)
        return start + timedelta(days=(days // step) * step)
    if rec.frequency is Frequency.WEEKLY:
        # Align on the Monday of the start's week so every chosen weekday stays on the grid.
        monday = start - timedelta(days=start.weekday())
        step = 7 * max(1, rec.interval)
        periods = max(0, ((window_start - monday).days // step) - 1)
        shifted = monday + timedelta(days=periods * step)
        return max(start, shifted) if periods == 0 else shifted
    step = max(1, rec.interval)
    months = (window_start.year - start.year) * 12 + window_start.month - start.month
    periods = max(0, months // step - 1)
    if periods == 0:
        return start
    total = start.month - 1 + periods * step
    first = start.replace(year=start.year + total // 12, month=total % 12 + 1, day=1)
    return first  # monthly rules take their day from explicit bymonthday / byweekday


def last_date(rec: Recurrence | None, start: datetime) -> date | None:
    """The date of the last occurrence, or None when the rule never ends."""
    if rec is None:
        return start.date()
    if rec.count is None and rec.until is None:
        return None
    last = cast(datetime | None, _rule(rec, start).before(datetime.max, inc=True))
    return last.date() if last is not None else None


def iter_starts(rec: Recurrence | None, start: datetime) -> Iterator[datetime]:
    """Every occurrence from the first (endless rules never stop: take what you need)."""
    if rec is None:
        yield start
        return
    yield from cast(Iterator[datetime], iter(_rule(rec, start)))


def ended_before(rec: Recurrence, start: datetime, moment: datetime) -> Recurrence | None:
    """The rule cut so its last occurrence is before `moment` (None: nothing is left)."""
    before = _take_until(rec, start, moment)
    if not before:
        return None
    if rec.count is not None:
        return replace(rec, count=len(before), until=None)
    return replace(rec, until=before[-1].date(), count=None)


def remaining_count(rec: Recurrence, start: datetime, moment: datetime) -> int | None:
    """For a counted rule, how many occurrences remain from `moment` on."""
    if rec.count is None:
        return None
    return rec.count - len(_take_until(rec, start, moment))


def _take_until(rec: Recurrence, start: datetime, moment: datetime) -> list[datetime]:
    out: list[datetime] = []
    for when in iter_starts(rec, start):
        if when >= moment:
            break
        out.append(when)
    return out


def validate(rec: Recurrence | None, start: datetime) -> dict[str, str]:
    """Sentences for each problem that stops the rule being saved; empty when it can be."""
    if rec is None:
        return {}
    problems: dict[str, str] = {}
    if rec.interval < 1 or rec.interval > 52:
        problems["interval"] = _("Repeat every 1 to 52 periods (for example every 8 weeks).")
    if rec.count is not None and rec.until is not None:
        problems["count"] = _("Choose an end date or a number of times, not both.")
    if rec.count is not None and not 1 <= rec.count <= MAX_COUNT:
        problems["count"] = _("The number of times must be between 1 and {n}.").format(n=MAX_COUNT)
    if rec.until is not None and rec.until < start.date():
        problems["until"] = _("The end date {end} is before the first visit on {start}. Choose a later end date.").format(
            end=format_date(rec.until), start=format_date(start.date()))
    if any(not 0 <= d <= 6 for d in rec.weekdays):
        problems["weekdays"] = _("Choose days from Monday to Sunday.")
    if rec.frequency is Frequency.MONTHLY_BY_WEEKDAY and rec.nth is not None and rec.nth not in (1, 2, 3, 4, -1):
        problems["nth"] = _("Choose the 1st, 2nd, 3rd, 4th or last weekday of the month.")
    if rec.frequency is Frequency.MONTHLY_BY_WEEKDAY and rec.nth is None and nth_of_month(start.date()) == 5:
        problems["nth"] = _("The start is the 5th such weekday of its month, which most months lack. "
                            "Choose \"last\" instead, or another start date.")
    if problems:
        return problems
    if rec.frequency is Frequency.WEEKLY and rec.weekdays and start.weekday() not in rec.weekdays:
        problems["weekdays"] = _("The first visit is on a {day}, which is not one of the chosen days. "
                                 "Include it or move the first visit.").format(day=weekday_name(start.weekday()))
    elif rec.frequency is Frequency.MONTHLY_BY_WEEKDAY and rec.nth is not None:
        first = next(iter_starts(rec, start), None)
        if first != start:
            problems["nth"] = _("The first visit is not on the chosen weekday of its month. "
                                "Move the first visit onto it, or choose another weekday.")
    return problems


def weekday_name(index: int) -> str:
    return (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
            _("Sunday"))[index]


def describe(rec: Recurrence | None, start: date) -> str:
    """A sentence for the rule, as a case manager would say it."""
    if rec is None:
        return _("Once")
    n = rec.interval
    if rec.frequency is Frequency.DAILY:
        text = _("Every day") if n == 1 else _("Every {n} days").format(n=n)
    elif rec.frequency is Frequency.WEEKLY:
        days = ", ".join(weekday_name(d) for d in sorted(set(rec.weekdays or (start.weekday(),))))
        text = (_("Every week on {days}") if n == 1 else _("Every {n} weeks on {days}")).format(n=n, days=days)
    elif rec.frequency is Frequency.MONTHLY_BY_DATE:
        base = _("Every month on day {d}") if n == 1 else _("Every {n} months on day {d}")
        text = base.format(n=n, d=start.day)
        if start.day > 28:
            text += " " + _("(the last day in shorter months)")
    else:
        nth = rec.nth if rec.nth is not None else nth_of_month(start)
        ordinal = {1: _("1st"), 2: _("2nd"), 3: _("3rd"), 4: _("4th"), -1: _("last")}.get(nth, str(nth))
        base = _("Every month on the {nth} {day}") if n == 1 else _("Every {n} months on the {nth} {day}")
        text = base.format(n=n, nth=ordinal, day=weekday_name(start.weekday()))
    if rec.count is not None:
        text += ", " + _("{n} times").format(n=rec.count)
    elif rec.until is not None:
        text += ", " + _("until {date}").format(date=format_date(rec.until))
    return text
