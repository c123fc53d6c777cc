"""Today's follow-up lists, driven like a user on a vault with an injected clock: due today,
overdue, the next 7 days, the outreach list (a High-tier client's missed or overdue contacts),
re-screenings and reviews due; discreet mode; the overdue home-visit banner and Check out; Enter
opening the record on its Follow-ups tab; the context menu recording what happened."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QListWidget, QMenu, QMessageBox, QWidget

from app.models.follow_ups import FollowUpFields, FollowUpType, Status
from app.models.risk import Tier
from app.services.clock import FixedClock
from app.services.context import AppServices
from app.services.session import Session
from app.ui.dialogs.note_editor import NoteEditorDialog
from app.ui.follow_up_actions import MissedDialog
from app.ui.pages.today import TodayPage
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui, visible_texts
from tests.test_care_plans import phq9


@dataclass
class Caseload:
    folder: Path
    zoe: str  # High tier: her overdue call is on the outreach list
    olga: str
    anh: str
    today: date


def plan(session: Session, client_id: str, start: datetime, minutes: int = 45,
         kind: FollowUpType = FollowUpType.HOME_VISIT) -> str:
    fields = FollowUpFields(kind, start, start + timedelta(minutes=minutes), session.follow_ups.default_zone(),
                            location="Flat 2, Canary Wharf", purpose="Go over the budget")
    return session.follow_ups.schedule(client_id, fields).id


@pytest.fixture
def caseload(services: AppServices, client_vault: Path) -> Iterator[Caseload]:
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    rows = {r.first_name: r.id for r in session.clients.roster()}
    zoe, olga, anh = rows["Zoë"], rows["Ольга"], rows["Nguyễn Thị"]
    today = session.clock.today()

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, minute))

    session.risk.record(zoe, session.risk.compute(zoe), override=Tier.HIGH, reason="Family reports threats from a partner")
    plan(session, zoe, at(0, 10, 30))  # due today
    plan(session, zoe, at(-1, 9), kind=FollowUpType.PHONE)  # overdue, and on the outreach list
    plan(session, olga, at(-3, 14), kind=FollowUpType.OFFICE)  # overdue
    done = plan(session, olga, at(-2, 11), kind=FollowUpType.PHONE)
    session.follow_ups.set_status(done, at(-2, 11), Status.COMPLETED)  # recorded: on no list
    plan(session, olga, at(3, 13), kind=FollowUpType.OFFICE)  # next 7 days
    plan(session, olga, at(12, 13), kind=FollowUpType.OFFICE)  # further off: on no list
    plan(session, anh, at(2, 9, 30), kind=FollowUpType.PLAN_REVIEW)  # next 7 days, and a review due
    # Ánh was screened 40 days ago at Moderate tier (re-screen every 30 days): a re-screening is due.
    phq9(session, anh, 11, today - timedelta(days=40))
    session.risk.record(anh, session.risk.compute(anh), override=Tier.MODERATE, reason="Reviewed with the supervisor")
    session.close()
    yield Caseload(client_vault, zoe, olga, anh, today)


def texts(items: QListWidget) -> list[str]:
    return [items.item(i).text() for i in range(items.count())]


def shown(gui: Gui) -> TodayPage:
    workspace = gui.controller.workspace
    assert workspace is not None
    today = workspace.today
    gui.qtbot.waitUntil(lambda: today.due_today.items.count() > 0)  # filled just after Today is shown
    return today


def when_modal(kind: type[QWidget], act: Callable[[QWidget], None], tries: int = 250) -> None:
    """Answer the next modal window of type `kind` from the event loop, as a person would."""
    def poll(left: int = tries) -> None:
        window = QApplication.activeModalWidget()
        if isinstance(window, kind) and window.isVisible():
            act(window)
        elif left:
            QTimer.singleShot(20, lambda: poll(left - 1))

    QTimer.singleShot(0, poll)


def press(gui: Gui, text: str) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        button = next(b for b in box.buttons() if b.text() == text)
        gui.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return act


def menu_entry(today: TodayPage, items: QListWidget, row: int, text: str):  # type: ignore[no-untyped-def]
    menu = today._row_menu(items, items.item(row))
    assert menu is not None
    return next(a for a in menu.actions() if a.text() == text)


def test_each_list_shows_what_is_due_with_the_counts(gui: Gui, caseload: Caseload) -> None:
    gui.unlock(caseload.folder)
    today = shown(gui)
    due = texts(today.due_today.items)
    assert len(due) == 1 and "10:30" in due[0] and "Home visit" in due[0] and "Ødegård, Zoë" in due[0]
    assert "High tier" in due[0] and today.due_today.title.text() == "1 follow-up due today"
    late = texts(today.late.items)
    assert today.late.title.text() == "2 follow-ups overdue"
    assert late[0].startswith("1 day overdue — Yesterday") and "Phone call" in late[0]  # the most recent first
    assert late[1].startswith("3 days overdue — ") and "Петрова, Ольга" in late[1] and "No tier yet" in late[1]
    outreach = texts(today.outreach.items)
    assert len(outreach) == 1 and outreach[0].startswith("Overdue · Yesterday") and "Ødegård" in outreach[0]
    ahead = texts(today.next_week.items)
    assert today.next_week.title.text() == "2 follow-ups in the next 7 days"
    assert "Care-plan review" in ahead[0] and "Ánh" in ahead[0]  # in 2 days, then Ольга's in 3
    assert "Office visit" in ahead[1] and "Петрова" in ahead[1]
    reviews = texts(today.reviews.items)
    assert today.reviews.title.text() == "2 re-screenings and reviews due"
    assert reviews[0].startswith("Re-screening overdue since ") and "Ánh" in reviews[0] and "Moderate tier" in reviews[0]
    assert "Care-plan review" in reviews[1]
    assert today.due_today.items.isVisible() and not today.due_today.empty.isVisible()
    # The completed call and the visit 12 days off are on no list.
    every = "\n".join(t for card in today.follow_up_cards for t in texts(card.items))
    assert every.count("Петрова") == 2


def test_discreet_mode_shows_initials_and_codes_only(gui: Gui, caseload: Caseload) -> None:
    gui.unlock(caseload.folder)
    today = shown(gui)
    workspace = gui.controller.workspace
    assert workspace is not None
    codes = {r.id: r.client_code for r in gui.controller.session.clients.roster()}  # type: ignore[union-attr]
    workspace.set_discreet(True)
    lists = "\n".join(t for card in today.follow_up_cards for t in texts(card.items))
    for name in ("Ødegård", "Zoë", "Петрова", "Ольга", "Nguyễn", "Ánh"):
        assert name not in lists and name not in visible_texts(today)
    assert "Z.Ø. · " + codes[caseload.zoe] in texts(today.due_today.items)[0]
    assert codes[caseload.anh] in texts(today.reviews.items)[0]
    workspace.set_discreet(False)
    assert "Ødegård, Zoë" in texts(today.due_today.items)[0]


def test_enter_opens_the_record_on_its_follow_ups_tab(gui: Gui, caseload: Caseload) -> None:
    gui.unlock(caseload.folder)
    today = shown(gui)
    workspace = gui.controller.workspace
    assert workspace is not None
    items = today.next_week.items
    items.setFocus()
    items.setCurrentRow(1)  # Ольга's office visit
    gui.qtbot.keyClick(items, Qt.Key.Key_Return)
    record = workspace.record
    gui.qtbot.waitUntil(lambda: workspace.pages.currentWidget() is record)
    assert record.client() is not None and record.client().id == caseload.olga
    assert record.tabs.currentWidget() is record.follow_ups_tab


def test_an_overdue_visit_check_in_is_a_warning_at_the_top_until_checked_out(
        gui: Gui, caseload: Caseload, services: AppServices, clock: FixedClock) -> None:
    session = services.vaults.unlock(caseload.folder, passphrase=PASSPHRASE)
    session.follow_ups.check_in(caseload.zoe, 60)
    session.close()
    clock.advance(minutes=95)  # 35 minutes past the expected length
    gui.unlock(caseload.folder)
    today = shown(gui)
    banner = today.visit_banner
    gui.qtbot.waitUntil(banner.isVisible)
    assert banner.label.text().startswith("Home visit overdue by 35 minutes — Ødegård, Zoë")
    assert banner.property("kind") == "error"
    gui.controller.workspace.set_discreet(True)  # type: ignore[union-attr]
    assert "Ødegård" not in banner.label.text() and "Z.Ø." in banner.label.text()
    gui.qtbot.mouseClick(today.check_out_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    assert gui.controller.session.follow_ups.open_visits() == []  # type: ignore[union-attr]
    today.refresh()
    assert not banner.isVisible()


def test_a_visit_still_within_its_time_shows_no_warning(gui: Gui, caseload: Caseload, services: AppServices) -> None:
    session = services.vaults.unlock(caseload.folder, passphrase=PASSPHRASE)
    session.follow_ups.check_in(caseload.zoe, 60)
    session.close()
    gui.unlock(caseload.folder)
    today = shown(gui)
    assert not today.visit_banner.isVisible() and today.visit_timer.isActive()  # looked at again every 30 s


def test_the_context_menu_records_what_happened(gui: Gui, caseload: Caseload) -> None:
    gui.unlock(caseload.folder)
    today = shown(gui)
    session = gui.controller.session
    assert session is not None
    # A visit still to come can be cancelled, not completed or marked missed yet.
    future = {a.text(): a for a in today._row_menu(today.next_week.items, today.next_week.items.item(1)).actions()}
    assert not future["Complete → contact note…"].isEnabled() and not future["Mark missed…"].isEnabled()
    assert future["Cancel…"].isEnabled()
    # Yesterday's call to Zoë did not happen: marked missed, it leaves Overdue and stays on Outreach.
    def missed(dialog: QWidget) -> None:
        assert isinstance(dialog, MissedDialog)
        dialog.reason.setCurrentText("No answer on the phone")
        dialog.accept()

    when_modal(MissedDialog, missed)
    menu_entry(today, today.late.items, 0, "Mark missed…").trigger()
    assert today.late.title.text() == "1 follow-up overdue"
    assert texts(today.outreach.items)[0].startswith("Missed · Yesterday")
    # Today's visit happened, though the note will be written later.
    when_modal(NoteEditorDialog, lambda dialog: dialog.reject())
    when_modal(QMessageBox, press(gui, "Mark completed"), tries=500)
    menu_entry(today, today.due_today.items, 0, "Complete → contact note…").trigger()
    assert today.due_today.items.count() == 0 and today.due_today.empty.isVisible()
    assert today.due_today.title.text() == "Due today"
    # Ольга's office visit in 3 days is cancelled after a confirmation.
    when_modal(QMessageBox, press(gui, "Cancel the follow-up"))
    menu_entry(today, today.next_week.items, 1, "Cancel…").trigger()
    assert today.next_week.title.text() == "1 follow-up in the next 7 days"
    found = session.follow_ups.occurrences(caseload.today, caseload.today + timedelta(days=7), caseload.olga)
    assert [o.status for o in found] == [Status.CANCELLED]


def test_the_context_menu_opens_from_the_keyboard_and_opens_the_record(gui: Gui, caseload: Caseload) -> None:
    gui.unlock(caseload.folder)
    today = shown(gui)
    workspace = gui.controller.workspace
    assert workspace is not None
    items = today.reviews.items
    items.setFocus()
    items.setCurrentRow(0)  # a client whose re-screening is due: there is no occurrence to record yet
    seen: list[str] = []

    def read_menu(left: int = 250) -> None:
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            seen.extend(a.text() for a in menu.actions() if a.text())
            opened = next(a for a in menu.actions() if a.text() == "Open the record's Follow-ups tab")
            menu.setActiveAction(opened)
            gui.qtbot.keyClick(menu, Qt.Key.Key_Return)
        elif left:
            QTimer.singleShot(20, lambda: read_menu(left - 1))

    QTimer.singleShot(0, read_menu)
    gui.qtbot.keyClick(items, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert seen == ["Open the record's Follow-ups tab"]
    assert workspace.pages.currentWidget() is workspace.record
    assert workspace.record.client().id == caseload.anh
    assert workspace.record.tabs.currentWidget() is workspace.record.follow_ups_tab


def test_today_shown_before_the_vault_is_bound_waits_quietly(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The workspace is built (and may be shown) while the key is still being derived: Today,
    with no session yet, must not reach for one (pytest-qt fails the test on any exception
    raised inside a Qt override)."""
    from app.ui.workspace import Workspace

    workspace = Workspace(None)
    qtbot.addWidget(workspace)
    workspace.show()
    qtbot.waitExposed(workspace)
    qtbot.wait(50)  # the 0-ms timers a shown Today starts
    assert workspace.today.isVisible()
