"""Sign a care plan draft: the client agrees — signing on the pad, agreeing verbally (with the
reason), or having signed a paper copy whose scanned page is attached — and the case manager
signs. Signing puts the draft in force and makes it read-only; the version in force before it
is kept as a past version. The signer boxes are the safety plan's (SignerBox)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.attachments import Link, LinkType
from app.models.care_plan import Agreement, CarePlan, review_on_after
from app.models.signature import SignerRole
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.safety_plan_sign import SignerBox, show_signing_problems
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, dialog_buttons, muted_label


class SignCarePlanDialog(QDialog):
    signed = Signal(object)  # CarePlan, now in force

    def __init__(self, session: Session, plan: CarePlan, client_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.setWindowTitle(_("Sign the care plan"))
        self.setModal(True)
        self.resize(960, 540)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Sign the care plan"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        layout.addWidget(title)
        doc = plan.document
        goals = len(doc.goals())
        counts = ngettext("{n} need", "{n} needs", len(doc.needs)).format(n=len(doc.needs))
        counts += ", " + ngettext("{n} goal", "{n} goals", goals).format(n=goals)
        review = format_date(review_on_after(session.clock.today(), plan.review_days))
        current = session.care_plans.current(plan.client_id)
        if current is not None:
            text = _("Read the plan through together first ({counts}). Signing puts version {n} in force; version {old} "
                     "is kept as a past version. First review by {date}.").format(
                counts=counts, n=plan.version, old=current.version, date=review)
        else:
            text = _("Read the plan through together first ({counts}). Signing puts version {n} in force and it can no "
                     "longer be changed; later changes make a new version. First review by {date}.").format(
                counts=counts, n=plan.version, date=review)
        layout.addWidget(muted_label(text))
        self.error = Banner("error")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        self.client_box = SignerBox(SignerRole.CLIENT, _("Client"), client_name)
        self.paper = QCheckBox(_("Signed a paper copy instead (the scanned page goes in Documents)"))
        self.paper.setAccessibleDescription(_("For a client who signed a printed copy of the plan."))
        self.paper.toggled.connect(self._paper_toggled)
        body = self.client_box.body
        body.insertWidget(body.count() - 1, self.paper)
        self.scan_path: Path | None = None
        self.scan_button = QPushButton(_("Choose the scanned page…"))
        self.scan_button.clicked.connect(self._choose_scan)
        self.scan_label = muted_label(_("No scan chosen: it can be added in Documents later."))
        for widget in (self.scan_button, self.scan_label):
            widget.setVisible(False)
            body.insertWidget(body.count() - 1, widget)
        row.addWidget(self.client_box, 1)
        self.manager_box = SignerBox(SignerRole.CASE_MANAGER, _("Case manager"), session.actor)
        row.addWidget(self.manager_box, 1)
        layout.addLayout(row, 1)
        _cancel, self.sign_button = dialog_buttons(self, layout, _("Sign and put in force"), self.submit)
        self.client_box.pad.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def agreement(self) -> Agreement:
        if self.paper.isChecked():
            return Agreement.SCANNED
        return Agreement.VERBAL if self.client_box.verbal.isChecked() else Agreement.SIGNED

    def _paper_toggled(self, on: bool) -> None:
        box = self.client_box
        if on:
            box.verbal.setChecked(False)
        box.verbal.setEnabled(not on)
        box.pad.setEnabled(not on)
        box.pad.canvas.set_hint(_("Signed on paper") if on else _("Sign here"))
        self.scan_button.setVisible(on)
        self.scan_label.setVisible(on)

    def _choose_scan(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("The scanned, signed page"), "", _("Scans and PDFs (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"))
        if name:
            self.set_scan(Path(name))

    def set_scan(self, path: Path) -> None:
        """The file holding the signed page; it goes into the vault when the plan is signed."""
        self.scan_path = path
        self.scan_label.setText(_("Scan: {name}").format(name=path.name))

    def submit(self) -> None:
        self.error.setVisible(False)
        for box in (self.client_box, self.manager_box):
            box.clear_problems()
        now = self.session.clock.now()
        signatures = [self.manager_box.signature(now)]
        if self.agreement is not Agreement.SCANNED:
            signatures.insert(0, self.client_box.signature(now))
        try:
            attachment_id = None
            if self.agreement is Agreement.SCANNED and self.scan_path is not None:
                scan = self.session.attachments.add_file(
                    self.plan.client_id, self.scan_path, link=Link(LinkType.CARE_PLAN, self.plan.id),
                    title=_("Signed care plan, version {n}").format(n=self.plan.version))
                attachment_id = scan.id
            plan = self.session.care_plans.activate(self.plan.id, self.agreement, signatures,
                                                    attachment_id=attachment_id)
        except ValidationError as exc:
            self._show(exc)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.signed.emit(plan)
        self.accept()

    def _show(self, exc: ValidationError) -> None:
        show_signing_problems(exc, (self.client_box, self.manager_box), self.error)

