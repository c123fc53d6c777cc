"""Import clients from a spreadsheet's CSV export: checked first, then all rows or none."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.client import ClientFields
from app.services import importer
from app.services.errors import VaultError
from app.services.session import Session
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, muted_label, primary_button, set_default_button
from app.ui.widgets.inputs import PathField


class ImportClientsDialog(QDialog):
    imported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[ClientFields] = []
        self.setWindowTitle(_("Import clients"))
        self.setModal(True)
        self.resize(680, 480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.addWidget(muted_label(_(
            "A CSV file with a header row. Required columns: first_name, last_name, date_of_birth. "
            "Dates as YYYY-MM-DD or in your region's order. Every row is checked first; if any row has a "
            "problem nothing is imported.")))
        self.banner = Banner("info")
        layout.addWidget(self.banner)
        grid = FieldGrid(columns=1)
        path = PathField(_("Browse for a CSV file"), self._browse)
        self.path = path.edit
        grid.add("path", _("CSV file"), path, required=True)
        layout.addWidget(grid)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setAccessibleName(_("Problems found in the file"))
        self.problems.setVisible(False)
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(_("Close"))
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        self.check_button = QPushButton(_("Check file"))
        self.check_button.clicked.connect(self.check)
        buttons.addWidget(self.check_button)
        self.import_button = primary_button(_("Import"))
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.run_import)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self.path.textChanged.connect(self._path_changed)
        set_default_button(self, self.check_button)

    def _path_changed(self, _text: str) -> None:
        self.import_button.setEnabled(False)
        set_default_button(self, self.check_button)

    def _browse(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Choose a CSV file"), str(Path.home()), _("CSV files (*.csv *.txt)"))
        if path:
            self.path.setText(path)
            self.check()

    def check(self) -> bool:
        self.problems.setVisible(False)
        self.rows = []
        text = self.path.text().strip()
        if not text:
            self.banner.show_message(_("Choose a CSV file first."), "error")
            return False
        try:
            self.rows = importer.parse_rows(importer.read_csv(Path(text).expanduser()), self.session.clock.today())
        except importer.ImportFailed as exc:
            self.banner.show_message(str(exc), "error")
            if exc.rows:
                self.problems.setPlainText("\n".join(
                    _("Line {line}: {message}").format(line=p.line, message=p.message) for p in exc.rows))
                self.problems.setVisible(True)
            self.import_button.setEnabled(False)
            return False
        self.banner.show_message(
            ngettext("{n} client is ready to import.", "{n} clients are ready to import.", len(self.rows)).format(n=len(self.rows)),
            "info")
        self.import_button.setEnabled(True)
        set_default_button(self, self.import_button)
        self.import_button.setFocus()
        return True

    def run_import(self) -> None:
        if not self.rows and not self.check():
            return
        try:
            ids = self.session.clients.create_many(self.rows)
        except VaultError as exc:
            self.banner.show_message(str(exc), "error")
            return
        self.imported.emit(len(ids))
        self.accept()
