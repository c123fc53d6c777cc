"""The letterhead and how a report names its client: plain values, without reportlab, so the
report catalogue (and the command line that lists it) loads without the PDF machinery."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The practice's letterhead, and how it measures journeys, from settings."""

    practice_name: str
    address: str = ""  # may hold several lines
    phone: str = ""
    logo_path: Path | None = None
    case_manager: str = ""
    credentials: str = ""
    distance_unit: str = "mi"  # the unit of the mileage log ('mi' or 'km'), from settings and region

    @property
    def signed_by(self) -> str:
        return ", ".join(p for p in (self.case_manager, self.credentials) if p)


class Identify(StrEnum):
    """How the client is named on a report: in full (name, client code, date of birth) or by
    client code only (a de-identified report)."""

    FULL = "full"
    CODE = "code"
