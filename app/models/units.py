"""Units of measure: the distance unit of the mileage log (miles or kilometres) and how a
distance is written. Kept apart from the follow-up model so settings can name the unit without
loading the calendar's machinery at start-up."""

from __future__ import annotations

from enum import StrEnum

from app.i18n import _, current_locale, format_number


class DistanceUnit(StrEnum):
    """The unit journeys are logged and reimbursed in: one for the whole log (Settings)."""

    MILES = "mi"
    KILOMETRES = "km"

    @property
    def label(self) -> str:
        return _("Miles") if self is DistanceUnit.MILES else _("Kilometres")

    @property
    def symbol(self) -> str:
        return _("mi") if self is DistanceUnit.MILES else _("km")


UNIT_CODES = frozenset(u.value for u in DistanceUnit)  # what Settings may hold ('' follows the region)
# Where road distances are measured in miles; everywhere else uses kilometres.
MILES_TERRITORIES = frozenset({"US", "GB", "LR", "MM", "PR", "GU", "VI", "AS", "MP"})


def distance_unit(chosen: str, locale_id: str | None = None) -> DistanceUnit:
    """The unit chosen in Settings ('mi' or 'km'), or when none is chosen ('') the region's own
    (`locale_id`, by default the current one): miles for en_US, en_GB…, kilometres for es_MX, fr_CA…"""
    if chosen in UNIT_CODES:
        return DistanceUnit(chosen)
    parts = (locale_id or current_locale()).replace("-", "_").split(".")[0].split("_")
    territory = parts[-1].upper() if len(parts) > 1 else ""
    return DistanceUnit.MILES if territory in MILES_TERRITORIES else DistanceUnit.KILOMETRES


def distance_text(value: float, unit: str = "") -> str:
    """A distance with one decimal as the locale writes numbers (1,234.5 or 1.234,5), followed by
    its unit's symbol when a unit is given ("12.5 mi")."""
    number = format_number(value, "#,##0.0")
    if not unit:
        return number
    return _("{distance} {unit}").format(distance=number, unit=DistanceUnit(unit).symbol)
