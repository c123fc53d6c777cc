"""A client's record: an always-visible header (who, stage) and tabs that follow the work."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date, ngettext
from app.models.client import Client, sex_at_birth_labels
from app.models.screening import crisis_line
from app.services.clients import ClientRecord
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.review_alert import ReviewAlertDialog, describe
from app.ui.record.assessment_tab import AssessmentTab
from app.ui.record.base import RecordTab
from app.ui.record.care_plan_tab import CarePlanTab
from app.ui.record.documents_tab import DocumentsTab
from app.ui.record.follow_ups_tab import FollowUpsTab
from app.ui.record.notes_tab import NotesTab
from app.ui.record.outcomes_tab import OutcomesTab
from app.ui.record.releases_tab import ReleasesTab
from app.ui.record.risk_tab import RiskTab
from app.ui.record.safety_plan_tab import SafetyPlanTab
from app.ui.record.screening_tab import ScreeningTab
from app.ui.record.team_tab import TeamTab
from app.ui.record.transition_tab import TransitionTab
from app.ui.record.trends_tab import TrendsTab
from app.ui.roster_model import tier_text
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, link_button, muted_label, primary_button


class ClientRecordPage(QWidget):
    back = Signal()
    edit_requested = Signal(str)
    stage_requested = Signal(str)
    report_requested = Signal(str, str)  # a client id and a report kind ('' for the dialog's default)
    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.record: ClientRecord | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        self.back_button = link_button(_("← All clients"))
        self.back_button.setToolTip(_("Back to the roster (Alt+Left)"))
        self.back_button.clicked.connect(self.back)
        layout.addWidget(self.back_button)
        layout.addWidget(self._build_header())
        self.alert_banner = Banner("error")
        self.review_button = self.alert_banner.add_button(_("Review…"), self._review_alert)
        layout.addWidget(self.alert_banner)
        self.message = Banner("info")
        layout.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(False)
        self.tabs.setAccessibleName(_("Client record sections"))
        self.tabs.tabBar().setAccessibleName(_("Client record sections"))
        self.tabs.addTab(self._build_overview(), _("Overview"))
        self.screening_tab = ScreeningTab(session)
        self.assessment_tab = AssessmentTab(session)
        self.risk_tab = RiskTab(session)
        self.safety_plan_tab = SafetyPlanTab(session)
        self.trends_tab = TrendsTab(session)
        self.care_plan_tab = CarePlanTab(session)
        self.notes_tab = NotesTab(session)
        self.team_tab = TeamTab(session)
        self.documents_tab = DocumentsTab(session)
        self.follow_ups_tab = FollowUpsTab(session)
        self.transition_tab = TransitionTab(session)
        self.releases_tab = ReleasesTab(session)
        self.outcomes_tab = OutcomesTab(session)
        self.outcomes_tab.report_requested.connect(
            lambda kind: self.record and self.report_requested.emit(self.record.client.id, kind))
        self.record_tabs: list[RecordTab] = [
            self.screening_tab, self.assessment_tab, self.risk_tab, self.safety_plan_tab, self.trends_tab,
            self.care_plan_tab, self.notes_tab, self.follow_ups_tab, self.team_tab, self.releases_tab,
            self.documents_tab, self.transition_tab, self.outcomes_tab,
        ]
        titles = (_("Screening"), _("Assessment"), _("Risk"), _("Safety plan"), _("Trends"), _("Care plan"),
                  _("Notes"), _("Follow-ups"), _("Team & referrals"), _("Releases"), _("Documents"),
                  _("Transitions"), _("Outcomes"))
        for tab, title in zip(self.record_tabs, titles, strict=True):
            tab.setAccessibleName(title)
            tab.changed.connect(self._tab_changed)
            tab.navigate.connect(self.navigate)
            self.tabs.addTab(tab, title.replace("&", "&&"))  # a literal &, not a mnemonic
        self.tabs.addTab(self._build_history(), _("Case stage"))
        layout.addWidget(self.tabs, 1)
        give = QShortcut(QKeySequence("Ctrl+G"), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        give.activated.connect(self.give_screen)

    @property
    def session(self) -> Session:
        return self._session

    @session.setter
    def session(self, session: Session) -> None:
        """The workspace binds the session once the vault is open; the tabs follow."""
        self._session = session
        for tab in self.record_tabs:
            tab.session = session

    # -- header ------------------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        header = Card()
        row = QHBoxLayout()
        header.body.addLayout(row)
        names = QVBoxLayout()
        names.setSpacing(2)
        self.name = QLabel()
        self.name.setFont(theme.scaled_font(self, 1.7, bold=True))
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.addWidget(self.name)
        self.legal = muted_label("")
        names.addWidget(self.legal)
        self.facts = QLabel()
        names.addWidget(self.facts)
        row.addLayout(names, 1)
        badges = QVBoxLayout()
        badges.setSpacing(SPACING)
        self.stage_badge = QLabel()
        self.stage_badge.setObjectName("Badge")
        self.stage_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badges.addWidget(self.stage_badge, 0, Qt.AlignmentFlag.AlignRight)
        self.tier_badge = QLabel()
        self.tier_badge.setObjectName("Badge")
        self.tier_badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badges.addWidget(self.tier_badge, 0, Qt.AlignmentFlag.AlignRight)
        self.archived_badge = QLabel(_("Archived"))
        self.archived_badge.setObjectName("Badge")
        badges.addWidget(self.archived_badge, 0, Qt.AlignmentFlag.AlignRight)
        row.addLayout(badges)
        actions = QHBoxLayout()
        actions.setSpacing(SPACING)
        self.edit_button = primary_button(_("Edit details"))
        self.edit_button.setToolTip(_("Edit (Ctrl+E)"))
        self.edit_button.clicked.connect(lambda: self.record and self.edit_requested.emit(self.record.client.id))
        actions.addWidget(self.edit_button)
        self.stage_button = QPushButton(_("Change stage…"))
        self.stage_button.clicked.connect(lambda: self.record and self.stage_requested.emit(self.record.client.id))
        actions.addWidget(self.stage_button)
        self.report_button = QPushButton(_("Report…"))
        self.report_button.setToolTip(_("Make a report about this client: preview, save, print or send (Ctrl+R)"))
        self.report_button.setAccessibleName(_("Make a report about this client"))
        self.report_button.clicked.connect(lambda: self.record and self.report_requested.emit(self.record.client.id, ""))
        actions.addWidget(self.report_button)
        self.archive_button = QPushButton(_("Archive"))
        self.archive_button.clicked.connect(self._toggle_archive)
        actions.addWidget(self.archive_button)
        actions.addStretch(1)
        header.body.addLayout(actions)
        return header

    # -- tabs --------------------------------------------------------------------------------

    def _card(self, title: str) -> tuple[Card, QFormLayout]:
        card = Card()
        caption = QLabel(title)
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        card.body.addWidget(caption)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setHorizontalSpacing(SPACING * 2)
        form.setVerticalSpacing(SPACING)
        card.body.addLayout(form)
        card.body.addStretch(1)
        return card, form

    def _build_overview(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setAccessibleName(_("Overview"))
        scroll.setWidgetResizable(True)
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setContentsMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2)
        grid.setSpacing(SPACING * 2)
        self.values: dict[str, QLabel] = {}
        sections = [
            (_("Contact"), [("phone", _("Phone")), ("phone_alt", _("Other phone")), ("email", _("Email")),
                            ("address", _("Address"))]),
            (_("About"), [("dob", _("Date of birth")), ("sex", _("Sex assigned at birth")),
                          ("gender", _("Gender identity")), ("language", _("Language"))]),
            (_("Emergency contact"), [("emergency", _("Name")), ("emergency_phone", _("Phone"))]),
            (_("Case"), [("code", _("Client code")), ("referral", _("Referral date")),
                         ("insurance", _("Insurance / Medicaid ID")), ("stage_since", _("At this stage since"))]),
        ]
        for number, (title, rows) in enumerate(sections):
            card, form = self._card(title)
            for key, label in rows:
                value = QLabel()
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                caption = QLabel(label)
                caption.setProperty("muted", True)
                form.addRow(caption, value)
                self.values[key] = value
            grid.addWidget(card, number // 2, number % 2)
        grid.setRowStretch(2, 1)
        scroll.setWidget(inner)
        return scroll

    def _build_history(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(SPACING * 2, SPACING * 2, SPACING * 2, SPACING * 2)
        layout.addWidget(muted_label(_(
            "Referred, then the nine stages of case management, then closed. Each change keeps its "
            "date and note."
        )))
        self.history = QTableWidget(0, 4)
        self.history.setHorizontalHeaderLabels([_("Date"), _("From"), _("To"), _("Note")])
        self.history.setAccessibleName(_("Stage history"))
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.history.setShowGrid(False)
        layout.addWidget(self.history, 1)
        return page

    # -- data --------------------------------------------------------------------------------

    def load(self, record: ClientRecord) -> None:
        self.record = record
        c = record.client
        f = c.fields
        self.name.setText(c.display_name)
        self.name.setAccessibleName(c.display_name)
        self.legal.setText(_("Legal name: {name}").format(name=c.legal_name))
        self.legal.setVisible(bool(f.preferred_name) and f.preferred_name != f.first_name)
        facts = [f.pronouns] if f.pronouns else []
        age = c.age(self.session.clock.today())
        if age is not None:
            facts.append(_("{age} years").format(age=age))
        facts.append(_("Client code {code}").format(code=c.client_code))
        self.facts.setText("  ·  ".join(facts))
        number = f"{c.stage.number}/9 · " if c.stage.number else ""
        self.stage_badge.setText(_("Stage: {stage}").format(stage=number + c.stage.label))
        self.stage_badge.setAccessibleName(_("Case stage: {stage}").format(stage=c.stage.label))
        self.archived_badge.setVisible(c.archived)
        tier = self.session.risk.current(c.id)
        self.tier_badge.setText(_("Risk tier: {tier}").format(tier=tier_text(tier)))
        self.tier_badge.setAccessibleName(self.tier_badge.text())
        self._show_alerts(c.id)
        self.archive_button.setText(_("Restore from archive") if c.archived else _("Archive"))
        address = "\n".join(p for p in (f.address_line1, f.address_line2,
                                        " ".join(x for x in (f.city, f.region, f.postal_code) if x)) if p)
        language = f.language + (" · " + _("interpreter needed") if f.interpreter_needed else "")
        emergency = f.emergency_name + (f" ({f.emergency_relationship})" if f.emergency_relationship and f.emergency_name else "")
        since = record.history[-1].on if record.history else None
        values = {
            "phone": f.phone, "phone_alt": f.phone_alt, "email": f.email, "address": address,
            "dob": format_date(f.date_of_birth, "long"), "sex": sex_at_birth_labels().get(f.sex_at_birth, "") if f.sex_at_birth else "",
            "gender": f.gender_identity, "language": language, "emergency": emergency,
            "emergency_phone": f.emergency_phone, "code": c.client_code,
            "referral": format_date(f.referral_date, "long"), "insurance": f.insurance_id,
            "stage_since": format_date(since, "long"),
        }
        for key, label in self.values.items():
            text = values.get(key, "")
            label.setText(text or "—")
            label.setAccessibleName(text or _("not recorded"))
        self.history.setRowCount(len(record.history))
        for row, change in enumerate(reversed(record.history)):
            cells = [format_date(change.on, "medium"), change.from_stage.label if change.from_stage else "—",
                     change.to_stage.label, change.note]
            for column, text in enumerate(cells):
                self.history.setItem(row, column, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        self.history.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for tab in self.record_tabs:
            tab.load(c)
        self.edit_button.setEnabled(not self.session.read_only)
        self.stage_button.setEnabled(not self.session.read_only)
        self.archive_button.setEnabled(not self.session.read_only)

    def _show_alerts(self, client_id: str) -> None:
        """An unreviewed suicide-risk alert can't be missed: it sits above everything else."""
        self.alerts = self.session.screening.open_alerts(client_id)
        if not self.alerts:
            self.alert_banner.setVisible(False)
            return
        more = len(self.alerts) - 1
        text = _("Suicide-risk alert, not yet reviewed: {what}.").format(what=describe(self.alerts[0]))
        if more:
            text += " " + ngettext("{n} more alert.", "{n} more alerts.", more).format(n=more)
        text += " " + crisis_line(current_locale())
        self.alert_banner.show_message(text, "error")
        self.review_button.setEnabled(not self.session.read_only)

    def _review_alert(self) -> None:
        if not getattr(self, "alerts", None):
            return
        dialog = ReviewAlertDialog(self.session, self.alerts[0], self)
        dialog.accepted.connect(self.reload)
        dialog.accepted.connect(self.changed)
        self.alert_dialog = dialog
        dialog.open()

    def give_screen(self) -> None:
        """Ctrl+G: to the Screening tab, choosing what to give."""
        if self.record is None:
            return
        self.tabs.setCurrentWidget(self.screening_tab)
        self.screening_tab.pick()

    def navigate(self, where: str) -> None:
        """A tab asks for another part of the record (after a screen: the safety plan, the alert)."""
        tabs = {"screening": self.screening_tab, "assessment": self.assessment_tab, "risk": self.risk_tab,
                "safety_plan": self.safety_plan_tab, "trends": self.trends_tab, "care_plan": self.care_plan_tab,
                "notes": self.notes_tab, "team": self.team_tab, "documents": self.documents_tab,
                "follow_ups": self.follow_ups_tab, "transitions": self.transition_tab,
                "releases": self.releases_tab, "outcomes": self.outcomes_tab}
        if where == "review_alert":
            if self.record is not None:
                self._show_alerts(self.record.client.id)
                self._review_alert()
        elif where in tabs:
            self.tabs.setCurrentWidget(tabs[where])
            tabs[where].setFocus(Qt.FocusReason.OtherFocusReason)

    def _tab_changed(self) -> None:
        """A tab saved something: refresh the header, banners and the other tabs, and tell the shell."""
        self.reload()
        self.changed.emit()

    def reload(self) -> None:
        if self.record is not None:
            self.load(ClientRecord(self.session.clients.get(self.record.client.id),
                                   self.session.clients.stage_history(self.record.client.id)))

    def clear(self) -> None:
        """Drop every view of the client (on lock): dialogs first, keeping their drafts."""
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                closer = getattr(dialog, "close_for_lock", None)
                if callable(closer):
                    closer()
                else:
                    dialog.reject()
        self.record = None
        self.name.clear()
        self.legal.clear()
        self.facts.clear()
        for label in self.values.values():
            label.clear()
        self.history.setRowCount(0)
        for tab in self.record_tabs:
            tab.clear()

    def client(self) -> Client | None:
        return self.record.client if self.record else None

    def _toggle_archive(self) -> None:
        client = self.client()
        if client is None:
            return
        try:
            if client.archived:
                self.session.clients.unarchive(client.id)
                self.message.show_message(_("Restored from the archive."), "info")
            else:
                answer = QMessageBox.question(
                    self, _("Archive this client?"),
                    _("Archived clients are hidden from the roster and Today but nothing is deleted. "
                      "You can restore them any time (Clients → Show archived)."),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                    QMessageBox.StandardButton.Cancel,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return
                self.session.clients.archive(client.id)
                self.message.show_message(_("Archived. Find them with Clients → Show archived."), "info")
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.reload()
        self.changed.emit()
