"""Accessibility: what a screen reader hears, where Tab goes, high contrast, the system font size,
and signals that never rely on colour alone.

The name check asks Qt's accessibility interface — the same one AT-SPI, UI Automation and
VoiceOver read — for every focusable control on every page, record tab and dialog of a demo vault.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QAccessible, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from app.services.context import AppServices
from app.ui import theme
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui

# -- the walker ------------------------------------------------------------------------------------

# Containers that hand the focus to what they hold. A scroll area is not among them: when it takes
# the focus itself (to scroll read-only content by keyboard) it needs a name like any control.
_CONTAINERS = (QStackedWidget, QTabWidget)


def spoken_name(widget: QWidget) -> str:
    """What a screen reader announces as the control's name."""
    iface = QAccessible.queryAccessibleInterface(widget)
    if iface is None or not iface.isValid():
        return ""
    return iface.text(QAccessible.Text.Name).strip()


def _is_container(widget: QWidget) -> bool:
    if isinstance(widget, _CONTAINERS):
        return True
    # A plain scroll area that only frames other widgets (not a list, table or text editor).
    return type(widget) is QAbstractScrollArea


def _inner_part(widget: QWidget) -> bool:
    """Qt's own inner piece of a named control: a spin box's or date edit's text field, a combo box's editor."""
    parent = widget.parentWidget()
    if parent is None:
        return False
    if parent.focusProxy() is widget or widget.objectName().startswith("qt_"):
        return bool(spoken_name(parent))
    return False


def _owner(widget: QWidget) -> str:
    parent = widget.parentWidget()
    while parent is not None:
        if type(parent).__module__.startswith("app.") and type(parent).__name__ not in ("Banner", "Card"):
            return type(parent).__name__
        parent = parent.parentWidget()
    return type(widget.window()).__name__


def unnamed(root: QWidget) -> list[str]:
    """Every focusable, visible control under `root` a screen reader would announce without a name."""
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(root) or not widget.isEnabled():
            continue
        if _is_container(widget) or _inner_part(widget):
            continue
        if widget is root and isinstance(widget, QDialog):
            continue  # a dialog's name is its window title, checked separately
        if not spoken_name(widget):
            label = getattr(widget, "text", None)
            hint = label() if callable(label) else ""
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {str(hint)[:30]!r} in {_owner(widget)}")
    return missing


def new_dialogs(before: set[int]) -> list[QDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QDialog) and w.isVisible() and id(w) not in before]


def visible_dialog_ids() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()}


def close_dialog(dialog: QDialog) -> None:
    closer = getattr(dialog, "close_for_lock", None)
    if callable(closer):
        closer()
    else:
        dialog.reject()


class Findings:
    """Collects what every screen says, so one run names every gap at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def check(self, where: str, root: QWidget) -> None:
        self.problems += [f"{where}: {item}" for item in unnamed(root)]

    def check_opened(self, where: str, opener: Callable[[], object], required: bool = True) -> list[QDialog]:
        """Run `opener`, check every dialog it opens (and its title), close them again. Works for
        dialogs shown with open() and for those run modally with exec()."""
        before = visible_dialog_ids()
        opened: list[QDialog] = []
        done: list[bool] = []

        def inspect() -> None:
            for dialog in new_dialogs(before):
                opened.append(dialog)
                self.check(f"{where} ({type(dialog).__name__})", dialog)
                if not dialog.windowTitle().strip():
                    self.problems.append(f"{where}: {type(dialog).__name__} has no title")
                close_dialog(dialog)
            done.append(True)

        QTimer.singleShot(0, inspect)
        opener()
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            QApplication.processEvents()
        if not opened and required:
            self.problems.append(f"{where}: no dialog opened")
        QApplication.processEvents()
        return opened


# -- a demo vault --------------------------------------------------------------------------------


@pytest.fixture
def demo_vault(services: AppServices, vault_dir: Path) -> Iterator[tuple[Path, str]]:
    """A closed vault of 12 synthetic clients with every kind of record, and the id of one with releases
    and transitions on file."""
    from app.services import demo

    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    session = created.session
    demo.populate(session, 12, seed=3)
    best = max(session.clients.roster(), key=lambda r: (
        bool(session.consents.for_client(r.id)), bool(session.transitions.for_client(r.id)),
        bool(session.care_plans.versions(r.id))))
    session.screening.record(best.id, "phq9", dict.fromkeys("123456789", 1))
    session.close()
    yield vault_dir, best.id


def test_every_page_and_dialog_names_every_control(gui: Gui, demo_vault: tuple[Path, str]) -> None:
    folder, client_id = demo_vault
    found = Findings()
    gui.controller.start(None)
    found.check("welcome", gui.controller.welcome)
    gui.controller.show_create()
    found.check("create vault", gui.controller.create_page)
    gui.controller.show_unlock(folder)
    found.check("unlock", gui.controller.unlock_page)
    gui.unlock(folder)
    workspace = gui.controller.workspace
    assert workspace is not None
    found.check("main window", gui.window)
    for page in ("today", "clients", "contacts", "calendar", "caseload"):
        workspace.go(page)
        if page == "caseload":
            gui.qtbot.waitUntil(lambda: not workspace.caseload.busy.isVisible(), timeout=30000)
        found.check(page, workspace)
    for view in ("month", "week", "agenda"):
        workspace.calendar.set_view(view)
        found.check(f"calendar {view}", workspace)
    found.check_opened("new follow-up", workspace.calendar.new_follow_up)
    workspace.go("contacts")
    found.check_opened("new contact", lambda: workspace.contacts._open_editor(None))
    workspace.go("clients")
    found.check_opened("new client", workspace.new_client)

    workspace.open_client(client_id)
    record = workspace.record
    found.check("record overview", workspace)
    found.check_opened("client editor", lambda: workspace.edit_client(client_id))
    found.check_opened("stage change", lambda: workspace.change_stage(client_id))
    for index in range(record.tabs.count()):
        record.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        found.check(f"record tab {record.tabs.tabText(index)}", workspace)

    openers: list[tuple[str, Callable[[], object]]] = [
        ("note editor", lambda: record.notes_tab.open_editor(None)),
        ("care-plan editor", record.care_plan_tab.open_editor),
        ("safety-plan editor", record.safety_plan_tab.open_editor),
        ("follow-up editor", lambda: record.follow_ups_tab._open_editor()),
        ("release editor", record.releases_tab.new_release),
        ("transition editor", record.transition_tab.record_transition),
        ("assessment editor", record.assessment_tab.open_editor),
        ("team member", lambda: record.team_tab._open_member(None)),
        ("referral out", lambda: record.team_tab._open_referral(None)),
        ("risk override", record.risk_tab.override),
        ("instrument picker", record.screening_tab.pick),
        ("new referral", record.screening_tab._new_referral),
        ("external score", record.screening_tab._external),
    ]
    for where, opener in openers:
        found.check_opened(where, opener)
    # Dialogs that need something selected first; the demo record has most of them.
    from app.models.care_plan import PlanStatus

    optional: list[tuple[str, Callable[[], object]]] = [
        ("review alert", record._review_alert),
        ("care-plan review", record.care_plan_tab.open_review),
        ("care-plan status", lambda: record.care_plan_tab.change_status(PlanStatus.ON_HOLD)),
        ("care-plan versions", record.care_plan_tab.open_diff),
        ("note addendum", record.notes_tab.add_addendum),
        ("revoke release", record.releases_tab.revoke),
        ("release ending event", record.releases_tab.record_event),
        ("close case", record.transition_tab.close_case),
        ("re-engage", record.transition_tab.reengage),
        ("referral status", record.team_tab.update_status),
        ("change passphrase", gui.controller.show_change_passphrase),
    ]
    for where, opener in optional:
        found.check_opened(where, opener, required=False)
    for instrument_id in ("phq9", "cssrs_screener", "auditc", "who5"):
        found.check_opened(f"screen {instrument_id}", lambda i=instrument_id: record.screening_tab.give(i))

    controller = gui.controller
    for where, show in (
        ("settings", controller.show_settings), ("import", controller.show_import), ("help", controller.show_help),
        ("export ICS", controller.show_export_ics), ("mileage", controller.show_mileage),
        ("FHIR export", lambda: controller.show_export_fhir(client_id)),
    ):
        before = visible_dialog_ids()
        show()
        for dialog in new_dialogs(before):
            for page in getattr(dialog, "pages", [None]):
                if page is not None:
                    dialog.show_page(page)
                found.check(f"{where} {type(page).__name__}", dialog)
            close_dialog(dialog)
    before = visible_dialog_ids()
    controller.show_report(client_id)
    (report,) = new_dialogs(before)
    for index in range(report.kind_combo.count()):
        report.kind_combo.setCurrentIndex(index)
        found.check(f"report {report.kind_combo.itemText(index)}", report)
    close_dialog(report)
    assert found.problems == [], "\n" + "\n".join(found.problems)


# -- tab order -------------------------------------------------------------------------------------


def _chain_up(widget: QWidget) -> list[QWidget]:
    found = [widget]
    while (parent := found[-1].parentWidget()) is not None:
        found.append(parent)
    return found[::-1]  # window first


def reading_boxes(a: QWidget, b: QWidget) -> tuple[QRect, QRect]:
    """Where `a` and `b` sit relative to each other: the boxes of the two branches that hold them,
    in their nearest common container. Inside a scroll area this is the unscrolled page, so a
    long form reads the same whichever part of it is in view."""
    up_a, up_b = _chain_up(a), _chain_up(b)
    depth = 0
    while depth < min(len(up_a), len(up_b)) and up_a[depth] is up_b[depth]:
        depth += 1
    branch_a = up_a[min(depth, len(up_a) - 1)]
    branch_b = up_b[min(depth, len(up_b) - 1)]
    return branch_a.geometry(), branch_b.geometry()


def tab_chain(gui: Gui, dialog: QDialog, limit: int = 150) -> list[QWidget]:
    """Press Tab from the dialog's first control until the focus comes round again: the controls visited."""
    dialog.activateWindow()
    gui.qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    if dialog.focusWidget() is None:
        dialog.focusNextChild()
    first = dialog.focusWidget()
    assert first is not None
    chain = [first]
    seen = {id(first)}
    for _step in range(limit):
        current = dialog.focusWidget()
        assert current is not None
        gui.qtbot.keyClick(current, Qt.Key.Key_Tab)
        QApplication.processEvents()
        now = dialog.focusWidget()
        if now is None or id(now) in seen:
            if now is current:
                chain.append(now)  # a control kept the Tab to itself
            break
        seen.add(id(now))
        chain.append(now)
    return chain


def out_of_reading_order(chain: list[QWidget]) -> list[str]:
    """Each step of the Tab chain moves down the page, right along the same line, or to the top
    of the next column of the same group (a list of check boxes laid out in columns)."""
    problems = []
    for a, b in zip(chain, chain[1:], strict=False):
        if a is b:
            problems.append(f"{type(a).__name__} {spoken_name(a)!r} keeps the Tab key")
            continue
        if not spoken_name(b):
            problems.append(f"Tab stops on an unnamed {type(b).__name__}")
        box_a, box_b = reading_boxes(a, b)
        ax, ay, aw, ah = box_a.x(), box_a.y(), box_a.width(), box_a.height()
        bx, by, bh = box_b.x(), box_b.y(), box_b.height()
        same_line = by < ay + ah and ay < by + bh
        next_column = bx >= ax + aw
        ok = (bx > ax or by >= ay + ah // 2) if same_line else (by >= ay or next_column)
        if not ok:
            problems.append(f"{type(a).__name__} {spoken_name(a)!r} ({ax},{ay}) then "
                            f"{type(b).__name__} {spoken_name(b)!r} ({bx},{by})")
    return problems


def test_tab_goes_through_the_main_forms_in_reading_order(gui: Gui, demo_vault: tuple[Path, str]) -> None:
    folder, client_id = demo_vault
    gui.unlock(folder)
    workspace = gui.controller.workspace
    assert workspace is not None
    workspace.open_client(client_id)
    record = workspace.record
    problems: list[str] = []

    def walk(where: str, opener: Callable[[], object], prepare: Callable[[QDialog], None] | None = None) -> None:
        before = visible_dialog_ids()
        opener()
        QApplication.processEvents()
        (dialog,) = new_dialogs(before)
        if prepare is not None:
            prepare(dialog)
        chain = tab_chain(gui, dialog)
        assert len(chain) >= 5, f"{where}: Tab reaches only {len(chain)} controls"
        problems.extend(f"{where}: {p}" for p in out_of_reading_order(chain))
        # Shift+Tab walks the same way back.
        gui.qtbot.keyClick(chain[0], Qt.Key.Key_Backtab)
        assert dialog.focusWidget() is chain[-1], where
        close_dialog(dialog)

    walk("client editor", lambda: workspace.edit_client(client_id))
    walk("note editor", lambda: record.notes_tab.open_editor(None))
    walk("release editor", record.releases_tab.new_release)
    walk("report dialog", lambda: gui.controller.show_report(client_id))

    def outcomes(dialog: QDialog) -> None:
        combo = dialog.kind_combo  # type: ignore[attr-defined]
        combo.setCurrentIndex(combo.findData("outcomes"))

    walk("report dialog, another kind", lambda: gui.controller.show_report(client_id), outcomes)
    assert problems == [], "\n" + "\n".join(problems)


# -- high contrast ---------------------------------------------------------------------------------

AAA = 7.0


def _roles(palette: QPalette) -> dict[str, tuple[QColor, QColor]]:
    role = QPalette.ColorRole
    return {
        "window text": (palette.color(role.WindowText), palette.color(role.Window)),
        "field text": (palette.color(role.Text), palette.color(role.Base)),
        "button text": (palette.color(role.ButtonText), palette.color(role.Button)),
        "selected text": (palette.color(role.HighlightedText), palette.color(role.Highlight)),
        "placeholder": (palette.color(role.PlaceholderText), palette.color(role.Base)),
        "link": (palette.color(role.Link), palette.color(role.Base)),
        "tooltip": (palette.color(role.ToolTipText), palette.color(role.ToolTipBase)),
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_high_contrast_palette_switches_on_and_reads_at_7_to_1(
        gui: Gui, client_vault: Path, monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        monkeypatch.setenv("WAYPOINT_HIGH_CONTRAST", "0")
        calm = theme.apply(app, scheme)
        assert not calm.high_contrast
        calm_window = app.palette().color(QPalette.ColorRole.Window).name()

        monkeypatch.setenv("WAYPOINT_HIGH_CONTRAST", "1")
        strong = theme.apply(app, scheme)
        assert strong.high_contrast and theme.colors() is strong
        assert app.palette().color(QPalette.ColorRole.Window).name() != calm_window
        assert app.palette().color(QPalette.ColorRole.Window).name() == ("#000000" if scheme == "dark" else "#ffffff")
        for what, (fg, bg) in _roles(app.palette()).items():
            ratio = theme.contrast_ratio(fg.name(), bg.name())
            assert ratio >= AAA, f"{what}: {fg.name()} on {bg.name()} is {ratio:.1f}:1"
        # The colours pages paint with themselves: muted notes, errors, alerts, success marks, primary buttons.
        pairs = {"muted": (strong.muted, strong.surface), "error": (strong.danger, strong.surface),
                 "alert": (strong.danger, strong.danger_bg), "success": (strong.success, strong.surface),
                 "primary button": (strong.accent_text, strong.accent), "link": (strong.accent, strong.window),
                 "warning banner": (strong.text, strong.warning_bg), "info banner": (strong.text, strong.info_bg)}
        for what, (fg, bg) in pairs.items():
            assert theme.contrast_ratio(fg, bg) >= AAA, what

        # A page built now paints with it: the unlock page's text is black on white (or white on black).
        gui.controller.show_unlock(client_vault)
        label = gui.controller.unlock_page.findChild(QLabel)
        assert label is not None
        text = label.palette().color(QPalette.ColorRole.WindowText)
        assert theme.contrast_ratio(text.name(), strong.window) >= AAA
        # The focus ring is thicker than the calm theme's.
        assert "3px solid" in app.styleSheet()
    finally:
        monkeypatch.delenv("WAYPOINT_HIGH_CONTRAST")
        theme.apply(app, "light")


def test_contrast_ratio_matches_wcag() -> None:
    assert theme.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert theme.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


# -- the system font size ------------------------------------------------------------------------


def _clipped(root: QWidget) -> list[str]:
    """Visible text-bearing controls shorter than the text they show needs."""
    found = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or w.width() <= 0 or isinstance(w.parentWidget(), QComboBox):
            continue  # (an editable combo box's own text field is sized by the combo box, checked itself)
        if isinstance(w, QLabel) and w.text().strip():
            need = w.heightForWidth(w.width()) if w.wordWrap() else w.minimumSizeHint().height()
        elif isinstance(w, QPushButton | QLineEdit | QComboBox | QCheckBox):
            need = w.minimumSizeHint().height()
        else:
            continue
        if w.height() + 1 < need:
            text = w.text() if hasattr(w, "text") else w.currentText()  # type: ignore[union-attr]
            found.append(f"{type(w).__name__} {str(text)[:30]!r} is {w.height()} px tall, needs {need}")
    return found


def test_pages_follow_a_large_system_font(gui: Gui, demo_vault: tuple[Path, str]) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    folder, client_id = demo_vault
    normal = QFont(app.font())
    normal_size = normal.pointSizeF() if normal.pointSizeF() > 0 else 10.0
    large = QFont(normal)
    large.setPointSizeF(16)
    app.setFont(large)
    try:
        gui.unlock(folder)
        workspace = gui.controller.workspace
        assert workspace is not None
        workspace.go("today")
        QApplication.processEvents()
        today = workspace.today
        title = today.header.findChild(QLabel, "PageTitle")
        assert title is not None and title.font().pointSizeF() > 16 > normal_size
        body = [w for w in today.findChildren(QLabel) if w.isVisibleTo(today) and w.objectName() != "PageTitle"
                and w.text().strip()]
        assert body and min(w.font().pointSizeF() for w in body) >= 16 * 0.8
        assert _clipped(today) == [], "\n".join(_clipped(today))
        # The navigation rail widens with the font: "Discreet mode" is not cut to "Discr… mode".
        button = workspace.discreet_button
        assert button.width() >= button.sizeHint().width(), (button.width(), button.sizeHint().width())
        workspace.open_client(client_id)
        QApplication.processEvents()
        assert _clipped(workspace.record) == []
        before = visible_dialog_ids()
        workspace.edit_client(client_id)
        (editor,) = new_dialogs(before)
        QApplication.processEvents()
        assert _clipped(editor) == [], "\n".join(_clipped(editor))
        close_dialog(editor)
    finally:
        app.setFont(normal)


# -- colour is never the only signal --------------------------------------------------------------


def test_tiers_overdue_alerts_and_statuses_are_said_in_words(gui: Gui, demo_vault: tuple[Path, str]) -> None:
    from app.models.consent import ReleaseStatus
    from app.models.risk import Tier
    from app.ui.record.releases_tab import status_text
    from app.ui.roster_model import tier_text
    from tests.gui.conftest import visible_texts

    folder, client_id = demo_vault
    gui.unlock(folder)
    workspace = gui.controller.workspace
    assert workspace is not None
    tier_words = [tier_text(t) for t in Tier]

    # Today: alerts with a mark and a sentence; overdue follow-ups say how overdue; tiers in words.
    workspace.go("today")
    gui.qtbot.waitUntil(lambda: workspace.today.late.items.count() > 0)  # filled just after Today is shown
    today = visible_texts(workspace.today)
    assert "⚠" in today and "alert" in today
    assert "days overdue" in today
    assert any(t.split(" ", 1)[1] in today for t in tier_words)

    # The record header: the tier badge says the tier with a shape; the alert banner says what it is.
    workspace.open_client(client_id)
    record = workspace.record
    assert any(record.tier_badge.text().endswith(t) for t in tier_words), record.tier_badge.text()
    assert record.alert_banner.isVisible() and "alert" in visible_texts(record.alert_banner).lower()

    # Releases: every status is a mark and a word.
    record.tabs.setCurrentWidget(record.releases_tab)
    releases = visible_texts(record.releases_tab)
    assert any(status_text(s) in releases for s in ReleaseStatus if s is not ReleaseStatus.NONE)

    # The calendar agenda: tier and status columns in words.
    workspace.go("calendar")
    workspace.calendar.set_view("agenda")
    agenda = visible_texts(workspace.calendar)
    assert any(t in agenda for t in tier_words)

    # The caseload tier bar: a legend naming each tier beside the coloured segments.
    workspace.go("caseload")
    gui.qtbot.waitUntil(lambda: not workspace.caseload.busy.isVisible(), timeout=30000)
    caseload = visible_texts(workspace.caseload)
    assert sum(t.split(" ", 1)[1] in caseload for t in tier_words) >= 2


# -- the keyboard alone ------------------------------------------------------------------------------


def test_every_page_and_record_tab_is_reached_by_keyboard_and_takes_the_focus(
        gui: Gui, demo_vault: tuple[Path, str]) -> None:
    folder, client_id = demo_vault
    gui.unlock(folder)
    workspace = gui.controller.workspace
    assert workspace is not None
    pages = {Qt.Key.Key_1: workspace.today, Qt.Key.Key_2: workspace.clients, Qt.Key.Key_3: workspace.contacts,
             Qt.Key.Key_4: workspace.calendar, Qt.Key.Key_5: workspace.caseload}
    for key, page in pages.items():
        gui.key(key, Qt.KeyboardModifier.AltModifier)
        assert workspace.pages.currentWidget() is page
        focus = QApplication.focusWidget()
        # The focus is somewhere visible, so the next Tab or arrow key acts on what is shown.
        assert focus is not None and focus.isVisible(), type(page).__name__

    # The roster by keyboard: the search, then Down into the table, Return opens the record.
    gui.key(Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    gui.key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is workspace.clients.search
    code = next(r.client_code for r in gui.controller.session.clients.roster() if r.id == client_id)  # type: ignore[union-attr]
    gui.qtbot.keyClicks(workspace.clients.search, code)
    gui.key(Qt.Key.Key_Down)
    gui.key(Qt.Key.Key_Return)
    record = workspace.record
    assert workspace.pages.currentWidget() is record and workspace.current_client_id() == client_id

    # Every record tab with Ctrl+Tab from inside the record, in order, and round again.
    record.tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)
    seen = [record.tabs.currentIndex()]
    for _step in range(record.tabs.count()):
        gui.key(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        seen.append(record.tabs.currentIndex())
    assert seen[1:] == [(seen[0] + n) % record.tabs.count() for n in range(1, record.tabs.count() + 1)]
