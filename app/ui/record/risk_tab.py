"""The client record's "Risk" tab: the tier, why it is what it is, and its history.

"Why this tier?" lists the seven domains with their points, the evidence and its date, the total,
and any floor that lifted the tier — for the tier as recorded, or as the record stands now. The
case manager records the computed tier or overrides it with a written reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.risk import RULE_VERSION, RiskResult, Tier, TierRecord, cadences
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.record.base import RecordTab
from app.ui.roster_model import tier_text
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    dialog_buttons,
    muted_label,
    primary_button,
)

_DOTS = "●●●"


def points_text(points: int) -> str:
    """Points as a number and as dots (●●○), so the eye and a screen reader both get them."""
    return f"{points}  " + _DOTS[:points] + "○" * (3 - points)


def cadence_text(tier: Tier) -> str:
    cadence = cadences()[tier]
    days = ngettext("Contact every day", "Contact every {n} days", cadence.contact_days).format(n=cadence.contact_days)
    parts = [days, _("re-screen: {what}").format(what=cadence.rescreen),
             ngettext("re-tier within {n} day", "re-tier within {n} days", cadence.retier_days).format(n=cadence.retier_days)]
    text = " · ".join(parts)
    return text + (". " + cadence.note if cadence.note else "")


class WhyPanel(QWidget):
    """One risk result laid out: each domain's points and evidence, the total, the floors."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Domain"), _("Points"), _("Evidence"), _("Date")])
        self.table.setAccessibleName(_("Why this tier: points per domain"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.table)
        self.sum = QLabel()
        self.sum.setWordWrap(True)
        self.sum.setFont(theme.scaled_font(self, 1.05, bold=True))
        layout.addWidget(self.sum)
        self.floors = QLabel()
        self.floors.setWordWrap(True)
        layout.addWidget(self.floors)

    def show_result(self, result: RiskResult) -> None:
        self.table.setRowCount(len(result.domains))
        for row, d in enumerate(result.domains):
            evidence = d.evidence if d.recorded else _("{what} — counts as 0").format(what=d.evidence)
            cells = [d.domain.label, points_text(d.points), evidence, format_date(d.on, "medium") if d.on else "—"]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setData(Qt.ItemDataRole.AccessibleTextRole,
                                 ngettext("{n} point", "{n} points", d.points).format(n=d.points))
                if not d.recorded:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(rows + self.table.horizontalHeader().sizeHint().height() + 4)
        self.sum.setText(_("Total {total} of 21 → {tier} (0–4 Low · 5–9 Moderate · 10–14 High · 15+ Crisis)").format(
            total=result.total, tier=tier_text(result.tier_from_total)))
        if result.floors:
            lines = [_("Raised to at least {tier}: {reason}").format(tier=f.tier.label, reason=f.reason)
                     for f in result.floors]
            if result.tier is not result.tier_from_total:
                lines.append(_("So the tier is {tier}.").format(tier=tier_text(result.tier)))
            self.floors.setText("\n".join(lines))
        else:
            self.floors.setText(_("No floor applies: the tier comes from the total."))
        self.setAccessibleDescription(self.sum.text() + " " + self.floors.text())


class RiskTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.records: list[TierRecord] = []
        self.now: RiskResult | None = None
        self.dialog: OverrideDialog | None = None
        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setAccessibleName(_("Risk"))
        scroll.setWidgetResizable(True)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, SPACING, 0)
        column.setSpacing(SPACING * 2)
        top = QHBoxLayout()
        top.setSpacing(SPACING * 2)
        top.addWidget(self._build_current(), 2)
        top.addWidget(self._build_history(), 3)
        column.addLayout(top)
        column.addWidget(self._build_why())
        column.addStretch(1)
        scroll.setWidget(inner)
        self.layout_.addWidget(scroll, 1)

    # -- building ----------------------------------------------------------------------------

    def _build_current(self) -> QWidget:
        card = Card()
        caption = QLabel(_("Current tier"))
        caption.setProperty("muted", True)
        card.body.addWidget(caption)
        self.tier = QLabel()
        self.tier.setFont(theme.scaled_font(self, 1.6, bold=True))
        card.body.addWidget(self.tier)
        self.recorded = muted_label()
        card.body.addWidget(self.recorded)
        self.cadence = QLabel()
        self.cadence.setWordWrap(True)
        card.body.addWidget(self.cadence)
        card.body.addStretch(1)
        return card

    def _build_history(self) -> QWidget:
        card = Card()
        caption = QLabel(_("Tier history"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        card.body.addWidget(caption)
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels([_("Date"), _("Tier"), _("How"), _("By")])
        self.history.setAccessibleName(_("Tier history"))
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setShowGrid(False)
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.setFixedHeight(120)
        self.history.itemSelectionChanged.connect(self._history_picked)
        card.body.addWidget(self.history)
        return card

    def _build_why(self) -> QWidget:
        card = Card()
        row = QHBoxLayout()
        title = QLabel(_("Why this tier?"))
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        row.addWidget(title)
        row.addSpacing(SPACING * 2)
        self.view_group = QButtonGroup(self)
        self.view_recorded = QRadioButton(_("As recorded"))
        self.view_now = QRadioButton(_("From the record now"))
        for number, button in enumerate((self.view_recorded, self.view_now)):
            self.view_group.addButton(button, number)
            row.addWidget(button)
        self.view_group.idToggled.connect(lambda _id, on: on and self._show_why())
        row.addStretch(1)
        self.record_button = primary_button(_("Record this tier"))
        self.record_button.clicked.connect(self.record_computed)
        row.addWidget(self.record_button)
        self.override_button = QPushButton(_("Override…"))
        self.override_button.clicked.connect(self.override)
        row.addWidget(self.override_button)
        card.body.addLayout(row)
        self.why_caption = muted_label()
        card.body.addWidget(self.why_caption)
        self.suggest = Banner("warning")
        card.body.addWidget(self.suggest)
        self.why = WhyPanel()
        card.body.addWidget(self.why)
        card.body.addWidget(muted_label(_(
            "Transparent defaults ({version}), not a validated tool: every threshold is written out here, and "
            "your clinical judgement can override the result with a reason.").format(version=RULE_VERSION)))
        return card

    # -- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.client is None:
            return
        client_id = self.client.id
        self.records = self.session.risk.history(client_id)
        self.now = self.session.risk.compute(client_id)
        current = self.records[-1] if self.records else None
        self.tier.setText(tier_text(current.tier if current else None))
        self.tier.setAccessibleName(_("Current tier: {tier}").format(tier=self.tier.text()))
        if current is not None:
            how = (_("override of the computed {tier}: {reason}").format(tier=current.result.tier.label,
                                                                          reason=current.override_reason)
                   if current.overridden else _("as computed"))
            self.recorded.setText(_("Recorded {date} by {who}, {how}.").format(
                date=format_date(current.assessed_on, "long"), who=current.recorded_by or "—", how=how))
            self.cadence.setText(cadence_text(current.tier))
        else:
            self.recorded.setText(_("No tier recorded yet. The record below gives {tier}; record it when it looks "
                                    "right, or override it with a reason.").format(tier=self.now.tier.label))
            self.cadence.setText("")
        self.history.blockSignals(True)
        self.history.setRowCount(len(self.records))
        for row, record in enumerate(reversed(self.records)):
            how = (_("Override (computed {tier}): {reason}").format(tier=record.result.tier.label,
                                                                    reason=record.override_reason)
                   if record.overridden else _("Computed, total {total}").format(total=record.result.total))
            cells = [format_date(record.assessed_on, "medium"), tier_text(record.tier), how, record.recorded_by]
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.blockSignals(False)
        self.view_recorded.setEnabled(current is not None)
        self.shown_record = current
        (self.view_recorded if current is not None else self.view_now).setChecked(True)
        self._show_why()
        if current is not None and self.now.tier is not current.result.tier:
            self.suggest.show_message(_("The record now gives {now} (recorded: {then}). Record the new tier or "
                                        "override it.").format(now=tier_text(self.now.tier),
                                                              then=tier_text(current.tier)), "warning")
        else:
            self.suggest.setVisible(False)
        writable = not self.session.read_only
        self.record_button.setText(_("Record {tier}").format(tier=self.now.tier.label))
        self.record_button.setEnabled(writable)
        self.override_button.setEnabled(writable)

    def _history_picked(self) -> None:
        row = self.history.currentRow()
        if 0 <= row < len(self.records):
            self.shown_record = list(reversed(self.records))[row]
            self.view_recorded.setEnabled(True)
            if self.view_recorded.isChecked():
                self._show_why()
            else:
                self.view_recorded.setChecked(True)

    def _show_why(self) -> None:
        record = getattr(self, "shown_record", None)
        if self.view_recorded.isChecked() and record is not None:
            self.why.show_result(record.result)
            self.why_caption.setText(_("The tier recorded on {date} ({rule}), with the evidence as it stood then.").format(
                date=format_date(record.assessed_on, "long"), rule=record.result.rule_version))
        elif self.now is not None:
            self.why.show_result(self.now)
            self.why_caption.setText(_("Computed now from the latest screens and the latest assessment."))

    def clear(self) -> None:
        self.records = []
        self.now = None
        self.shown_record = None
        self.history.setRowCount(0)
        self.why.table.setRowCount(0)
        for label in (self.tier, self.recorded, self.cadence, self.why.sum, self.why.floors):
            label.clear()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        super().clear()

    # -- actions -----------------------------------------------------------------------------

    def record_computed(self) -> None:
        if self.client is None or self.now is None:
            return
        try:
            record = self.session.risk.record(self.client.id, self.now)
        except ValidationError as exc:
            self.message.show_message(str(exc), "error")
            return
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.message.show_message(_("Tier recorded: {tier}.").format(tier=tier_text(record.tier)), "info")
        self.refresh()
        self.changed.emit()

    def override(self) -> None:
        if self.client is None or self.now is None:
            return
        current = self.records[-1].tier if self.records else None
        dialog = OverrideDialog(self.session, self.client.id, self.now, current, self)
        dialog.accepted.connect(self._overridden)
        self.dialog = dialog
        dialog.open()

    def _overridden(self) -> None:
        self.dialog = None
        self.refresh()
        self.changed.emit()


class OverrideDialog(QDialog):
    """Set the tier by clinical judgement: the reason is required; leaving Crisis needs a reassessment."""

    def __init__(self, session: Session, client_id: str, result: RiskResult, current: Tier | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        self.result = result
        self.current = current
        self.setWindowTitle(_("Override the tier"))
        self.setModal(True)
        self.resize(540, 460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        title = QLabel(_("Override the tier"))
        title.setFont(theme.scaled_font(self, 1.3, bold=True))
        layout.addWidget(title)
        layout.addWidget(muted_label(_("The record gives {computed}; the current tier is {current}. Choose the tier "
                                       "your judgement gives and say why — both are kept.").format(
            computed=tier_text(result.tier), current=tier_text(current))))
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.grid = FieldGrid(columns=1)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.choices = QButtonGroup(self)
        for number, tier in enumerate(Tier):
            button = QRadioButton(tier_text(tier))
            button.setProperty("tier", tier.value)
            self.choices.addButton(button, number)
            column.addWidget(button)
            if tier is (current or result.tier):
                button.setChecked(True)
        self.choices.idToggled.connect(lambda _id, _on: self._sync())
        self.grid.add("tier", _("Tier"), box, required=True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(90)
        self.reason.setPlaceholderText(_("e.g. Lives alone and stopped eating; more contact needed than the scores show."))
        self.grid.add("reason", _("Reason"), self.reason, required=True)
        self.reassessed = QCheckBox(_("A reassessment was done today (a C-SSRS or a risk review)"))
        self.grid.add("tier_reassessed", _("Stepping down from Crisis"), self.reassessed)
        layout.addWidget(self.grid)
        layout.addStretch(1)
        _cancel, self.save_button = dialog_buttons(self, layout, _("Save override"), self.save)
        self._sync()
        self.reason.setFocus()

    def chosen(self) -> Tier:
        button = self.choices.checkedButton()
        return Tier(button.property("tier")) if button else self.result.tier

    def _sync(self) -> None:
        leaving_crisis = self.current is Tier.CRISIS and self.chosen() is not Tier.CRISIS
        self.reassessed.setVisible(leaving_crisis)
        self.grid.labels["tier_reassessed"].setVisible(leaving_crisis)

    def save(self) -> None:
        self.grid.clear_errors()
        self.error.setVisible(False)
        try:
            self.session.risk.record(self.client_id, self.result, override=self.chosen(),
                                     reason=self.reason.toPlainText(), reassessment=self.reassessed.isChecked())
        except ValidationError as exc:
            for name, message in exc.problems.items():
                self.grid.set_error("tier_reassessed" if name == "reassessment" else "reason", message)
            return
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        self.accept()
