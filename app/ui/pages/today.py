"""Today: the caseload at a glance (counts by stage) and the clients viewed most recently."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from app.models.safety_plan import SafetyPlan
from app.models.screening import SafetyAlert
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.review_alert import describe
from app.ui.theme import SPACING
from app.ui.widgets.common import Card, EmptyState, PageHeader, muted_label, primary_button


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
    open_safety_plan = Signal(str)  # a client id
    show_stage = Signal(object)  # Stage
    new_client = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.discreet = False
        self._recent: list[RosterRow] = []
        self._open_alerts: list[SafetyAlert] = []
        self._plans_due: list[SafetyPlan] = []
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
        title = QLabel(_("Safety plans to review"))
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        self.plans_card.body.addWidget(title)
        self.plans_card.body.addWidget(muted_label(_(
            "Their review date has come: go through the plan with the client and sign it again.")))
        self.plans = QListWidget()
        self.plans.setObjectName("Recent")
        self.plans.setAccessibleName(_("Safety plans due for review"))
        self.plans.itemActivated.connect(lambda item: self.open_safety_plan.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.plans.setMinimumHeight(140)
        self.plans_card.body.addWidget(self.plans)
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self.recent_card, 1)
        row.addWidget(self.plans_card, 1)
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
        self._plans_due = self.session.safety_plans.due_for_review(today)
        self._fill_plans()
        has_clients = total > 0
        self.caseload.setVisible(has_clients)
        self.recent_card.setVisible(has_clients)
        self.plans_card.setVisible(bool(self._plans_due))
        self.empty.setVisible(not has_clients)

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
        names = {r.id: r for r in self.session.clients.rows({p.client_id for p in self._plans_due})}
        for plan in self._plans_due:
            row = names.get(plan.client_id)
            if row is None or plan.review_on is None:
                continue
            who = row.initials if self.discreet else row.display_name
            item = QListWidgetItem(_("{who} · {code} — review due {date}").format(
                who=who, code=row.client_code, date=format_date(plan.review_on, "medium")))
            item.setData(Qt.ItemDataRole.UserRole, plan.client_id)
            self.plans.addItem(item)

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

    def clear(self) -> None:
        self._recent = []
        self._open_alerts = []
        self._plans_due = []
        self.recent.clear()
        self.alerts.clear()
        self.plans.clear()
