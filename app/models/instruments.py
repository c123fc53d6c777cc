"""Screening and outcome instruments as data, and the one engine that scores them all.

An instrument definition is a JSON document (resources/instruments/*.json). `parse_instrument`
turns one into an `Instrument`, checking every field and naming the file and field of any
problem; `score` scores one administration from the definition alone. Pure: no files, no Qt.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.i18n import _

SCORING_METHODS = ("sum", "cssrs_screener")
DIRECTIONS = ("higher_is_worse", "higher_is_better")
CSSRS_LEVELS = ("None", "Low", "Moderate", "High")
_ID = re.compile(r"^[a-z0-9_]+$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_LOINC = re.compile(r"^\d{1,7}-\d$")
_TOP_KEYS = {
    "id", "short_name", "name", "version", "language", "stem", "option_sets", "items", "scoring", "bands",
    "bands_on", "band_note", "positive", "positive_note", "direction", "flags", "loinc", "attribution",
    "licence", "next_if_positive", "risk_levels",
}
_ITEM_KEYS = {"id", "text", "options", "scored", "loinc", "reverse", "gate", "skip_unless"}
_SCORING_KEYS = {"method", "range", "proration", "proration_note", "percent_multiplier", "gate_note"}


class InstrumentError(ValueError):
    """A definition that can't be used. str() names the file and the field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


@dataclass(frozen=True, slots=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    options: tuple[Option, ...]
    scored: bool = True
    reverse: bool = False
    gate: bool = False
    skip_unless: tuple[str, int] | None = None
    loinc: str | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    @property
    def is_yes_no(self) -> bool:
        return {o.label.casefold() for o in self.options} == {"yes", "no"}

    def points(self, value: int) -> int:
        """What an answer adds to the total (reverse-scored items count from the other end)."""
        return (min(self.values) + max(self.values) - value) if self.reverse else value


@dataclass(frozen=True, slots=True)
class Band:
    min: int
    max: int
    label: str


@dataclass(frozen=True, slots=True)
class PositiveRule:
    at_least: int | None = None
    at_most: int | None = None
    by_sex: Mapping[str, int] | None = None
    on: str = "total"


@dataclass(frozen=True, slots=True)
class FlagRule:
    id: str
    message: str
    item: str | None = None
    at_least: int | None = None
    risk_at_least: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    short_name: str
    name: str
    version: str
    language: str
    stem: str
    items: tuple[Item, ...]
    method: str
    attribution: str
    licence: str
    direction: str = "higher_is_worse"
    range: tuple[int, int] | None = None
    max_missing: int = 0
    percent_multiplier: int | None = None
    bands: tuple[Band, ...] = ()
    bands_on: str = "total"
    positive: PositiveRule | None = None
    flags: tuple[FlagRule, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    next_if_positive: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)

    def item(self, item_id: str) -> Item:
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored and not i.gate)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher_is_better"


# -- parsing -----------------------------------------------------------------------------------


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> InstrumentError:
        return InstrumentError(self.source, where, problem)

    def text(self, doc: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = doc.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", "must be a non-empty text")
        return value

    def integer(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"must be a whole number, not {value!r}")
        return value

    def flag(self, doc: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = doc.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}{key}", "must be true or false")
        return value

    def only(self, doc: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(doc) - allowed)
        if unknown:
            raise self.fail(where + unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def loinc(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _LOINC.match(value):
            raise self.fail(where, f"{value!r} is not a LOINC code like 44261-6")
        return value


def parse_instrument(doc: Any, source: str) -> Instrument:
    """Check a definition thoroughly and build the Instrument; InstrumentError names what is wrong."""
    r = _Reader(source)
    if not isinstance(doc, dict):
        raise r.fail("(document)", "must be a JSON object")
    r.only(doc, _TOP_KEYS, "")
    ident = r.text(doc, "id", "")
    if not _ID.match(ident):
        raise r.fail("id", "use lower-case letters, digits and _ only")
    version = r.text(doc, "version", "")
    if not _VERSION.match(version):
        raise r.fail("version", "must look like 1.0.0")
    option_sets = _option_sets(r, doc.get("option_sets"))
    items = _items(r, doc.get("items"), option_sets)
    method, value_range, max_missing, multiplier = _scoring(r, doc.get("scoring"), items)
    direction = doc.get("direction", "higher_is_worse")
    if direction not in DIRECTIONS:
        raise r.fail("direction", f"must be one of {', '.join(DIRECTIONS)}")
    bands_on = doc.get("bands_on", "total")
    if bands_on not in ("total", "percent"):
        raise r.fail("bands_on", "must be total or percent")
    if bands_on == "percent" and multiplier is None:
        raise r.fail("bands_on", "percent bands need scoring.percent_multiplier")
    band_range = _band_range(value_range, multiplier, bands_on)
    bands = _bands(r, doc.get("bands"), band_range, method)
    positive = _positive(r, doc.get("positive"), value_range, multiplier, method)
    flags = _flags(r, doc.get("flags", []), items, method)
    loinc = doc.get("loinc", {})
    if not isinstance(loinc, dict) or set(loinc) - {"panel", "total"}:
        raise r.fail("loinc", "must be an object with panel and/or total")
    next_id = doc.get("next_if_positive")
    if next_id is not None and (not isinstance(next_id, str) or not _ID.match(next_id)):
        raise r.fail("next_if_positive", "must be another instrument's id")
    notes = {k: r.text(doc, k, "") for k in ("band_note", "positive_note") if k in doc}
    scoring = doc["scoring"]
    notes.update({k: r.text(scoring, k, "scoring.") for k in ("proration_note", "gate_note") if k in scoring})
    return Instrument(
        id=ident,
        short_name=r.text(doc, "short_name", ""),
        name=r.text(doc, "name", ""),
        version=version,
        language=r.text(doc, "language", ""),
        stem=r.text(doc, "stem", ""),
        items=items,
        method=method,
        attribution=r.text(doc, "attribution", ""),
        licence=r.text(doc, "licence", ""),
        direction=direction,
        range=value_range,
        max_missing=max_missing,
        percent_multiplier=multiplier,
        bands=bands,
        bands_on=bands_on,
        positive=positive,
        flags=flags,
        loinc_panel=r.loinc(loinc.get("panel"), "loinc.panel"),
        loinc_total=r.loinc(loinc.get("total"), "loinc.total"),
        next_if_positive=next_id,
        notes=notes,
    )


def _option_sets(r: _Reader, raw: Any) -> dict[str, tuple[Option, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise r.fail("option_sets", "must be an object of named option lists")
    sets: dict[str, tuple[Option, ...]] = {}
    for name, options in raw.items():
        where = f"option_sets.{name}"
        if not isinstance(options, list) or len(options) < 2:
            raise r.fail(where, "must list at least two options")
        parsed = []
        for n, option in enumerate(options):
            if not isinstance(option, dict):
                raise r.fail(f"{where}[{n}]", "must be an object with value and label")
            r.only(option, {"value", "label", "loinc"}, f"{where}[{n}].")
            parsed.append(Option(r.integer(option.get("value"), f"{where}[{n}].value"), r.text(option, "label", f"{where}[{n}].")))
        values = [o.value for o in parsed]
        if len(set(values)) != len(values):
            raise r.fail(where, "option values must differ")
        sets[name] = tuple(parsed)
    return sets


def _items(r: _Reader, raw: Any, option_sets: dict[str, tuple[Option, ...]]) -> tuple[Item, ...]:
    if not isinstance(raw, list) or not raw:
        raise r.fail("items", "must list the items")
    items: list[Item] = []
    for n, doc in enumerate(raw):
        where = f"items[{n}]."
        if not isinstance(doc, dict):
            raise r.fail(f"items[{n}]", "must be an object")
        r.only(doc, _ITEM_KEYS, where)
        item_id = r.text(doc, "id", where)
        if any(i.id == item_id for i in items):
            raise r.fail(f"{where}id", f"{item_id!r} is used twice")
        set_name = doc.get("options")
        if set_name not in option_sets:
            raise r.fail(f"{where}options", f"{set_name!r} is not one of option_sets ({', '.join(option_sets)})")
        skip = doc.get("skip_unless")
        skip_unless = None
        if skip is not None:
            if not isinstance(skip, dict) or not any(i.id == skip.get("item") for i in items):
                raise r.fail(f"{where}skip_unless", "must name an earlier item and a value")
            skip_unless = (str(skip["item"]), r.integer(skip.get("value"), f"{where}skip_unless.value"))
        items.append(Item(
            id=item_id,
            text=r.text(doc, "text", where),
            options=option_sets[set_name],
            scored=r.flag(doc, "scored", where, True),
            reverse=r.flag(doc, "reverse", where, False),
            gate=r.flag(doc, "gate", where, False),
            skip_unless=skip_unless,
            loinc=r.loinc(doc.get("loinc"), f"{where}loinc"),
        ))
    return tuple(items)


def _scoring(r: _Reader, raw: Any, items: tuple[Item, ...]) -> tuple[str, tuple[int, int] | None, int, int | None]:
    if not isinstance(raw, dict):
        raise r.fail("scoring", "must be an object")
    r.only(raw, _SCORING_KEYS, "scoring.")
    method = raw.get("method")
    if method not in SCORING_METHODS:
        raise r.fail("scoring.method", f"must be one of {', '.join(SCORING_METHODS)}")
    if method == "cssrs_screener":
        missing = {"q1", "q2", "q3", "q4", "q5", "q6", "q6_recent"} - {i.id for i in items}
        if missing:
            raise r.fail("items", f"the C-SSRS screener needs items {', '.join(sorted(missing))}")
        return method, None, 0, None
    scored = [i for i in items if i.scored and not i.gate]
    if not scored:
        raise r.fail("items", "no item is scored")
    expected = (sum(min(i.values) for i in scored), sum(max(i.values) for i in scored))
    declared = raw.get("range")
    if not isinstance(declared, list) or len(declared) != 2:
        raise r.fail("scoring.range", "must be [lowest, highest]")
    value_range = (r.integer(declared[0], "scoring.range[0]"), r.integer(declared[1], "scoring.range[1]"))
    if value_range != expected:
        raise r.fail("scoring.range", f"is {list(value_range)} but the scored items add up to {list(expected)}")
    proration = raw.get("proration", {"max_missing": 0})
    if not isinstance(proration, dict):
        raise r.fail("scoring.proration", "must be an object with max_missing")
    max_missing = r.integer(proration.get("max_missing", 0), "scoring.proration.max_missing")
    if not 0 <= max_missing < len(scored):
        raise r.fail("scoring.proration.max_missing", f"must be between 0 and {len(scored) - 1}")
    multiplier = raw.get("percent_multiplier")
    if multiplier is not None and r.integer(multiplier, "scoring.percent_multiplier") <= 0:
        raise r.fail("scoring.percent_multiplier", "must be a positive whole number")
    return method, value_range, max_missing, multiplier


def _band_range(value_range: tuple[int, int] | None, multiplier: int | None, on: str) -> tuple[int, int] | None:
    if value_range is None:
        return None
    if on == "percent" and multiplier is not None:
        return value_range[0] * multiplier, value_range[1] * multiplier
    return value_range


def _bands(r: _Reader, raw: Any, band_range: tuple[int, int] | None, method: str) -> tuple[Band, ...]:
    if method == "cssrs_screener":
        if raw is not None:
            raise r.fail("bands", "the C-SSRS screener has risk levels, not bands")
        return ()
    if not isinstance(raw, list) or not raw:
        raise r.fail("bands", "must list the bands")
    assert band_range is not None
    bands = []
    expected_min = band_range[0]
    for n, doc in enumerate(raw):
        where = f"bands[{n}]"
        if not isinstance(doc, dict):
            raise r.fail(where, "must be an object with min, max and label")
        r.only(doc, {"min", "max", "label"}, where + ".")
        band = Band(r.integer(doc.get("min"), f"{where}.min"), r.integer(doc.get("max"), f"{where}.max"),
                    r.text(doc, "label", where + "."))
        if band.min != expected_min:
            raise r.fail(f"{where}.min", f"is {band.min}; the bands must follow on without gaps or overlaps from {expected_min}")
        if band.max < band.min:
            raise r.fail(f"{where}.max", "is below min")
        expected_min = band.max + 1
        bands.append(band)
    if bands[-1].max != band_range[1]:
        raise r.fail(f"bands[{len(bands) - 1}].max", f"is {bands[-1].max}; the bands must reach {band_range[1]}")
    return tuple(bands)


def _positive(r: _Reader, raw: Any, value_range: tuple[int, int] | None, multiplier: int | None, method: str) -> PositiveRule | None:
    if raw is None or method == "cssrs_screener":
        return None
    if not isinstance(raw, dict):
        raise r.fail("positive", "must be an object")
    r.only(raw, {"at_least", "at_most", "by_sex", "on"}, "positive.")
    on = raw.get("on", "total")
    if on not in ("total", "percent") or (on == "percent" and multiplier is None):
        raise r.fail("positive.on", "must be total, or percent when the instrument has a percentage")
    limits = _band_range(value_range, multiplier, on)
    assert limits is not None

    def threshold(value: Any, where: str) -> int:
        number = r.integer(value, where)
        if not limits[0] <= number <= limits[1]:
            raise r.fail(where, f"{number} is outside the score range {limits[0]}–{limits[1]}")
        return number

    rules = [k for k in ("at_least", "at_most", "by_sex") if k in raw]
    if len(rules) != 1:
        raise r.fail("positive", "give exactly one of at_least, at_most or by_sex")
    if "by_sex" in raw:
        by_sex = raw["by_sex"]
        if not isinstance(by_sex, dict) or set(by_sex) != {"female", "male", "unknown"}:
            raise r.fail("positive.by_sex", "must give female, male and unknown")
        return PositiveRule(by_sex={k: threshold(v, f"positive.by_sex.{k}") for k, v in by_sex.items()}, on=on)
    if "at_least" in raw:
        return PositiveRule(at_least=threshold(raw["at_least"], "positive.at_least"), on=on)
    return PositiveRule(at_most=threshold(raw["at_most"], "positive.at_most"), on=on)


def _flags(r: _Reader, raw: Any, items: tuple[Item, ...], method: str) -> tuple[FlagRule, ...]:
    if not isinstance(raw, list):
        raise r.fail("flags", "must be a list")
    flags = []
    for n, doc in enumerate(raw):
        where = f"flags[{n}]."
        if not isinstance(doc, dict):
            raise r.fail(f"flags[{n}]", "must be an object")
        r.only(doc, {"id", "message", "item", "at_least", "risk_at_least"}, where)
        rule = FlagRule(id=r.text(doc, "id", where), message=r.text(doc, "message", where))
        if "risk_at_least" in doc:
            if method != "cssrs_screener" or doc["risk_at_least"] not in CSSRS_LEVELS:
                raise r.fail(f"{where}risk_at_least", f"must be one of {', '.join(CSSRS_LEVELS)} (C-SSRS only)")
            flags.append(FlagRule(rule.id, rule.message, risk_at_least=doc["risk_at_least"]))
            continue
        item_id = doc.get("item")
        matching = [i for i in items if i.id == item_id]
        if not matching:
            raise r.fail(f"{where}item", f"{item_id!r} is not an item")
        at_least = r.integer(doc.get("at_least"), f"{where}at_least")
        if at_least not in matching[0].values:
            raise r.fail(f"{where}at_least", f"{at_least} is not an answer of item {item_id}")
        flags.append(FlagRule(rule.id, rule.message, item=item_id, at_least=at_least))
    return tuple(flags)


# -- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RaisedFlag:
    id: str
    message: str


@dataclass(frozen=True, slots=True)
class Score:
    """One scored administration. `total` is None when too much is missing (`valid` False)."""

    instrument: str
    version: str
    valid: bool
    total: int | None = None
    raw_total: int | None = None
    prorated: bool = False
    percent: int | None = None
    band: str | None = None
    positive: bool | None = None
    risk: str | None = None
    flags: tuple[RaisedFlag, ...] = ()
    missing: tuple[str, ...] = ()
    problem: str = ""

    @property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.flags)


Answers = Mapping[str, int | None]


def check_answers(instrument: Instrument, answers: Answers) -> None:
    """ValueError naming the item when an answer is not one the item offers."""
    known = {i.id for i in instrument.items}
    for item_id, value in answers.items():
        if item_id not in known:
            raise ValueError(_("{name} has no item {item}.").format(name=instrument.short_name, item=item_id))
        if value is None:
            continue
        item = instrument.item(item_id)
        if value not in item.values:
            raise ValueError(
                _("{name} item {item}: {value} is not an answer; use {allowed}.").format(
                    name=instrument.short_name, item=item_id, value=value, allowed=_allowed(item)
                )
            )


def _allowed(item: Item) -> str:
    if item.is_yes_no:
        return _("y or n")
    values = sorted(item.values)
    if values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def _round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _band(instrument: Instrument, value: int) -> str | None:
    for band in instrument.bands:
        if band.min <= value <= band.max:
            return band.label
    return None


def _is_positive(rule: PositiveRule | None, total: int, percent: int | None, sex: str | None) -> bool | None:
    if rule is None:
        return None
    value = percent if rule.on == "percent" and percent is not None else total
    if rule.by_sex is not None:
        key = sex if sex in ("female", "male") else "unknown"
        return value >= rule.by_sex[key]
    if rule.at_least is not None:
        return value >= rule.at_least
    assert rule.at_most is not None
    return value <= rule.at_most


def _item_flags(instrument: Instrument, answers: Answers) -> tuple[RaisedFlag, ...]:
    raised = []
    for rule in instrument.flags:
        if rule.item is None or rule.at_least is None:
            continue
        value = answers.get(rule.item)
        if value is not None and value >= rule.at_least:
            raised.append(RaisedFlag(rule.id, rule.message))
    return tuple(raised)


def score(instrument: Instrument, answers: Answers, sex: str | None = None) -> Score:
    """Score one administration. Missing (or declined) answers are None or absent.

    A flag tied to an item (PHQ-9 item 9) is raised from that answer whatever else is missing.
    """
    check_answers(instrument, answers)
    if instrument.method == "cssrs_screener":
        return _score_cssrs(instrument, answers)
    flags = _item_flags(instrument, answers)
    for gate in (i for i in instrument.items if i.gate):
        value = answers.get(gate.id)
        if value is None:
            return Score(instrument.id, instrument.version, False, flags=flags, missing=(gate.id,),
                         problem=_("The first question is unanswered, so there is no score."))
        if value == min(gate.values):
            return _finish(instrument, 0, 0, False, (), flags, sex)
    scored = instrument.scored_items
    given = [(item, answers.get(item.id)) for item in scored]
    missing = tuple(item.id for item, value in given if value is None)
    points = [item.points(value) for item, value in given if value is not None]
    if len(missing) > instrument.max_missing:
        if instrument.max_missing:
            problem = _("{n} of {total} items are unanswered; at most {k} may be, so there is no score.").format(
                n=len(missing), total=len(scored), k=instrument.max_missing)
        else:
            problem = _("{n} of {total} items are unanswered; every item is needed for a score.").format(
                n=len(missing), total=len(scored))
        return Score(instrument.id, instrument.version, False, flags=flags, missing=missing, problem=problem)
    raw_total = sum(points)
    total = raw_total if not missing else _round_half_up(raw_total / len(points) * len(scored))
    return _finish(instrument, total, raw_total, bool(missing), missing, flags, sex)


def _finish(instrument: Instrument, total: int, raw_total: int, prorated: bool, missing: tuple[str, ...],
            flags: tuple[RaisedFlag, ...], sex: str | None) -> Score:
    percent = total * instrument.percent_multiplier if instrument.percent_multiplier else None
    band_value = percent if instrument.bands_on == "percent" and percent is not None else total
    return Score(
        instrument.id, instrument.version, True, total=total, raw_total=raw_total, prorated=prorated,
        percent=percent, band=_band(instrument, band_value),
        positive=_is_positive(instrument.positive, total, percent, sex), flags=flags, missing=missing,
    )


def _score_cssrs(instrument: Instrument, answers: Answers) -> Score:
    """Triage from the screener answers: High / Moderate / Low / None.

    Missing answers count as No for the level, so a Yes is never lost; the result is valid only
    when every question that applies was answered."""

    def yes(item_id: str) -> bool:
        return answers.get(item_id) == 1

    needed = ["q1", "q2", "q6"] + (["q3", "q4", "q5"] if yes("q2") else []) + (["q6_recent"] if yes("q6") else [])
    missing = tuple(i for i in needed if answers.get(i) is None)
    # A Yes always counts, even to a question the skip rule would not have asked.
    recent_behaviour = yes("q6") and answers.get("q6_recent") != 0  # unknown timing counts as recent
    if yes("q4") or yes("q5") or recent_behaviour:
        level = "High"
    elif yes("q3") or yes("q6"):
        level = "Moderate"
    elif yes("q1") or yes("q2"):
        level = "Low"
    else:
        level = "None"
    rank = CSSRS_LEVELS.index(level)
    flags = tuple(
        RaisedFlag(rule.id, rule.message)
        for rule in instrument.flags
        if rule.risk_at_least is not None and rank >= CSSRS_LEVELS.index(rule.risk_at_least)
    )
    problem = "" if not missing else _("Answer {items} to complete the screener.").format(items=", ".join(missing))
    return Score(instrument.id, instrument.version, not missing, band=level, risk=level,
                 positive=level != "None", flags=flags, missing=missing, problem=problem)


def parse_answers(instrument: Instrument, text: str) -> dict[str, int | None]:
    """Answers typed as a comma list in item order: option values, blank for missing, y/n for
    yes/no items. ValueError naming the item when a value can't be read."""
    tokens = [t.strip() for t in text.split(",")] if text.strip() else []
    if len(tokens) > len(instrument.items):
        raise ValueError(_("{name} has {n} items but {k} answers were given.").format(
            name=instrument.short_name, n=len(instrument.items), k=len(tokens)))
    answers: dict[str, int | None] = {}
    for item, token in zip(instrument.items, tokens, strict=False):
        if token == "":
            answers[item.id] = None
        elif item.is_yes_no and token.lower() in ("y", "yes", "n", "no"):
            answers[item.id] = 1 if token.lower().startswith("y") else 0
        else:
            try:
                answers[item.id] = int(token)
            except ValueError:
                raise ValueError(_("{name} item {item}: “{token}” is not an answer; use {allowed}.").format(
                    name=instrument.short_name, item=item.id, token=token, allowed=_allowed(item))) from None
    check_answers(instrument, answers)
    return answers


def answer_list(instrument: Instrument, values: Sequence[int | None]) -> dict[str, int | None]:
    """Answers given positionally (item order), for tests and callers that hold a list."""
    return dict(zip((i.id for i in instrument.items), values, strict=False))
