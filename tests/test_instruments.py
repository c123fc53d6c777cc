"""The instrument definitions and the scoring engine: INSTRUMENTS.md's test vectors, every band
edge of every instrument, proration, reversed items, missing and declined answers, and a loader
that names the file and field of any broken definition."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.models.instruments import Instrument, InstrumentError, answer_list, parse_answers, score
from app.services.instruments import INSTRUMENTS_DIR, catalog, load_catalog

SHIPPED = {"phq2", "phq9", "gad2", "gad7", "auditc", "dast10", "k6", "k10", "who5", "pcptsd5", "cssrs_screener"}


def ins(instrument_id: str) -> Instrument:
    return catalog()[instrument_id]


def run(instrument_id: str, values: list[int | None], sex: str | None = None):  # type: ignore[no-untyped-def]
    instrument = ins(instrument_id)
    return score(instrument, answer_list(instrument, values), sex=sex)


def answers_for(instrument: Instrument, total: int) -> dict[str, int | None]:
    """Answers to the scored items adding up to `total` (reverse-scored items included)."""
    remaining = total - sum(min(i.values) for i in instrument.scored_items)
    answers: dict[str, int | None] = {}
    for gate in (i for i in instrument.items if i.gate):
        answers[gate.id] = max(gate.values)
    for item in instrument.scored_items:
        low, high = min(item.values), max(item.values)
        extra = min(remaining, high - low)
        remaining -= extra
        wanted_points = low + extra
        answers[item.id] = next(v for v in item.values if item.points(v) == wanted_points)
    assert remaining == 0
    return answers


def test_every_shipped_definition_loads_and_is_complete() -> None:
    loaded = catalog()
    assert set(loaded) == SHIPPED
    for instrument in loaded.values():
        assert instrument.attribution and instrument.licence and instrument.stem
        assert all(item.text for item in instrument.items)


def test_loinc_codes_only_where_verified() -> None:
    codes = {i.id: (i.loinc_panel, i.loinc_total) for i in catalog().values() if i.loinc_panel or i.loinc_total}
    assert codes == {
        "phq9": ("44249-1", "44261-6"), "phq2": ("55757-9", "55758-7"), "gad7": ("69737-5", "70274-6"),
        "auditc": (None, "75626-2"), "dast10": (None, "82667-7"),
    }
    item_codes = {(i.id, item.id): item.loinc for i in catalog().values() for item in i.items if item.loinc}
    assert item_codes == {("phq9", "1"): "44250-9", ("phq9", "9"): "44260-8", ("phq9", "10"): "69722-7",
                          ("phq2", "1"): "44250-9"}


def test_cssrs_holds_no_licensed_item_wording() -> None:
    labels = [item.text for item in ins("cssrs_screener").items]
    assert labels[0].startswith("Q1 wish to be dead") and all(len(text) < 60 for text in labels)


# -- INSTRUMENTS.md test vectors --------------------------------------------------------------

@pytest.mark.parametrize(
    "values, total, band, flagged",
    [([0] * 9, 0, "Minimal", False), ([3] * 9, 27, "Severe", True), ([1] * 9, 9, "Mild", True),
     ([0] * 8 + [1], 1, "Minimal", True)],
)
def test_phq9_vectors(values: list[int], total: int, band: str, flagged: bool) -> None:
    result = run("phq9", values)
    assert (result.total, result.band, "suicide_risk" in result.flag_ids) == (total, band, flagged)


def test_phq9_prorates_one_or_two_missing_and_refuses_three() -> None:
    one = run("phq9", [None] + [2] * 8)
    assert (one.total, one.band, one.prorated, one.missing) == (18, "Moderately severe", True, ("1",))
    two = run("phq9", [None, None, 3, 3, 3, 3, 3, 3, 2])  # mean 20/7 × 9 = 25.7 → 26
    assert two.total == 26 and two.raw_total == 20
    three = run("phq9", [None, None, None] + [2] * 6)
    assert not three.valid and three.total is None and "3 of 9" in three.problem


def test_phq9_item9_flag_is_raised_even_without_a_valid_total() -> None:
    result = run("phq9", [None, None, None, None, 0, 0, 0, 0, 2])
    assert not result.valid and result.flag_ids == ("suicide_risk",)
    assert run("phq9", [3] * 8 + [0]).flag_ids == ()


def test_proration_rounds_half_up() -> None:
    result = run("gad7", [None, 1, 1, 1, 1, 1, 2])  # 7/6 × 7 = 8.17 → 8
    assert result.total == 8
    half = run("k6", [None, 1, 1, 1, 1, 2])  # 6/5 × 6 = 7.2 → 7
    assert half.total == 7
    exact_half = run("phq9", [None, None, 1, 1, 1, 1, 1, 1, 0])  # 6/7 × 9 = 7.71 → 8
    assert exact_half.total == 8


def test_gad7_vector() -> None:
    result = run("gad7", [2, 2, 2, 2, 1, 1, 0])
    assert (result.total, result.band, result.positive) == (10, "Moderate", True)


def test_dast10_reverses_item_3() -> None:
    none = run("dast10", [0] * 10)
    assert (none.total, none.band) == (1, "Low level")
    every = run("dast10", [1] * 10)
    assert (every.total, every.band) == (9, "Severe level")


def test_kessler_vectors() -> None:
    k10 = run("k10", [1] * 10)
    assert (k10.total, k10.band) == (10, "Low")
    k6 = run("k6", [4] * 6)
    assert (k6.total, k6.band, k6.positive) == (24, "Serious psychological distress", True)


def test_who5_percentage_and_direction() -> None:
    result = run("who5", [4] * 5)
    assert (result.total, result.percent, result.band, result.positive) == (20, 80, "Adequate wellbeing", False)
    low = run("who5", [1] * 5)
    assert (low.percent, low.band, low.positive) == (20, "Likely depression", True)
    assert ins("who5").higher_is_better and not ins("phq9").higher_is_better


@pytest.mark.parametrize("sex, positive", [(None, True), ("female", True), ("male", False)])
def test_auditc_threshold_depends_on_sex(sex: str | None, positive: bool) -> None:
    result = run("auditc", [1, 1, 1], sex=sex)
    assert result.total == 3 and result.positive is positive
    assert run("auditc", [2, 1, 1], sex="male").positive is True


@pytest.mark.parametrize(
    "answers, risk",
    [
        ({"q1": 1, "q2": 0, "q6": 0}, "Low"),
        ({"q1": 0, "q2": 0, "q6": 1, "q6_recent": 1}, "High"),
        ({"q1": 0, "q2": 0, "q6": 0}, "None"),
        ({"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}, "Moderate"),
        ({"q1": 1, "q2": 1, "q3": 1, "q4": 1, "q5": 0, "q6": 0}, "High"),
        ({"q1": 1, "q2": 1, "q3": 0, "q4": 0, "q5": 1, "q6": 0}, "High"),
        ({"q1": 0, "q2": 0, "q6": 1, "q6_recent": 0}, "Moderate"),
        ({"q1": 1, "q2": 1, "q3": 0, "q4": 0, "q5": 0, "q6": 0}, "Low"),
    ],
)
def test_cssrs_triage(answers: dict[str, int], risk: str) -> None:
    result = score(ins("cssrs_screener"), answers)
    assert result.valid and result.risk == risk
    assert ("suicide_risk" in result.flag_ids) is (risk in ("Moderate", "High"))


def test_cssrs_never_loses_a_yes() -> None:
    timing_unknown = score(ins("cssrs_screener"), {"q1": 0, "q2": 0, "q6": 1})
    assert not timing_unknown.valid and timing_unknown.risk == "High" and timing_unknown.missing == ("q6_recent",)
    skipped_but_yes = score(ins("cssrs_screener"), {"q1": 1, "q2": 0, "q4": 1, "q6": 0})
    assert skipped_but_yes.risk == "High"
    incomplete = score(ins("cssrs_screener"), {"q1": 1, "q2": 1, "q6": 0})
    assert not incomplete.valid and set(incomplete.missing) == {"q3", "q4", "q5"} and incomplete.risk == "Low"


def test_pcptsd5_exposure_gate() -> None:
    no_event = score(ins("pcptsd5"), {"exposure": 0})
    assert (no_event.valid, no_event.total, no_event.positive) == (True, 0, False)
    assert not score(ins("pcptsd5"), {}).valid
    assert run("pcptsd5", [1, 1, 1, 1, 0, 0]).positive is True
    assert run("pcptsd5", [1, 1, 1, 0, 0, 0]).positive is False


# -- every band edge of every instrument (expected values from INSTRUMENTS.md) -----------------

EDGES = {
    "phq9": [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
             (15, "Moderately severe"), (19, "Moderately severe"), (20, "Severe"), (27, "Severe")],
    "phq2": [(0, "Negative screen"), (2, "Negative screen"), (3, "Positive screen"), (6, "Positive screen")],
    "gad7": [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"), (14, "Moderate"),
             (15, "Severe"), (21, "Severe")],
    "gad2": [(2, "Negative screen"), (3, "Positive screen")],
    "auditc": [(2, "Lower risk"), (3, "Positive for women (and when sex is not recorded)"), (4, "Positive screen"),
               (12, "Positive screen")],
    "dast10": [(0, "No problems reported"), (1, "Low level"), (2, "Low level"), (3, "Moderate level"),
               (5, "Moderate level"), (6, "Substantial level"), (8, "Substantial level"), (9, "Severe level"),
               (10, "Severe level")],
    "k10": [(10, "Low"), (15, "Low"), (16, "Moderate"), (21, "Moderate"), (22, "High"), (29, "High"),
            (30, "Very high"), (50, "Very high")],
    "k6": [(0, "Below the threshold"), (12, "Below the threshold"), (13, "Serious psychological distress"),
           (24, "Serious psychological distress")],
    # WHO-5 bands are on the percentage (raw × 4): ≤ 28 likely depression, ≤ 50 poor wellbeing.
    "who5": [(0, "Likely depression"), (7, "Likely depression"), (8, "Poor wellbeing"), (12, "Poor wellbeing"),
             (13, "Adequate wellbeing"), (25, "Adequate wellbeing")],
    "pcptsd5": [(0, "Negative screen"), (2, "Negative screen"), (3, "Positive screen"), (5, "Positive screen")],
}
POSITIVE_FROM = {"phq9": 10, "phq2": 3, "gad7": 10, "gad2": 3, "dast10": 3, "k10": 22, "k6": 13, "pcptsd5": 3}


@pytest.mark.parametrize("instrument_id, total, band", [(i, t, b) for i, edges in EDGES.items() for t, b in edges])
def test_band_edges(instrument_id: str, total: int, band: str) -> None:
    instrument = ins(instrument_id)
    result = score(instrument, answers_for(instrument, total))
    assert (result.valid, result.total, result.band) == (True, total, band)
    if instrument_id in POSITIVE_FROM:
        assert result.positive is (total >= POSITIVE_FROM[instrument_id])
    if instrument_id == "who5":
        assert result.positive is (total * 4 <= 50)


def test_declined_and_missing_count_the_same_and_bad_answers_name_the_item() -> None:
    phq9 = ins("phq9")
    assert score(phq9, {"2": 1, "3": 1}).missing == ("1", "4", "5", "6", "7", "8", "9")
    with pytest.raises(ValueError, match="PHQ-9 item 4: 5 is not an answer; use 0–3"):
        score(phq9, {"4": 5})
    with pytest.raises(ValueError, match="no item 11"):
        score(phq9, {"11": 1})
    with pytest.raises(ValueError, match="K10 item 3: 0 is not an answer; use 1–5"):
        score(ins("k10"), {"3": 0})


def test_typed_answer_lists() -> None:
    assert parse_answers(ins("dast10"), "y,n,N,yes,no,,1,0") == {
        "1": 1, "2": 0, "3": 0, "4": 1, "5": 0, "6": None, "7": 1, "8": 0}
    with pytest.raises(ValueError, match="item 2: “maybe”"):
        parse_answers(ins("dast10"), "y,maybe")
    with pytest.raises(ValueError, match="has 3 items but 4"):
        parse_answers(ins("auditc"), "1,1,1,1")
    assert parse_answers(ins("phq9"), "") == {}


# -- the loader ---------------------------------------------------------------------------------

@pytest.fixture
def defs(tmp_path: Path) -> Path:
    folder = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS_DIR, folder)
    return folder


def edit(folder: Path, name: str, change) -> None:  # type: ignore[no-untyped-def]
    path = folder / f"{name}.json"
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), "utf-8")


@pytest.mark.parametrize(
    "name, change, where, words",
    [
        ("phq9", lambda d: d["bands"][1].update(min=6), "bands[1].min", "without gaps"),
        ("phq9", lambda d: d["scoring"].update(range=[0, 30]), "scoring.range", "add up to [0, 27]"),
        ("gad7", lambda d: d["items"][2].update(options="nope"), "items[2].options", "not one of option_sets"),
        ("k6", lambda d: d.update(colour="red"), "colour", "unknown field"),
        ("who5", lambda d: d["bands"].pop(), "bands[1].max", "must reach 100"),
        ("auditc", lambda d: d["positive"]["by_sex"].pop("unknown"), "positive.by_sex", "female, male and unknown"),
        ("phq9", lambda d: d["flags"][0].update(item="99"), "flags[0].item", "not an item"),
        ("dast10", lambda d: d["items"][0].pop("text"), "items[0].text", "non-empty text"),
        ("phq2", lambda d: d.update(version="one"), "version", "1.0.0"),
        ("phq9", lambda d: d["loinc"].update(total="44261"), "loinc.total", "LOINC"),
        ("gad2", lambda d: d.update(next_if_positive="gad8"), "next_if_positive", "not an instrument"),
        ("k10", lambda d: d["option_sets"]["frequency"][0].update(value=4), "option_sets.frequency", "must differ"),
    ],
)
def test_a_broken_definition_names_its_file_and_field(defs: Path, name: str, change, where: str, words: str) -> None:  # type: ignore[no-untyped-def]
    edit(defs, name, change)
    with pytest.raises(InstrumentError) as caught:
        load_catalog(defs)
    assert caught.value.source == f"{name}.json"
    assert caught.value.where == where
    assert words in caught.value.problem


def test_unreadable_json_and_misnamed_files_are_reported(defs: Path) -> None:
    (defs / "phq9.json").write_text("{ not json", "utf-8")
    with pytest.raises(InstrumentError, match=r"phq9.json: line 1: not valid JSON"):
        load_catalog(defs)
    shutil.copy(INSTRUMENTS_DIR / "phq9.json", defs / "phq9.json")
    shutil.move(defs / "k6.json", defs / "kessler6.json")
    with pytest.raises(InstrumentError, match="kessler6.json: id: 'k6' differs from the file name"):
        load_catalog(defs)
