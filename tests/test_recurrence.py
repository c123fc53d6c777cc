"""Recurrence rules: every N weeks, counts, end dates, monthly by date and weekday, short months,
refusals with a sentence, and expansion from a late window matching expansion from the start."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.models.recurrence import (
    Frequency,
    Recurrence,
    describe,
    ended_before,
    iter_starts,
    last_date,
    occurrence_starts,
    remaining_count,
    validate,
)


def take(rec: Recurrence, start: datetime, n: int = 50) -> list[datetime]:
    out = []
    for when in iter_starts(rec, start):
        out.append(when)
        if len(out) == n:
            break
    return out


@pytest.mark.parametrize("weeks", [1, 2, 7, 8])
def test_every_n_weeks_keeps_the_weekday_and_the_gap(weeks: int) -> None:
    start = datetime(2026, 1, 6, 10, 0)  # a Tuesday
    got = take(Recurrence(Frequency.WEEKLY, interval=weeks), start, 6)
    assert all(d.weekday() == 1 and d.time() == start.time() for d in got)
    assert [(b - a).days for a, b in zip(got, got[1:], strict=False)] == [7 * weeks] * 5


def test_weekly_on_several_days_with_a_count() -> None:
    rec = Recurrence(Frequency.WEEKLY, weekdays=(0, 3), count=5)
    got = list(iter_starts(rec, datetime(2026, 11, 2, 9, 30)))
    assert [d.date() for d in got] == [date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 9),
                                       date(2026, 11, 12), date(2026, 11, 16)]
    assert last_date(rec, datetime(2026, 11, 2, 9, 30)) == date(2026, 11, 16)


def test_end_date_is_inclusive_and_no_end_is_endless() -> None:
    start = datetime(2026, 11, 2, 9, 0)
    rec = Recurrence(Frequency.DAILY, interval=3, until=date(2026, 11, 14))
    assert [d.day for d in iter_starts(rec, start)] == [2, 5, 8, 11, 14]
    assert last_date(Recurrence(Frequency.DAILY), start) is None


def test_monthly_by_date_falls_on_the_last_day_of_short_months() -> None:
    got = list(iter_starts(Recurrence(Frequency.MONTHLY_BY_DATE, count=4), datetime(2027, 1, 31, 9)))
    assert [d.date() for d in got] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    got = list(iter_starts(Recurrence(Frequency.MONTHLY_BY_DATE, count=2), datetime(2028, 1, 30, 9)))
    assert got[1].date() == date(2028, 2, 29)
    assert "last day" in describe(Recurrence(Frequency.MONTHLY_BY_DATE), date(2027, 1, 31))


def test_monthly_by_weekday_second_tuesday_and_last_friday() -> None:
    got = take(Recurrence(Frequency.MONTHLY_BY_WEEKDAY), datetime(2026, 11, 10, 14), 3)  # 2nd Tuesday
    assert [d.date() for d in got] == [date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 12)]
    got = take(Recurrence(Frequency.MONTHLY_BY_WEEKDAY, nth=-1), datetime(2026, 11, 27, 14), 3)
    assert [d.date() for d in got] == [date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29)]


@pytest.mark.parametrize("rec", [
    Recurrence(Frequency.WEEKLY, interval=8),
    Recurrence(Frequency.WEEKLY, interval=3, weekdays=(1, 4)),
    Recurrence(Frequency.DAILY, interval=5),
    Recurrence(Frequency.MONTHLY_BY_DATE, interval=2),
    Recurrence(Frequency.MONTHLY_BY_WEEKDAY, interval=1),
    Recurrence(Frequency.WEEKLY, interval=2, count=60),
])
def test_expanding_a_late_window_matches_expanding_from_the_start(rec: Recurrence) -> None:
    start = datetime(2023, 3, 14, 10, 0)
    low, high = datetime(2026, 10, 1), datetime(2027, 1, 31, 23, 59)
    expected = [d for d in take(rec, start, 400) if low <= d <= high]
    assert occurrence_starts(rec, start, low, high) == expected


@pytest.mark.parametrize("rec, field, words", [
    (Recurrence(Frequency.WEEKLY, until=date(2026, 10, 1)), "until", "before the first visit"),
    (Recurrence(Frequency.WEEKLY, count=0), "count", "between 1 and"),
    (Recurrence(Frequency.WEEKLY, interval=0), "interval", "1 to 52"),
    (Recurrence(Frequency.WEEKLY, weekdays=(0,)), "weekdays", "not one of the chosen days"),
    (Recurrence(Frequency.WEEKLY, count=3, until=date(2027, 1, 1)), "count", "not both"),
    (Recurrence(Frequency.MONTHLY_BY_WEEKDAY, nth=5), "nth", "last"),
])
def test_rules_that_cannot_be_saved_say_why(rec: Recurrence, field: str, words: str) -> None:
    problems = validate(rec, datetime(2026, 11, 3, 10))  # a Tuesday
    assert words in problems[field]


def test_a_fifth_weekday_start_is_refused_unless_last_is_chosen() -> None:
    start = datetime(2026, 12, 29, 10)  # the 5th Tuesday of December
    assert "nth" in validate(Recurrence(Frequency.MONTHLY_BY_WEEKDAY), start)
    assert validate(Recurrence(Frequency.MONTHLY_BY_WEEKDAY, nth=-1), start) == {}


def test_cutting_a_series_before_an_occurrence() -> None:
    start = datetime(2026, 11, 2, 9)
    counted = Recurrence(Frequency.WEEKLY, count=10)
    cut = ended_before(counted, start, datetime(2026, 11, 23, 9))
    assert cut is not None and cut.count == 3
    assert remaining_count(counted, start, datetime(2026, 11, 23, 9)) == 7
    endless = ended_before(Recurrence(Frequency.WEEKLY), start, datetime(2026, 11, 23, 9))
    assert endless is not None and endless.until == date(2026, 11, 16)
    assert ended_before(counted, start, start) is None


def test_round_trip_json() -> None:
    rec = Recurrence(Frequency.MONTHLY_BY_WEEKDAY, interval=2, until=date(2027, 6, 1), nth=-1)
    assert Recurrence.from_json(rec.to_json()) == rec
