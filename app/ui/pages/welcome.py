"""First run: create a vault, open an existing vault folder, or restore from a backup."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import APP_NAME
from app.i18n import _
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Card, muted_label, primary_button


class CenteredPage(QWidget):
    """A page whose content is a card of fixed maximum width in the middle of the window."""

    def __init__(self, max_width: int = 560, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.card = Card()
        self.card.setMaximumWidth(max_width)
        self.card.setMinimumWidth(min(max_width, 420))
        self.card.body.setContentsMargins(32, 28, 32, 28)
        self.card.body.setSpacing(SPACING + 4)
        row.addWidget(self.card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.body = self.card.body

    def add_title(self, title: str, subtitle: str = "") -> QLabel:
        label = QLabel(title)
        label.setFont(theme.scaled_font(self, 1.8, bold=True))
        label.setAccessibleName(title)
        label.setWordWrap(True)
        self.body.addWidget(label)
        if subtitle:
            self.body.addWidget(muted_label(subtitle))
        return label


class WelcomePage(CenteredPage):
    create_requested = Signal()
    open_requested = Signal()
    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(560, parent)
        self.add_title(
            _("Welcome to {app}").format(app=APP_NAME),
            _("Your caseload, encrypted on this laptop. Works offline, on home visits and at the office."),
        )
        self.body.addSpacing(SPACING)
        self.create_button = primary_button(_("Create a new vault"))
        self.create_button.setAccessibleDescription(_("Set a passphrase and get a recovery key"))
        self.create_button.clicked.connect(self.create_requested)
        self.open_button = QPushButton(_("Open an existing vault…"))
        self.open_button.clicked.connect(self.open_requested)
        self.restore_button = QPushButton(_("Restore from a backup…"))
        self.restore_button.clicked.connect(self.restore_requested)
        for button in (self.create_button, self.open_button, self.restore_button):
            button.setMinimumHeight(40)
            self.body.addWidget(button)
        self.body.addSpacing(SPACING)
        note = muted_label(
            _(
                "A vault is a folder holding your encrypted records and its key file. Nothing "
                "leaves this computer unless you export or back it up."
            )
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(note)
        self.setFocusProxy(self.create_button)
