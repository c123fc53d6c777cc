"""Translation and locale formatting, shared by every layer (no Qt).

Every user-visible string goes through `_()`; dates and numbers go through the `format_*` helpers,
which use babel with the locale chosen in settings (default: the OS locale). `set_locale()` is
called once by each entry point and again when the setting changes.
"""

from __future__ import annotations

import gettext
import locale as _pylocale
import re
from datetime import date, datetime
from functools import lru_cache

from app import RESOURCES_DIR

_LOCALE_DIR = RESOURCES_DIR / "locale"
_DOMAIN = "waypoint"

_state: dict[str, object] = {
    "translations": gettext.NullTranslations(),
    "locale": "en_US",
}

SUPPORTED_LANGUAGES = {"en": "English", "es": "Español"}


def _(message: str) -> str:
    """Translate `message` into the current language (identity until a catalog exists)."""
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    translations = _state["translations"]
    assert isinstance(translations, gettext.NullTranslations)
    return translations.ngettext(singular, plural, n)


def system_locale() -> str:
    """The OS locale as a babel identifier, falling back to en_US."""
    try:
        name = _pylocale.getlocale()[0] or ""
    except ValueError:
        name = ""
    name = name.split(".")[0]
    if not name or name in ("C", "POSIX"):
        return "en_US"
    return name


def set_locale(locale_id: str | None, language: str | None = None) -> str:
    """Switch the formatting locale (dates, numbers, first day of the week) and the language of
    the interface and reports; returns the locale identifier actually used.

    `language` ('' or None: the locale's own language) picks the catalog, so a US case manager can
    work in Spanish with US dates. English is the source language: no catalog needed."""
    from babel import Locale, UnknownLocaleError

    wanted = locale_id or system_locale()
    try:
        parsed = Locale.parse(wanted.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        parsed = Locale.parse("en_US")
    lang = (language or parsed.language).split("_")[0]
    if locale_id is None and lang != parsed.language and parsed.territory:
        # Following the computer's region in another language: that language's conventions for
        # the region (Spanish in the US → es_US: "9 jun 2026"), not English month names.
        try:
            parsed = Locale.parse(f"{lang}_{parsed.territory}")
        except (ValueError, UnknownLocaleError):
            pass
    ident = str(parsed)
    _state["locale"] = ident
    _state["language"] = lang
    _state["translations"] = gettext.translation(
        _DOMAIN, localedir=str(_LOCALE_DIR), languages=[ident, lang] if lang == parsed.language else [lang],
        fallback=True,
    )
    return ident


def current_language() -> str:
    """The interface language ('en', 'es' …)."""
    return str(_state.get("language", "en"))


def current_locale() -> str:
    return str(_state["locale"])


def format_date(value: date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_date as _fd

    return _fd(value, format=fmt, locale=current_locale())


def format_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    from babel.dates import format_datetime as _fdt

    if value.tzinfo is not None:
        value = value.astimezone()
    return _fdt(value, format=fmt, locale=current_locale())


def format_time(value: datetime, fmt: str = "short") -> str:
    from babel.dates import format_time as _ft

    if value.tzinfo is not None:
        value = value.astimezone()
    return _ft(value, format=fmt, locale=current_locale())


def format_number(value: float | int, pattern: str | None = None) -> str:
    """A number as the locale writes it; `pattern` (e.g. "#,##0.0") fixes the decimals."""
    from babel.numbers import format_decimal

    return format_decimal(value, format=pattern, locale=current_locale())


@lru_cache(maxsize=8)
def _short_date_order(locale_id: str) -> str:
    """'mdy', 'dmy' or 'ymd' for the locale's short date pattern."""
    from babel.dates import get_date_format

    pattern = get_date_format("short", locale=locale_id).pattern.lower()
    positions = {key: pattern.find(key) for key in "dmy"}
    return "".join(sorted(positions, key=lambda k: positions[k]))


def date_input_hint() -> str:
    """A placeholder such as 'MM/DD/YYYY' for typed dates in the current locale."""
    order = _short_date_order(current_locale())
    parts = {"d": "DD", "m": "MM", "y": "YYYY"}
    sep = "/" if order != "ymd" else "-"
    return sep.join(parts[c] for c in order)


_DATE_SPLIT = re.compile(r"[./\-\s]+")


def parse_date(text: str) -> date:
    """Parse a typed date: ISO (2024-03-14) always, else the locale's day/month/year order.

    Raises ValueError with a sentence the user can act on.
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(_("Enter a date."))
    parts = [p for p in _DATE_SPLIT.split(cleaned) if p]
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        if len(parts[0]) == 4:
            order = "ymd"
        else:
            order = _short_date_order(current_locale())
        values = dict(zip(order, (int(p) for p in parts), strict=True))
        year = values["y"]
        if year < 100:
            # Two-digit years: the most recent year in the past century that fits.
            today_year = date.today().year
            year += 2000 if 2000 + year <= today_year else 1900
        try:
            return date(year, values["m"], values["d"])
        except ValueError:
            pass
    raise ValueError(
        _("“{text}” is not a date. Type it as {hint}, for example {example}.").format(
            text=cleaned, hint=date_input_hint(), example=date_example()
        )
    )


def date_example(value: date = date(1985, 3, 14)) -> str:
    """`value` written in the typed-date order of the current locale, e.g. 03/14/1985."""
    order = _short_date_order(current_locale())
    parts = {"d": f"{value.day:02d}", "m": f"{value.month:02d}", "y": f"{value.year:04d}"}
    sep = "/" if order != "ymd" else "-"
    return sep.join(parts[c] for c in order)
