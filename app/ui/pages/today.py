"""Today: the caseload at a glance (counts by stage), the clients viewed most recently, and what
needs following up: safety alerts and plans to review, overdue referrals, quiet care-team members."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.client import RosterRow, Stage
from app.models.contacts import DEFAULT_QUIET_DAYS, QuietMember
from app.models.screening import SafetyAlert
from app.models.service_referral import ServiceReferral
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.review_alert import describe
from app.ui.theme import SPACING
from app.ui.widgets.common import Card, EmptyState, PageHeader, muted_label, primary_button

LIST_LIMIT = 200  # rows filled into a follow-up list; the title gives the full count


class StageTile(QPushButton):
    """A count and its stage; activating it shows those clients."""

    def __init__(self, stage: Stage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("Tile")
        self.setMinimumHeight(76)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        self.count_label = QLabel()
        self.count_label.setObjectName("TileCount")
        self.count_label.setFont(theme.scaled_font(self, 1.7, bold=True))
        number = f"{stage.number}. " if stage.number else ""
        self.label = QLabel(number + stage.label)
        self.label.setObjectName("TileLabel")
        for label in (self.count_label, self.label):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(label)
        self.setToolTip(_("Show these clients"))
        self.set_count(0)

    def set_count(self, count: int) -> None:
        self.count_label.setText(str(count))
        self.setAccessibleName(_("{stage}: {n} clients").format(stage=self.stage.label, n=count))
        self.count = count


class TodayPage(QWidget):
    open_client = Signal(str)
    open_record_tab = Signal(str, str)  # a client id, the record tab ("safety_plan", "care_plan" …)
    open_team = Signal(str)  # a client id: their record on the Team & referrals tab
    show_stage = Signal(object)  # Stage
    new_client = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.discreet = False
        self._recent: list[RosterRow] = []
        self._open_alerts: list[SafetyAlert] = []
        self._plans_due: list[tuple[str, str, date]] = []  # (record tab, client id, review date)
        self._overdue: list[ServiceReferral] = []
        self._follow_ups_stale = False
        self._quiet: list[QuietMember] = []
        self.quiet_days = DEFAULT_QUIET_DAYS
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(SPACING * 3, SPACING * 3, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING * 2)
        self.header = PageHeader(_("Today"))
        add = self.header.add_action(primary_button(_("New client")))
        add.clicked.connect(self.new_client)
        layout.addWidget(self.header)

        self.alerts_card = Card()
        self.alerts_card.setObjectName("AlertCard")
        self.alerts_title = QLabel()
        self.alerts_title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.alerts_card.body.addWidget(self.alerts_title)
        self.alerts_card.body.addWidget(muted_label(_(
            "Each stays here until it is reviewed on the client's record. Open one with Enter or a double-click.")))
        self.alerts = QListWidget()
        self.alerts.setObjectName("Recent")
        self.alerts.setAccessibleName(_("Suicide-risk alerts to review"))
        self.alerts.itemActivated.connect(lambda item: self.open_client.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.alerts_card.body.addWidget(self.alerts)
        layout.addWidget(self.alerts_card)

        self.caseload = Card()
        title = QLabel(_("Caseload by stage"))
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.caseload.body.addWidget(title)
        self.total = muted_label("")
        self.caseload.body.addWidget(self.total)
        grid = QGridLayout()
        grid.setSpacing(SPACING)
        self.tiles: dict[Stage, StageTile] = {}
        for number, stage in enumerate(Stage):
            tile = StageTile(stage)
            tile.clicked.connect(lambda _checked=False, s=stage: self.show_stage.emit(s))
            grid.addWidget(tile, number // 6, number % 6)
            self.tiles[stage] = tile
        self.caseload.body.addLayout(grid)
        layout.addWidget(self.caseload)

        self.recent_card = Card()
        title = QLabel(_("Recently viewed"))
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.recent_card.body.addWidget(title)
        self.recent = QListWidget()
        self.recent.setObjectName("Recent")
        self.recent.setAccessibleName(_("Recently viewed clients"))
        self.recent.itemActivated.connect(lambda item: self.open_client.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.recent.setMinimumHeight(140)
        self.recent_card.body.addWidget(self.recent)
        self.recent_empty = muted_label(_("Clients you open appear here, so you can get back to them quickly."))
        self.recent_card.body.addWidget(self.recent_empty)
        self.plans_card = Card()
        self.plans_title = QLabel()
        self.plans_title.setWordWrap(True)
        self.plans_title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.plans_card.body.addWidget(self.plans_title)
        self.plans_card.body.addWidget(muted_label(_(
            "Safety plans and care plans whose review date has come: go through them with the client.")))
        self.plans = QListWidget()
        self.plans.setObjectName("Recent")
        self.plans.setAccessibleName(_("Plans due for review"))
        self.plans.itemActivated.connect(
            lambda item: self.open_record_tab.emit(*item.data(Qt.ItemDataRole.UserRole)))
        self.plans.setMinimumHeight(140)
        self.plans_card.body.addWidget(self.plans)
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self.recent_card, 1)
        row.addWidget(self.plans_card, 1)
        layout.addLayout(row)

        self.overdue_card, self.overdue_title, self.overdue = self._follow_up_card(
            _("Follow up with the service, then update the referral on the client's Team tab."),
            _("Overdue referrals"))
        self.quiet_card, self.quiet_title, self.quiet = self._follow_up_card(
            _("Care-team members nobody has heard from: call or write, then press “In touch today” on the Team tab."),
            _("Care-team members not in touch"))
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self.overdue_card, 1)
        row.addWidget(self.quiet_card, 1)
        layout.addLayout(row)

        add_first = primary_button(_("Add your first client"))
        add_first.clicked.connect(self.new_client)
        self.empty = EmptyState(
            _("Your caseload is empty"),
            _("Add a client to begin, or import a roster with File → Import clients."),
            add_first,
        )
        layout.addWidget(self.empty)
        layout.addStretch(1)

    def _follow_up_card(self, explanation: str, list_name: str) -> tuple[Card, QLabel, QListWidget]:
        card = Card()
        title = QLabel()
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        title.setWordWrap(True)
        card.body.addWidget(title)
        card.body.addWidget(muted_label(explanation))
        items = QListWidget()
        items.setObjectName("Recent")
        items.setAccessibleName(list_name)
        items.setMinimumHeight(140)
        items.setWordWrap(True)
        items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        items.setToolTip(_("Enter or a double-click opens the client's Team tab"))
        items.itemActivated.connect(lambda item: self.open_team.emit(item.data(Qt.ItemDataRole.UserRole)))
        card.body.addWidget(items)
        return card, title, items

    def refresh(self) -> None:
        today = self.session.clock.today()
        self.header.set_subtitle(format_date(today, "full"))
        counts = self.session.clients.stage_counts()
        total = sum(counts.values())
        for stage, tile in self.tiles.items():
            tile.set_count(counts.get(stage, 0))
        open_cases = total - counts.get(Stage.CLOSED, 0)
        self.total.setText(_("{open} open cases · {total} clients in all (archived not counted)").format(
            open=open_cases, total=total))
        self._recent = self.session.clients.recently_viewed()
        self._fill_recent()
        self._open_alerts = self.session.screening.open_alerts()
        self._fill_alerts()
        has_clients = total > 0
        self.caseload.setVisible(has_clients)
        self.recent_card.setVisible(has_clients)
        self.empty.setVisible(not has_clients)
        # The follow-up lists read more of the vault: they fill in just after the page is shown
        # (and not at all if another page is shown first, as when the app resumes on the roster).
        self._follow_ups_stale = True
        QTimer.singleShot(0, self, self._refresh_follow_ups)

    def _refresh_follow_ups(self) -> None:
        if not self._follow_ups_stale or not self.isVisible() or not self.session.is_open:
            return
        self._follow_ups_stale = False
        today = self.session.clock.today()
        self._plans_due = sorted(
            [("safety_plan", client_id, on) for _plan, client_id, on in self.session.safety_plans.reviews_due(today)]
            + [("care_plan", r.client_id, r.review_on) for r in self.session.care_plans.reviews_due(today)],
            key=lambda due: due[2])
        self._fill_plans()
        self._overdue = self.session.service_referrals.overdue(today)
        self._quiet = self.session.contacts.out_of_touch(self.quiet_days, today)
        self._fill_follow_ups()
        self.plans_card.setVisible(bool(self._plans_due))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._follow_ups_stale:
            QTimer.singleShot(0, self, self._refresh_follow_ups)

    def _fill_recent(self) -> None:
        self.recent.clear()
        for row in self._recent:
            name = row.initials if self.discreet else row.display_name
            item = QListWidgetItem(f"{name}  ·  {row.client_code}  ·  {row.stage.label}")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.recent.addItem(item)
        self.recent.setVisible(bool(self._recent))
        self.recent_empty.setVisible(not self._recent)

    def _fill_plans(self) -> None:
        self.plans.clear()
        shown = self._plans_due[:LIST_LIMIT]
        count = len(self._plans_due)
        self.plans_title.setText(ngettext("{n} plan to review", "{n} plans to review", count).format(n=count)
                                 + self._more(count))
        names = {r.id: r for r in self.session.clients.rows({due[1] for due in shown})}
        kinds = {"safety_plan": _("Safety plan"), "care_plan": _("Care plan")}
        for tab, client_id, review_on in shown:
            row = names.get(client_id)
            if row is None:
                continue
            who = row.initials if self.discreet else row.display_name
            item = QListWidgetItem(_("{kind}: {who} · {code} — review due {date}").format(
                kind=kinds[tab], who=who, code=row.client_code, date=format_date(review_on, "medium")))
            item.setData(Qt.ItemDataRole.UserRole, (client_id, tab))
            self.plans.addItem(item)

    def _fill_follow_ups(self) -> None:
        today = self.session.clock.today()
        shown_overdue, shown_quiet = self._overdue[:LIST_LIMIT], self._quiet[:LIST_LIMIT]
        names = {r.id: r for r in self.session.clients.rows(
            {r.client_id for r in shown_overdue} | {q.client_id for q in shown_quiet})}

        def who(client_id: str) -> str | None:
            row = names.get(client_id)
            if row is None:
                return None
            return f"{row.initials if self.discreet else row.display_name} · {row.client_code}"

        self.overdue.clear()
        for referral in shown_overdue:
            client = who(referral.client_id)
            if client is None:
                continue
            late = referral.days_overdue(today)
            to = referral.to_organisation or referral.to_name
            text = ngettext("⚠ {n} day overdue — {who} — {service} ({to})",
                            "⚠ {n} days overdue — {who} — {service} ({to})", late).format(
                who=client, service=referral.fields.service, to=to, n=late)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, referral.client_id)
            self.overdue.addItem(item)
        count = len(self._overdue)
        self.overdue_title.setText(ngettext("{n} referral overdue", "{n} referrals overdue", count).format(n=count)
                                   + self._more(count))
        self.overdue_card.setVisible(count > 0)

        self.quiet.clear()
        for member in shown_quiet:
            client = who(member.client_id)
            if client is None:
                continue
            # In discreet mode a family member's name could say who the client is: the role only.
            if self.discreet:
                person = member.role
            else:
                person = f"{member.contact_name} ({member.role})" if member.role else member.contact_name
            days = member.days_quiet(today)
            text = ngettext("{n} day — {who} — {person}", "{n} days — {who} — {person}", days).format(
                who=client, person=person or "—", n=days)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, member.client_id)
            self.quiet.addItem(item)
        count = len(self._quiet)
        self.quiet_title.setText(ngettext("{n} care-team member not in touch for {days}+ days",
                                          "{n} care-team members not in touch for {days}+ days", count).format(
            n=count, days=self.quiet_days) + self._more(count))
        self.quiet_card.setVisible(count > 0)

    @staticmethod
    def _more(count: int) -> str:
        return " " + _("(the first {n} shown)").format(n=LIST_LIMIT) if count > LIST_LIMIT else ""

    def _fill_alerts(self) -> None:
        self.alerts.clear()
        names = {r.id: r for r in self.session.clients.rows({a.client_id for a in self._open_alerts})}
        for alert in self._open_alerts:
            row = names.get(alert.client_id)
            who = (row.initials if self.discreet else row.display_name) + f" · {row.client_code}" if row else "?"
            item = QListWidgetItem(f"⚠ {who} — {describe(alert)}")
            item.setData(Qt.ItemDataRole.UserRole, alert.client_id)
            self.alerts.addItem(item)
        count = len(self._open_alerts)
        row_height = self.alerts.sizeHintForRow(0) if count else 0
        self.alerts.setFixedHeight(min(160, row_height * count + 8))
        self.alerts_title.setText(ngettext("⚠ {n} suicide-risk alert needs review", "⚠ {n} suicide-risk alerts need review",
                                           count).format(n=count))
        self.alerts_card.setVisible(count > 0)

    def set_discreet(self, on: bool) -> None:
        self.discreet = on
        self._fill_recent()
        if self._open_alerts:
            self._fill_alerts()
        if self._plans_due:
            self._fill_plans()
        if self._overdue or self._quiet:
            self._fill_follow_ups()

    def clear(self) -> None:
        self._follow_ups_stale = False
        self._recent = []
        self._open_alerts = []
        self._plans_due = []
        self._overdue, self._quiet = [], []
        self.overdue.clear()
        self.quiet.clear()
        self.recent.clear()
        self.alerts.clear()
        self.plans.clear()
