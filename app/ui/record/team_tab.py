"""The client record's "Team & referrals" tab: the care team (each member's role, the status of
the releases of information recorded for them — valid, expired, revoked or none, in words with an
icon — last contact, flagged when quiet too long) and the referrals out with their status,
due date and history. Lists on the left, the chosen one's details and actions on the right.

Keys: Ctrl+N adds a team member; Enter on a member edits it; Enter on a referral updates its status."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, ngettext
from app.models.consent import ReleaseStatus
from app.models.contacts import DEFAULT_QUIET_DAYS, Release, TeamMember
from app.models.service_referral import ReferralStatus, ServiceReferral, StatusChange
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.contact_picker import KIND_ICONS
from app.ui.dialogs.contact_team_member import TeamMemberDialog
from app.ui.dialogs.referral_out import ReferralOutDialog, intervention_choices
from app.ui.dialogs.referral_out_status import ReferralStatusDialog, status_line
from app.ui.pages.clients import RosterView, list_table
from app.ui.pages.contacts import ContactDetails, confirm
from app.ui.record.base import RecordTab
from app.ui.record.paired_lists import ID_ROLE, PairedLists
from app.ui.record.releases_tab import STATUS_ICONS, status_color, status_text
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, link_button, muted_label, primary_button


def consent_status_text(status: ReleaseStatus, marked: Release, *, long: bool = False) -> str:
    """The status of the releases recorded for a member; with none recorded, also what was
    marked by hand on the team (a paper release not yet recorded here). `long`: for the details."""
    if status is ReleaseStatus.NONE and marked is Release.YES:
        return _("– No release recorded here, though one was marked “on file”: record it on the Releases tab.") \
            if long else _("– On file, not recorded")
    return status_text(status)


def in_touch_text(member: TeamMember, today: date, days: int, *, long: bool = False) -> str:
    """When they were last in touch: "6 days ago", marked ⚠ once they are out of touch; `long`
    adds the date (for the details panel)."""
    quiet = member.days_quiet(today)
    last = member.fields.last_contact_on
    if last is None:
        text = _("None recorded since joining on {date}").format(date=format_date(member.added_on)) if long \
            else _("None recorded")
    elif quiet == 0:
        text = _("Today")
    else:
        text = ngettext("{n} day ago", "{n} days ago", quiet).format(n=quiet)
        if long:
            text = _("{date} ({ago})").format(date=format_date(last), ago=text)
    return "⚠ " + text if member.out_of_touch(today, days) else text


def _table(name: str, headers: list[str]) -> tuple[RosterView, QStandardItemModel]:
    model = QStandardItemModel(0, len(headers))
    model.setHorizontalHeaderLabels(headers)
    return list_table(model, name), model


def _row(texts: list[str], item_id: str, icon: str | None = None) -> list[QStandardItem]:
    items = []
    for text in texts:
        item = QStandardItem(text)
        item.setData(item_id, ID_ROLE)
        item.setToolTip(text)
        items.append(item)
    if icon:
        items[0].setIcon(theme.icon(icon))
    return items


class TeamTab(PairedLists, RecordTab):
    VISIBLE_ROWS = 6
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.quiet_days = DEFAULT_QUIET_DAYS
        self.members: list[TeamMember] = []
        self.release_status: dict[str, ReleaseStatus] = {}  # contact id → status of their releases today
        self.referrals: list[ServiceReferral] = []
        self.history: list[StatusChange] = []
        self.member_dialog: TeamMemberDialog | None = None
        self.referral_dialog: ReferralOutDialog | None = None
        self.status_dialog: ReferralStatusDialog | None = None
        self._selected: tuple[str, str] | None = None  # ("member" | "referral", id)
        self._interventions: dict[str, str] = {}

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        left = QVBoxLayout()
        left.setSpacing(SPACING)
        self.message = Banner("info")
        left.addWidget(self.message)

        team_header = QHBoxLayout()
        title = QLabel(_("Care team"))
        title.setFont(theme.scaled_font(self, 1.3, bold=True))
        team_header.addWidget(title)
        self.team_count = muted_label("")
        team_header.addWidget(self.team_count, 1)
        self.add_button = primary_button(_("Add to team…"))
        self.add_button.setIcon(theme.icon("mdi6.account-multiple-plus-outline", theme.colors().accent_text))
        self.add_button.setToolTip(_("Add a provider, an organisation or a family member or friend (Ctrl+N)"))
        self.add_button.clicked.connect(self.add_member)
        team_header.addWidget(self.add_button)
        left.addLayout(team_header)
        self.quiet_banner = Banner("warning")
        left.addWidget(self.quiet_banner)
        self.team_stack = QStackedWidget()
        self.team_table, self.team_model = _table(
            _("Care team"), [_("Name"), _("Role on this team"), _("Release of information"), _("Last in touch")])
        self.team_table.activated_row.connect(lambda _row: self.edit_member())
        self.team_table.doubleClicked.connect(lambda _index: self.edit_member())
        self.team_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select("member", current))
        self.team_stack.addWidget(self.team_table)
        self.add_first = primary_button(_("Add the first member…"))
        self.add_first.clicked.connect(self.add_member)
        self.team_empty = EmptyState(
            _("No one on the care team yet"),
            _("Add the people who work with this client — psychiatrist, GP, therapist, housing worker — and the "
              "family and friends who support them."), self.add_first)
        self.team_stack.addWidget(self.team_empty)
        left.addWidget(self.team_stack, 1)
        self.left = left

        referral_header = QHBoxLayout()
        title = QLabel(_("Referrals out"))
        title.setFont(theme.scaled_font(self, 1.3, bold=True))
        referral_header.addWidget(title)
        self.referral_count = muted_label("")
        referral_header.addWidget(self.referral_count, 1)
        self.refer_button = QPushButton(theme.icon("mdi6.file-send-outline"), _("New referral…"))
        self.refer_button.setToolTip(_("Refer the client to a service or provider"))
        self.refer_button.clicked.connect(self.new_referral)
        referral_header.addWidget(self.refer_button)
        left.addLayout(referral_header)
        self.referral_stack = QStackedWidget()
        self.referral_table, self.referral_model = _table(
            _("Referrals out"), [_("Service"), _("Referred to"), _("Status"), _("Answer due")])
        self.referral_table.activated_row.connect(lambda _row: self.update_status())
        self.referral_table.doubleClicked.connect(lambda _index: self.update_status())
        self.referral_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select("referral", current))
        self.referral_stack.addWidget(self.referral_table)
        self.refer_first = QPushButton(_("Make a referral…"))
        self.refer_first.clicked.connect(self.new_referral)
        self.referral_empty = EmptyState(
            _("No referrals out yet"),
            _("When the client needs a service — housing, psychiatry, benefits, treatment — refer them and follow "
              "it here from sent to completed."), self.refer_first)
        self.referral_stack.addWidget(self.referral_empty)
        left.addWidget(self.referral_stack, 1)
        body.addLayout(left, 1)
        body.addWidget(self._build_detail())
        self.layout_.addLayout(body, 1)
        self.setTabOrder(self.add_button, self.team_table)
        self.setTabOrder(self.team_table, self.refer_button)
        self.setTabOrder(self.refer_button, self.referral_table)

    def _build_detail(self) -> QWidget:
        self.detail = Card()
        self.detail.setFixedWidth(340)
        self.detail_stack = QStackedWidget()
        self.detail.body.addWidget(self.detail_stack, 1)
        self.pick_hint = muted_label(_("Choose a team member or a referral to see the details and what you can do "
                                       "next. Tab moves between the lists; Enter opens."))
        self.pick_hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail_stack.addWidget(self.pick_hint)

        member = QWidget()
        box = QVBoxLayout(member)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(SPACING)
        self.member_details = ContactDetails()
        box.addWidget(self.member_details)
        self.member_facts = ContactDetails()
        self.member_facts.name.setVisible(False)
        self.member_facts.summary.setVisible(False)
        box.addWidget(self.member_facts)
        row = QHBoxLayout()
        self.touch_button = QPushButton(theme.icon("mdi6.phone-check-outline"), _("In touch today"))
        self.touch_button.setToolTip(_("Record that they were in touch about the client today"))
        self.touch_button.clicked.connect(self.mark_in_touch)
        row.addWidget(self.touch_button)
        self.edit_member_button = QPushButton(theme.icon("mdi6.pencil-outline"), _("Edit…"))
        self.edit_member_button.setToolTip(_("Role, release of information, last contact (Enter)"))
        self.edit_member_button.clicked.connect(self.edit_member)
        row.addWidget(self.edit_member_button)
        row.addStretch(1)
        box.addLayout(row)
        self.releases_link = link_button(_("See the client's releases of information"))
        self.releases_link.setToolTip(_("Open the Releases tab: what each release covers, revoke, record a new one"))
        self.releases_link.clicked.connect(lambda: self.navigate.emit("releases"))
        box.addWidget(self.releases_link)
        self.remove_button = QPushButton(theme.icon("mdi6.account-remove-outline"), _("Remove from team"))
        self.remove_button.clicked.connect(self.remove_member)
        box.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        self.detail_stack.addWidget(member)

        referral = QWidget()
        box = QVBoxLayout(referral)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(SPACING)
        self.referral_details = ContactDetails()
        box.addWidget(self.referral_details)
        self.overdue_banner = Banner("warning")
        box.addWidget(self.overdue_banner)
        row = QHBoxLayout()
        self.status_button = primary_button(_("Update status…"))
        self.status_button.setToolTip(_("Mark it sent, accepted, scheduled, completed … (Enter)"))
        self.status_button.clicked.connect(self.update_status)
        row.addWidget(self.status_button)
        self.edit_referral_button = QPushButton(theme.icon("mdi6.pencil-outline"), _("Edit…"))
        self.edit_referral_button.clicked.connect(self.edit_referral)
        row.addWidget(self.edit_referral_button)
        row.addStretch(1)
        box.addLayout(row)
        caption = QLabel(_("History"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        box.addWidget(caption)
        self.history_list = QListWidget()
        self.history_list.setObjectName("Recent")
        self.history_list.setAccessibleName(_("Status history of the referral"))
        self.history_list.setWordWrap(True)
        caption.setBuddy(self.history_list)
        box.addWidget(self.history_list, 1)
        self.detail_stack.addWidget(referral)
        self.member_page, self.referral_page = member, referral
        return self.detail

    # -- reading -------------------------------------------------------------------------------

    def set_quiet_days(self, days: int) -> None:
        self.quiet_days = days
        if self.client is not None and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        today = self.session.clock.today()
        self.members = self.session.contacts.team(client_id)
        # One small query per member: a care team is a handful of people.
        self.release_status = {m.contact.id: self.session.consents.status(client_id, m.contact.id, today)
                               for m in self.members}
        self.referrals = self.session.service_referrals.for_client(client_id)
        self._interventions = dict(intervention_choices(self.session, client_id)) if self.referrals else {}
        writable = not self.session.read_only
        for button in (self.add_button, self.add_first, self.refer_button, self.refer_first):
            button.setVisible(writable)
        self._fill_team(today)
        self._fill_referrals(today)
        self._restore_selection()

    def _fill_team(self, today: date) -> None:
        self.team_model.removeRows(0, self.team_model.rowCount())
        for member in self.members:
            status = self.release_status.get(member.contact.id, ReleaseStatus.NONE)
            items = _row([member.contact.name, member.role, consent_status_text(status, member.fields.release),
                          in_touch_text(member, today, self.quiet_days)], member.id, KIND_ICONS[member.contact.kind])
            items[2].setIcon(theme.icon(STATUS_ICONS[status], status_color(status)))
            items[3].setToolTip(in_touch_text(member, today, self.quiet_days, long=True))
            self.team_model.appendRow(items)
        quiet = [m for m in self.members if m.out_of_touch(today, self.quiet_days)]
        n = len(self.members)
        self.team_count.setText(ngettext("{n} member", "{n} members", n).format(n=n) if n else "")
        self.team_stack.setCurrentWidget(self.team_table if self.members else self.team_empty)
        self._fit(self.team_table, n)
        # A short team takes the room it needs and the referrals get the rest; no team: share it.
        self.left.setStretchFactor(self.team_stack, 0 if self.members else 1)
        self.team_stack.setMaximumHeight(self.team_table.maximumHeight() if self.members else 16777215)
        if quiet:
            names = ", ".join(ngettext("{name} ({n} day)", "{name} ({n} days)", m.days_quiet(today)).format(
                name=m.contact.name, n=m.days_quiet(today)) for m in quiet)
            self.quiet_banner.show_message(ngettext(
                "Not in touch for {days} days or more: {names}. Get in touch, then press “In touch today”.",
                "Not in touch for {days} days or more: {names}. Get in touch, then press “In touch today”.",
                len(quiet)).format(days=self.quiet_days, names=names), "warning")
        else:
            self.quiet_banner.setVisible(False)

    def _fill_referrals(self, today: date) -> None:
        self.referral_model.removeRows(0, self.referral_model.rowCount())
        for referral in self.referrals:
            status = referral.status.label
            if referral.status is ReferralStatus.SCHEDULED and referral.appointment_on:
                status = _("Scheduled · {date}").format(date=format_date(referral.appointment_on, "medium"))
            elif referral.sent_on is not None and referral.status is ReferralStatus.SENT:
                status = _("Sent {date}").format(date=format_date(referral.sent_on, "medium"))
            self.referral_model.appendRow(
                _row([referral.fields.service, referral.to_text, status, self._due_text(referral, today)], referral.id,
                     "mdi6.clock-alert-outline" if referral.overdue(today) else None))
        n = len(self.referrals)
        open_count = sum(1 for r in self.referrals if not r.status.final)
        self.referral_count.setText(_("{open} open · {n} in all").format(open=open_count, n=n) if n else "")
        self.referral_stack.setCurrentWidget(self.referral_table if self.referrals else self.referral_empty)

    @staticmethod
    def _due_text(referral: ServiceReferral, today: date) -> str:
        due = referral.fields.due_on
        if referral.status.final or due is None:
            return "—"
        if referral.overdue(today):
            late = referral.days_overdue(today)
            return "⚠ " + ngettext("{n} day overdue", "{n} days overdue", late).format(n=late)
        return format_date(due, "medium")

    def _lists(self) -> dict[str, tuple[RosterView, QStandardItemModel]]:  # type: ignore[override]
        return {"member": (self.team_table, self.team_model), "referral": (self.referral_table, self.referral_model)}

    def selected_member(self) -> TeamMember | None:
        if self._selected is None or self._selected[0] != "member":
            return None
        return next((m for m in self.members if m.id == self._selected[1]), None)

    def selected_referral(self) -> ServiceReferral | None:
        if self._selected is None or self._selected[0] != "referral":
            return None
        return next((r for r in self.referrals if r.id == self._selected[1]), None)

    def _show_selected(self) -> None:
        member, referral = self.selected_member(), self.selected_referral()
        writable = not self.session.read_only
        today = self.session.clock.today()
        if member is not None:
            self.member_details.show_contact(member.contact)
            status = self.release_status.get(member.contact.id, ReleaseStatus.NONE)
            self.member_facts.set_rows([
                (_("On this team as"), member.role),
                (_("Release of information"), consent_status_text(status, member.fields.release, long=True)),
                (_("Last in touch"), in_touch_text(member, today, self.quiet_days, long=True)),
                (_("Joined the team"), format_date(member.added_on)),
            ])
            for button in (self.touch_button, self.edit_member_button, self.remove_button):
                button.setVisible(writable)
            self.detail_stack.setCurrentWidget(self.member_page)
        elif referral is not None:
            self._show_referral(referral, writable, today)
        else:
            self.detail_stack.setCurrentWidget(self.pick_hint)

    def _show_referral(self, referral: ServiceReferral, writable: bool, today: date) -> None:
        f = referral.fields
        self.referral_details.name.setText(f.service)
        self.referral_details.summary.setText(_("To {who}").format(who=referral.to_text))
        linked = self._interventions.get(f.intervention_id or "", _("an intervention no longer in the plan")) \
            if f.intervention_id else ""
        self.referral_details.set_rows([
            (_("Status"), status_line(referral)),
            (_("Urgency"), f.urgency.label),
            (_("Reason"), f.reason),
            (_("Outcome"), f.outcome),
            (_("Care plan"), linked),
        ])
        if referral.overdue(today):
            self.overdue_banner.show_message(ngettext(
                "Overdue by {n} day: follow up with the service, then update the status.",
                "Overdue by {n} days: follow up with the service, then update the status.",
                referral.days_overdue(today)).format(n=referral.days_overdue(today)), "warning")
        else:
            self.overdue_banner.setVisible(False)
        self.status_button.setVisible(writable and not referral.status.final)
        self.edit_referral_button.setVisible(writable and not referral.status.final)
        self.history = self.session.service_referrals.history(referral.id)
        self.history_list.clear()
        for change in reversed(self.history):
            line = _("{date} — {status}").format(date=format_date(change.on, "medium"), status=change.to_status.label)
            self.history_list.addItem(f"{line}\n{change.note}" if change.note else line)
        self.detail_stack.setCurrentWidget(self.referral_page)

    # -- actions -------------------------------------------------------------------------------

    def new_item(self) -> None:
        """Ctrl+N on this tab."""
        self.add_member()

    def add_member(self) -> None:
        self._open_member(None)

    def edit_member(self) -> None:
        member = self.selected_member()
        if member is not None:
            self._open_member(member)

    def _open_member(self, member: TeamMember | None) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.member_dialog is not None:
            self.member_dialog.raise_()
            return
        dialog = TeamMemberDialog(self.session, self.client.id, self.client.display_name, member, self.window())
        dialog.saved.connect(lambda saved: self._saved("member", saved.id))
        dialog.finished.connect(lambda _r: self._closed("member_dialog"))
        self.member_dialog = dialog
        dialog.open()

    def mark_in_touch(self) -> None:
        member = self.selected_member()
        if member is None or self.session.read_only:
            return
        try:
            self.session.contacts.mark_in_touch(member.id)
        except (ValidationError, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self._saved("member", member.id)

    def remove_member(self) -> None:
        member = self.selected_member()
        if member is None or self.session.read_only:
            return
        text = _("{name} comes off this client's care team. They stay in the contacts directory, and the referrals "
                 "that name them are kept.").format(name=member.contact.name)
        if not confirm(self, _("Remove from the care team?"), text, _("Remove")):
            return
        try:
            self.session.contacts.remove_member(member.id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._selected = None
        self.refresh()
        self.changed.emit()

    def new_referral(self) -> None:
        self._open_referral(None)

    def edit_referral(self) -> None:
        referral = self.selected_referral()
        if referral is not None and not referral.status.final:
            self._open_referral(referral)

    def _open_referral(self, referral: ServiceReferral | None) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.referral_dialog is not None:
            self.referral_dialog.raise_()
            return
        dialog = ReferralOutDialog(self.session, self.client.id, referral, parent=self.window())
        dialog.saved.connect(lambda saved: self._saved("referral", saved.id))
        dialog.finished.connect(lambda _r: self._closed("referral_dialog"))
        self.referral_dialog = dialog
        dialog.open()

    def update_status(self) -> None:
        referral = self.selected_referral()
        if referral is None or referral.status.final or self.session.read_only:
            return
        if self.status_dialog is not None:
            self.status_dialog.raise_()
            return
        dialog = ReferralStatusDialog(self.session, referral, self.window())
        dialog.moved.connect(lambda moved: self._saved("referral", moved.id))
        dialog.finished.connect(lambda _r: self._closed("status_dialog"))
        self.status_dialog = dialog
        dialog.open()

    def _closed(self, name: str) -> None:
        """A dialog finished: forget it and free it (it holds the client's data)."""
        dialog = getattr(self, name)
        setattr(self, name, None)
        if dialog is not None:
            dialog.deleteLater()

    def _saved(self, kind: str, item_id: str) -> None:
        self.message.setVisible(False)
        self._selected = (kind, item_id)
        self.refresh()
        # After the dialog has closed and given the focus back: on to the row just saved.
        QTimer.singleShot(0, (self.team_table if kind == "member" else self.referral_table).setFocus)
        self.changed.emit()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        for dialog in (self.member_dialog, self.referral_dialog, self.status_dialog):
            if dialog is not None:
                dialog.close_for_lock()  # without asking; finished → _closed frees it
        self.members, self.referrals, self.history = [], [], []
        self.release_status = {}
        self._selected = None
        self._interventions = {}
        self.team_model.removeRows(0, self.team_model.rowCount())
        self.referral_model.removeRows(0, self.referral_model.rowCount())
        self.member_details.clear()
        self.member_facts.clear()
        self.referral_details.clear()
        self.history_list.clear()
        for banner in (self.message, self.quiet_banner, self.overdue_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.team_count.clear()
        self.referral_count.clear()
        self.detail_stack.setCurrentWidget(self.pick_hint)
        super().clear()
