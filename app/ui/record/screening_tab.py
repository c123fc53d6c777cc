"""The client record's "Screening" tab: the referral and its decision, the screens given (with
their answers), scores from other tools, and the way in to giving a new screen."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.i18n import _, format_date
from app.models.screening import Administration, Referral
from app.services import instruments
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.administer import AdministerDialog
from app.ui.dialogs.screening_forms import (
    AnswersDialog,
    DecisionDialog,
    ExternalScoreDialog,
    InstrumentPickerDialog,
    ReferralDialog,
)
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, muted_label, primary_button


def result_text(admin: Administration) -> str:
    """What an administration came to, in a few words."""
    if admin.instrument_id == "cssrs_screener":
        return _("Risk: {level}").format(level=admin.risk or "—")
    if not admin.valid or admin.total is None:
        return _("No total (too many items unanswered)")
    text = str(admin.total) + (f" ({admin.percent}%)" if admin.percent is not None else "")
    if admin.band:
        text += " · " + admin.band
    if admin.positive:
        text += " · " + _("positive")
    return text


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ScreeningTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.referral: Referral | None = None
        self.given: list[Administration] = []
        self.administrations: list[Administration] = []
        self.dialog: AdministerDialog | None = None
        actions = QHBoxLayout()
        actions.setSpacing(SPACING)
        self.give_button = primary_button(_("Give a screen…"))
        self.give_button.setToolTip(_("Give a screen (Ctrl+G)"))
        self.give_button.clicked.connect(self.pick)
        actions.addWidget(self.give_button)
        self.external_button = QPushButton(_("Score from another tool…"))
        self.external_button.clicked.connect(self._external)
        actions.addWidget(self.external_button)
        self.referral_button = QPushButton(_("New referral…"))
        self.referral_button.clicked.connect(self._new_referral)
        actions.addWidget(self.referral_button)
        actions.addStretch(1)
        self.layout_.addLayout(actions)
        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.empty = EmptyState(
            _("No referral or screens yet"),
            _("Record how this client came to you, then give the first screens: the PHQ-2 and GAD-2 take a "
              "minute and lead on to the PHQ-9 and GAD-7 when positive."))
        self.layout_.addWidget(self.empty)
        self.content = QWidget()
        body = QHBoxLayout(self.content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(SPACING * 2)
        body.addWidget(self._build_referral(), 2)
        body.addWidget(self._build_screens(), 5)
        self.layout_.addWidget(self.content, 1)

    # -- building ----------------------------------------------------------------------------

    def _build_referral(self) -> QWidget:
        card = Card()
        title = QLabel(_("Referral"))
        title.setFont(theme.scaled_font(self, 1.05, bold=True))
        card.body.addWidget(title)
        self.referral_form = QFormLayout()
        self.referral_form.setHorizontalSpacing(SPACING * 2)
        self.referral_values: dict[str, QLabel] = {}
        for key, label in (("received", _("Received")), ("urgency", _("Urgency")), ("source", _("Source")),
                           ("referrer", _("Referrer")), ("reason", _("Reason")), ("screens", _("Screens given")),
                           ("decision", _("Decision"))):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(label)
            caption.setProperty("muted", True)
            self.referral_form.addRow(caption, value)
            self.referral_values[key] = value
        card.body.addLayout(self.referral_form)
        self.decide_button = QPushButton(_("Record the decision…"))
        self.decide_button.clicked.connect(self._decide)
        card.body.addWidget(self.decide_button)
        self.no_referral = muted_label(_("No referral recorded."))
        card.body.addWidget(self.no_referral)
        card.body.addStretch(1)
        return card

    def _build_screens(self) -> QWidget:
        card = Card()
        title = QLabel(_("Screens given"))
        title.setFont(theme.scaled_font(self, 1.05, bold=True))
        card.body.addWidget(title)
        card.body.addWidget(muted_label(_("Newest first. Enter or double-click shows the answers.")))
        self.screens = _table([_("Date"), _("Instrument"), _("Result"), _("Alert"), _("Given by")],
                              _("Screens given"))
        self.screens.itemActivated.connect(lambda _item: self._show_answers())
        card.body.addWidget(self.screens, 3)
        caption = QLabel(_("Scores from other tools"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        card.body.addWidget(caption)
        self.external = _table([_("Date"), _("Tool"), _("Total"), _("Level"), _("Note")], _("Scores from other tools"))
        self.external.setMaximumHeight(150)
        card.body.addWidget(self.external, 1)
        self.no_external = muted_label(_("None yet. LOCUS, DLA-20, ANSA, WHODAS and others go here."))
        card.body.addWidget(self.no_external)
        return card

    # -- data --------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.client is None:
            return
        client_id = self.client.id
        referrals = self.session.screening.referrals(client_id)
        self.referral = referrals[-1] if referrals else None
        self.given = self.session.screening.history(client_id)  # oldest first, as given
        self.administrations = list(reversed(self.given))
        externals = self.session.screening.external_scores(client_id)
        empty = self.referral is None and not self.administrations and not externals
        self.empty.setVisible(empty)
        self.content.setVisible(not empty)
        self._show_referral()
        catalog = instruments.catalog()
        self.screens.setRowCount(len(self.administrations))
        for row, admin in enumerate(self.administrations):
            name = catalog[admin.instrument_id].short_name if admin.instrument_id in catalog else admin.instrument_id
            cells = [format_date(admin.administered_on, "medium"), name, result_text(admin),
                     _("⚠ Suicide-risk flag") if admin.flags else "", admin.recorded_by]
            for column, text in enumerate(cells):
                self.screens.setItem(row, column, QTableWidgetItem(text))
        self.screens.resizeColumnsToContents()
        self.screens.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.external.setVisible(bool(externals))
        self.no_external.setVisible(not externals)
        self.external.setRowCount(len(externals))
        for row, ext in enumerate(sorted(externals, key=lambda e: e.scored_on, reverse=True)):
            for column, text in enumerate([format_date(ext.scored_on, "medium"), ext.tool, ext.total or "—",
                                           ext.level or "—", ext.note]):
                self.external.setItem(row, column, QTableWidgetItem(text))
        writable = not self.session.read_only
        for button in (self.give_button, self.external_button, self.referral_button):
            button.setEnabled(writable)
        self.decide_button.setEnabled(writable and self.referral is not None and self.referral.decision is None)

    def _show_referral(self) -> None:
        r = self.referral
        self.no_referral.setVisible(r is None)
        for label in self.referral_values.values():
            label.setVisible(r is not None)
            caption = self.referral_form.labelForField(label)
            if caption is not None:
                caption.setVisible(r is not None)
        self.decide_button.setVisible(r is not None and r.decision is None)
        if r is None:
            return
        f = r.fields
        referrer = " · ".join(x for x in (f.referrer_name, f.referrer_contact) if x)
        if r.decision is not None:
            decision = _("{decision}, {date}: {reason}").format(
                decision=r.decision.label, date=format_date(r.decision_on, "medium"), reason=r.decision_reason)
        else:
            decision = _("Not decided yet")
        catalog = instruments.catalog()
        given = [catalog[a.instrument_id].short_name if a.instrument_id in catalog else a.instrument_id
                 for a in self.given if a.referral_id == r.id]
        values = {"received": format_date(f.received_on, "long"), "urgency": f.urgency.label, "source": f.source,
                  "referrer": referrer, "reason": f.reason, "screens": ", ".join(given), "decision": decision}
        for key, label in self.referral_values.items():
            label.setText(values[key] or "—")

    def clear(self) -> None:
        self.referral = None
        self.given = []
        self.administrations = []
        self.screens.setRowCount(0)
        self.external.setRowCount(0)
        for label in self.referral_values.values():
            label.clear()
        if self.dialog is not None:
            self.dialog.close_for_lock()
            self.dialog = None
        super().clear()

    # -- actions -----------------------------------------------------------------------------

    def pick(self) -> None:
        if self.client is None or self.session.read_only:
            return
        picker = InstrumentPickerDialog(self)
        picker.chosen.connect(self.give)
        self.picker = picker
        picker.open()

    def give(self, instrument_id: str, prefill: Mapping[str, int | None] | None = None) -> None:
        if self.client is None or self.session.read_only:
            return
        catalog = instruments.catalog()
        if instrument_id not in catalog:
            self.message.show_message(_("That instrument is not available."), "error")
            return
        open_referral = self.referral.id if self.referral is not None and self.referral.decision is None else None
        dialog = AdministerDialog(self.session, self.client, catalog[instrument_id], prefill, open_referral, self)
        dialog.saved.connect(lambda _admin: self._saved())
        dialog.next_step.connect(self._next_step)
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: AdministerDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _saved(self) -> None:
        self.refresh()
        self.changed.emit()

    def _next_step(self, action: str, instrument_id: str, prefill: object) -> None:
        if action == "give":
            self.give(instrument_id, prefill if isinstance(prefill, dict) else None)
        else:
            self.navigate.emit(action)

    def _new_referral(self) -> None:
        if self.client is None:
            return
        dialog = ReferralDialog(self.session, self.client, self)
        dialog.saved.connect(lambda _r: self._saved())
        self.form_dialog = dialog
        dialog.open()

    def _decide(self) -> None:
        if self.referral is None:
            return
        dialog = DecisionDialog(self.session, self.referral, self)
        dialog.saved.connect(lambda _r: self._saved())
        self.form_dialog = dialog
        dialog.open()

    def _external(self) -> None:
        if self.client is None:
            return
        dialog = ExternalScoreDialog(self.session, self.client, self)
        dialog.saved.connect(lambda _r: self._saved())
        self.form_dialog = dialog
        dialog.open()

    def _show_answers(self) -> None:
        row = self.screens.currentRow()
        if not 0 <= row < len(self.administrations):
            return
        try:
            dialog = AnswersDialog(self.administrations[row], self)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.form_dialog = dialog
        dialog.open()
