"""The unlock screen: passphrase (or recovery key), remember-on-this-device, and ways out
(open another vault, restore from a backup). Painted before any heavy module is imported."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QWidget,
)

from app.i18n import _
from app.ui.pages.welcome import CenteredPage
from app.ui.theme import SPACING
from app.ui.widgets.common import link_button, muted_label, primary_button
from app.ui.widgets.inputs import PassphraseField


class UnlockPage(CenteredPage):
    unlock_requested = Signal(dict, bool)  # {'passphrase': …} or {'recovery_key': …}, remember
    open_other = Signal()
    restore_requested = Signal()
    painted = Signal()  # once, the first time the page is drawn (start-up benchmark)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(520, parent)
        self.title = self.add_title(_("Unlock Waypoint"))
        self.vault_label = muted_label("")
        self.body.addWidget(self.vault_label)
        self.demo_note = QLabel()
        self.demo_note.setObjectName("Banner")
        self.demo_note.setProperty("kind", "info")
        self.demo_note.setWordWrap(True)
        self.demo_note.setContentsMargins(12, 8, 12, 8)
        self.demo_note.setVisible(False)
        self.body.addWidget(self.demo_note)
        self.reason = muted_label("")
        self.reason.setVisible(False)
        self.body.addWidget(self.reason)

        self.secret_caption = QLabel(_("Passphrase"))
        self.body.addWidget(self.secret_caption)
        self.passphrase = PassphraseField()
        self.passphrase.setAccessibleName(_("Passphrase"))
        self.secret_caption.setBuddy(self.passphrase.edit)
        self.body.addWidget(self.passphrase)
        self.recovery = QLineEdit()
        self.recovery.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.recovery.setAccessibleName(_("Recovery key"))
        self.recovery.setVisible(False)
        self.body.addWidget(self.recovery)
        self.error = QLabel()
        self.error.setObjectName("FieldError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.body.addWidget(self.error)
        self.remember = QCheckBox(_("Remember on this device"))
        self.remember.setToolTip(_(
            "Keeps the vault key in this computer's credential store so Waypoint opens without "
            "the passphrase at start-up. After an idle lock you still type the passphrase."
        ))
        self.body.addWidget(self.remember)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(_("Unlocking"))
        self.body.addWidget(self.progress)
        row = QHBoxLayout()
        self.toggle_mode = link_button(_("Use recovery key instead"))
        self.toggle_mode.clicked.connect(lambda: self.set_recovery_mode(not self.recovery.isVisible()))
        row.addWidget(self.toggle_mode)
        row.addStretch(1)
        self.unlock_button = primary_button(_("Unlock"))
        self.unlock_button.clicked.connect(self.submit)
        row.addWidget(self.unlock_button)
        self.body.addLayout(row)
        self.body.addSpacing(SPACING)
        others = QHBoxLayout()
        self.open_button = link_button(_("Open a different vault…"))
        self.open_button.clicked.connect(self.open_other)
        others.addWidget(self.open_button)
        others.addSpacing(SPACING * 2)
        self.restore_button = link_button(_("Restore from a backup…"))
        self.restore_button.clicked.connect(self.restore_requested)
        others.addWidget(self.restore_button)
        others.addStretch(1)
        self.body.addLayout(others)
        self.passphrase.edit.returnPressed.connect(self.submit)
        self.recovery.returnPressed.connect(self.submit)
        self.setFocusProxy(self.passphrase)
        self.failures = 0
        self._painted = False

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.painted.emit()

    def set_vault(self, folder: Path, *, demo_passphrase: str | None = None, reason: str = "") -> None:
        self.vault_label.setText(_("Vault: {folder}").format(folder=folder))
        self.demo_note.setVisible(demo_passphrase is not None)
        if demo_passphrase is not None:
            self.demo_note.setText(
                _("Demo vault of synthetic clients — nobody here is real. Passphrase: {phrase}").format(
                    phrase=demo_passphrase
                )
            )
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.failures = 0
        self.reset()

    def reset(self) -> None:
        self.passphrase.clear()
        self.passphrase.set_visible_text(False)
        self.recovery.clear()
        self.error.setVisible(False)
        self.set_busy(False)
        self.set_recovery_mode(False)

    def set_remember_available(self, reason: str | None, checked: bool) -> None:
        self.remember.setEnabled(reason is None)
        self.remember.setChecked(checked and reason is None)
        base = self.remember.toolTip().split("\n\n")[0]
        self.remember.setToolTip(base + ("\n\n" + reason if reason else ""))
        self.remember.setAccessibleDescription(reason or "")

    def set_recovery_mode(self, on: bool) -> None:
        self.recovery.setVisible(on)
        self.passphrase.setVisible(not on)
        self.secret_caption.setText(_("Recovery key") if on else _("Passphrase"))
        self.secret_caption.setBuddy(self.recovery if on else self.passphrase.edit)
        self.toggle_mode.setText(_("Use passphrase instead") if on else _("Use recovery key instead"))
        (self.recovery if on else self.passphrase).setFocus()

    def set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.unlock_button, self.passphrase, self.recovery, self.toggle_mode,
                       self.open_button, self.restore_button):
            widget.setEnabled(not busy)

    def submit(self) -> None:
        if self.progress.isVisible():
            return
        if self.recovery.isVisible():
            text = self.recovery.text().strip()
            if not text:
                return self.show_error(_("Type the recovery key from your emergency kit."))
            secret = {"recovery_key": text}
        else:
            text = self.passphrase.text()
            if not text:
                return self.show_error(_("Type your passphrase."))
            secret = {"passphrase": text}
        self.error.setVisible(False)
        self.set_busy(True)
        self.unlock_requested.emit(secret, self.remember.isChecked())

    def show_error(self, message: str, wrong_secret: bool = False) -> None:
        self.set_busy(False)
        if wrong_secret:
            self.failures += 1
            if self.failures >= 3 and not self.recovery.isVisible():
                message += " " + _("Forgot it? Choose “Use recovery key instead”.")
            self.passphrase.edit.selectAll()
            self.recovery.selectAll()
        self.error.setText(message)
        self.error.setAccessibleName(message)
        self.error.setVisible(True)
        (self.recovery if self.recovery.isVisible() else self.passphrase).setFocus()
