"""The main window: a shell of menus, a status bar and a stack of pages. It holds no logic
beyond wiring; the AppController decides what is shown."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from app import APP_NAME
from app.i18n import _

SESSION_ACTIONS = ("new_client", "import", "backup", "find", "edit_client", "today", "clients", "contacts", "calendar",
                   "export_ics", "mileage", "reports", "export_fhir", "caseload", "discreet", "lock", "back")


class MainWindow(QMainWindow):
    close_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)  # never a client's name
        self.setMinimumSize(960, 600)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.actions_: dict[str, QAction] = {}
        self._build_menus()
        self.vault_label = QLabel()
        self.lock_label = QLabel()
        self.statusBar().addPermanentWidget(self.vault_label)
        self.statusBar().addPermanentWidget(self.lock_label)
        self.allow_close = False
        self.actions_["contacts"].triggered.connect(lambda: self._go_page("contacts"))
        self.actions_["calendar"].triggered.connect(lambda: self._go_page("calendar"))
        self.actions_["caseload"].triggered.connect(lambda: self._go_page("caseload"))
        self.set_unlocked(False)

    def _action(self, key: str, text: str, shortcut: QKeySequence | str | None = None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        self.actions_[key] = action
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(_("&File"))
        file.addAction(self._action("new_client", _("New client"), QKeySequence.StandardKey.New))
        file.addAction(self._action("import", _("Import clients from CSV…"), "Ctrl+I"))
        file.addAction(self._action("reports", _("Make a report…"), "Ctrl+R"))
        file.addAction(self._action("export_fhir", _("Export the client's record as FHIR…"), "Ctrl+Shift+F"))
        file.addAction(self._action("export_ics", _("Export follow-ups to a calendar file…"), "Ctrl+Shift+E"))
        file.addAction(self._action("mileage", _("Mileage log…"), "Ctrl+Shift+M"))
        file.addSeparator()
        file.addAction(self._action("backup", _("Back up now"), "Ctrl+B"))
        file.addAction(self._action("restore", _("Restore from a backup…")))
        file.addAction(self._action("open_vault", _("Open a different vault…")))
        file.addSeparator()
        file.addAction(self._action("lock", _("Lock"), "Ctrl+L"))
        file.addAction(self._action("quit", _("Quit"), QKeySequence.StandardKey.Quit))
        edit = bar.addMenu(_("&Edit"))
        edit.addAction(self._action("find", _("Find client"), QKeySequence.StandardKey.Find))
        edit.addAction(self._action("edit_client", _("Edit client"), "Ctrl+E"))
        edit.addSeparator()
        edit.addAction(self._action("settings", _("Settings…"), QKeySequence.StandardKey.Preferences))
        if QKeySequence(QKeySequence.StandardKey.Preferences).isEmpty():
            self.actions_["settings"].setShortcut(QKeySequence("Ctrl+,"))
        view = bar.addMenu(_("&View"))
        view.addAction(self._action("today", _("Today"), "Alt+1"))
        view.addAction(self._action("clients", _("Clients"), "Alt+2"))
        view.addAction(self._action("contacts", _("Contacts"), "Alt+3"))
        view.addAction(self._action("calendar", _("Calendar"), "Alt+4"))
        view.addAction(self._action("caseload", _("Caseload"), "Alt+5"))
        view.addAction(self._action("back", _("Back to the roster"), "Alt+Left"))
        view.addSeparator()
        view.addAction(self._action("discreet", _("Discreet mode"), "Ctrl+Shift+D", checkable=True))
        help_menu = bar.addMenu(_("&Help"))
        help_menu.addAction(self._action("help", _("Waypoint help"), QKeySequence.StandardKey.HelpContents))
        if QKeySequence(QKeySequence.StandardKey.HelpContents).isEmpty():
            self.actions_["help"].setShortcut(QKeySequence("F1"))
        help_menu.addAction(self._action("about", _("About Waypoint")))

    def _go_page(self, key: str) -> None:
        """A page of the unlocked workspace (the page shown has `go`); nothing while locked."""
        go = getattr(self.stack.currentWidget(), "go", None)
        if callable(go):
            go(key)

    def show_page(self, page: QWidget) -> None:
        if self.stack.indexOf(page) < 0:
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        page.setFocus()

    def set_unlocked(self, unlocked: bool, vault_name: str = "", autolock_minutes: int = 0) -> None:
        for key in SESSION_ACTIONS:
            self.actions_[key].setEnabled(unlocked)
        self.vault_label.setText(_("Vault: {name}").format(name=vault_name) if vault_name else "")
        if unlocked:
            self.lock_label.setText(_("Unlocked · locks after {n} min without use").format(n=autolock_minutes))
        else:
            self.lock_label.setText(_("Locked") if vault_name else "")
        self.lock_label.setAccessibleName(self.lock_label.text())

    def show_status(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.allow_close:
            event.accept()
            return
        event.ignore()
        self.close_requested.emit()
