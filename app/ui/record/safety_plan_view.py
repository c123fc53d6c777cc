"""A safety plan shown read-only and readably: what matters most, the six numbered steps (the
crisis line for the user's locale always in step 5), review date, signatures, copy given."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date, format_datetime
from app.models.safety_plan import (
    Contact,
    EmergencyDepartment,
    MeansStep,
    PlanStatus,
    Professional,
    SafetyPlan,
    Section,
)
from app.models.screening import crisis_line
from app.models.signature import Signature
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.common import Card, muted_label
from app.ui.widgets.signature_pad import SignaturePad


def _text_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # client words are never read as markup
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def contact_text(contact: Contact) -> str:
    return "  ·  ".join(p for p in (contact.name, contact.phone, contact.place) if p)


def professional_text(pro: Professional) -> str:
    who = pro.name
    if pro.name and pro.role:
        who = _("{name} ({role})").format(name=pro.name, role=pro.role)
    elif pro.role:
        who = pro.role
    parts = [who, pro.phone]
    if pro.after_hours:
        parts.append(_("after hours {phone}").format(phone=pro.after_hours))
    return "  ·  ".join(p for p in parts if p)


def department_text(ed: EmergencyDepartment) -> str:
    place = "  ·  ".join(p for p in (ed.name, ed.address, ed.phone) if p)
    return _("Emergency department: {place}").format(place=place)


def means_text(step: MeansStep) -> str:
    if step.held_by and step.by_when:
        return _("{what} — kept by {who}, by {date}").format(what=step.what, who=step.held_by,
                                                             date=format_date(step.by_when))
    if step.held_by:
        return _("{what} — kept by {who}").format(what=step.what, who=step.held_by)
    if step.by_when:
        return _("{what} — by {date}").format(what=step.what, date=format_date(step.by_when))
    return step.what


def state_text(plan: SafetyPlan) -> str:
    """Where a version stands: "in force since 26 Nov 2026", "replaced on …", or a draft."""
    if plan.status is PlanStatus.ACTIVE and plan.activated_at:
        return _("in force since {date}").format(date=format_date(plan.activated_at.astimezone().date()))
    if plan.status is PlanStatus.SUPERSEDED and plan.superseded_at:
        return _("replaced on {date}").format(date=format_date(plan.superseded_at.astimezone().date()))
    return _("draft, not signed yet")


def status_text(plan: SafetyPlan) -> str:
    """A line such as "Version 2 · in force since 26 Nov 2026"."""
    return _("Version {n} · {state}").format(n=plan.version, state=state_text(plan))


class SafetyPlanView(QWidget):
    """Renders one SafetyPlan version; `show_plan()` replaces what is shown, `clear()` empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(SPACING * 2)
        self.plan: SafetyPlan | None = None
        self.section_cards: dict[Section, Card] = {}
        self.crisis_label: QLabel | None = None
        self.worth_label: QLabel | None = None
        self.signature_pads: list[SignaturePad] = []

    def clear(self) -> None:
        self.plan = None
        self.section_cards = {}
        self.crisis_label = None
        self.worth_label = None
        self.signature_pads = []
        _empty_layout(self.layout_)

    def show_plan(self, plan: SafetyPlan) -> None:
        self.clear()
        self.plan = plan
        content = plan.content
        self.layout_.addWidget(self._worth(content.worth_living_for))
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(SPACING * 2)
        for index, section in enumerate(Section):
            card = self._section_card(plan, section)
            self.section_cards[section] = card
            grid.addWidget(card, index // 2, index % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.layout_.addLayout(grid)
        self.layout_.addWidget(self._agreement(plan))
        self.layout_.addStretch(1)

    # -- pieces --------------------------------------------------------------------------------

    def _worth(self, text: str) -> QWidget:
        c = theme.colors()
        frame = QFrame()
        frame.setObjectName("SafetyWorth")
        frame.setStyleSheet(f"QFrame#SafetyWorth {{ background: {c.info_bg}; border-left: 4px solid {c.accent};"
                            " border-radius: 8px; } QFrame#SafetyWorth QLabel { background: transparent; }")
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(SPACING * 2, SPACING + 4, SPACING * 2, SPACING + 4)
        layout.setSpacing(2)
        caption = QLabel(_("The one thing that matters most to me"))
        caption.setFont(theme.scaled_font(self, 0.95, bold=True))
        layout.addWidget(caption)
        self.worth_label = _text_label(text or _("Not written yet."))
        self.worth_label.setFont(theme.scaled_font(self, 1.45, bold=bool(text)))
        if not text:
            self.worth_label.setProperty("muted", True)
        layout.addWidget(self.worth_label)
        frame.setAccessibleName(_("The one thing that matters most to me"))
        frame.setAccessibleDescription(text)
        return frame

    def _section_card(self, plan: SafetyPlan, section: Section) -> Card:
        card = Card()
        card.setAccessibleName(_("Step {n}: {title}").format(n=section.number, title=section.heading))
        head = QHBoxLayout()
        head.setSpacing(SPACING)
        number = QLabel(str(section.number))
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setFixedSize(26, 26)
        c = theme.colors()
        number.setStyleSheet(f"background: {c.accent}; color: {c.accent_text}; border-radius: 13px;"
                             " font-weight: 600;")
        head.addWidget(number, 0, Qt.AlignmentFlag.AlignTop)
        title = _text_label(section.heading)
        title.setFont(theme.scaled_font(self, 1.08, bold=True))
        head.addWidget(title, 1)
        card.body.addLayout(head)
        lines = self._lines(plan, section)
        for line in lines:
            card.body.addWidget(_bullet(line))
        if section is Section.PROFESSIONALS:
            card.body.addWidget(self._crisis_row())
        elif not lines:
            card.body.addWidget(muted_label(_("Nothing written for this step.")))
        note = plan.content.step(section)
        if not note.blank:
            parts = []
            if note.barriers:
                parts.append(_("What might get in the way: {text}").format(text=note.barriers))
            if note.likelihood:
                parts.append(_("Likely to use this step: {answer}").format(answer=note.likelihood.label))
            extra = muted_label("\n".join(parts))
            extra.setTextFormat(Qt.TextFormat.PlainText)
            card.body.addWidget(extra)
        card.body.addStretch(1)
        return card

    def _lines(self, plan: SafetyPlan, section: Section) -> list[str]:
        content = plan.content
        if section is Section.WARNING_SIGNS:
            return list(content.warning_signs)
        if section is Section.COPING:
            return list(content.coping)
        if section is Section.DISTRACTIONS:
            return [contact_text(c) for c in content.distractions]
        if section is Section.HELPERS:
            return [contact_text(c) for c in content.helpers]
        if section is Section.MEANS:
            return [means_text(m) for m in content.means]
        lines = [professional_text(p) for p in content.professionals]
        if not content.emergency_department.blank:
            lines.append(department_text(content.emergency_department))
        if content.local_crisis_line:
            lines.append(content.local_crisis_line)
        return lines

    def _crisis_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(SPACING)
        icon = QLabel()
        icon.setPixmap(theme.icon("mdi6.phone-alert-outline", theme.colors().accent).pixmap(20, 20))
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.crisis_label = _text_label(crisis_line(current_locale()))
        self.crisis_label.setFont(theme.scaled_font(self, 1.0, bold=True))
        layout.addWidget(self.crisis_label, 1)
        return row

    def _agreement(self, plan: SafetyPlan) -> Card:
        card = Card()
        card.setAccessibleName(_("Review and signatures"))
        facts = QHBoxLayout()
        facts.setSpacing(SPACING * 3)
        review = _("Review by {date}").format(date=format_date(plan.review_on)) if plan.review_on \
            else _("No review date set")
        self.review_label = _text_label(review)
        self.review_label.setWordWrap(False)
        self.review_label.setFont(theme.scaled_font(self, 1.0, bold=True))
        facts.addWidget(self.review_label)
        if plan.status is not PlanStatus.DRAFT:
            given = _("Copy given to the client on {date}").format(date=format_date(plan.copy_given_on)) \
                if plan.copy_given_on else _("No copy given to the client yet")
            self.copy_label = _text_label(given)
            self.copy_label.setWordWrap(False)
            facts.addWidget(self.copy_label)
        facts.addStretch(1)
        card.body.addLayout(facts)
        if not plan.signatures:
            card.body.addWidget(muted_label(_("Not signed yet.")))
            return card
        row = QHBoxLayout()
        row.setSpacing(SPACING * 3)
        for signature in plan.signatures:
            row.addWidget(self._signer(signature))
        row.addStretch(1)
        card.body.addLayout(row)
        return card

    def _signer(self, signature: Signature) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        who = _("{name}, {role}").format(name=signature.name, role=signature.role.label.lower())
        if signature.verbal:
            mark = _text_label(_("Agreed verbally: {reason}").format(reason=signature.reason))
            mark.setFixedWidth(240)
            layout.addWidget(mark)
        else:
            pad = SignaturePad(_("Signature of {who}").format(who=who), read_only=True)
            pad.show_signature(signature)
            pad.canvas.setMinimumSize(0, 0)
            pad.setFixedSize(240, max(40, int(240 / signature.aspect)))
            self.signature_pads.append(pad)
            layout.addWidget(pad)
        layout.addWidget(_text_label(who))
        layout.addWidget(muted_label(format_datetime(signature.signed_at, "medium")))
        return box


def _bullet(text: str) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    dot = QLabel("•")
    layout.addWidget(dot, 0, Qt.AlignmentFlag.AlignTop)
    layout.addWidget(_text_label(text), 1)
    row.setAccessibleName(text)
    return row


def _empty_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        inner = item.layout()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif inner is not None:
            _empty_layout(inner)
