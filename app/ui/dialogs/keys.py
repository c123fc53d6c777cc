"""Key changes from inside the app: a new passphrase, a new recovery key."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import exports, passphrases
from app.services.context import AppServices
from app.services.errors import ValidationError, VaultError, WrongSecret
from app.services.session import Session
from app.ui.clipboard import ClipboardGuard
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    FieldGrid,
    dialog_buttons,
    muted_label,
)
from app.ui.widgets.inputs import PassphraseField
from app.ui.worker import run_in_background


class ChangePassphraseDialog(QDialog):
    """Current passphrase (skipped right after a recovery-key unlock), new passphrase twice."""

    def __init__(self, services: AppServices, session: Session, *, after_recovery: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session = session
        self.after_recovery = after_recovery
        self.setWindowTitle(_("Change passphrase"))
        self.setModal(True)
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.addWidget(muted_label(
            _("You unlocked with the recovery key. Choose a new passphrase now.") if after_recovery else
            _("Only the key file changes; your records are not rewritten. Backups made before the change "
              "still open with the old passphrase or the recovery key.")))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        self.current = PassphraseField()
        if not after_recovery:
            self.grid.add("current", _("Current passphrase"), self.current, required=True)
        self.new = PassphraseField(with_strength=True)
        self.grid.add("passphrase", _("New passphrase"), self.new, required=True)
        self.confirm = PassphraseField()
        self.grid.add("confirm", _("Type the new passphrase again"), self.confirm, required=True)
        layout.addWidget(self.grid)
        self.new.textChanged.connect(self._strength)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(_("Changing the passphrase"))
        layout.addWidget(self.progress)
        layout.addStretch(1)
        generate = QPushButton(_("Generate one"))
        generate.clicked.connect(self._generate)
        self.cancel, self.ok = dialog_buttons(self, layout, _("Change passphrase"), self.submit, leading=[generate],
                                              cancel=_("Not now") if after_recovery else None)

    def _strength(self, text: str) -> None:
        result = passphrases.strength(text)
        self.new.set_strength(result.score, result.label)
        self.new.set_hint(f"{result.label}. {result.hint}" if result.label else result.hint)

    def _generate(self) -> None:
        phrase = passphrases.generate()
        for field in (self.new, self.confirm):
            field.setText(phrase)
            field.set_visible_text(True)
        self.new.set_hint(_("Write this passphrase down until you know it by heart: {phrase}").format(phrase=phrase))

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        new, confirm, current = self.new.text(), self.confirm.text(), self.current.text()
        if not self.after_recovery and not current:
            self.grid.set_error("current", _("Type your current passphrase."))
            return
        try:
            self.services.vaults.check_new_passphrase(new, confirm)
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error(name, message)
            return
        self._busy(True)
        vaults, session, after = self.services.vaults, self.session, self.after_recovery

        def work():  # type: ignore[no-untyped-def]
            if not after:
                vaults.verify_passphrase(session, current)
            return vaults.prepare_passphrase_change(session, new, confirm)

        run_in_background(work, self._prepared, self._failed)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.ok, self.cancel, self.new, self.confirm, self.current):
            widget.setEnabled(not busy)

    def _prepared(self, keyfile) -> None:  # type: ignore[no-untyped-def]
        try:
            self.services.vaults.commit_passphrase_change(self.session, keyfile)
        except (VaultError, OSError) as exc:
            self._failed(exc)
            return
        self._busy(False)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, WrongSecret):
            self.grid.set_error("current", _("That is not the current passphrase."))
        else:
            self.error.show_message(str(exc), "error")


class NewRecoveryKeyDialog(QDialog):
    """Makes a new recovery key (the old one stops working) and shows it once."""

    def __init__(self, services: AppServices, session: Session, clipboard: ClipboardGuard,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session = session
        self.clipboard = clipboard
        self.key: str | None = None
        self.setWindowTitle(_("New recovery key"))
        self.setModal(True)
        self.resize(560, 380)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        self.explain = muted_label(_(
            "A new recovery key replaces the old one, which stops working at once. Do this if your "
            "emergency kit was lost or seen by someone else."))
        layout.addWidget(self.explain)
        self.key_label = QLabel()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), 10) * 1.35)
        mono.setBold(True)
        self.key_label.setFont(mono)
        self.key_label.setWordWrap(True)
        layout.addWidget(self.key_label)
        self.status = muted_label("")
        layout.addWidget(self.status)
        self.stored = QCheckBox(_("I have saved the new recovery key somewhere safe"))
        self.stored.setVisible(False)
        layout.addWidget(self.stored)
        layout.addStretch(1)
        self.save_kit = QPushButton(_("Save emergency kit (PDF)…"))
        self.save_kit.setVisible(False)
        self.save_kit.clicked.connect(self._save_kit)
        self.copy = QPushButton(_("Copy"))
        self.copy.setVisible(False)
        self.copy.clicked.connect(lambda: self.key and self.clipboard.copy(self.key))
        self.cancel, self.ok = dialog_buttons(self, layout, _("Make a new key"), self._make,
                                              leading=[self.save_kit, self.copy])

    def _make(self) -> None:
        if self.key is not None:
            if self.stored.isChecked():
                self.key_label.clear()
                self.accept()
            else:
                self.status.setText(_("Tick the box once the new key is stored safely."))
            return
        try:
            self.key = self.services.vaults.rotate_recovery_key(self.session)
        except (VaultError, OSError) as exc:
            self.status.setText(str(exc))
            return
        self.key_label.setText(self.key)
        self.explain.setText(_("Your new recovery key. It is shown only now; the old key no longer works."))
        for widget in (self.save_kit, self.copy, self.stored):
            widget.setVisible(True)
        self.cancel.setVisible(False)
        self.ok.setText(_("Done"))
        QTimer.singleShot(0, self.save_kit, self.save_kit.setFocus)

    def _save_kit(self) -> None:
        if self.key is None:
            return
        path, _f = QFileDialog.getSaveFileName(self, _("Save emergency kit"), str(Path.home() / exports.EMERGENCY_KIT_NAME),
                                               _("PDF files (*.pdf)"))
        if path:
            try:
                written = exports.save_emergency_kit(self.session, self.key, Path(path))
            except OSError as exc:
                self.status.setText(_("The kit could not be saved ({reason}).").format(reason=exc.strerror or exc))
                return
            self.status.setText(_("Emergency kit saved to {path}. Print it, then delete the file.").format(path=written))
