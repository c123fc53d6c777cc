"""The client record's "Releases" tab: the client's releases of information (to whom, what they
cover, for which purposes, signed when, ending when, and whether each is valid, expired or
revoked — in words, with an icon), and below them the accounting of disclosures (what went to
whom, when, why, and whether a valid release covered it or it was overridden with a reason).
Lists on the left, the chosen one's every element on the right.

Keys: Ctrl+N records a new release; Enter on a release revokes it (asks to confirm)."""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, ngettext
from app.models.consent import Disclosure, InfoType, Release, ReleaseStatus, SignatureKind
from app.models.signature import Signature
from app.services.errors import NotFound, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.release_editor import ReleaseEditorDialog
from app.ui.dialogs.release_revoke import EndingEventDialog, RevokeReleaseDialog, recipient_text
from app.ui.pages.clients import RosterView, list_table
from app.ui.pages.contacts import ContactDetails
from app.ui.record.base import RecordTab
from app.ui.record.paired_lists import ID_ROLE, PairedLists
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, link_button, muted_label, primary_button
from app.ui.widgets.signature_pad import SignaturePad

STATUS_ICONS = {ReleaseStatus.NONE: "mdi6.file-question-outline", ReleaseStatus.VALID: "mdi6.check-circle-outline",
                ReleaseStatus.EXPIRED: "mdi6.clock-alert-outline", ReleaseStatus.REVOKED: "mdi6.cancel"}
_MARKS = {ReleaseStatus.NONE: "–", ReleaseStatus.VALID: "✓", ReleaseStatus.EXPIRED: "⚠", ReleaseStatus.REVOKED: "✗"}


def status_text(status: ReleaseStatus) -> str:
    """"✓ Valid", "✗ Revoked" …: the status in words with a mark (colour is never the only signal)."""
    return f"{_MARKS[status]} {status.label}"


def status_color(status: ReleaseStatus) -> str:
    c = theme.colors()
    return {ReleaseStatus.VALID: c.success, ReleaseStatus.REVOKED: c.danger}.get(status, c.muted)


def release_status_line(release: Release, today: date, *, long: bool = False) -> str:
    """The status with the date that matters: "✗ Revoked 2 Jan 2026", "⚠ Expired 3 Mar 2026" (an
    ending event); `long` also says until when a date-bound one lasts or lasted."""
    status = release.status(today)
    f = release.fields
    if status is ReleaseStatus.REVOKED and release.revoked_on:
        return _("✗ Revoked {date}").format(date=format_date(release.revoked_on, "medium"))
    if status is ReleaseStatus.EXPIRED:
        ended = release.event_occurred_on
        if ended is not None and (f.expires_on is None or ended <= f.expires_on):
            return _("⚠ Expired {date}").format(date=format_date(ended, "medium"))
        if f.expires_on is not None and long:
            return _("⚠ Expired — ended {date}").format(date=format_date(f.expires_on, "medium"))
    if status is ReleaseStatus.VALID and f.expires_on is not None and long:
        return _("✓ Valid until {date}").format(date=format_date(f.expires_on, "medium"))
    return status_text(status)


def covers_text(release: Release) -> str:
    """What it covers, in words, with the special kinds said first."""
    if release.separate_psychotherapy:
        return _("Psychotherapy notes only (separate authorization)")
    labels = ", ".join(info.label for info in release.fields.information)
    return _("Part 2 · {labels}").format(labels=labels) if release.fields.part2 else labels


def ends_text(release: Release) -> str:
    f = release.fields
    if f.expires_on is not None and f.expiry_event:
        return _("{date}, or {event}").format(date=format_date(f.expires_on, "medium"), event=f.expiry_event)
    if f.expires_on is not None:
        return format_date(f.expires_on, "medium")
    if release.event_occurred_on is not None:
        return _("{event} (happened {date})").format(event=f.expiry_event,
                                                     date=format_date(release.event_occurred_on, "medium"))
    return _("When: {event}").format(event=f.expiry_event)


def consent_text(disclosure: Disclosure) -> str:
    if disclosure.consent_valid:
        return _("✓ Valid release")
    if disclosure.overridden_reason:
        return _("⚠ Overridden: {reason}").format(reason=disclosure.overridden_reason)
    return _("Other basis: {basis}").format(basis=disclosure.legal_basis)


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


def _table(name: str, headers: list[str]) -> tuple[RosterView, QStandardItemModel]:
    model = QStandardItemModel(0, len(headers))
    model.setHorizontalHeaderLabels(headers)
    table = list_table(model, name)
    return table, model


def _heading(parent: QWidget, text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(theme.scaled_font(parent, 1.3, bold=True))
    return label


class ReleasesTab(PairedLists, RecordTab):
    VISIBLE_ROWS = 5
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.releases: list[Release] = []
        self.disclosures: list[Disclosure] = []
        self.editor: ReleaseEditorDialog | None = None
        self.revoke_dialog: RevokeReleaseDialog | None = None
        self.event_dialog: EndingEventDialog | None = None
        self._selected: tuple[str, str] | None = None  # ("release" | "disclosure", id)

        body = QHBoxLayout()
        body.setSpacing(SPACING * 2)
        left = QVBoxLayout()
        left.setSpacing(SPACING)
        self.message = Banner("info")
        left.addWidget(self.message)

        header = QHBoxLayout()
        header.addWidget(_heading(self, _("Releases of information")))
        self.release_count = muted_label("")
        header.addWidget(self.release_count, 1)
        self.new_button = primary_button(_("New release…"))
        self.new_button.setIcon(theme.icon("mdi6.file-sign", theme.colors().accent_text))
        self.new_button.setToolTip(_("Record a release the client signed (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_release)
        header.addWidget(self.new_button)
        left.addLayout(header)
        self.release_stack = QStackedWidget()
        self.release_table, self.release_model = _table(
            _("Releases of information"), [_("Recipient"), _("Covers"), _("Purposes"), _("Signed"), _("Ends"),
                                           _("Status")])
        head = self.release_table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in (0, 1, 2):
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        for column, sample in ((3, "Sep 30, 2026"), (4, "Sep 30, 2026"), (5, "✗ Revoked Sep 30, 2026")):
            self.release_table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 36)
        self.release_table.activated_row.connect(lambda _row: self.revoke())
        self.release_table.doubleClicked.connect(lambda _index: self.revoke())
        self.release_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select("release", current))
        self.release_stack.addWidget(self.release_table)
        self.new_first = primary_button(_("Record the first release…"))
        self.new_first.clicked.connect(self.new_release)
        self.release_empty = EmptyState(
            _("No releases of information yet"),
            _("A release is the client's signed permission to share named kinds of information with a named person "
              "or service, for stated purposes, until a date or an event. Record each one here: reports sent to "
              "other providers are checked against them, and the care team shows who is covered."), self.new_first)
        self.release_stack.addWidget(self.release_empty)
        left.addWidget(self.release_stack, 1)
        self.left = left

        header = QHBoxLayout()
        header.addWidget(_heading(self, _("Disclosures")))
        self.disclosure_count = muted_label("")
        header.addWidget(self.disclosure_count, 1)
        left.addLayout(header)
        self.disclosure_stack = QStackedWidget()
        self.disclosure_table, self.disclosure_model = _table(
            _("Disclosures"), [_("Date"), _("Recipient"), _("What was disclosed"), _("Purpose"), _("Consent")])
        head = self.disclosure_table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in (1, 2, 3):
            head.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, sample in ((0, "Sep 30, 2026"), (4, "⚠ Overridden: imminent")):
            self.disclosure_table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 36)
        self.disclosure_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self._select("disclosure", current))
        self.disclosure_stack.addWidget(self.disclosure_table)
        self.disclosure_empty = EmptyState(
            _("Nothing disclosed yet"),
            _("Every report, print or FHIR file sent to someone outside the program is logged here — the accounting "
              "of disclosures the client may ask for, kept for six years."))
        self.disclosure_stack.addWidget(self.disclosure_empty)
        left.addWidget(self.disclosure_stack, 1)
        body.addLayout(left, 1)
        body.addWidget(self._build_detail())
        self.layout_.addLayout(body, 1)
        self.setTabOrder(self.new_button, self.release_table)
        self.setTabOrder(self.release_table, self.disclosure_table)

    def _build_detail(self) -> QWidget:
        self.detail = Card()
        self.detail.setFixedWidth(340)
        self.detail_stack = QStackedWidget()
        self.detail.body.addWidget(self.detail_stack, 1)
        self.pick_hint = muted_label(_("Choose a release or a disclosure to see every element of it. Tab moves "
                                       "between the lists; Enter on a release revokes it."))
        self.pick_hint.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.detail_stack.addWidget(self.pick_hint)

        release = QWidget()
        box = QVBoxLayout(release)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(SPACING)
        scroll = QScrollArea()
        scroll.setAccessibleName(_("Release details"))
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.viewport().setAutoFillBackground(False)
        inner = QWidget()
        inner.setObjectName("ReleaseDetails")
        inner.setStyleSheet("QWidget#ReleaseDetails { background: transparent; }")
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, SPACING, 0)
        column.setSpacing(SPACING)
        self.release_details = ContactDetails()
        column.addWidget(self.release_details)
        badges = QHBoxLayout()
        badges.setSpacing(SPACING)
        self.status_badge = QLabel()
        self.status_badge.setObjectName("Badge")
        self.part2_badge = QLabel(_("42 CFR Part 2"))
        self.part2_badge.setObjectName("Badge")
        self.part2_badge.setToolTip(_("A Part 2 consent: disclosures under it carry the re-disclosure notice"))
        self.psychotherapy_badge = QLabel(_("Psychotherapy notes — separate"))
        self.psychotherapy_badge.setObjectName("Badge")
        for badge in (self.status_badge, self.part2_badge, self.psychotherapy_badge):
            badges.addWidget(badge)
        badges.addStretch(1)
        column.insertLayout(1, badges)
        self.release_facts = ContactDetails()
        self.release_facts.name.setVisible(False)
        self.release_facts.summary.setVisible(False)
        column.addWidget(self.release_facts)
        self.signature_view = SignaturePad(_("The client's signature"), read_only=True)
        self.signature_view.canvas.setMinimumHeight(60)
        column.addWidget(self.signature_view)
        self.scan_link = link_button(_("Show the scanned form in Documents"))
        self.scan_link.clicked.connect(lambda: self.navigate.emit("documents"))
        column.addWidget(self.scan_link)
        column.addStretch(1)
        scroll.setWidget(inner)
        box.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.revoke_button = QPushButton(theme.icon("mdi6.cancel"), _("Revoke…"))
        self.revoke_button.setToolTip(_("The client revoked this release (Enter)"))
        self.revoke_button.clicked.connect(self.revoke)
        row.addWidget(self.revoke_button)
        self.event_button = QPushButton(theme.icon("mdi6.calendar-check-outline"), _("Ending event…"))
        self.event_button.setToolTip(_("Record the day the event that ends this release happened"))
        self.event_button.setAccessibleName(_("Record the ending event"))
        self.event_button.clicked.connect(self.record_event)
        row.addWidget(self.event_button)
        row.addStretch(1)
        box.addLayout(row)
        self.detail_stack.addWidget(release)

        disclosure = QWidget()
        box = QVBoxLayout(disclosure)
        box.setContentsMargins(0, 0, 0, 0)
        self.disclosure_details = ContactDetails()
        box.addWidget(self.disclosure_details)
        box.addStretch(1)
        self.detail_stack.addWidget(disclosure)
        self.release_page, self.disclosure_page = release, disclosure
        return self.detail

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        today = self.session.clock.today()
        self.releases = self.session.consents.for_client(client_id)
        self.disclosures = self.session.consents.disclosures(client_id)
        writable = not self.session.read_only
        for button in (self.new_button, self.new_first):
            button.setVisible(writable)
        self._fill_releases(today)
        self._fill_disclosures()
        self._restore_selection()

    def _fill_releases(self, today: date) -> None:
        self.release_model.removeRows(0, self.release_model.rowCount())
        for release in self.releases:
            f = release.fields
            status = release.status(today)
            items = _row([release.to_name, covers_text(release), "; ".join(f.purposes),
                          format_date(f.signed_on, "medium") if f.signed_on else "—", ends_text(release),
                          release_status_line(release, today)], release.id,
                         "mdi6.shield-lock-outline" if f.part2 else "mdi6.file-document-outline")
            items[0].setToolTip(recipient_text(release))
            items[5].setIcon(theme.icon(STATUS_ICONS[status], status_color(status)))
            if f.information_detail:
                items[1].setToolTip(f"{covers_text(release)}\n{f.information_detail}")
            self.release_model.appendRow(items)
        n = len(self.releases)
        valid = sum(1 for r in self.releases if r.status(today) is ReleaseStatus.VALID)
        self.release_count.setText(_("{valid} valid · {n} in all").format(valid=valid, n=n) if n else "")
        self.release_stack.setCurrentWidget(self.release_table if self.releases else self.release_empty)
        self._fit(self.release_table, n)
        self.left.setStretchFactor(self.release_stack, 0 if self.releases else 1)
        self.release_stack.setMaximumHeight(self.release_table.maximumHeight() if self.releases else 16777215)

    def _fill_disclosures(self) -> None:
        self.disclosure_model.removeRows(0, self.disclosure_model.rowCount())
        for d in self.disclosures:
            icon = "mdi6.check-decagram-outline" if d.consent_valid else "mdi6.alert-outline"
            self.disclosure_model.appendRow(_row(
                [format_date(d.disclosed_at.date(), "medium"), d.recipient, d.description, d.purpose,
                 consent_text(d)], d.id, icon))
        n = len(self.disclosures)
        overridden = sum(1 for d in self.disclosures if d.overridden_reason)
        text = ngettext("{n} in the last six years", "{n} in the last six years", n).format(n=n) if n else ""
        if overridden:
            text += " · " + ngettext("{n} overridden", "{n} overridden", overridden).format(n=overridden)
        self.disclosure_count.setText(text)
        self.disclosure_stack.setCurrentWidget(self.disclosure_table if self.disclosures else self.disclosure_empty)
        self.detail.setVisible(bool(self.releases or self.disclosures))

    def _lists(self) -> dict[str, tuple[RosterView, QStandardItemModel]]:  # type: ignore[override]
        return {"release": (self.release_table, self.release_model), "disclosure": (self.disclosure_table, self.disclosure_model)}

    def select_release(self, release_id: str) -> None:
        """Show this release (and make it the current row)."""
        self._selected = ("release", release_id)
        self._restore_selection()

    def selected_release(self) -> Release | None:
        if self._selected is None or self._selected[0] != "release":
            return None
        return next((r for r in self.releases if r.id == self._selected[1]), None)

    def selected_disclosure(self) -> Disclosure | None:
        if self._selected is None or self._selected[0] != "disclosure":
            return None
        return next((d for d in self.disclosures if d.id == self._selected[1]), None)

    def _show_selected(self) -> None:
        release, disclosure = self.selected_release(), self.selected_disclosure()
        if release is not None:
            self._show_release(release)
        elif disclosure is not None:
            self._show_disclosure(disclosure)
        else:
            self.detail_stack.setCurrentWidget(self.pick_hint)

    def _show_release(self, release: Release) -> None:
        f = release.fields
        today = self.session.clock.today()
        status = release.status(today)
        self.release_details.name.setText(release.to_name)
        self.release_details.summary.setText(release.to_organisation if release.to_organisation != release.to_name
                                             else "")
        self.status_badge.setText(release_status_line(release, today, long=True))
        self.status_badge.setAccessibleName(_("Status: {status}").format(status=status.label))
        self.part2_badge.setVisible(f.part2)
        self.psychotherapy_badge.setVisible(release.separate_psychotherapy)
        information = "\n".join(f"• {info.label}" for info in f.information)
        signature = f.signature_kind.label
        if f.signature_kind is SignatureKind.VERBAL:
            signature = _("{kind}: {reason}").format(kind=signature, reason=f.verbal_reason)
        elif f.signature_kind is SignatureKind.SCANNED and f.attachment_id:
            try:
                signature = _("{kind}: {title}").format(kind=signature,
                                                        title=self.session.attachments.get(f.attachment_id).title)
            except (NotFound, VaultError):
                signature = _("{kind} (no longer in Documents)").format(kind=signature)
        revoked = ""
        if release.revoked_on is not None:
            revoked = _("{date} — {how}").format(date=format_date(release.revoked_on, "medium"),
                                                 how=release.revoked_how)
        event = ""
        if f.expiry_event:
            event = f.expiry_event
            if release.event_occurred_on is not None:
                event = _("{event} — happened {date}").format(event=event,
                                                              date=format_date(release.event_occurred_on, "medium"))
        conditioned = _("Yes — treatment depends on signing") if f.treatment_conditioned else \
            _("No — treatment does not depend on signing")
        recorded = ""
        if release.created_at is not None:
            recorded = _("{when} by {who}").format(when=format_datetime(release.created_at, "medium"),
                                                   who=release.created_by or "—")
        self.release_facts.set_rows([
            (_("Information"), information),
            (_("Description"), f.information_detail),
            (_("Part 2 recipient"), f.recipient_name if f.part2 else ""),
            (_("Purposes"), "\n".join(f"• {p}" for p in f.purposes)),
            (_("Who may disclose"), f.disclosers),
            (_("Signed"), format_date(f.signed_on, "long") if f.signed_on else ""),
            (_("Expires"), format_date(f.expires_on, "long") if f.expires_on else ""),
            (_("Ends with"), event),
            (_("Signature"), signature),
            (_("Representative"), f.representative_authority),
            (_("Conditioned"), conditioned),
            (_("Revoked"), revoked),
            (_("Recorded"), recorded),
        ])
        strokes: Signature | None = None
        if f.signature_kind is SignatureKind.PAD and f.signature_strokes:
            try:
                strokes = Signature.from_json(json.loads(f.signature_strokes))
            except (ValueError, KeyError, TypeError):
                strokes = None
        if strokes is not None:
            self.signature_view.show_signature(strokes)
        self.signature_view.setVisible(strokes is not None)
        self.scan_link.setVisible(f.signature_kind is SignatureKind.SCANNED and bool(f.attachment_id))
        writable = not self.session.read_only
        self.revoke_button.setVisible(writable and release.revoked_on is None)
        self.event_button.setVisible(writable and bool(f.expiry_event) and release.event_occurred_on is None
                                     and release.revoked_on is None)
        self.detail_stack.setCurrentWidget(self.release_page)

    def _show_disclosure(self, d: Disclosure) -> None:
        self.disclosure_details.name.setText(d.description)
        self.disclosure_details.summary.setText(_("To {who}").format(who=d.recipient))
        notice = _("Re-disclosure notice version {v} sent").format(v=d.notice_version) if d.part2 else ""
        self.disclosure_details.set_rows([
            (_("When"), format_datetime(d.disclosed_at, "medium")),
            (_("Sections"), "\n".join(f"• {InfoType(s).label}" for s in d.sections)),
            (_("Purpose"), d.purpose),
            (_("Legal basis"), d.legal_basis),
            (_("Consent"), consent_text(d)),
            (_("42 CFR Part 2"), notice),
            (_("How sent"), d.method),
            (_("Disclosed by"), d.disclosed_by),
            (_("Fingerprint"), _("SHA-256 {start}…").format(start=d.content_hash[:16])),
        ])
        self.detail_stack.setCurrentWidget(self.disclosure_page)

    # -- actions -------------------------------------------------------------------------------

    def new_item(self) -> None:
        """Ctrl+N on this tab."""
        self.new_release()

    def new_release(self) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        dialog = ReleaseEditorDialog(self.session, self.client.id, self.client.display_name, parent=self.window())
        dialog.saved.connect(lambda saved: self._saved(saved.id))
        dialog.finished.connect(lambda _r: self._closed("editor"))
        self.editor = dialog
        dialog.open()

    def revoke(self) -> None:
        release = self.selected_release()
        if release is None or release.revoked_on is not None or self.session.read_only:
            return
        if self.revoke_dialog is not None:
            self.revoke_dialog.raise_()
            return
        dialog = RevokeReleaseDialog(self.session, release, self.window())
        dialog.done_with.connect(lambda saved: self._saved(saved.id))
        dialog.finished.connect(lambda _r: self._closed("revoke_dialog"))
        self.revoke_dialog = dialog
        dialog.open()

    def record_event(self) -> None:
        release = self.selected_release()
        if release is None or not release.fields.expiry_event or release.event_occurred_on is not None \
                or self.session.read_only:
            return
        if self.event_dialog is not None:
            self.event_dialog.raise_()
            return
        dialog = EndingEventDialog(self.session, release, self.window())
        dialog.done_with.connect(lambda saved: self._saved(saved.id))
        dialog.finished.connect(lambda _r: self._closed("event_dialog"))
        self.event_dialog = dialog
        dialog.open()

    def _closed(self, name: str) -> None:
        """A dialog finished: forget it and free it (it holds the client's data)."""
        dialog = getattr(self, name)
        setattr(self, name, None)
        if dialog is not None:
            dialog.deleteLater()

    def _saved(self, release_id: str) -> None:
        self.message.setVisible(False)
        self._selected = ("release", release_id)
        self.refresh()
        QTimer.singleShot(0, self.release_table.setFocus)
        self.changed.emit()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        if self.editor is not None:
            self.editor.close_for_lock()
        for dialog in (self.revoke_dialog, self.event_dialog):
            if dialog is not None:
                dialog.reject()
        self.releases, self.disclosures = [], []
        self._selected = None
        self.release_model.removeRows(0, self.release_model.rowCount())
        self.disclosure_model.removeRows(0, self.disclosure_model.rowCount())
        for details in (self.release_details, self.release_facts, self.disclosure_details):
            details.clear()
        self.status_badge.clear()
        self.signature_view.set_strokes([])
        self.message.label.clear()
        self.message.setVisible(False)
        self.release_count.clear()
        self.disclosure_count.clear()
        self.detail_stack.setCurrentWidget(self.pick_hint)
        super().clear()
