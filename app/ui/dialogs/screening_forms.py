"""The small screening forms: choose an instrument, a referral, the screening decision, a score
from another tool, and one administration's answers as given."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime
from app.models.client import Client
from app.models.screening import (
    Administration,
    Decision,
    ExternalScore,
    Referral,
    ReferralFields,
    Urgency,
)
from app.services import instruments
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.inputs import DateField

# The order a case manager reaches for them: the brief screens first, the C-SSRS near the top.
PICK_ORDER = ("phq2", "phq9", "gad2", "gad7", "cssrs_screener", "auditc", "dast10", "k6", "k10", "who5", "pcptsd5")
REFERRAL_SOURCES = ("Primary care", "Emergency department", "Inpatient unit", "Self-referral", "Family member",
                    "Housing agency", "School", "Court or probation", "Other")
EXTERNAL_TOOLS = ("LOCUS", "DLA-20", "ANSA", "WHODAS 2.0", "CANS")


def _problems(grid: FieldGrid, error: Banner, exc: ValidationError) -> None:
    shown = False
    for name, message in exc.problems.items():
        if name in grid.inputs:
            grid.set_error(name, message)
            shown = True
    if not shown:
        error.show_message(str(exc), "error")


class _Form(QDialog):
    """A small dialog: title, an error banner, a FieldGrid, Cancel and a primary button (Ctrl+S).
    `saved(result)` after the service took it."""

    saved = Signal(object)

    def __init__(self, session: Session, title: str, primary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(560, 420)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        self.body.addWidget(heading)
        self.error = Banner("error")
        self.body.addWidget(self.error)
        self.grid = FieldGrid(columns=2)
        self.body.addWidget(self.grid)
        self._primary = primary
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, self.body, self._primary, self.save)

    def text_box(self, height: int = 80) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setTabChangesFocus(True)
        box.setFixedHeight(height)
        return box

    def date_field(self) -> tuple[str, DateField]:
        """The form's date: its field name and input (override)."""
        raise NotImplementedError

    def submit(self, on: date) -> object:
        """Call the service with what the form holds (override); ValidationError or VaultError
        leave the dialog open with every field as typed."""
        raise NotImplementedError

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        name, field = self.date_field()
        try:
            on = field.value() or self.session.clock.today()
        except ValueError as exc:
            self.grid.set_error(name, str(exc))
            field.setFocus()
            return
        try:
            saved = self.submit(on)
        except ValidationError as exc:
            _problems(self.grid, self.error, exc)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.saved.emit(saved)
        self.accept()


class InstrumentPickerDialog(QDialog):
    """Choose what to give. Type a letter to jump; Enter gives it."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Give a screen"))
        self.setModal(True)
        self.resize(560, 460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        heading = QLabel(_("Which one?"))
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        layout.addWidget(heading)
        layout.addWidget(muted_label(_("A positive PHQ-2 or GAD-2 leads straight on to the PHQ-9 or GAD-7.")))
        self.list = QListWidget()
        self.list.setObjectName("SettingsList")
        self.list.setAccessibleName(_("Instruments"))
        catalog = instruments.catalog()
        ids = [i for i in PICK_ORDER if i in catalog] + sorted(set(catalog) - set(PICK_ORDER))
        for instrument_id in ids:
            instrument = catalog[instrument_id]
            text = f"{instrument.short_name} — {instrument.name}"
            if instrument.next_if_positive in catalog:
                text += "  " + _("(then the {full} if positive)").format(
                    full=catalog[instrument.next_if_positive].short_name)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, instrument_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.choose())
        layout.addWidget(self.list, 1)
        dialog_buttons(self, layout, _("Give"), self.choose)
        self.list.setFocus()

    def choose(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.accept()
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))


class ReferralDialog(_Form):

    def __init__(self, session: Session, client: Client, parent: QWidget | None = None) -> None:
        super().__init__(session, _("New referral"), _("Save referral"), parent)
        self.client = client
        self.received = DateField()
        self.received.set_value(client.fields.referral_date or session.clock.today())
        self.grid.add("received_on", _("Received on"), self.received, required=True)
        self.urgency = QComboBox()
        for urgency in Urgency:
            self.urgency.addItem(urgency.label, urgency.value)
        self.grid.add("urgency", _("Urgency"), self.urgency)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.addItems([_(s) for s in REFERRAL_SOURCES])
        self.source.setCurrentText("")
        self.grid.add("source", _("Referred by (source)"), self.source)
        self.referrer = QLineEdit()
        self.grid.add("referrer_name", _("Referrer's name"), self.referrer)
        self.contact = QLineEdit()
        self.contact.setPlaceholderText(_("Phone or email"))
        self.grid.add("referrer_contact", _("Referrer's contact"), self.contact, span=2)
        self.reason = self.text_box()
        self.grid.add("reason", _("Reason for the referral"), self.reason, required=True, span=2)
        self.finish_layout()
        self.received.setFocus()

    def date_field(self) -> tuple[str, DateField]:
        return "received_on", self.received

    def submit(self, on: date) -> Referral:
        fields = ReferralFields(on, self.source.currentText().strip(), self.referrer.text().strip(),
                                self.contact.text().strip(), self.reason.toPlainText().strip(),
                                Urgency(self.urgency.currentData()))
        return self.session.screening.add_referral(self.client.id, fields)


def decision_effect(decision: Decision) -> str:
    return {
        Decision.ENROL: _("Enrol: the case moves on to the assessment."),
        Decision.WAIT_LIST: _("Wait-list: the case stays in screening."),
        Decision.REFER_ELSEWHERE: _("Refer elsewhere: the case is closed here."),
        Decision.DECLINE: _("Decline: the case is closed here."),
    }[decision]


class DecisionDialog(_Form):

    def __init__(self, session: Session, referral: Referral, parent: QWidget | None = None) -> None:
        super().__init__(session, _("Screening decision"), _("Record decision"), parent)
        self.referral = referral
        self.choices = QButtonGroup(self)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        for number, decision in enumerate(Decision):
            button = QRadioButton(decision_effect(decision))
            button.setProperty("decision", decision.value)
            self.choices.addButton(button, number)
            column.addWidget(button)
        self.choices.button(0).setChecked(True)
        self.grid.add("decision", _("Decision"), box, required=True, span=2)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        self.grid.add("on", _("Date of the decision"), self.on, required=True)
        self.reason = self.text_box()
        self.grid.add("reason", _("Reason"), self.reason, required=True, span=2)
        self.finish_layout()
        self.choices.button(0).setFocus()

    def decision(self) -> Decision:
        checked = self.choices.checkedButton()
        return Decision(checked.property("decision")) if checked else Decision.ENROL

    def date_field(self) -> tuple[str, DateField]:
        return "on", self.on

    def submit(self, on: date) -> Referral:
        return self.session.screening.decide(self.referral.id, self.decision(), self.reason.toPlainText(), on)


class ExternalScoreDialog(_Form):

    def __init__(self, session: Session, client: Client, parent: QWidget | None = None) -> None:
        super().__init__(session, _("Score from another tool"), _("Save score"), parent)
        self.client = client
        self.body.insertWidget(2, muted_label(_(
            "For tools whose questions Waypoint does not hold (LOCUS, DLA-20, ANSA, WHODAS …): "
            "record the total or level you arrived at on the tool itself.")))
        self.tool = QComboBox()
        self.tool.setEditable(True)
        self.tool.addItems(EXTERNAL_TOOLS)
        self.tool.setCurrentText("")
        self.grid.add("tool", _("Tool"), self.tool, required=True)
        self.on = DateField()
        self.on.set_value(session.clock.today())
        self.grid.add("on", _("Date scored"), self.on, required=True)
        self.total = QLineEdit()
        self.grid.add("total", _("Total"), self.total)
        self.level = QLineEdit()
        self.level.setPlaceholderText(_("e.g. Level 3 — high-intensity community"))
        self.grid.add("level", _("Level or category"), self.level)
        self.note = self.text_box(70)
        self.grid.add("note", _("Note"), self.note, span=2)
        self.finish_layout()
        self.tool.setFocus()

    def date_field(self) -> tuple[str, DateField]:
        return "on", self.on

    def submit(self, on: date) -> ExternalScore:
        return self.session.screening.record_external(
            self.client.id, self.tool.currentText(), on, self.total.text(), self.level.text(), self.note.toPlainText())


class AnswersDialog(QDialog):
    """One administration as given: each item and its answer, read-only."""

    def __init__(self, admin: Administration, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        catalog = instruments.catalog()
        instrument = catalog.get(admin.instrument_id)
        name = instrument.short_name if instrument else admin.instrument_id
        self.setWindowTitle(_("{name} answers").format(name=name))
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        heading = QLabel(_("{name}, {date}").format(name=name, date=format_date(admin.administered_on, "long")))
        heading.setFont(theme.scaled_font(self, 1.3, bold=True))
        layout.addWidget(heading)
        meta = _("Version {version} · given by {who}").format(version=admin.instrument_version,
                                                              who=admin.recorded_by or "—")
        if admin.created_at:
            meta += " · " + _("recorded {when}").format(when=format_datetime(admin.created_at, "short"))
        layout.addWidget(muted_label(meta))
        self.list = QListWidget()
        self.list.setAccessibleName(_("Answers"))
        items = instrument.items if instrument else ()
        for number, item in enumerate(items, start=1):
            if item.id in admin.declined:
                answer = _("declined")
            elif admin.answers.get(item.id) is None:
                if item.id not in admin.answers:
                    continue  # not asked (a skip rule)
                answer = _("not answered")
            else:
                value = admin.answers[item.id]
                label = next((o.label for o in item.options if o.value == value), str(value))
                answer = label if item.is_yes_no else f"{value} — {label}"
            self.list.addItem(f"{number}. {item.text}\n      {answer}")
        layout.addWidget(self.list, 1)
        _cancel, close = dialog_buttons(self, layout, _("Close"), self.accept)
        _cancel.setVisible(False)
