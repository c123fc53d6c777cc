"""Sign a safety plan draft: the client and the case manager each sign on a pad (mouse, pen or
finger), or record that they agreed verbally and why. Signing makes the draft the plan in force
and read-only; the previous version is kept as a past version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date
from app.models.safety_plan import SafetyPlan
from app.models.signature import Signature, SignerRole, verbally_agreed
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, FieldGrid, dialog_buttons, muted_label
from app.ui.widgets.signature_pad import SignaturePad


class SignerBox(Card):
    """One person's signature: their name, the pad, or "agreed verbally" with the reason."""

    def __init__(self, role: SignerRole, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        heading = QLabel(title)
        heading.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.body.addWidget(heading)
        self.grid = FieldGrid(columns=1)
        self.name = QLineEdit(name)
        self.name.setMaxLength(120)
        self.grid.add("name", _("Name"), self.name, required=True)
        self.body.addWidget(self.grid)
        self.pad = SignaturePad(_("Signature: {title}").format(title=title))
        self.pad.canvas.setMinimumHeight(110)
        self.body.addWidget(self.pad)
        self.pad_error = QLabel()
        self.pad_error.setObjectName("FieldError")
        self.pad_error.setWordWrap(True)
        self.pad_error.setVisible(False)
        self.body.addWidget(self.pad_error)
        self.verbal = QCheckBox(_("Agreed verbally, without a drawn signature"))
        self.verbal.setAccessibleDescription(_("For someone who can't draw a signature: record the reason instead."))
        self.verbal.toggled.connect(self._verbal_toggled)
        self.body.addWidget(self.verbal)
        self.reason_grid = FieldGrid(columns=1)
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason.setPlaceholderText(_("e.g. agreed by phone; will sign at the next visit"))
        self.reason_grid.add("reason", _("Why there is no drawn signature"), self.reason, required=True)
        self.body.addWidget(self.reason_grid)
        self.body.addStretch(1)
        self._verbal_toggled(False)

    def _verbal_toggled(self, on: bool) -> None:
        self.pad.setEnabled(not on)
        self.pad.canvas.set_hint(_("Agreed verbally") if on else _("Sign here"))
        self.reason_grid.setVisible(on)
        if on:
            self.reason.setFocus()

    def signature(self, at: datetime) -> Signature:
        if self.verbal.isChecked():
            return verbally_agreed(self.role, self.name.text(), at, self.reason.text())
        return self.pad.signature(self.role, self.name.text(), at)

    def clear_problems(self) -> None:
        self.grid.clear_errors()
        self.reason_grid.clear_errors()
        self.pad_error.setVisible(False)

    def show_problem(self, field: str, message: str) -> QWidget:
        if field == "name":
            self.grid.set_error("name", message)
            return self.name
        if field == "reason":
            self.reason_grid.set_error("reason", message)
            return self.reason
        self.pad_error.setText(message)
        self.pad_error.setVisible(True)
        self.pad.canvas.setAccessibleDescription(message)
        return self.pad.canvas if not self.verbal.isChecked() else self.verbal


def show_signing_problems(exc: ValidationError, boxes: Sequence[SignerBox], banner: Banner) -> None:
    """Each "role.field" problem next to that signer's field, the rest in the banner; the focus
    goes to the first field with a problem."""
    first: QWidget | None = None
    other: list[str] = []
    for key, message in exc.problems.items():
        role, _dot, field = key.partition(".")
        box = next((b for b in boxes if b.role.value == role), None)
        if box is not None and field:
            widget = box.show_problem(field, message)
            first = first or widget
        else:
            other.append(message)
    if other:
        banner.show_message("\n".join(other), "error")
    if first is not None:
        first.setFocus()


class SignSafetyPlanDialog(QDialog):
    signed = Signal(object)  # SafetyPlan, now active

    def __init__(self, session: Session, plan: SafetyPlan, client_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.setWindowTitle(_("Sign the safety plan"))
        self.setModal(True)
        self.resize(940, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Sign the safety plan"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        layout.addWidget(title)
        current = session.safety_plans.current(plan.client_id)
        if current is not None:
            text = _("Read the plan through together first. Signing puts version {n} in force; version {old} is "
                     "kept as a past version. Review by {date}.").format(
                n=plan.version, old=current.version, date=format_date(plan.review_on))
        else:
            text = _("Read the plan through together first. Signing puts version {n} in force and it can no "
                     "longer be changed; later changes make a new version. Review by {date}.").format(
                n=plan.version, date=format_date(plan.review_on))
        layout.addWidget(muted_label(text))
        self.error = Banner("error")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        self.client_box = SignerBox(SignerRole.CLIENT, _("Client"), client_name)
        self.manager_box = SignerBox(SignerRole.CASE_MANAGER, _("Case manager"), session.actor)
        row.addWidget(self.client_box, 1)
        row.addWidget(self.manager_box, 1)
        layout.addLayout(row)
        self.copy_given = QCheckBox(_("The client was given a copy today"))
        layout.addWidget(self.copy_given)
        layout.addStretch(1)
        _cancel, self.sign_button = dialog_buttons(self, layout, _("Sign and activate"), self.submit)
        self.client_box.pad.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def boxes(self) -> tuple[SignerBox, SignerBox]:
        return self.client_box, self.manager_box

    def submit(self) -> None:
        self.error.setVisible(False)
        for box in self.boxes:
            box.clear_problems()
        now = self.session.clock.now()
        today = self.session.clock.today()
        try:
            plan = self.session.safety_plans.activate(
                self.plan.id, [box.signature(now) for box in self.boxes],
                copy_given_on=today if self.copy_given.isChecked() else None)
        except ValidationError as exc:
            self._show(exc)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.signed.emit(plan)
        self.accept()

    def _show(self, exc: ValidationError) -> None:
        show_signing_problems(exc, self.boxes, self.error)
