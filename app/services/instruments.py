"""The instrument catalog: every definition under resources/instruments, checked when loaded."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from app import RESOURCES_DIR
from app.models.instruments import Instrument, InstrumentError, parse_instrument

INSTRUMENTS_DIR = RESOURCES_DIR / "instruments"


def load_catalog(folder: Path = INSTRUMENTS_DIR) -> dict[str, Instrument]:
    """Every definition in `folder`, by id. InstrumentError names the file and field of a problem."""
    catalog: dict[str, Instrument] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InstrumentError(path.name, "(file)", f"can't be read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise InstrumentError(path.name, f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from None
        instrument = parse_instrument(doc, path.name)
        if path.stem != instrument.id:
            raise InstrumentError(path.name, "id", f"{instrument.id!r} differs from the file name")
        catalog[instrument.id] = instrument
    for instrument in catalog.values():
        if instrument.next_if_positive and instrument.next_if_positive not in catalog:
            raise InstrumentError(f"{instrument.id}.json", "next_if_positive",
                                  f"{instrument.next_if_positive!r} is not an instrument")
    if not catalog:
        raise InstrumentError(str(folder), "(folder)", "holds no instrument definitions")
    return catalog


@lru_cache(maxsize=1)
def catalog() -> dict[str, Instrument]:
    """The shipped instruments (loaded once; a broken definition fails loudly here)."""
    return load_catalog()


def get(instrument_id: str) -> Instrument:
    try:
        return catalog()[instrument_id]
    except KeyError:
        from app.i18n import _

        raise KeyError(_("There is no instrument {id}. Known: {known}.").format(
            id=instrument_id, known=", ".join(sorted(catalog())))) from None
