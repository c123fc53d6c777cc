"""Put the plan in force on hold, mark it completed, or revoke it — each with its reason, and
each asked for before it happens (this dialog is the confirmation). A plan that is completed or
revoked stays in the record, read-only."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.i18n import _
from app.models.care_plan import CarePlan, PlanStatus
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, FieldGrid, dialog_buttons, muted_label


def _wording(status: PlanStatus) -> tuple[str, str, str, str]:
    """Title, explanation, reason placeholder, button."""
    return {
        PlanStatus.ON_HOLD: (
            _("Put the plan on hold"),
            _("The plan stays as it is and no review falls due while it is on hold. Resume it when the work "
              "starts again."),
            _("e.g. in hospital for a few weeks"), _("Put on hold")),
        PlanStatus.COMPLETED: (
            _("Mark the plan completed"),
            _("The plan is finished: it stays in the record, read-only, with its reviews. A new plan can be started "
              "later."),
            _("e.g. goals met; moving to maintenance"), _("Mark completed")),
        PlanStatus.REVOKED: (
            _("Revoke the plan"),
            _("Revoking ends the plan before it is finished — for example when the client withdraws their agreement. "
              "It stays in the record, read-only, and can't be put back in force."),
            _("e.g. the client withdrew their agreement"), _("Revoke the plan")),
    }[status]


class CarePlanStatusDialog(QDialog):
    changed = Signal(object)  # CarePlan

    def __init__(self, session: Session, plan: CarePlan, status: PlanStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.status = status
        heading, text, placeholder, button = _wording(status)
        self.setWindowTitle(heading)
        self.setModal(True)
        self.resize(520, 260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(heading)
        title.setFont(theme.scaled_font(self, 1.4, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(text))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        self.reason = QLineEdit()
        self.reason.setMaxLength(300)
        self.reason.setPlaceholderText(placeholder)
        self.grid.add("reason", _("Reason"), self.reason, required=True)
        layout.addWidget(self.grid)
        layout.addStretch(1)
        _cancel, self.confirm_button = dialog_buttons(self, layout, button, self.submit)
        self.reason.setFocus()

    def submit(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        try:
            plan = self.session.care_plans.set_status(self.plan.id, self.status, self.reason.text())
        except ValidationError as exc:
            if "reason" in exc.problems:
                self.grid.set_error("reason", exc.problems["reason"])
                self.reason.setFocus()
            else:
                self.error.show_message(str(exc), "error")
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.changed.emit(plan)
        self.accept()
