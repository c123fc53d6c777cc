"""An injectable clock so tests can move time (auto-lock, backups, reminders)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta


class Clock:
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date where the user is."""
        return self.now().astimezone().date()


@dataclass
class FixedClock(Clock):
    current: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 15, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
