"""The unlocked workspace: navigation rail and pages. Built on unlock, destroyed on lock, so no
widget or model holding client data outlives the session."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.i18n import _
from app.models.client import Stage
from app.services.errors import DataReadError, NotFound, VaultError
from app.services.session import Session
from app.services.settings import Settings
from app.ui import follow_up_actions, theme
from app.ui.dialogs.client_editor import NEW, ClientEditorDialog
from app.ui.dialogs.stage_change import StageChangeDialog
from app.ui.pages.calendar import CalendarPage
from app.ui.pages.caseload import CaseloadPage
from app.ui.pages.client_record import ClientRecordPage
from app.ui.pages.clients import ClientsPage
from app.ui.pages.contacts import ContactsPage
from app.ui.pages.today import TodayPage
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner

PAGE_TODAY, PAGE_CLIENTS, PAGE_CONTACTS, PAGE_CALENDAR = "today", "clients", "contacts", "calendar"
PAGE_CASELOAD = "caseload"
RAIL_PAGES = (PAGE_TODAY, PAGE_CONTACTS, PAGE_CALENDAR, PAGE_CASELOAD)  # pages with a rail entry of their own


@dataclass(frozen=True)
class ResumeState:
    """Where the user was when the vault locked: ids only, never client data."""

    page: str = PAGE_TODAY
    client_id: str | None = None
    editor_object: str | None = None  # NEW, a client id, or None


class Workspace(QWidget):
    restore_requested = Signal()
    lock_requested = Signal()
    report_requested = Signal(str, str)  # client id ('' for none), report kind ('' for the default)
    status_message = Signal(str)

    def __init__(self, session: Session | None, discreet: bool = False, parent: QWidget | None = None) -> None:
        """With session None the widgets are built empty (the controller does that while the
        key is derived) and `bind()` attaches the session once the vault is open."""
        super().__init__(parent)
        self.session = session  # type: ignore[assignment]  # set by bind() before any use
        self.editor: ClientEditorDialog | None = None
        self.stage_dialog: StageChangeDialog | None = None
        self.discreet = discreet
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_rail())
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.damage = Banner("error")
        right.addWidget(self.damage)
        self.pages = QStackedWidget()
        self.today = TodayPage(session)
        self.clients = ClientsPage(session)
        self.record = ClientRecordPage(session)
        self.contacts = ContactsPage(session)
        self.calendar = CalendarPage(session)
        self.caseload = CaseloadPage(session)
        for page in (self.today, self.clients, self.record, self.contacts, self.calendar, self.caseload):
            self.pages.addWidget(page)
        right.addWidget(self.pages, 1)
        layout.addLayout(right, 1)
        self.today.open_client.connect(self.open_client)
        self.today.open_record_tab.connect(self.open_record_tab)
        self.today.show_stage.connect(self.show_stage)
        self.today.new_client.connect(self.new_client)
        self.today.open_team.connect(self.open_team)
        self.contacts.open_client.connect(self.open_team)
        self.calendar.open_client.connect(lambda client_id: self.open_record_tab(client_id, "follow_ups"))
        self.clients.open_client.connect(self.open_client)
        self.clients.open_client_notes.connect(self.open_client_notes)
        self.clients.new_client.connect(self.new_client)
        self.record.back.connect(lambda: self.go(PAGE_CLIENTS))
        self.record.edit_requested.connect(self.edit_client)
        self.record.stage_requested.connect(self.change_stage)
        self.record.report_requested.connect(self.report_requested)
        self.caseload.report_requested.connect(lambda kind: self.report_requested.emit("", kind))
        self.caseload.open_client.connect(self.open_client)
        self.record.changed.connect(self._data_changed)
        self.set_discreet(discreet)
        # A current row from the start, so the list taking focus does not "change" to Today
        # and refresh it a second time.
        self._select_nav(PAGE_TODAY)
        if session is not None:
            self.bind(session)

    def bind(self, session: Session) -> None:
        """Attach the open vault's session (once; no page holds client data before this)."""
        self.session = session
        for page in (self.today, self.clients, self.record, self.contacts, self.calendar, self.caseload):
            page.session = session
        if session.read_only:
            self.mark_damaged()

    def mark_damaged(self) -> None:
        """The integrity checks failed: say so on every page, with the way out."""
        self.damage.show_message(
            _("This vault is damaged ({problem}). Waypoint will not save changes to it. "
              "Restore it from a backup.").format(problem="; ".join(self.session.problems[:2])), "error")
        if not self.damage.findChildren(QPushButton):
            self.damage.add_button(_("Restore from a backup…"), self.restore_requested.emit)
        if self.record.record is not None:
            self.record.load(self.record.record)  # its edit buttons follow read_only

    def apply_settings(self, settings: Settings, refresh: bool = True) -> None:
        """Settings the pages use: how many days without contact flag a care-team member."""
        self.today.quiet_days = settings.care_team_quiet_days
        self.record.team_tab.set_quiet_days(settings.care_team_quiet_days)
        self.record.transition_tab.set_options(settings.levels_of_care, settings.check_in_days)
        self.settings = settings  # the letterhead and options reports are made with
        if refresh and self.session is not None and self.pages.currentWidget() is self.today:
            self.today.refresh()

    def _build_rail(self) -> QWidget:
        rail = QWidget()
        rail.setObjectName("NavRail")
        layout = QVBoxLayout(rail)
        layout.setContentsMargins(0, SPACING * 2, 0, SPACING * 2)
        brand = QLabel(APP_NAME)
        brand.setFont(theme.scaled_font(self, 1.35, bold=True))
        brand.setContentsMargins(SPACING * 2, 0, 0, SPACING * 2)
        layout.addWidget(brand)
        self.nav = QListWidget()
        self.nav.setObjectName("NavList")
        self.nav.setAccessibleName(_("Pages"))
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setSpacing(2)
        self.nav.setContentsMargins(SPACING, 0, SPACING, 0)
        self.nav.setViewportMargins(SPACING, 0, SPACING, 0)
        for key, label, icon, shortcut in (
            (PAGE_TODAY, _("Today"), "mdi6.calendar-today-outline", "Alt+1"),
            (PAGE_CLIENTS, _("Clients"), "mdi6.account-group-outline", "Alt+2"),
            (PAGE_CONTACTS, _("Contacts"), "mdi6.card-account-phone-outline", "Alt+3"),
            (PAGE_CALENDAR, _("Calendar"), "mdi6.calendar-month-outline", "Alt+4"),
            (PAGE_CASELOAD, _("Caseload"), "mdi6.chart-box-outline", "Alt+5"),
        ):
            item = QListWidgetItem(theme.icon(icon), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} ({shortcut})")
            item.setSizeHint(QSize(0, 40))
            self.nav.addItem(item)
        self.nav.currentItemChanged.connect(self._nav_changed)
        layout.addWidget(self.nav, 1)
        self.discreet_button = QToolButton()
        self.discreet_button.setCheckable(True)
        self.discreet_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.discreet_button.setText(_("Discreet mode"))
        self.discreet_button.setIcon(theme.icon("mdi6.eye-off-outline"))
        self.discreet_button.setToolTip(_("Show initials instead of names in lists (Ctrl+Shift+D)"))
        self.discreet_button.setAccessibleName(_("Discreet mode"))
        self.discreet_button.toggled.connect(self.set_discreet)
        self.discreet_button.setAutoRaise(True)
        lock = QToolButton()
        lock.setText(_("Lock"))
        lock.setIcon(theme.icon("mdi6.lock-outline"))
        lock.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        lock.setToolTip(_("Lock now (Ctrl+L)"))
        lock.setAccessibleName(_("Lock Waypoint"))
        lock.setAutoRaise(True)
        lock.clicked.connect(self.lock_requested)
        for button in (self.discreet_button, lock):
            button.setObjectName("RailButton")
            row = QHBoxLayout()
            row.setContentsMargins(SPACING, 0, SPACING, 0)
            row.addWidget(button, 1)
            layout.addLayout(row)
        # 200 px at the usual font size; wider with a larger system font, so no label is cut short.
        texts = [self.nav.item(i).text() for i in range(self.nav.count())] + [self.discreet_button.text(), lock.text()]
        widest = max(rail.fontMetrics().horizontalAdvance(t) for t in texts)
        rail.setFixedWidth(max(200, widest + 20 + SPACING * 9))
        return rail

    # -- navigation --------------------------------------------------------------------------

    def _nav_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.go(current.data(Qt.ItemDataRole.UserRole))

    def current_page(self) -> str:
        if self.pages.currentWidget() is self.today:
            return PAGE_TODAY
        if self.pages.currentWidget() is self.contacts:
            return PAGE_CONTACTS
        if self.pages.currentWidget() is self.calendar:
            return PAGE_CALENDAR
        if self.pages.currentWidget() is self.caseload:
            return PAGE_CASELOAD
        return PAGE_CLIENTS

    def current_client_id(self) -> str | None:
        """The client whose record is on screen, if one is."""
        if self.pages.currentWidget() is self.record and self.record.record is not None:
            return self.record.record.client.id
        return None

    def go(self, page: str) -> None:
        try:
            self._go(page)
        except (VaultError, DataReadError) as exc:
            self.show_damage(str(exc))

    def show_damage(self, detail: str) -> None:
        """A read failed: say so where it can't be missed, with the way out."""
        if self.damage.isVisible():
            return  # the vault is already reported as damaged
        self.damage.show_message(
            _("This vault is damaged: part of it could not be read ({detail}). Restore it from a backup.").format(
                detail=detail), "error")
        if not self.damage.findChildren(QPushButton):
            self.damage.add_button(_("Restore from a backup…"), self.restore_requested.emit)

    def _go(self, page: str) -> None:
        if page == PAGE_TODAY:
            self.today.refresh()
            self.pages.setCurrentWidget(self.today)
        elif page == PAGE_CONTACTS:
            self.contacts.reload()
            self.pages.setCurrentWidget(self.contacts)
            self.contacts.search.setFocus()
        elif page == PAGE_CALENDAR:
            self.calendar.reload()
            self.pages.setCurrentWidget(self.calendar)
            self.calendar.focus_view()
        elif page == PAGE_CASELOAD:
            self.caseload.reload()
            self.pages.setCurrentWidget(self.caseload)
        else:
            if self.clients.model.total() == 0:
                self.clients.reload()
            self.pages.setCurrentWidget(self.clients)
            if self.record.record is not None:
                self.clients.select_client(self.record.record.client.id)
            self.clients.table.setFocus()
        self._select_nav(page if page in RAIL_PAGES else PAGE_CLIENTS)

    def _select_nav(self, key: str) -> None:
        self.nav.blockSignals(True)
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)

    def show_stage(self, stage: Stage) -> None:
        self.go(PAGE_CLIENTS)
        self.clients.filter_stage(stage)

    def focus_search(self) -> None:
        """Ctrl+F: search the contacts when they are shown, else the clients."""
        if self.pages.currentWidget() is self.contacts:
            self.contacts.focus_search()
            return
        self.go(PAGE_CLIENTS)
        self.clients.focus_search()

    def open_team(self, client_id: str) -> None:
        """Open the client's record on the Team & referrals tab."""
        self.open_record_tab(client_id, "team")

    def open_client_notes(self, client_id: str, text: str) -> None:
        """A client found through their notes: open the Notes tab searched for the same words."""
        self.open_record_tab(client_id, "notes")
        if self.record.client() is not None and self.record.client().id == client_id:
            self.record.notes_tab.search_for(text)

    def open_record_tab(self, client_id: str, tab: str) -> None:
        """Open a client's record on one of its tabs (from Today's lists)."""
        self.open_client(client_id)
        if self.record.client() is not None and self.record.client().id == client_id:
            self.record.navigate(tab)

    def open_client(self, client_id: str) -> None:
        try:
            record = self.session.clients.open_record(client_id)
        except NotFound as exc:
            self.status_message.emit(str(exc))
            return
        except (VaultError, DataReadError) as exc:
            self.show_damage(str(exc))
            return
        self.record.load(record)
        self.pages.setCurrentWidget(self.record)
        self._select_nav(PAGE_CLIENTS)
        self.record.tabs.setFocus()

    # -- editing -----------------------------------------------------------------------------

    def new_client(self) -> None:
        """Ctrl+N, whatever the page is about: a contact on Contacts, the record tab's own new
        item where it has one (a team member, a note …), else a client."""
        if self.pages.currentWidget() is self.contacts:
            self.contacts.new_contact()
            return
        if self.pages.currentWidget() is self.record:
            new_item = getattr(self.record.tabs.currentWidget(), "new_item", None)
            if callable(new_item):
                new_item()
                return
        self._open_editor(None)

    def edit_client(self, client_id: str | None = None) -> None:
        client_id = client_id or (self.record.record.client.id if self.record.record else None)
        if client_id:
            self._open_editor(client_id)

    def _open_editor(self, client_id: str | None, auto_restore: bool = False) -> None:
        if self.session.read_only:
            self.status_message.emit(_("The vault is damaged, so it can't be changed. Restore it from a backup."))
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        client = None
        if client_id:
            try:
                client = self.session.clients.get(client_id)
            except NotFound as exc:
                self.status_message.emit(str(exc))
                return
        self.editor = ClientEditorDialog(self.session, client, auto_restore=auto_restore, parent=self)
        self.editor.saved.connect(self._saved)
        self.editor.finished.connect(self._editor_closed)
        self.editor.open()

    def _editor_closed(self, _result: int) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
        self.editor = None

    def _saved(self, client) -> None:  # type: ignore[no-untyped-def]
        self.status_message.emit(_("Saved {code}").format(code=client.client_code))
        self.clients.reload()
        self.open_client(client.id)

    def change_stage(self, client_id: str) -> None:
        if self.session.read_only:
            return
        try:
            client = self.session.clients.get(client_id)
        except NotFound as exc:
            self.status_message.emit(str(exc))
            return
        self.stage_dialog = StageChangeDialog(self.session, client, self)
        self.stage_dialog.changed.connect(lambda _c: self._data_changed())
        self.stage_dialog.finished.connect(lambda _r: setattr(self, "stage_dialog", None))
        self.stage_dialog.open()

    def _data_changed(self) -> None:
        self.record.reload()
        self.clients.reload()

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        self.discreet_button.blockSignals(True)
        self.discreet_button.setChecked(on)
        self.discreet_button.blockSignals(False)
        self.clients.set_discreet(on)
        self.today.set_discreet(on)
        self.contacts.set_discreet(on)
        self.calendar.set_discreet(on)
        self.caseload.set_discreet(on)

    # -- lock and resume ---------------------------------------------------------------------

    def prepare_lock(self) -> ResumeState:
        """Save open drafts and close dialogs; returns where to come back to."""
        editor_object = None
        if self.editor is not None:
            editor_object = self.editor.object_id
            self.editor.close_for_lock()
        if self.stage_dialog is not None:
            self.stage_dialog.reject()
        follow_up_actions.close_for_lock()  # dialogs opened from the calendar, Today or a record tab
        client_id = self.record.record.client.id if self.record.record else None
        page = "record" if self.pages.currentWidget() is self.record else self.current_page()
        self.today.clear()
        self.clients.clear()
        self.contacts.clear()
        self.calendar.clear()
        self.caseload.clear()  # also stops a caseload read still under way
        self.record.clear()
        return ResumeState(page, client_id, editor_object)

    def resume(self, state: ResumeState) -> None:
        if state.page == "record" and state.client_id:
            self.open_client(state.client_id)
        else:
            self.go(state.page)
        if state.editor_object is not None:
            self._open_editor(None if state.editor_object == NEW else state.editor_object, auto_restore=True)
