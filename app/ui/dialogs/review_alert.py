"""Reviewing a suicide-risk alert: what raised it, the crisis line, and what was done (required)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date
from app.models.screening import SafetyAlert, crisis_line
from app.services import instruments
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    FieldGrid,
    dialog_buttons,
    muted_label,
)


def describe(alert: SafetyAlert) -> str:
    """A few words: what raised the alert, and on which day."""
    when = format_date(alert.raised_at.astimezone().date(), "medium")
    if alert.instrument_id == "phq9":
        return _("PHQ-9 item 9 above 0, {date}").format(date=when)
    if alert.instrument_id == "cssrs_screener":
        return _("C-SSRS screener {level}, {date}").format(level=alert.level, date=when)
    catalog = instruments.catalog()
    name = catalog[alert.instrument_id].short_name if alert.instrument_id in catalog else alert.flag
    return _("{instrument}, {date}").format(instrument=name, date=when)


class ReviewAlertDialog(QDialog):
    def __init__(self, session: Session, alert: SafetyAlert, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.alert = alert
        self.setWindowTitle(_("Review suicide-risk alert"))
        self.setModal(True)
        self.resize(560, 400)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        title = QLabel(_("Suicide-risk alert"))
        title.setFont(theme.scaled_font(self, 1.4, bold=True))
        layout.addWidget(title)
        layout.addWidget(QLabel(_("Raised by {what}.").format(what=describe(alert))))
        layout.addWidget(muted_label(_(
            "Ask the C-SSRS screener questions, make or review the safety plan with the client, and "
            "give the crisis line. Then write what was done: the alert stays on the client and on "
            "Today until it is reviewed.")))
        self.crisis = Banner("warning", crisis_line(current_locale()))
        layout.addWidget(self.crisis)
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText(_("e.g. C-SSRS asked: Low. Safety plan reviewed; copy given."))
        self.note.setFixedHeight(90)
        self.grid.add("note", _("What was done"), self.note, required=True)
        layout.addWidget(self.grid)
        layout.addStretch(1)
        _cancel, self.ok = dialog_buttons(self, layout, _("Mark reviewed"), self.submit, cancel=_("Not now"))
        self.note.setFocus()

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        try:
            self.session.screening.review_alert(self.alert.id, self.note.toPlainText())
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error(name, message)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.accept()
