"""Move a client to another case stage, with the date and a note kept in the history."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.models.client import Client, Stage
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    FieldGrid,
    dialog_buttons,
)
from app.ui.widgets.inputs import DateField


class StageChangeDialog(QDialog):
    changed = Signal(object)  # Client

    def __init__(self, session: Session, client: Client, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client = client
        self.setWindowTitle(_("Change case stage"))
        self.setModal(True)
        self.resize(520, 360)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        self.error = Banner("error")
        layout.addWidget(self.error)
        grid = FieldGrid(columns=1)
        self.grid = grid
        self.stage = QComboBox()
        for stage in Stage:
            if stage is not client.stage:
                number = f"{stage.number}. " if stage.number else ""
                self.stage.addItem(number + stage.label, stage.value)
        following = list(Stage)[min(list(Stage).index(client.stage) + 1, len(Stage) - 1)]
        self.stage.setCurrentIndex(max(0, self.stage.findData(following.value)))
        grid.add("to", _("New stage (now: {stage})").format(stage=client.stage.label), self.stage, required=True)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        grid.add("on", _("Date of the change"), self.on, required=True)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(_("Why, in a sentence (optional)"))
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        grid.add("note", _("Note"), self.note)
        layout.addWidget(grid)
        layout.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, layout, _("Change stage"), self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.stage.setFocus()

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        try:
            on = self.on.value()
        except ValueError as exc:
            self.grid.set_error("on", str(exc))
            return
        try:
            client = self.session.clients.change_stage(
                self.client.id, Stage(self.stage.currentData()), on, self.note.toPlainText()
            )
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error(name, message)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.changed.emit(client)
        self.accept()
