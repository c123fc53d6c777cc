"""Creating a vault: folder and passphrase (twice), then the recovery key, which the user must
confirm they stored before going on. The emergency kit PDF is offered there."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.services import exports, passphrases
from app.services.context import AppServices
from app.services.errors import ValidationError
from app.services.session import Session
from app.services.vault_service import CreatedVault
from app.ui import theme
from app.ui.clipboard import ClipboardGuard
from app.ui.pages.welcome import CenteredPage
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, link_button, muted_label, primary_button
from app.ui.widgets.inputs import PassphraseField, PathField
from app.ui.worker import run_in_background


class CreateVaultPage(CenteredPage):
    cancelled = Signal()
    finished = Signal(object)  # Session, once the recovery key is confirmed

    def __init__(self, services: AppServices, clipboard: ClipboardGuard, parent: QWidget | None = None) -> None:
        super().__init__(600, parent)
        self.services = services
        self.clipboard = clipboard
        self.created: CreatedVault | None = None
        self.steps = QStackedWidget()
        self.steps.addWidget(self._build_form())
        self.steps.addWidget(self._build_recovery())
        self.body.addWidget(self.steps)
        self._strength_timer = QTimer(self)
        self._strength_timer.setSingleShot(True)
        self._strength_timer.setInterval(150)
        self._strength_timer.timeout.connect(self._update_strength)

    # -- step 1: folder and passphrase ----------------------------------------------------------

    def _step(self, title: str, text: str) -> tuple[QWidget, QVBoxLayout]:
        """A step of the flow: its title and a sentence saying what it is for."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING + 4)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.8, bold=True))
        layout.addWidget(heading)
        layout.addWidget(muted_label(text))
        return page, layout

    def _build_form(self) -> QWidget:
        page, layout = self._step(_("Create your vault"), _(
            "Choose a passphrase of at least 15 characters. A few unrelated words are easy to "
            "type and hard to guess. Waypoint can't recover a lost passphrase — your recovery key can."
        ))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.fields = FieldGrid(columns=1)
        folder = PathField(_("Browse for the vault folder"), self._browse, str(self.services.paths.default_vault_dir))
        self.folder = folder.edit
        self.fields.add("folder", _("Vault folder"), folder, required=True)
        self.passphrase = PassphraseField(with_strength=True)
        self.fields.add("passphrase", _("Passphrase"), self.passphrase, required=True)
        self.passphrase.set_hint(passphrases.strength("").hint)
        self.confirm = PassphraseField()
        self.fields.add("confirm", _("Type the passphrase again"), self.confirm, required=True)
        self.passphrase.textChanged.connect(lambda _t: self._strength_timer.start())
        layout.addWidget(self.fields)
        self.generate = link_button(_("Generate a passphrase for me"))
        self.generate.clicked.connect(self._generate)
        layout.addWidget(self.generate)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(_("Creating the vault"))
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        self.back = QPushButton(_("Back"))
        self.back.clicked.connect(self.cancelled)
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        self.create = primary_button(_("Create vault"))
        self.create.clicked.connect(self.submit)
        buttons.addWidget(self.create)
        layout.addLayout(buttons)
        for edit in (self.folder, self.passphrase.edit, self.confirm.edit):
            edit.returnPressed.connect(self.submit)
        return page

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose a folder for the vault"), self.folder.text())
        if folder:
            self.folder.setText(str(Path(folder) / "Waypoint vault") if any(Path(folder).iterdir()) else folder)

    def _generate(self) -> None:
        phrase = passphrases.generate()
        for field in (self.passphrase, self.confirm):
            field.setText(phrase)
            field.set_visible_text(True)
        self._update_strength()
        self.passphrase.set_hint(
            _("Write this passphrase down until you know it by heart: {phrase}").format(phrase=phrase)
        )

    def _update_strength(self) -> None:
        result = passphrases.strength(self.passphrase.text(), [self.services.settings.case_manager_name])
        self.passphrase.set_strength(result.score, result.label)
        self.passphrase.set_hint(f"{result.label}. {result.hint}" if result.label else result.hint)

    def submit(self) -> None:
        if self.steps.currentIndex() != 0 or self.progress.isVisible():
            return
        self.fields.clear_errors()
        self.error.setVisible(False)
        folder_text = self.folder.text().strip()
        if not folder_text:
            self.fields.set_error("folder", _("Choose a folder for the vault."))
            return
        folder = Path(folder_text).expanduser()
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            self.fields.set_error("folder", _("This folder isn't empty. Choose a new or empty folder."))
            return
        passphrase, confirm = self.passphrase.text(), self.confirm.text()
        try:
            self.services.vaults.check_new_passphrase(passphrase, confirm, [self.services.settings.case_manager_name])
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.fields.set_error(name, message)
            (self.confirm if "confirm" in exc.problems else self.passphrase).setFocus()
            return
        self._busy(True)
        run_in_background(
            lambda: self.services.vaults.create(folder, passphrase, confirm),
            self._created,
            self._failed,
        )

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.create, self.back, self.generate, self.folder, self.passphrase, self.confirm):
            widget.setEnabled(not busy)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.error.show_message(str(exc) or _("The vault could not be created."), "error")

    def _created(self, created: CreatedVault) -> None:
        self._busy(False)
        self.created = created
        self.passphrase.clear()
        self.confirm.clear()
        self.services.remember_vault(created.session.vault.folder)
        self.key_label.setText(created.recovery_key)
        self.key_label.setAccessibleName(_("Recovery key: {key}").format(key=" ".join(created.recovery_key)))
        self.steps.setCurrentIndex(1)
        self.save_kit.setFocus()

    # -- step 2: the recovery key -----------------------------------------------------------------

    def _build_recovery(self) -> QWidget:
        page, layout = self._step(_("Your recovery key"), _(
            "If you ever forget your passphrase, this key is the only way back into the vault. "
            "It is shown only now. Save the emergency kit and print it, or write the key down, "
            "and keep it away from this laptop."
        ))
        self.key_label = QLabel()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), 10) * 1.45)
        mono.setBold(True)
        self.key_label.setFont(mono)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setWordWrap(True)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setObjectName("Card")
        self.key_label.setMinimumHeight(72)
        layout.addWidget(self.key_label)
        actions = QHBoxLayout()
        self.save_kit = primary_button(_("Save emergency kit (PDF)…"))
        self.save_kit.clicked.connect(self._save_kit)
        actions.addWidget(self.save_kit)
        self.copy = QPushButton(_("Copy"))
        self.copy.setAccessibleName(_("Copy the recovery key"))
        self.copy.setToolTip(_("Copied text is cleared from the clipboard after 20 seconds"))
        self.copy.clicked.connect(self._copy)
        actions.addWidget(self.copy)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.kit_status = muted_label("")
        layout.addWidget(self.kit_status)
        self.stored = QCheckBox(_("I have saved my recovery key somewhere safe, away from this laptop"))
        self.stored.toggled.connect(lambda on: self.done.setEnabled(on))
        layout.addWidget(self.stored)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.done = primary_button(_("Continue to Waypoint"))
        self.done.setEnabled(False)
        self.done.clicked.connect(self._finish)
        buttons.addWidget(self.done)
        layout.addLayout(buttons)
        return page

    def _copy(self) -> None:
        if self.created:
            self.clipboard.copy(self.created.recovery_key)
            self.kit_status.setText(_("Copied. The clipboard will be cleared in 20 seconds."))

    def _save_kit(self) -> None:
        if not self.created:
            return
        default = str(Path.home() / exports.EMERGENCY_KIT_NAME)
        path, _filter = QFileDialog.getSaveFileName(self, _("Save emergency kit"), default, _("PDF files (*.pdf)"))
        if path:
            self.save_kit_to(Path(path))

    def save_kit_to(self, path: Path) -> None:
        assert self.created is not None
        try:
            written = exports.save_emergency_kit(self.created.session, self.created.recovery_key, path)
        except OSError as exc:
            self.kit_status.setText(_("The kit could not be saved ({reason}). Choose another folder.").format(
                reason=exc.strerror or exc))
            return
        self.kit_status.setText(_("Emergency kit saved to {path}. Print it, then delete the file.").format(path=written))

    def _finish(self) -> None:
        if self.created and self.stored.isChecked():
            session: Session = self.created.session
            self.created = None
            self.key_label.clear()
            self.finished.emit(session)

    def discard(self) -> None:
        """Forget the recovery key shown (e.g. when the app locks during this step)."""
        self.key_label.clear()
        if self.created is not None:
            self.created.session.close()
            self.created = None
