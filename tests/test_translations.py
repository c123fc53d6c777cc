"""Spanish: every string the app shows is in the catalog, translated, with its placeholders kept;
the catalog is compiled by the build; dates, numbers and the first day of the week follow the
formatting locale, independently of the interface language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import RESOURCES_DIR
from app.i18n import _, current_language, format_date, format_number, ngettext, set_locale

APP_DIR = Path(__file__).resolve().parent.parent / "app"
CATALOG = RESOURCES_DIR / "locale" / "es" / "LC_MESSAGES" / "waypoint.po"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")
UPDATE = ("pybabel extract -k _ -k ngettext:1,2 --no-wrap -o resources/locale/waypoint.pot app && "
          "pybabel update -i resources/locale/waypoint.pot -d resources/locale -D waypoint --no-wrap")


def extracted() -> dict[str, tuple[str, int]]:
    """msgid → (file, line) of every string marked for translation in app/."""
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(APP_DIR), method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found.setdefault(key, (filename, lineno))
    return found


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    with CATALOG.open("rb") as f:
        return read_po(f, locale="es")


@pytest.fixture(autouse=True)
def english_again() -> Iterator[None]:
    yield
    set_locale("en_US")


def test_every_visible_string_is_translated_into_spanish(catalog) -> None:  # type: ignore[no-untyped-def]
    missing = []
    for msgid, (filename, lineno) in extracted().items():
        message = catalog.get(msgid)
        strings = () if message is None else (message.string if isinstance(message.string, tuple)
                                              else (message.string,))
        if message is None or not all(strings) or message.fuzzy:
            missing.append(f"app/{filename}:{lineno}: {msgid[:70]!r}")
    assert missing == [], (f"{len(missing)} strings are not translated. Update the catalog ({UPDATE}), "
                           "translate them in resources/locale/es/LC_MESSAGES/waypoint.po, then reinstall "
                           "(`pip install -e .` compiles it):\n" + "\n".join(missing[:40]))


def test_translations_keep_every_placeholder_and_mnemonic(catalog) -> None:  # type: ignore[no-untyped-def]
    broken = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if not set(PLACEHOLDER.findall(text)) <= wanted:
                broken.append(f"{ids[0][:60]!r} → {text[:60]!r}")
            if re.search(r"&\w", ids[0].replace("&&", "")) and not re.search(r"&\w", text.replace("&&", "")):
                broken.append(f"mnemonic lost: {ids[0][:60]!r}")
    assert broken == []


def test_the_build_compiled_the_catalog_and_the_language_switches(catalog) -> None:  # type: ignore[no-untyped-def]
    compiled = CATALOG.with_suffix(".mo")
    assert compiled.is_file(), "the catalog is compiled by the build: run `pip install -e .`"
    assert compiled.stat().st_mtime >= CATALOG.stat().st_mtime - 1, "the compiled catalog is older than the .po"
    set_locale("en_US", "es")
    assert current_language() == "es"
    assert _("Today") == catalog.get("Today").string and _("Today") != "Today"
    assert _("Make a report…") == catalog.get("Make a report…").string
    plural = ngettext("{n} release of information expiring within {days} days",
                      "{n} releases of information expiring within {days} days", 3)
    assert plural != "{n} releases of information expiring within {days} days" and "{n}" in plural
    assert format_date(date(2026, 3, 14)) == "Mar 14, 2026"  # US dates, Spanish words
    set_locale("en_US")
    assert _("Today") == "Today"


def test_spanish_on_a_us_computer_formats_dates_the_us_spanish_way(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.i18n as i18n

    monkeypatch.setattr(i18n, "system_locale", lambda: "en_US")
    assert set_locale(None, "es") == "es_US"  # the region follows the computer, the words the language
    assert format_date(date(2026, 6, 9)) == "9 jun 2026"
    assert format_number(1234.5) == "1,234.5"
    assert set_locale(None, None) == "en_US" and format_date(date(2026, 6, 9)) == "Jun 9, 2026"


def test_dates_numbers_and_the_first_day_of_the_week_follow_the_locale() -> None:
    from babel import Locale

    set_locale("es_MX")
    assert current_language() == "es"
    assert "marzo" in format_date(date(2026, 3, 14), "long")
    assert format_number(1234.5) == "1,234.5"
    set_locale("es_ES")
    assert format_number(1234.5) == "1.234,5"
    assert Locale.parse("es_ES").first_week_day == 0 and Locale.parse("en_US").first_week_day == 6
