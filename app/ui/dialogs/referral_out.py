"""New and edit referral out: to whom, for which service, why, how urgent, answer expected by,
and the care-plan intervention it carries out (when the plan has one). Autosaved as a draft while
typing; a new referral is saved as a draft or marked sent at once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example
from app.models.contacts import Contact, ContactKind
from app.models.screening import Urgency
from app.models.service_referral import ServiceReferral, ServiceReferralFields
from app.services.errors import ValidationError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_editor import ContactEditorDialog
from app.ui.dialogs.contact_picker import ContactPicker
from app.ui.dialogs.draft_dialog import OfferedDraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, muted_label, primary_button, set_default_button
from app.ui.widgets.inputs import DateField

FORM = "referral_out"
SERVICES = ["Outpatient psychiatry", "Primary care", "Therapy or counselling", "Supported housing",
            "Emergency shelter", "Substance use treatment", "Peer support", "Benefits advice", "Vocational services",
            "Food assistance", "Legal aid", "Transportation", "Intensive outpatient programme", "Dental care"]


def intervention_choices(session: Session, client_id: str) -> list[tuple[str, str]]:
    """(id, words) of the client's care-plan interventions; none while care plans can't list them."""
    try:
        return session.care_plans.intervention_choices(client_id)
    except NotImplementedError:
        return []


class ReferralOutDialog(OfferedDraftDialog):
    saved = Signal(object)  # ServiceReferral

    def __init__(self, session: Session, client_id: str, referral: ServiceReferral | None = None, *,
                 auto_restore: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.referral = referral
        self.object_id = referral.id if referral else f"new:{client_id}"
        self.contact_editor: ContactEditorDialog | None = None
        self.setWindowTitle(_("Edit referral") if referral else _("New referral"))
        self.setModal(True)
        self.resize(760, 680)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(self.windowTitle())
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)
        self.grid = FieldGrid(columns=2)
        self.picker = ContactPicker(self._choices(), self.new_contact)
        self.picker.list.setMinimumHeight(120)
        self.grid.add("contact_id", _("Referred to"), self.picker, required=True, span=2)
        self.service = QComboBox()
        self.service.setEditable(True)
        self.service.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.service.addItems(["", *SERVICES])
        self.service.lineEdit().setMaxLength(200)
        self.grid.add("service", _("Service"), self.service, required=True)
        self.urgency = QComboBox()
        for value in Urgency:
            self.urgency.addItem(value.label, value.value)
        self.grid.add("urgency", _("Urgency"), self.urgency)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(76)
        self.reason.setPlaceholderText(_("What the client needs from this service, in a sentence or two"))
        self.grid.add("reason", _("Reason"), self.reason, required=True, span=2)
        self.due = DateField()
        self.grid.add("due_on", _("Answer expected by"), self.due,
                      hint=_("Empty: set when it is sent — 14 days for routine, 3 for urgent, 1 for an emergency"))
        self.intervention = QComboBox()
        self.intervention.addItem(_("Not linked to the care plan"), "")
        for intervention_id, words in intervention_choices(session, client_id):
            self.intervention.addItem(words, intervention_id)
        linked = referral.fields.intervention_id if referral else None
        if linked and self.intervention.findData(linked) < 0:
            self.intervention.addItem(_("An intervention no longer in the plan"), linked)
        self.grid.add("intervention_id", _("Carries out this care-plan intervention"), self.intervention)
        self.has_interventions = self.intervention.count() > 1
        for widget in (self.grid.labels["intervention_id"], self.intervention):
            widget.setVisible(self.has_interventions)
        self.outcome = QPlainTextEdit()
        self.outcome.setTabChangesFocus(True)
        self.outcome.setFixedHeight(60)
        self.grid.add("outcome", _("Outcome so far"), self.outcome, span=2)
        for widget in (self.grid.labels["outcome"], self.outcome):
            widget.setVisible(referral is not None)
        outer.addWidget(self.grid)
        outer.addStretch(1)

        buttons = QHBoxLayout()
        self.status = muted_label("")
        buttons.addWidget(self.status, 1)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        self.send_button: QPushButton | None = None
        if referral is None:
            self.save_button = QPushButton(_("Save as draft"))
            self.save_button.setToolTip(_("Keep it as a draft to send later (Ctrl+S)"))
            buttons.addWidget(self.save_button)
            self.send_button = primary_button(_("Save and mark sent today"))
            self.send_button.setIcon(theme.icon("mdi6.send-outline", theme.colors().accent_text))
            self.send_button.clicked.connect(lambda: self.save(send=True))
            buttons.addWidget(self.send_button)
        else:
            self.save_button = primary_button(_("Save changes"))
            self.save_button.setToolTip(_("Save (Ctrl+S)"))
            buttons.addWidget(self.save_button)
        self.save_button.clicked.connect(lambda: self.save(send=False))
        outer.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=lambda: self.save(send=False))
        set_default_button(self, None)

        self.autosaver = DraftAutosaver(session, FORM, self.object_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        if referral is not None:
            self.apply(self._data(referral.fields))
        self.offer_draft(FORM, self.object_id, auto_restore)
        self.picker.chosen.connect(lambda _id: self.autosaver.changed())
        self.service.currentTextChanged.connect(self.autosaver.changed)
        self.urgency.currentIndexChanged.connect(self.autosaver.changed)
        self.intervention.currentIndexChanged.connect(self.autosaver.changed)
        self.due.changed.connect(self.autosaver.changed)
        for box in (self.reason, self.outcome):
            box.textChanged.connect(self.autosaver.changed)

    def _choices(self) -> list[Contact]:
        """Professionals and organisations in the directory (and whoever the referral already names)."""
        keep = self.referral.fields.contact_id if self.referral else ""
        contacts = [c for c in self.session.contacts.directory() if c.kind is not ContactKind.NATURAL_SUPPORT]
        if keep and keep not in {c.id for c in contacts}:
            contacts.append(self.session.contacts.get(keep))
        return contacts

    def new_contact(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.raise_()
            return
        editor = ContactEditorDialog(self.session, kind=ContactKind.ORGANISATION, parent=self)
        editor.saved.connect(lambda contact: self.picker.set_contacts(self._choices(), select=contact.id))
        editor.finished.connect(lambda _r: setattr(self, "contact_editor", None))
        self.contact_editor = editor
        editor.open()

    # -- values ------------------------------------------------------------------------------

    @staticmethod
    def _data(fields: ServiceReferralFields) -> dict[str, Any]:
        return {"contact_id": fields.contact_id, "service": fields.service, "reason": fields.reason,
                "urgency": fields.urgency.value, "due_on": date_example(fields.due_on) if fields.due_on else "",
                "intervention_id": fields.intervention_id or "", "outcome": fields.outcome}

    def collect(self) -> dict[str, Any]:
        return {"contact_id": self.picker.contact_id() or "", "service": self.service.currentText(),
                "reason": self.reason.toPlainText(), "urgency": self.urgency.currentData(), "due_on": self.due.text(),
                "intervention_id": self.intervention.currentData() or "", "outcome": self.outcome.toPlainText()}

    def apply(self, data: dict[str, Any]) -> None:
        if data.get("contact_id"):
            self.picker.select(str(data["contact_id"]))
        self.service.setCurrentText(str(data.get("service", "")))
        self.reason.setPlainText(str(data.get("reason", "")))
        self.urgency.setCurrentIndex(max(0, self.urgency.findData(data.get("urgency", Urgency.ROUTINE.value))))
        self.due.set_text(str(data.get("due_on", "")))
        self.intervention.setCurrentIndex(max(0, self.intervention.findData(data.get("intervention_id", ""))))
        self.outcome.setPlainText(str(data.get("outcome", "")))

    def to_fields(self) -> ServiceReferralFields:
        data = self.collect()
        try:
            due = self.due.value()
        except ValueError as exc:
            raise ValidationError({"due_on": str(exc)}) from None
        return ServiceReferralFields(data["contact_id"], data["service"], data["reason"], Urgency(data["urgency"]),
                                     due, data["intervention_id"] or None, data["outcome"])

    # -- saving ------------------------------------------------------------------------------

    def save(self, send: bool = False) -> None:
        self.grid.clear_errors()
        self.error_banner.setVisible(False)
        referrals = self.session.service_referrals
        current, send_on = self.referral, self.session.clock.today() if send else None

        def save() -> ServiceReferral:
            fields = self.to_fields()
            return (referrals.create(self.client_id, fields, send_on=send_on) if current is None
                    else referrals.update(current.id, fields))

        referral = self.submit(save)
        if referral is None:
            return
        self.referral = referral
        self.saved.emit(referral)
        self.done(QDialog.DialogCode.Accepted)

    def show_problems(self, problems: dict[str, str]) -> None:
        first: QWidget | None = None
        for name, message in problems.items():
            if name in self.grid.inputs:
                self.grid.set_error(name, message)
                first = first or self.grid.inputs[name]
        shown = [m for n, m in problems.items() if n not in self.grid.inputs]
        self.error_banner.show_message(shown[0] if shown else _(
            "{n} field(s) need attention. Everything you typed is kept.").format(n=len(problems)), "error")
        if first is not None:
            first.setFocus()

    # -- closing -----------------------------------------------------------------------------

    def close_for_lock(self) -> None:
        if self.contact_editor is not None:
            self.contact_editor.close_for_lock()
        super().close_for_lock()

    def first_focus(self) -> QWidget | None:
        return self.picker if self.referral is None else self.service
