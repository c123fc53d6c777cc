"""Today: the caseload at a glance (counts by stage), the clients viewed most recently, and what
needs following up: an overdue home-visit check-in (at the top, with Check out), safety alerts,
follow-ups due today, overdue, in the next 7 days, the outreach list (missed or overdue contacts
of clients at High or Crisis), re-screenings and reviews due, plans to review, releases of
information expiring within 30 days, overdue referrals and quiet care-team members.

A follow-up row says when, what, who (initials and code in discreet mode) and the client's tier
in words. Enter or a double-click opens the client's record on its Follow-ups tab; the context
menu (right-click, the Menu key or Shift+F10) completes it into a contact note, marks it missed
or cancels it, through app/ui/follow_up_actions.py. The lists read the vault just after the page
is shown (a 0-ms timer), so the page paints first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, format_date, format_number, format_time, ngettext
from app.models.client import RosterRow, Stage
from app.models.consent import Release
from app.models.contacts import DEFAULT_QUIET_DAYS, ContactKind, QuietMember
from app.models.follow_ups import FollowUpType, Occurrence, Proposal, Status, VisitCheck
from app.models.risk import Tier
from app.models.screening import SafetyAlert
from app.models.service_referral import ServiceReferral
from app.services.errors import DataReadError, NotFound, VaultError
from app.services.session import Session
from app.ui import follow_up_actions as actions
from app.ui import theme
from app.ui.dialogs.follow_up_editor import TYPE_ICONS
from app.ui.dialogs.release_revoke import recipient_text
from app.ui.dialogs.review_alert import describe
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, PageHeader, muted_label, primary_button

LIST_LIMIT = 200  # rows filled into a follow-up list; the title gives the full count
NEXT_DAYS = 7  # "Next 7 days": tomorrow to a week from today
OVERDUE_LOOKBACK_DAYS = 90  # as FollowUpService.overdue looks back
VISIT_CHECK_MS = 30_000  # how often an open home-visit check-in is looked at while Today is shown
REVIEW_KINDS = (FollowUpType.RESCREENING, FollowUpType.PLAN_REVIEW)
RESCREEN_ICON = "mdi6.clipboard-pulse-outline"
FOLLOW_UP_TAB = "follow_ups"
RELEASES_TAB = "releases"
EXPIRING_DAYS = 30  # releases of information whose expiry date is this close are listed


def tier_text(tier: str | Tier | None) -> str:
    """"High tier", or "No tier yet": the tier in words (colour is never the only signal)."""
    try:
        value = Tier(tier) if tier else None
    except ValueError:
        value = None
    return _("{tier} tier").format(tier=value.label) if value is not None else _("No tier yet")


def short_day(day: date, today: date) -> str:
    """"Yesterday", "Tomorrow", or "Wed, Dec 2" in the user's locale (the year only when it is not
    this year's) — the weekday matters when planning."""
    from babel.dates import format_skeleton

    if day == today - timedelta(days=1):
        return _("Yesterday")
    if day == today + timedelta(days=1):
        return _("Tomorrow")
    skeleton = "MMMEd" if day.year == today.year else "yMMMEd"
    return format_skeleton(skeleton, day, locale=current_locale())


def scrollbar_style() -> str:
    """A calm scroll bar for the page's borderless lists (the plain style paints their track black)."""
    c = theme.colors()
    return (f"QScrollBar:vertical {{ background: {c.surface_alt}; width: 12px; margin: 0; border: none;"
            f" border-radius: 6px; }}"
            f" QScrollBar::handle:vertical {{ background: {c.border}; border-radius: 4px; min-height: 28px;"
            f" margin: 2px; }}"
            f" QScrollBar::handle:vertical:hover {{ background: {c.muted}; }}"
            " QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }"
            " QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }")


def occurrence_time(occ: Occurrence) -> str:
    return _("All day") if occ.all_day else format_time(occ.start)


@dataclass(eq=False)
class FollowUpCard:
    """One Today card of follow-ups: a title with the count, a sentence, the list, an empty state."""

    name: str
    card: Card
    title: QLabel
    items: QListWidget
    empty: QLabel
    rows: list[Occurrence | Proposal] = field(default_factory=list)  # in the order shown


class FollowUpList(QListWidget):
    """A list of follow-ups whose context menu also opens from the keyboard on the current row."""

    def __init__(self, name: str, menu: Callable[[QListWidget, QListWidgetItem], QMenu | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._menu = menu
        self.setObjectName("Recent")
        self.setAccessibleName(name)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # rows wrap again when the card is resized
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        shortcut = QShortcut(QKeySequence("Shift+F10"), self, context=Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(lambda: self._show_menu(None))

    def _show_menu(self, pos: QPoint | None) -> None:
        item = self.itemAt(pos) if pos is not None else None
        item = item or self.currentItem()
        if item is None:
            return
        menu = self._menu(self, item)
        if menu is None:
            return
        at = pos if pos is not None else self.visualItemRect(item).center()
        menu.exec(self.viewport().mapToGlobal(at))
        menu.deleteLater()


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
        # Tall enough for both lines at any system font size (76 px at the usual one).
        self.setMinimumHeight(max(76, layout.minimumSize().height()))

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
        self._expiring: list[Release] = []
        self._follow_ups_stale = False
        self._quiet: list[QuietMember] = []
        self.quiet_days = DEFAULT_QUIET_DAYS
        self._names: dict[str, RosterRow] = {}  # the clients named in the follow-up lists
        self._late_visits: list[VisitCheck] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setAccessibleName(_("Today"))
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

        # An overdue home-visit check-in: someone may need help, so it comes first.
        self.visit_banner = Banner("error")
        self.check_out_button = self.visit_banner.add_button(_("Check out"), self._check_out)
        self.check_out_button.setAccessibleName(_("Check out of the home visit"))
        self.visit_open_button = self.visit_banner.add_button(_("Open record"), self._open_visit_record)
        self.visit_open_button.setAccessibleName(_("Open the record of the client being visited"))
        layout.addWidget(self.visit_banner)
        self.visit_timer = QTimer(self)
        self.visit_timer.setInterval(VISIT_CHECK_MS)
        self.visit_timer.timeout.connect(self._show_visits)

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

        self.due_today = self._occurrence_card(
            _("Due today"), _("Scheduled for today and not yet recorded. Right-click (or Shift+F10) to complete one "
                              "into a contact note, mark it missed or cancel it."),
            _("Nothing is due today."))
        self.late = self._occurrence_card(
            _("Overdue follow-ups"), _("Still scheduled, and the day has passed: record what happened. The most "
                                       "recent first."),
            _("Nothing is overdue. Every past follow-up has its outcome recorded."))
        layout.addLayout(self._pair(self.due_today, self.late))
        self.outreach = self._occurrence_card(
            _("Outreach"), _("Missed or overdue contacts of clients at High or Crisis tier, until a later contact is "
                             "completed. Reach out, then record it."),
            _("No one at High or Crisis tier has a missed contact waiting."))
        self.next_week = self._occurrence_card(
            _("Next 7 days"), _("What is planned from tomorrow to a week from today."),
            _("Nothing is planned for the next 7 days. Plan a visit from a client's Follow-ups tab or the "
              "calendar."))
        layout.addLayout(self._pair(self.outreach, self.next_week))
        self.reviews = self._occurrence_card(
            _("Re-screenings and reviews due"),
            _("Re-screenings and plan reviews planned for the next 7 days, and clients whose re-screening interval "
              "(set by their tier) has come: plan one from the record's Follow-ups tab."),
            _("No re-screening or plan review is due in the next 7 days."))
        self.follow_up_cards = (self.due_today, self.late, self.outreach, self.next_week, self.reviews)

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
        self.plans.setWordWrap(True)  # it may share its row with two other cards
        self.plans.setResizeMode(QListView.ResizeMode.Adjust)
        self.plans.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.plans.itemActivated.connect(
            lambda item: self.open_record_tab.emit(*item.data(Qt.ItemDataRole.UserRole)))
        self.plans.setMinimumHeight(140)
        self.plans_card.body.addWidget(self.plans)
        self.expiring_card, self.expiring_title, self.expiring = self._follow_up_card(
            _("Renew them with the client before they lapse, or let them end. Enter or a double-click opens the "
              "client's Releases tab."), _("Releases of information expiring"), tab=RELEASES_TAB)
        # Reviews beside the plans to review and the releases expiring, above the caseload.
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self.reviews.card, 1)
        row.addWidget(self.plans_card, 1)
        row.addWidget(self.expiring_card, 1)
        layout.insertLayout(layout.indexOf(self.caseload), row)

        self.overdue_card, self.overdue_title, self.overdue = self._follow_up_card(
            _("Follow up with the service, then update the referral on the client's Team tab."),
            _("Overdue referrals"))
        self.quiet_card, self.quiet_title, self.quiet = self._follow_up_card(
            _("Care-team members nobody has heard from: call or write, then press “In touch today” on the Team tab."),
            _("Care-team members not in touch"))
        for card in (self.overdue_card, self.quiet_card, self.expiring_card):
            card.setVisible(False)  # shown once the lists are read and have something
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self.recent_card, 1)
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

    def _occurrence_card(self, name: str, explanation: str, empty_text: str) -> FollowUpCard:
        card = Card()
        card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        title = QLabel(name)
        title.setFont(theme.scaled_font(self, 1.15, bold=True))
        title.setWordWrap(True)
        card.body.addWidget(title)
        card.body.addWidget(muted_label(explanation))
        items = FollowUpList(name, self._row_menu)
        items.setMinimumHeight(150)
        items.setMaximumHeight(236)
        items.setToolTip(_("Enter or a double-click opens the client's Follow-ups tab; the context menu records "
                           "what happened"))
        items.itemActivated.connect(self._row_activated)
        card.body.addWidget(items)
        empty = muted_label(empty_text)
        empty.setObjectName("EmptyList")
        card.body.addWidget(empty)
        card.body.addStretch(1)
        found = FollowUpCard(name, card, title, items, empty)
        found.card.setAccessibleName(name)
        return found

    @staticmethod
    def _pair(left: FollowUpCard, right: FollowUpCard) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(left.card, 1)
        row.addWidget(right.card, 1)
        return row

    def _follow_up_card(self, explanation: str, list_name: str,
                        tab: str = "team") -> tuple[Card, QLabel, QListWidget]:
        """A card whose rows open a client's record on `tab` (the Team tab by default)."""
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
        if tab == "team":
            items.setToolTip(_("Enter or a double-click opens the client's Team tab"))
            items.itemActivated.connect(lambda item: self.open_team.emit(item.data(Qt.ItemDataRole.UserRole)))
        else:
            items.setToolTip(_("Enter or a double-click opens the client's record"))
            items.itemActivated.connect(lambda item: self.open_record_tab.emit(item.data(Qt.ItemDataRole.UserRole), tab))
        card.body.addWidget(items)
        return card, title, items

    def refresh(self) -> None:
        style = scrollbar_style()
        for items in (self.alerts, self.plans, self.overdue, self.quiet, self.recent, self.expiring,
                      *(card.items for card in self.follow_up_cards)):
            if items.styleSheet() != style:
                items.setStyleSheet(style)
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
        for card in self.follow_up_cards:
            card.card.setVisible(has_clients)
        self.empty.setVisible(not has_clients)
        self._show_visits()
        # The follow-up lists read more of the vault: they fill in just after the page is shown
        # (and not at all if another page is shown first, as when the app resumes on the roster).
        self._follow_ups_stale = True
        QTimer.singleShot(0, self, self._refresh_follow_ups)

    def _refresh_follow_ups(self) -> None:
        if not self._follow_ups_stale or not self.isVisible() or self.session is None or not self.session.is_open:
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
        self._expiring = self.session.consents.expiring(today, within_days=EXPIRING_DAYS)
        self._fill_expiring()
        self._read_occurrences(today)
        self._fill_occurrences()

    # -- follow-ups: due today, overdue, outreach, next 7 days, re-screenings and reviews ---------

    def _read_occurrences(self, today: date) -> None:
        follow_ups = self.session.follow_ups
        # One read for overdue (the service's look back), due today and the next 7 days.
        found = follow_ups.scheduled(today - timedelta(days=OVERDUE_LOOKBACK_DAYS), today + timedelta(days=NEXT_DAYS))
        due = [o for o in found if o.on == today]
        ahead = [o for o in found if o.on > today]
        self.due_today.rows = due
        self.late.rows = [o for o in reversed(found) if o.on < today and o.overdue(today)]  # the most recent first
        self.outreach.rows = list(follow_ups.outreach(today))
        self.next_week.rows = ahead
        planned: list[tuple[date, int, Occurrence | Proposal]] = [
            (o.on, 1, o) for o in [*due, *ahead] if o.kind in REVIEW_KINDS]
        wanted: list[tuple[date, int, Occurrence | Proposal]] = [
            (p.due_on, 0, p) for p in follow_ups.rescreenings_due(today, within_days=NEXT_DAYS)]
        self.reviews.rows = [row for _day, _order, row in sorted([*wanted, *planned], key=lambda r: (r[0], r[1]))]
        shown = {row.client_id for card in self.follow_up_cards for row in card.rows[:LIST_LIMIT]}
        self._names = {r.id: r for r in self.session.clients.rows(shown)} if shown else {}

    def _who(self, client_id: str, code: str = "") -> str:
        row = self._names.get(client_id)
        if row is None:
            return code or "?"
        return f"{row.initials if self.discreet else row.display_name} · {row.client_code}"

    def _when(self, occ: Occurrence, today: date) -> str:
        # Hundreds of rows share a few days and times: each is formatted (by babel, slowly) once.
        at = "" if occ.all_day else occ.start.time()
        when = self._texts.get(at)
        if when is None:
            when = self._texts[at] = occurrence_time(occ)
        if occ.on == today:
            return when
        day = self._texts.get(occ.on)
        if day is None:
            day = self._texts[occ.on] = short_day(occ.on, today)
        return _("{day}, {time}").format(day=day, time=when)

    def _row_text(self, card: FollowUpCard, row: Occurrence | Proposal, today: date) -> str:
        if isinstance(row, Proposal):
            name = self._names.get(row.client_id)
            late = row.due_on < today
            template = _("Re-screening overdue since {day} · {who} · {tier}") if late else \
                _("Re-screening due {day} · {who} · {tier}")
            day = self._texts.get(row.due_on)
            if day is None:
                day = self._texts[row.due_on] = short_day(row.due_on, today)
            return template.format(day=day, who=self._who(row.client_id),
                                   tier=tier_text(name.tier if name else None))
        parts = {"when": self._when(row, today), "kind": row.kind.label, "who": self._who(row.client_id, row.client_code),
                 "tier": tier_text(row.tier)}
        if card is self.late:
            days = (today - row.on).days
            return ngettext("{n} day overdue — {when} · {kind} · {who} · {tier}",
                            "{n} days overdue — {when} · {kind} · {who} · {tier}", days).format(n=days, **parts)
        if card is self.outreach:
            template = _("Missed · {when} · {kind} · {who} · {tier}") if row.status is Status.MISSED else \
                _("Overdue · {when} · {kind} · {who} · {tier}")
            return template.format(**parts)
        return _("{when} · {kind} · {who} · {tier}").format(**parts)

    def _fill_occurrences(self) -> None:
        today = self.session.clock.today()
        self._texts: dict[object, str] = {}
        titles = {
            self.due_today: ngettext("{n} follow-up due today", "{n} follow-ups due today", len(self.due_today.rows)),
            self.late: ngettext("{n} follow-up overdue", "{n} follow-ups overdue", len(self.late.rows)),
            self.outreach: ngettext("Outreach: {n} missed or overdue contact", "Outreach: {n} missed or overdue contacts",
                                    len(self.outreach.rows)),
            self.next_week: ngettext("{n} follow-up in the next 7 days", "{n} follow-ups in the next 7 days",
                                     len(self.next_week.rows)),
            self.reviews: ngettext("{n} re-screening or review due", "{n} re-screenings and reviews due",
                                   len(self.reviews.rows)),
        }
        tint = theme.colors().text
        for card, title in titles.items():
            count = len(card.rows)
            card.title.setText(title.format(n=format_number(count)) + self._more(count) if count else card.name)
            card.items.clear()
            for row in card.rows[:LIST_LIMIT]:
                item = QListWidgetItem(self._row_text(card, row, today))
                item.setIcon(theme.icon(TYPE_ICONS.get(row.kind, RESCREEN_ICON), tint))
                item.setData(Qt.ItemDataRole.UserRole, row)
                card.items.addItem(item)
            card.items.setVisible(count > 0)
            card.empty.setVisible(count == 0)
            card.items.setAccessibleDescription(card.title.text())

    def _row_activated(self, item: QListWidgetItem) -> None:
        row = item.data(Qt.ItemDataRole.UserRole)
        client_id = getattr(row, "client_id", None)
        if client_id:
            self.open_record_tab.emit(client_id, FOLLOW_UP_TAB)

    def _row_menu(self, items: QListWidget, item: QListWidgetItem) -> QMenu | None:
        """The row's actions: open the record, and for a follow-up still scheduled, record what
        became of it (complete into a note, missed — today or earlier — or cancel)."""
        row = item.data(Qt.ItemDataRole.UserRole)
        client_id = getattr(row, "client_id", None)
        if not client_id:
            return None
        menu = QMenu(items)
        menu.setToolTipsVisible(True)
        opened = menu.addAction(theme.icon("mdi6.account-box-outline"), _("Open the record's Follow-ups tab"))
        opened.triggered.connect(lambda: self.open_record_tab.emit(client_id, FOLLOW_UP_TAB))
        if isinstance(row, Occurrence):
            menu.addSeparator()
            writable = self.session.is_open and not self.session.read_only
            open_now = writable and row.status is Status.SCHEDULED
            happened = open_now and row.on <= self.session.clock.today()
            choices: list[tuple[str, str, actions.OccurrenceAction, bool]] = [
                ("mdi6.note-edit-outline", _("Complete → contact note…"), actions.complete_into_note, happened),
                ("mdi6.close-circle-outline", _("Mark missed…"), actions.mark_missed, happened),
                ("mdi6.cancel", _("Cancel…"), actions.cancel_occurrence, open_now),
            ]
            for icon_name, text, action, enabled in choices:
                entry = menu.addAction(theme.icon(icon_name), text)
                entry.setEnabled(enabled)
                if not enabled and open_now:
                    entry.setToolTip(_("This follow-up is still to come: it can be recorded on the day."))
                entry.triggered.connect(lambda _checked=False, act=action, occ=row: self._act(act, occ))
        return menu

    def _act(self, action: actions.OccurrenceAction, occ: Occurrence) -> None:
        if action(self, self.session, occ):
            self.refresh()
            self._refresh_follow_ups()  # now, not after the next paint: the row just acted on goes

    # -- home visits -------------------------------------------------------------------------------

    def _show_visits(self) -> None:
        """The banner for a home-visit check-in past its expected length (text and icon, not colour
        alone), with Check out; looked at again every 30 s while Today is shown."""
        if self.session is None or not self.session.is_open:
            self._late_visits = []
            self.visit_banner.setVisible(False)
            self.visit_timer.stop()
            return
        try:
            visits = self.session.follow_ups.open_visits()
        except (VaultError, DataReadError):  # a damaged vault: the workspace says so and offers a restore
            visits = []
        now = self.session.clock.now()
        self._late_visits = [v for v in visits if v.overdue(now)]
        if visits and self.isVisible():
            if not self.visit_timer.isActive():
                self.visit_timer.start()
        else:
            self.visit_timer.stop()
        if not self._late_visits:
            self.visit_banner.setVisible(False)
            return
        visit = self._late_visits[0]
        if visit.client_id not in self._names:
            self._names.update({r.id: r for r in self.session.clients.rows([visit.client_id])})
        over = visit.minutes_over(now)
        span = ngettext("{n} minute", "{n} minutes", over).format(n=over) if over < 120 else \
            ngettext("{n} hour", "{n} hours", over // 60).format(n=over // 60)
        text = _("Home visit overdue by {span} — {who}: checked in at {since}, expected back by {due}. Check out "
                 "now — or, if you need help, follow your team's safety procedure.").format(
            span=span, who=self._who(visit.client_id), since=format_time(visit.checked_in_at),
            due=format_time(visit.due_out_at))
        others = len(self._late_visits) - 1
        if others:
            text += " " + ngettext("{n} other visit is overdue too.", "{n} other visits are overdue too.",
                                   others).format(n=others)
        self.visit_banner.show_message(text, "error")
        self.check_out_button.setEnabled(not self.session.read_only)

    def _check_out(self) -> None:
        if not self._late_visits:
            return
        try:
            self.session.follow_ups.check_out(self._late_visits[0].id)
        except (NotFound, VaultError) as exc:
            self.visit_banner.show_message(str(exc), "error")
            return
        self._show_visits()

    def _open_visit_record(self) -> None:
        if self._late_visits:
            self.open_record_tab.emit(self._late_visits[0].client_id, FOLLOW_UP_TAB)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.session is None:  # built while the key is derived: nothing to show yet
            return
        if self._follow_ups_stale:
            QTimer.singleShot(0, self, self._refresh_follow_ups)
        if self.session.is_open:
            QTimer.singleShot(0, self, self._show_visits)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self.visit_timer.stop()

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

    def _fill_expiring(self) -> None:
        """Releases whose expiry date is within 30 days: when, whose (initials in discreet mode) and
        to whom (in discreet mode only the organisation: a person's name could say who the client is)."""
        today = self.session.clock.today()
        shown = self._expiring[:LIST_LIMIT]
        names = {r.id: r for r in self.session.clients.rows({r.client_id for r in shown})} if shown else {}
        self.expiring.clear()
        for release in shown:
            row = names.get(release.client_id)
            expires_on = release.fields.expires_on
            if row is None or expires_on is None:
                continue
            who = f"{row.initials if self.discreet else row.display_name} · {row.client_code}"
            if self.discreet:
                to = release.to_organisation if release.to_organisation != release.to_name else ""
                if not to and self._is_organisation(release.fields.contact_id):
                    to = release.to_name  # an organisation's name says nothing about the client
                to = to or _("recipient hidden in discreet mode")
            else:
                to = recipient_text(release)
            days = (expires_on - today).days
            when = _("today") if days == 0 else ngettext("in {n} day", "in {n} days", days).format(n=days)
            item = QListWidgetItem(_("{date} ({when}) — {who} — to {to}").format(
                date=format_date(expires_on, "medium"), when=when, who=who, to=to))
            item.setIcon(theme.icon("mdi6.file-clock-outline", theme.colors().text))
            item.setData(Qt.ItemDataRole.UserRole, release.client_id)
            self.expiring.addItem(item)
        count = len(self._expiring)
        self.expiring_title.setText(ngettext("{n} release of information expiring within {days} days",
                                             "{n} releases of information expiring within {days} days", count).format(
            n=count, days=EXPIRING_DAYS) + self._more(count))
        self.expiring.setAccessibleDescription(self.expiring_title.text())
        self.expiring_card.setVisible(count > 0)

    def _is_organisation(self, contact_id: str) -> bool:
        try:
            return self.session.contacts.get(contact_id).kind is ContactKind.ORGANISATION
        except NotFound:
            return False

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
        if self._expiring:
            self._fill_expiring()
        if any(card.rows for card in self.follow_up_cards):
            self._fill_occurrences()
        if self._late_visits:
            self._show_visits()

    def clear(self) -> None:
        self._follow_ups_stale = False
        self._recent = []
        self._open_alerts = []
        self._plans_due = []
        self._overdue, self._quiet = [], []
        self._expiring = []
        self.expiring.clear()
        self.overdue.clear()
        self.quiet.clear()
        self.recent.clear()
        self.alerts.clear()
        self.plans.clear()
        self._names = {}
        for card in self.follow_up_cards:
            card.rows = []
            card.items.clear()
        self._late_visits = []
        self.visit_timer.stop()
        self.visit_banner.label.clear()
        self.visit_banner.setVisible(False)
