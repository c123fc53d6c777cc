"""Which backups to keep: the few newest, then the newest per day, per ISO week and per month
(grandfather-father-son)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    daily: int = 7
    weekly: int = 4
    monthly: int = 12
    recent: int = 0  # this many of the newest are kept whatever their day


def backups_to_keep(stamps: Iterable[datetime], policy: RetentionPolicy) -> set[datetime]:
    """The subset of backup times to keep. The newest backup is always kept."""
    ordered = sorted(set(stamps), reverse=True)
    keep: set[datetime] = set(ordered[: max(1, policy.recent)])
    def day(t: datetime) -> tuple[int, ...]:
        return (t.year, t.month, t.day)

    def week(t: datetime) -> tuple[int, ...]:
        return tuple(t.isocalendar()[:2])

    def month(t: datetime) -> tuple[int, ...]:
        return (t.year, t.month)

    buckets = ((policy.daily, day), (policy.weekly, week), (policy.monthly, month))
    for limit, key in buckets:
        seen: list[tuple[int, ...]] = []
        for stamp in ordered:
            bucket = key(stamp)
            if bucket in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(bucket)
            keep.add(stamp)
    return keep
