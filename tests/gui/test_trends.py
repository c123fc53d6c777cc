"""The Trends tab and its score chart, driven as a case manager would: pick an instrument, read
the chart and the table, move along the points with the keyboard, hover a point."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from app.models.client import Client
from app.services.session import Session
from app.ui import theme
from app.ui.record.trends_tab import (
    COL_BAND,
    COL_CHANGE,
    COL_FLAGS,
    COL_MISSING,
    COL_SCORE,
    TrendsTab,
)
from app.ui.widgets.score_chart import ChartPoint, ScoreChart, scale_for
from tests.conftest import person
from tests.gui.conftest import Gui
from tests.gui.test_accessibility import unnamed

START = date(2026, 1, 5)


def phq9(total: int, item9: int = 0, missing: int = 0) -> dict[str, int | None]:
    """PHQ-9 answers adding up to `total` (items 1–8), item 9 as given, the last `missing` of 1–8 blank."""
    answers: dict[str, int | None] = {str(i): 0 for i in range(1, 10)}
    left = total - item9
    for i in range(1, 9):
        answers[str(i)] = min(3, left)
        left -= answers[str(i)] or 0
    answers["9"] = item9
    for i in range(8, 8 - missing, -1):
        answers[str(i)] = None
    return answers


def who5(raw_each: int) -> dict[str, int | None]:
    return {str(i): raw_each for i in range(1, 6)}


@pytest.fixture
def client(session: Session) -> Client:
    return session.clients.create(person())


@pytest.fixture
def light() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, "light")


def open_tab(qtbot: QtBot, session: Session, client: Client) -> TrendsTab:
    tab = TrendsTab(session)
    qtbot.addWidget(tab)
    tab.resize(1100, 520)
    tab.load(session.clients.get(client.id))
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def distance(a: QColor, b: QColor) -> int:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())


def stripe_colours(chart: ScoreChart) -> dict[str, QColor]:
    """The colour a person sees in each band, just right of the plot (clear of line, points and text)."""
    image: QImage = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    found = {}
    for label, rect in chart.band_rects:
        x, y = rect.right() + 3, rect.center().y()
        found[label] = image.pixelColor(int(x * ratio), int(y * ratio))
    return found


def test_phq9_bands_are_shaded_and_labelled_deeper_as_they_get_worse(qtbot: QtBot, session: Session, client: Client,
                                                                      light: None) -> None:
    for n, total in enumerate((22, 17, 12, 8, 4)):
        session.screening.record(client.id, "phq9", phq9(total), on=START + timedelta(days=30 * n))
    tab = open_tab(qtbot, session, client)
    chart = tab.chart
    colours = stripe_colours(chart)
    labels = [label for label, _rect in chart.band_rects]
    assert labels == ["Minimal", "Mild", "Moderate", "Moderately severe", "Severe"]
    tops = [rect.top() for _label, rect in chart.band_rects]
    assert tops == sorted(tops, reverse=True)  # Minimal at the bottom, Severe at the top
    base = chart.palette().base().color()
    depth = [distance(colours[label], base) for label in labels]
    assert depth == sorted(depth) and depth[-1] > depth[0] + 20
    # the band and the threshold are named where the pointer is, and in the caption
    _label, severe = chart.band_rects[-1]
    between = (chart.point_position(0).x() + chart.point_position(1).x()) / 2
    assert chart.tooltip_at(QPointF(between, severe.center().y())) == "Severe"
    assert chart.scale is not None and chart.scale.threshold_label == "Positive at 10 or more"
    assert "higher is worse" in chart.scale.caption
    assert "22 (Severe)" in tab.summary.text() and "18 points lower, which is better" in tab.summary.text()


def test_who5_is_plotted_as_a_percentage_with_higher_is_better(qtbot: QtBot, session: Session, client: Client,
                                                              light: None) -> None:
    for n, raw in enumerate((1, 2, 3, 4)):  # 20 %, 40 %, 60 %, 80 %: improving
        session.screening.record(client.id, "who5", who5(raw), on=START + timedelta(days=30 * n))
    tab = open_tab(qtbot, session, client)
    assert tab.instrument_ids() == ["who5"]
    chart = tab.chart
    assert chart.scale is not None and chart.scale.higher_is_better and chart.scale.percent
    assert (chart.scale.low, chart.scale.high) == (0, 100)
    assert "higher is better" in chart.scale.caption
    assert [p.value for p in chart.points] == [20, 40, 60, 80]
    ys = [chart.point_position(i).y() for i in range(4)]
    assert ys == sorted(ys, reverse=True)  # rising on screen as wellbeing improves
    # not coloured like a symptom scale: the worst band (lowest) is shaded deepest
    labels = [label for label, _rect in chart.band_rects]
    assert labels == ["Likely depression", "Poor wellbeing", "Adequate wellbeing"]
    colours = stripe_colours(chart)
    base = chart.palette().base().color()
    assert distance(colours["Likely depression"], base) > distance(colours["Adequate wellbeing"], base) + 20
    assert "60 points higher, which is better" in chart.summary
    assert tab.model.index(0, COL_SCORE).data() == "80 % (raw 20)"
    assert tab.model.index(0, COL_CHANGE).data() == "+20, better"


def test_bands_stay_readable_in_the_dark_palette(qtbot: QtBot, session: Session, client: Client) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, "dark")
    try:
        session.screening.record(client.id, "gad7", {str(i): 2 for i in range(1, 8)}, on=START)
        tab = open_tab(qtbot, session, client)
        colours = stripe_colours(tab.chart)
        base = tab.chart.palette().base().color()
        assert base.lightness() < 80  # a dark surface …
        assert all(c.lightness() < 110 for c in colours.values())  # … and no light stripes glaring on it
        depth = [distance(colours[label], base) for label, _rect in tab.chart.band_rects]
        assert depth == sorted(depth) and depth[-1] > depth[0] + 20
    finally:
        theme.apply(app, "light")


def test_keyboard_moves_along_the_points_and_announces_each(qtbot: QtBot, session: Session, client: Client,
                                                            light: None) -> None:
    session.screening.record(client.id, "phq9", phq9(16, item9=1), on=START)
    session.screening.record(client.id, "phq9", phq9(11), on=START + timedelta(days=28))
    session.screening.record(client.id, "phq9", phq9(6), on=START + timedelta(days=56))
    tab = open_tab(qtbot, session, client)
    chart = tab.chart
    assert chart.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert chart.accessibleName() == "PHQ-9 scores over time"
    assert chart.accessibleDescription().startswith("PHQ-9: 3 scores")
    chart.setFocus()
    qtbot.waitUntil(chart.hasFocus)
    qtbot.keyClick(chart, Qt.Key.Key_Right)  # from nothing highlighted: the latest
    assert chart.current == 2
    assert chart.accessibleDescription().startswith("Point 3 of 3.")
    assert "6 — Mild" in chart.accessibleDescription()
    assert tab.table.currentIndex().row() == 0  # the table (newest first) follows
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    qtbot.keyClick(chart, Qt.Key.Key_Left)
    assert chart.current == 0
    described = chart.accessibleDescription()
    assert described.startswith("Point 1 of 3.") and "16 — Moderately severe" in described
    assert "Flag raised — Item 9: 1" in described
    assert tab.table.currentIndex().row() == 2
    qtbot.keyClick(chart, Qt.Key.Key_Left)  # stays on the first
    assert chart.current == 0
    qtbot.keyClick(chart, Qt.Key.Key_End)
    assert chart.current == 2
    qtbot.keyClick(chart, Qt.Key.Key_Escape)
    assert chart.current == -1 and chart.accessibleDescription() == chart.summary
    # choosing a row in the table highlights its point
    tab.table.selectRow(1)
    tab.table.setCurrentIndex(tab.model.index(1, 0))
    assert chart.current == 1


def test_flagged_points_have_their_own_shape_and_the_table_names_the_flag(qtbot: QtBot, session: Session,
                                                                          client: Client, light: None) -> None:
    session.screening.record(client.id, "phq9", phq9(3), on=START)
    session.screening.record(client.id, "phq9", phq9(3, item9=1), on=START + timedelta(days=14))
    tab = open_tab(qtbot, session, client)
    chart = tab.chart
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()

    def column_of_marker(index: int) -> set[tuple[int, int, int]]:
        """The colours drawn in a small box around a marker."""
        centre = chart.point_position(index)
        found = set()
        for dx in range(-7, 8):
            for dy in range(-7, 8):
                colour = image.pixelColor(int((centre.x() + dx) * ratio), int((centre.y() + dy) * ratio))
                found.add((colour.red(), colour.green(), colour.blue()))
        return found

    danger = QColor(theme.colors().danger)
    assert (danger.red(), danger.green(), danger.blue()) in column_of_marker(1)  # the flagged triangle
    assert (danger.red(), danger.green(), danger.blue()) not in column_of_marker(0)
    assert chart.points[1].flags == ("Item 9: 1",)
    assert tab.model.index(0, COL_FLAGS).data() == "⚠ Item 9: 1"
    assert tab.model.index(1, COL_FLAGS).data() == ""


def test_hovering_a_point_shows_its_date_score_and_band(qtbot: QtBot, session: Session, client: Client,
                                                        light: None) -> None:
    session.screening.record(client.id, "phq9", phq9(12), on=START)
    session.screening.record(client.id, "phq9", phq9(7), on=START + timedelta(days=21))
    tab = open_tab(qtbot, session, client)
    chart = tab.chart
    spot = chart.point_position(0).toPoint()
    qtbot.mouseMove(chart, spot)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == "Jan 5, 2026: 12 — Moderate"
    assert chart.tooltip_at(chart.point_position(1)) == "Jan 26, 2026: 7 — Mild"


def test_only_the_instruments_the_client_has_are_offered_phq9_first(qtbot: QtBot, session: Session, client: Client,
                                                                    light: None) -> None:
    session.screening.record(client.id, "gad7", {str(i): 1 for i in range(1, 8)}, on=START)
    for n in range(3):
        session.screening.record(client.id, "phq9", phq9(10 - n), on=START + timedelta(days=7 * n))
    session.screening.record_external(client.id, "LOCUS", START, total="18", level="Level 3")
    tab = open_tab(qtbot, session, client)
    assert tab.instrument_ids() == ["phq9", "gad7"]
    assert [tab.picker.itemText(i) for i in range(tab.picker.count())] == ["PHQ-9 (3 scores)", "GAD-7 (1 score)"]
    assert tab.picker.currentData() == "phq9" and tab.chart.accessibleName() == "PHQ-9 scores over time"
    assert tab.model.rowCount() == 3
    assert tab.model.index(0, COL_CHANGE).data() == "−1, better"
    assert tab.model.index(2, COL_CHANGE).data() == "—"
    assert tab.model.index(2, COL_BAND).data() == "Moderate · positive"
    assert unnamed(tab) == []
    tab.picker.setCurrentIndex(1)
    assert tab.chart.accessibleName() == "GAD-7 scores over time"
    assert tab.model.rowCount() == 1 and tab.model.index(0, COL_SCORE).data() == "7"
    # scores from other tools in their own table
    assert tab.external_section.isVisible()
    assert [tab.external_table.item(0, c).text() for c in range(3)] == ["Jan 5, 2026", "LOCUS", "18 · Level 3"]
    # a refresh (after something was saved) keeps the instrument being looked at
    session.screening.record(client.id, "gad7", {str(i): 0 for i in range(1, 8)}, on=START + timedelta(days=30))
    tab.refresh()
    assert tab.picker.currentData() == "gad7" and tab.picker.currentText() == "GAD-7 (2 scores)"


def test_an_administration_without_a_valid_score_leaves_a_visible_gap(qtbot: QtBot, session: Session,
                                                                      client: Client, light: None) -> None:
    session.screening.record(client.id, "phq9", phq9(14), on=START)
    session.screening.record(client.id, "phq9", phq9(9, missing=3), on=START + timedelta(days=14))
    session.screening.record(client.id, "phq9", phq9(9, missing=1), on=START + timedelta(days=28))
    tab = open_tab(qtbot, session, client)
    chart = tab.chart
    assert [p.value for p in chart.points] == [14, None, 10]
    assert chart.points[2].prorated
    assert "1 administration had no valid score" in tab.summary.text()
    assert tab.model.index(1, COL_SCORE).data() == "Not scored"
    assert tab.model.index(1, COL_MISSING).data() == "Unanswered: items 6, 7, 8"
    assert tab.model.index(0, COL_SCORE).data() == "10 (prorated)"
    assert tab.model.index(0, COL_CHANGE).data() == "−4, better"  # from the previous valid score
    assert "not scored" in chart.point_text(1)


def test_a_client_without_scores_sees_what_belongs_here(qtbot: QtBot, session: Session, client: Client,
                                                        light: None) -> None:
    tab = open_tab(qtbot, session, client)
    assert tab.stack.currentWidget() is tab.empty
    assert tab.empty.title.text() == "No scores yet"
    assert "Screening tab" in tab.empty.text.text()
    assert tab.go_screening.isVisible()
    assert unnamed(tab) == []
    # scores arrive: the tab shows them on refresh; lock (clear) leaves nothing behind
    session.screening.record(client.id, "phq9", phq9(5), on=START)
    tab.refresh()
    assert tab.stack.currentWidget() is tab.content and tab.picker.count() == 1
    tab.clear()
    assert tab.stack.currentWidget() is tab.empty
    assert tab.picker.count() == 0 and tab.model.rowCount() == 0 and tab.chart.points == []


def test_only_external_scores_show_their_table_and_a_note(qtbot: QtBot, session: Session, client: Client,
                                                          light: None) -> None:
    session.screening.record_external(client.id, "DLA-20", START, total="4.2", note="At home")
    tab = open_tab(qtbot, session, client)
    assert tab.stack.currentWidget() is tab.content
    assert not tab.chart.isVisible() and tab.no_instruments.isVisible()
    assert tab.external_table.rowCount() == 1 and tab.external_table.item(0, 3).text() == "At home"


def test_the_chart_copes_with_none_one_and_hundreds_of_points(qtbot: QtBot, session: Session, light: None) -> None:
    from app.services import instruments

    phq = instruments.get("phq9")
    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.resize(900, 300)
    chart.show()
    chart.set_series("PHQ-9", scale_for(phq), [])
    assert not chart.grab().isNull() and "no valid score" in chart.summary
    chart.set_series("PHQ-9", scale_for(phq), [ChartPoint(START, 12, "Moderate")])
    assert not chart.grab().isNull() and chart.summary == "PHQ-9: one score, 12 (Moderate) on Jan 5, 2026."
    many = [ChartPoint(START - timedelta(days=7 * n), n % 28, "") for n in range(240)]
    chart.set_series("PHQ-9", scale_for(phq), many)
    assert not chart.grab().isNull() and chart.summary.startswith("PHQ-9: 240 scores")
    xs = [chart.point_position(i).x() for i in range(240)]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] <= chart.width()
    qtbot.keyClick(chart, Qt.Key.Key_Home)
    assert chart.current == 0


def test_cssrs_is_charted_as_risk_levels(qtbot: QtBot, session: Session, client: Client, light: None) -> None:
    session.screening.record(client.id, "cssrs_screener", {"q1": 1, "q2": 0, "q6": 0}, on=START)
    tab = open_tab(qtbot, session, client)
    assert tab.instrument_ids() == ["cssrs_screener"]
    chart = tab.chart
    assert chart.scale is not None and chart.scale.levels == ("None", "Low", "Moderate", "High")
    assert [p.value for p in chart.points] == [1]
    assert [label for label, _rect in chart.band_rects] == ["None", "Low", "Moderate", "High"]
    assert chart.point_text(0) == "Jan 5, 2026: Low — Low"


def test_the_record_shows_trends_when_the_tab_is_opened_and_forgets_them_on_lock(
        gui: Gui, client_vault: Path) -> None:
    gui.unlock(client_vault)
    session = gui.controller.session
    assert session is not None
    workspace = gui.controller.workspace
    assert workspace is not None
    client_id = session.clients.roster()[0].id
    session.screening.record(client_id, "phq9", phq9(18, item9=1), on=START)
    session.screening.record(client_id, "phq9", phq9(9), on=START + timedelta(days=30))
    workspace.open_client(client_id)
    record = workspace.record
    tab = record.trends_tab
    assert tab.picker.count() == 0  # nothing read until the tab is looked at
    record.tabs.setCurrentWidget(tab)
    gui.qtbot.waitUntil(lambda: tab.picker.count() == 1)
    assert tab.picker.currentText() == "PHQ-9 (2 scores)"
    assert "9 points lower, which is better" in tab.summary.text()
    assert unnamed(tab) == []
    gui.key(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: gui.controller.session is None)
    assert tab.picker.count() == 0 and tab.model.rowCount() == 0 and tab.chart.points == []
    assert "PHQ-9:" not in tab.chart.accessibleDescription()
