"""The chosen item of a care plan shown readably (the record's Care plan tab): its fields as
label and value, a tracked objective's scores, a goal's progress at each review, and for the
plan itself its status, dates, the client's agreement, signatures and reviews."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.i18n import _, format_date, format_datetime, ngettext
from app.models.assessment import about_labels
from app.models.care_plan import (
    Agreement,
    CarePlan,
    Goal,
    Intervention,
    Need,
    Node,
    Objective,
    Review,
    Tracking,
    kind_of,
)
from app.models.signature import SignerRole
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_text import (
    ABOUT_ICON,
    KIND_ICONS,
    PLAN_ICON,
    gas_text,
    row_title,
    tracking_text,
    value_text,
)
from app.ui.widgets.common import muted_label
from app.ui.widgets.signature_pad import SignaturePad


class CarePlanItemView(QWidget):
    """Shows one row of the outline; `show_*` replace what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAccessibleName(_("Care plan"))
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(0, 0, SPACING, 0)
        self.body.setSpacing(SPACING)
        head = QHBoxLayout()
        self.icon = QLabel()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        head.addWidget(self.heading, 1)
        self.body.addLayout(head)
        self.kind = muted_label("")
        self.body.addWidget(self.kind)
        self.fields = QWidget()
        self.grid = QGridLayout(self.fields)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(SPACING * 2)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.body.addWidget(self.fields)
        self.signatures = QVBoxLayout()
        self.signatures.setSpacing(SPACING)
        self.body.addLayout(self.signatures)
        self.signature_pads: list[SignaturePad] = []
        self.body.addStretch(1)
        self.scroll_area.setWidget(body)
        outer.addWidget(self.scroll_area)
        self.setAccessibleName(_("Details of the chosen item"))

    def clear(self) -> None:
        self.icon.clear()
        self.heading.clear()
        self.kind.clear()
        self._clear_fields()
        self._clear_signatures()

    def _clear_fields(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def field_texts(self) -> dict[str, str]:
        """What is shown, label → value (for tests and screen readers)."""
        found: dict[str, str] = {}
        for row in range(self.grid.rowCount()):
            label = self.grid.itemAtPosition(row, 0)
            value = self.grid.itemAtPosition(row, 1)
            if label is not None and value is not None:
                label_widget, value_widget = label.widget(), value.widget()
                if isinstance(label_widget, QLabel) and isinstance(value_widget, QLabel):
                    found[label_widget.text()] = value_widget.text()
        return found

    def _clear_signatures(self) -> None:
        for pad in self.signature_pads:
            self.signatures.removeWidget(pad)
            pad.hide()
            pad.deleteLater()
        self.signature_pads = []

    def _set(self, icon: str, heading: str, kind: str, pairs: Sequence[tuple[str, str]]) -> None:
        self._clear_signatures()
        self.icon.setPixmap(theme.icon(icon, theme.colors().accent).pixmap(20, 20))
        self.heading.setText(heading)
        self.heading.setAccessibleName(heading)
        self.kind.setText(kind)
        self.kind.setVisible(bool(kind))
        self._clear_fields()
        row = 0
        for label, value in pairs:
            if not value:
                continue
            caption = muted_label(label)
            caption.setWordWrap(False)
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text.setAccessibleName(f"{label}: {value}")
            self.grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(text, row, 1)
            row += 1

    def show_about(self, plan: CarePlan) -> None:
        about = plan.document.about
        pairs = [(label, getattr(about, name)) for name, label in about_labels().items()]
        if not any(v for _l, v in pairs):
            pairs = [(_("Nothing written yet"), _("Write it with the client when the plan is changed."))]
        self._set(ABOUT_ICON, _("About the person"), _("In the client's own words"), pairs)

    def show_plan(self, plan: CarePlan, reviews: Sequence[Review], goal_names: Mapping[str, str]) -> None:
        pairs: list[tuple[str, str]] = [
            (_("When the plan is done"), plan.document.discharge_criteria or "—"),
            (_("Status"), _("{status} — {reason}").format(status=plan.status.label, reason=plan.status_reason)
             if plan.status_reason else plan.status.label),
            (_("Version"), str(plan.version)),
            (_("Started"), format_date(plan.start_on) if plan.start_on else _("On the day it is signed")),
            (_("Review every"), ngettext("{n} day", "{n} days", plan.review_days).format(n=plan.review_days)),
        ]
        if plan.review_on and plan.in_force:
            pairs.append((_("Next review by"), format_date(plan.review_on)))
        if plan.activated_at:
            pairs.append((_("Signed"), format_datetime(plan.activated_at, "short")))
        if plan.agreement is not None:
            agreement = plan.agreement.label
            client = plan.signature(SignerRole.CLIENT)
            if plan.agreement is Agreement.VERBAL and client is not None:
                agreement = _("{how}: {reason}").format(how=agreement, reason=client.reason)
            if plan.agreement is Agreement.SCANNED:
                agreement = (_("Signed on paper; the scanned page is attached") if plan.attachment_id
                             else _("Signed on paper; the scanned page is not linked yet"))
            pairs.append((_("Client's agreement"), agreement))
        for review in reviews[:5]:
            rated = [_("{gas} · {goal}").format(gas=f"{p.gas:+d}".replace("-", "−") if p.gas else "0", goal=goal_names.get(p.goal_id, "?"))
                     for p in review.progress if p.gas is not None]
            text = "\n".join([review.attended, *rated, *([review.changes] if review.changes else [])])
            pairs.append((_("Review of {date}").format(date=format_date(review.reviewed_on)), text))
        self._set(PLAN_ICON, _("Version {n} of the care plan").format(n=plan.version), "", pairs)
        for signature in plan.signatures:
            if signature.verbal or not signature.strokes:
                continue
            pad = SignaturePad(_("Signature: {role}").format(role=signature.role.label), read_only=True)
            pad.show_signature(signature)
            pad.setMaximumWidth(300)
            pad.setToolTip(_("{role}: {name}").format(role=signature.role.label, name=signature.name))
            self.signatures.addWidget(pad)
            self.signature_pads.append(pad)

    def show_node(self, node: Node, tracking: Tracking | None, reviews: Sequence[Review],
                  names: Mapping[str, str]) -> None:
        kind = kind_of(node)
        pairs: list[tuple[str, str]] = []
        if isinstance(node, Need):
            pairs = [(_("Life domain"), value_text(node.domain)), (_("Priority"), node.priority.label),
                     (_("Clinical summary"), node.summary), (_("Where it came from"), node.source.label),
                     (_("Details"), node.source_note)]
        elif isinstance(node, Goal):
            pairs = [(_("SMART restatement"), node.smart), (_("Target date"), value_text(node.target_on)),
                     (_("Status"), node.lifecycle.label), (_("Achievement"), value_text(node.achievement))]
            for review in reviews:
                score = review.gas(node.id)
                if score is not None:
                    pairs.append((_("Review of {date}").format(date=format_date(review.reviewed_on)), gas_text(score)))
        elif isinstance(node, Objective):
            if tracking is not None:
                pairs.append((_("Scores"), tracking_text(tracking, names.get(tracking.target.instrument_id,
                                                                             tracking.target.instrument_id))))
            pairs += [(_("Measure"), node.measure), (_("Target"), node.target), (_("Baseline"), node.baseline),
                      (_("Target date"), value_text(node.target_on)), (_("Status"), node.status.label)]
        elif isinstance(node, Intervention):
            who = (_("{who} — {name}").format(who=node.responsible.label, name=node.responsible_name.strip())
                   if node.responsible_name.strip() else node.responsible.label)
            pairs = [(_("Who does it"), who), (_("How often"), node.frequency), (_("How"), value_text(node.modality)),
                     (_("Starts"), value_text(node.start_on)), (_("Ends"), value_text(node.end_on)),
                     (_("Status"), node.status.label),
                     (_("Referral"), _("Linked to a referral") if node.referral_id else "")]
        heading = node.client_words if isinstance(node, Need) and node.client_words else row_title(node)
        self._set(KIND_ICONS[kind], heading or _("(not written yet)"), kind.label, pairs)
