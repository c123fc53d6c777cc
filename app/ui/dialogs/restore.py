"""Restore a vault from a backup file. The vault already in the folder is kept beside it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services.context import AppServices
from app.services.errors import WrongSecret
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    FieldGrid,
    dialog_buttons,
    muted_label,
)
from app.ui.widgets.inputs import PassphraseField, PathField
from app.ui.worker import run_in_background


class RestoreDialog(QDialog):
    restored = Signal(object)  # RestoreResult

    def __init__(self, services: AppServices, folder: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(_("Restore from a backup"))
        self.setModal(True)
        self.resize(620, 440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.addWidget(muted_label(_(
            "Choose a backup (.wpbackup). It is checked before anything changes; the vault now in the "
            "folder is kept beside it, renamed “…before-restore-<time>”.")))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        backup = PathField(_("Browse for a backup file"), self._browse_backup)
        self.backup = backup.edit
        self.grid.add("backup", _("Backup file"), backup, required=True)
        target = PathField(_("Browse for the vault folder"), self._browse_folder, str(folder or services.paths.default_vault_dir))
        self.folder = target.edit
        self.grid.add("folder", _("Restore into this vault folder"), target, required=True)
        self.passphrase = PassphraseField()
        self.grid.add("passphrase", _("Passphrase in use when the backup was made"), self.passphrase, required=True)
        layout.addWidget(self.grid)
        self.use_recovery = QCheckBox(_("I'll type the recovery key instead"))
        layout.addWidget(self.use_recovery)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(_("Restoring"))
        layout.addWidget(self.progress)
        layout.addStretch(1)
        self.cancel, self.ok = dialog_buttons(self, layout, _("Check and restore"), self.submit)

    def _browse_backup(self) -> None:
        start = self.backup.text() or str(self.services.backups.folder())
        path, _f = QFileDialog.getOpenFileName(self, _("Choose a backup"), start, _("Waypoint backups (*.wpbackup)"))
        if path:
            self.backup.setText(path)

    def _browse_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the vault folder"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        backup = Path(self.backup.text().strip()).expanduser()
        folder_text = self.folder.text().strip()
        secret_text = self.passphrase.text()
        if not self.backup.text().strip() or not backup.is_file():
            self.grid.set_error("backup", _("Choose a backup file that exists."))
            return
        if not folder_text:
            self.grid.set_error("folder", _("Choose the folder to restore into."))
            return
        if not secret_text:
            self.grid.set_error("passphrase", _("Type the passphrase (or tick the box and type the recovery key)."))
            return
        secret = {"recovery_key": secret_text} if self.use_recovery.isChecked() else {"passphrase": secret_text}
        folder = Path(folder_text).expanduser()
        self._busy(True)
        run_in_background(lambda: self.services.backups.restore(backup, folder, **secret), self._done, self._failed)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.ok, self.cancel, self.backup, self.folder, self.passphrase, self.use_recovery):
            widget.setEnabled(not busy)

    def _done(self, result) -> None:  # type: ignore[no-untyped-def]
        self._busy(False)
        self.restored.emit(result)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongSecret):
            self.grid.set_error("passphrase", str(exc))
        else:
            self.error.show_message(str(exc) or _("The backup could not be restored."), "error")
