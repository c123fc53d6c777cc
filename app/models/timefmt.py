"""UTC ISO-8601 time stamps as stored in the vault."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def date_to_iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def date_from_iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
