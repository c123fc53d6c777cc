"""The evaluation views, driven as a case manager or supervisor would: the record's Outcomes tab
(a score trend tied to a goal, the goal's attainment over two reviews, the period, the empty
state, the report request) and the Caseload page (tier counts that match the vault, figures that
follow the period, Enter opens a client, discreet mode, the progress while it reads)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.i18n import format_date
from app.models.care_plan import GoalProgress
from app.models.client import Client, Stage
from app.models.risk import Tier
from app.services import demo
from app.services.clock import FixedClock
from app.services.evaluation import caseload_dashboard
from app.services.session import Session
from app.ui import theme
from app.ui.pages.caseload import COL_NAME, CUSTOM, ID_ROLE, CaseloadPage
from app.ui.record.outcomes_tab import OutcomesTab
from app.ui.roster_model import tier_text
from tests.conftest import person
from tests.gui.conftest import visible_texts
from tests.test_care_plans import phq9, signed_plan

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def light() -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, "light")


# -- the Outcomes tab ----------------------------------------------------------------------------


@pytest.fixture
def followed(session: Session, clock: FixedClock) -> Client:
    """A client with a signed plan (goal "Keep my flat", objective "PHQ-9 under 10"), three PHQ-9s
    and two reviews rating the goal −1 then +1."""
    clock.current = NOW - timedelta(days=150)
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    plan = signed_plan(session, client.id)
    phq9(session, client.id, 18, TODAY - timedelta(days=150))
    clock.current = NOW
    phq9(session, client.id, 12, TODAY - timedelta(days=60))
    phq9(session, client.id, 8, TODAY - timedelta(days=5))
    session.care_plans.record_review(plan.id, [GoalProgress("g1", -1)], attended="Zoë and me",
                                     on=TODAY - timedelta(days=60))
    session.care_plans.record_review(plan.id, [GoalProgress("g1", 1, "Rent paid")], attended="Zoë and me",
                                     on=TODAY - timedelta(days=5))
    return client


def _tab(qtbot: QtBot, session: Session, client: Client) -> OutcomesTab:
    tab = OutcomesTab(session)
    qtbot.addWidget(tab)
    tab.resize(1100, 700)
    tab.load(client)
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def test_the_tab_shows_the_trend_tied_to_its_goal_and_the_goal_over_two_reviews(
        qtbot: QtBot, session: Session, followed: Client) -> None:
    tab = _tab(qtbot, session, followed)
    assert tab.stack.currentWidget() is tab.scroll
    [card] = tab.trend_cards
    assert card.title.text() == "PHQ-9"
    assert [p.value for p in card.chart.points] == [18, 12, 8]
    assert "10 points lower, which is better" in card.change.text()
    shown = visible_texts(card)
    assert "Goal: Keep my flat" in shown and "Objective: PHQ-9 under 10" in shown and "· Met" in shown

    table = tab.goals_table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[2:4] == [f"Review\n{format_date(TODAY - timedelta(days=60), 'short')}",
                            f"Review\n{format_date(TODAY - timedelta(days=5), 'short')}"]
    assert table.rowCount() == 1 and table.item(0, 0).text() == "Keep my flat"
    assert [table.item(0, c).text() for c in (2, 3, 4)] == ["−1 less", "+1 more", "+2 (better)"]
    assert "less than expected" in table.item(0, 2).toolTip()  # the words, not only a colour
    assert "3 reviews" not in tab.period_label.text() and "2 reviews" in tab.period_label.text()


def test_a_shorter_period_shows_less(qtbot: QtBot, session: Session, followed: Client) -> None:
    tab = _tab(qtbot, session, followed)
    tab.period.combo.setCurrentIndex(tab.period.combo.findData("90"))
    assert [p.value for p in tab.trend_cards[0].chart.points] == [12, 8]
    tab.period.set_custom(TODAY - timedelta(days=30), TODAY)
    assert [p.value for p in tab.trend_cards[0].chart.points] == [8]
    assert [tab.goals_table.item(0, c).text() for c in (2, 3)] == ["+1 more", "—"]
    # a custom period that ends before it starts is refused next to the dates, the period kept
    tab.period.set_custom(TODAY, TODAY - timedelta(days=3))
    assert tab.period.error.isVisible() and "starts after it ends" in tab.period.error.text()
    assert [p.value for p in tab.trend_cards[0].chart.points] == [8]


def test_the_report_button_asks_for_the_outcomes_report(qtbot: QtBot, session: Session, followed: Client) -> None:
    tab = _tab(qtbot, session, followed)
    with qtbot.waitSignal(tab.report_requested) as blocker:
        qtbot.mouseClick(tab.report_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["outcomes"]


def test_the_empty_state_says_what_to_record(qtbot: QtBot, session: Session) -> None:
    client = session.clients.create(person())
    tab = _tab(qtbot, session, client)
    assert tab.stack.currentWidget() is tab.empty
    assert "No outcomes to show yet" in tab.empty.title.text()
    assert "PHQ-9" in tab.empty.text.text() and "reviews rate each goal" in tab.empty.text.text()
    with qtbot.waitSignal(tab.navigate) as blocker:
        qtbot.mouseClick(tab.empty_screening, Qt.MouseButton.LeftButton)
    assert blocker.args == ["screening"]
    with qtbot.waitSignal(tab.navigate) as blocker:
        qtbot.mouseClick(tab.empty_plan, Qt.MouseButton.LeftButton)
    assert blocker.args == ["care_plan"]


def test_scores_without_a_plan_explain_what_is_missing(qtbot: QtBot, session: Session) -> None:
    client = session.clients.create(person())
    phq9(session, client.id, 14, TODAY - timedelta(days=10))
    tab = _tab(qtbot, session, client)
    assert tab.stack.currentWidget() is tab.scroll
    assert "Not tied to a goal of the care plan" in visible_texts(tab.trend_cards[0])
    assert not tab.goals_table.isVisible() and "No signed care plan with goals yet" in tab.no_goals.text()
    assert tab.no_plan.isVisible()


# -- the Caseload page ---------------------------------------------------------------------------


@pytest.fixture
def caseload(session: Session) -> Session:
    demo.populate(session, 40, seed=7)
    return session


def _page(qtbot: QtBot, session: Session) -> CaseloadPage:
    page = CaseloadPage(session)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.loaded, timeout=30000):
        page.reload()
        assert page.busy.isVisible()  # the progress shows while the caseload is read
    assert not page.busy.isVisible()
    return page


def test_the_tier_counts_match_the_vault(qtbot: QtBot, caseload: Session) -> None:
    page = _page(qtbot, caseload)
    active = [r for r in caseload.clients.roster() if r.stage is not Stage.CLOSED]
    counts = Counter(r.tier for r in active)
    assert page.active_tile.value.text() == str(len(active))
    for tier in (Tier.CRISIS, Tier.HIGH, Tier.MODERATE, Tier.LOW):
        assert page.tier_labels[tier].text() == f"{tier_text(tier)}: {counts[tier]}"
    assert page.tier_labels[None].text() == f"Not stratified: {counts[None]}"
    assert page.model.rowCount() == len(active)
    assert page.progress_bar.maximum() == len(active)  # progress was reported client by client
    rows = [page.proxy.data(page.proxy.index(r, 2)) for r in range(page.proxy.rowCount())]
    assert rows[0].endswith("Crisis") or counts[Tier.CRISIS] == 0  # most urgent first


def test_changing_the_period_changes_the_figures(qtbot: QtBot, caseload: Session) -> None:
    page = _page(qtbot, caseload)
    start, end = TODAY - timedelta(days=90), TODAY
    expected = caseload_dashboard(caseload, start, end)
    assert page.overdue_tile.value.text() == str(expected.overdue)
    assert expected.change("phq9") is not None and expected.change("phq9").n > 0  # type: ignore[union-attr]
    assert f"n = {expected.change('phq9').n}" in page.phq9_tile.detail.text()  # type: ignore[union-attr]
    assert format_date(start) in page.header.subtitle.text()

    with qtbot.waitSignal(page.loaded, timeout=30000):
        page.period.set_preset("year")
    year = caseload_dashboard(caseload, date(TODAY.year, 1, 1), TODAY)
    assert page.overdue_tile.value.text() == str(year.overdue)
    assert format_date(date(TODAY.year, 1, 1)) in page.header.subtitle.text()

    with qtbot.waitSignal(page.loaded, timeout=30000):
        page.period.set_custom(date(2019, 1, 1), date(2019, 12, 31))
    assert page.period.key() == CUSTOM
    assert page.overdue_tile.value.text() == "0"
    assert page.phq9_tile.value.text() == "—" and "needs a score at intake" in page.phq9_tile.detail.text()
    assert page.engagement_tile.value.text() == "—"


def test_enter_opens_the_selected_client_and_the_report_button_asks_for_the_caseload(
        qtbot: QtBot, caseload: Session) -> None:
    page = _page(qtbot, caseload)
    page.table.setFocus()
    page.table.selectRow(2)
    wanted = page.proxy.data(page.proxy.index(2, 0), ID_ROLE)
    with qtbot.waitSignal(page.open_client) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [wanted]
    with qtbot.waitSignal(page.report_requested) as blocker:
        qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["caseload"]


def test_discreet_mode_hides_names(qtbot: QtBot, caseload: Session) -> None:
    page = _page(qtbot, caseload)
    names = [r.name for r in page.dashboard.rows]  # type: ignore[union-attr]
    assert names[0] in visible_texts(page)
    page.set_discreet(True)
    shown = visible_texts(page)
    assert not any(name in shown for name in names)
    first = page.proxy.data(page.proxy.index(0, COL_NAME))
    assert first and len(first) <= 4 and first.endswith(".")  # initials, like the other lists
    assert page.dashboard.rows[0].client_code in shown  # type: ignore[union-attr]
    page.set_discreet(False)
    assert names[0] in visible_texts(page)


def test_the_page_is_empty_without_active_clients_and_clears_on_lock(qtbot: QtBot, session: Session) -> None:
    page = _page(qtbot, session)
    assert page.stack.currentWidget() is page.empty
    assert "No active clients" in page.empty.title.text()
    session.clients.create(person(first_name="Ольга", last_name="Петрова"))
    with qtbot.waitSignal(page.loaded, timeout=30000):
        page.reload()
    assert "Ольга Петрова" in visible_texts(page)
    page.clear()
    assert "Ольга Петрова" not in visible_texts(page) and page.model.rowCount() == 0
