"""The client record's "Care plan" tab: the plan in force as an outline with the chosen item's
details beside it (objectives tracked by scores, goal attainment at each review), the draft
being written, signing, reviews, status changes, every past version, and the comparison of two
versions. Writing happens in the editor (Ctrl+N: start or change the plan)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime, ngettext
from app.models.care_plan import CarePlan, PlanStatus, Review, Tracking, short
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.care_plan_diff import CarePlanDiffDialog, version_label
from app.ui.dialogs.care_plan_editor import FORM, CarePlanEditorDialog
from app.ui.dialogs.care_plan_review import CarePlanReviewDialog
from app.ui.dialogs.care_plan_sign import SignCarePlanDialog
from app.ui.dialogs.care_plan_status import CarePlanStatusDialog
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_view import CarePlanItemView
from app.ui.widgets.common import Banner, EmptyState, muted_label, primary_button
from app.ui.widgets.plan_outline import ABOUT, PLAN, PlanOutline


class CarePlanTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.versions: list[CarePlan] = []
        self.in_force: CarePlan | None = None
        self.draft: CarePlan | None = None
        self.shown: CarePlan | None = None
        self.reviews: list[Review] = []
        self.tracking: dict[str, Tracking] = {}
        self._chosen_id: str | None = None
        self._loaded_for: str | None = None
        self.editor: CarePlanEditorDialog | None = None
        self._editor_saved = False
        self.sign_dialog: SignCarePlanDialog | None = None
        self.review_dialog: CarePlanReviewDialog | None = None
        self.diff_dialog: CarePlanDiffDialog | None = None
        self.status_dialog: CarePlanStatusDialog | None = None
        self._names: dict[str, str] | None = None

        header = QHBoxLayout()
        header.setSpacing(SPACING)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = QLabel(_("Care plan"))
        self.title.setFont(theme.scaled_font(self, 1.3, bold=True))
        titles.addWidget(self.title)
        self.status = muted_label("")
        titles.addWidget(self.status)
        header.addLayout(titles, 1)
        self.version_combo = QComboBox()
        self.version_combo.setAccessibleName(_("Version shown"))
        self.version_combo.setToolTip(_("Show another version of the plan"))
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_combo.currentIndexChanged.connect(self._version_chosen)
        header.addWidget(self.version_combo, 0, Qt.AlignmentFlag.AlignTop)
        self.more_button = QPushButton(_("More"))
        self.more_button.setAccessibleName(_("More actions for the care plan"))
        self.more_menu = QMenu(self.more_button)
        self.compare_action = self.more_menu.addAction(_("Compare versions…"), self.open_diff)
        self.more_menu.addSeparator()
        self.hold_action = self.more_menu.addAction(_("Put on hold…"), lambda: self.change_status(PlanStatus.ON_HOLD))
        self.resume_action = self.more_menu.addAction(_("Resume the plan"), self.resume)
        self.complete_action = self.more_menu.addAction(_("Mark completed…"),
                                                        lambda: self.change_status(PlanStatus.COMPLETED))
        self.revoke_action = self.more_menu.addAction(_("Revoke…"), lambda: self.change_status(PlanStatus.REVOKED))
        self.more_button.setMenu(self.more_menu)
        header.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        self.review_button = QPushButton(_("Record a review…"))
        self.review_button.clicked.connect(self.open_review)
        header.addWidget(self.review_button, 0, Qt.AlignmentFlag.AlignTop)
        self.change_button = QPushButton(_("Change the plan…"))
        self.change_button.setToolTip(_("Write a new version, starting from the plan in force (Ctrl+N)"))
        self.change_button.clicked.connect(self._open_editor)
        header.addWidget(self.change_button, 0, Qt.AlignmentFlag.AlignTop)
        self.sign_button = primary_button(_("Sign and activate…"))
        self.sign_button.clicked.connect(self.start_signing)
        header.addWidget(self.sign_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(header)

        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.review_banner = Banner("warning")
        self.review_now = self.review_banner.add_button(_("Record a review…"), self.open_review)
        self.layout_.addWidget(self.review_banner)
        self.draft_banner = Banner("info")
        self.continue_button = self.draft_banner.add_button(_("Continue writing…"), self._open_editor)
        self.discard_button = self.draft_banner.add_button(_("Discard draft"), self.discard_draft)
        self.layout_.addWidget(self.draft_banner)
        self.past_banner = Banner("info")
        self.back_button = self.past_banner.add_button(_("Show the plan in force"), self.show_current)
        self.layout_.addWidget(self.past_banner)

        self.stack = QStackedWidget()
        self.start_button = primary_button(_("Start a plan"))
        self.start_button.setToolTip(_("Write the care plan with the client (Ctrl+N)"))
        self.start_button.clicked.connect(self._open_editor)
        self._empty_text = _(
            "A care plan is written with the client, in their words: what matters to them, the needs to work on, "
            "goals with a SMART restatement, measurable steps, and who does what. Both of you sign it, and it is "
            "reviewed together every few months.")
        self.empty = EmptyState(_("No care plan yet"), self._empty_text, self.start_button)
        self.stack.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.outline = PlanOutline()
        self.outline.current_changed.connect(lambda _id: self._show_item())
        self.outline.details_requested.connect(lambda: self.view.setFocus())
        self.splitter.addWidget(self.outline)
        self.view = CarePlanItemView()
        self.view.setMinimumWidth(300)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([720, 380])
        self.stack.addWidget(self.splitter)
        self.layout_.addWidget(self.stack, 1)

    # -- keyboard ------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        """Ctrl+N here starts or changes the plan (the window's Ctrl+N, new client, waits)."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._is_new(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self._is_new(event):
            self.open_editor()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _is_new(event: QKeyEvent) -> bool:
        return QKeySequence(event.keyCombination()) == QKeySequence(QKeySequence.StandardKey.New)

    # -- reading -------------------------------------------------------------------------------

    @property
    def names(self) -> dict[str, str]:
        if self._names is None:
            self._names = {i: n for i, n, _b in self.session.care_plans.instrument_choices()}
        return self._names

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        if self._loaded_for != client_id:
            self._chosen_id = None
            self.message.setVisible(False)
            self._loaded_for = client_id
        plans = self.session.care_plans
        self.versions = plans.versions(client_id, include_draft=True)
        self.in_force = next((p for p in self.versions if p.in_force), None)
        self.draft = next((p for p in self.versions if p.status is PlanStatus.DRAFT), None)
        self.reviews = plans.reviews(client_id) if self.versions else []
        writable = not self.session.read_only
        today = self.session.clock.today()
        latest_signed = next((p for p in self.versions if p.status is not PlanStatus.DRAFT), None)

        if self.in_force is not None:
            plan = self.in_force
            since = plan.activated_at.astimezone().date() if plan.activated_at else None
            parts = [_("Version {n}").format(n=plan.version), plan.status.label.lower(),
                     _("since {date}").format(date=format_date(since))]
            if plan.status is PlanStatus.ACTIVE and plan.review_on:
                parts.append(_("review by {date}").format(date=format_date(plan.review_on)))
            self.status.setText(" · ".join(parts))
        elif self.draft is not None:
            self.status.setText(_("Nothing in force yet: a draft is being written."))
        elif latest_signed is not None:
            self.status.setText(_("Version {n} is {status}. Nothing is in force.").format(
                n=latest_signed.version, status=latest_signed.status.label.lower()))
        else:
            self.status.setText(_("No plan in force."))

        self.review_button.setVisible(writable and self.in_force is not None
                                      and self.in_force.status is PlanStatus.ACTIVE)
        self.change_button.setVisible(writable and self.draft is None and latest_signed is not None)
        self.change_button.setText(_("Change the plan…") if self.in_force else _("Start a new plan…"))
        self.sign_button.setVisible(writable and self.draft is not None)
        self.start_button.setVisible(writable)
        in_force_status = self.in_force.status if self.in_force else None
        self.hold_action.setVisible(writable and in_force_status is PlanStatus.ACTIVE)
        self.resume_action.setVisible(writable and in_force_status is PlanStatus.ON_HOLD)
        self.complete_action.setVisible(writable and self.in_force is not None)
        self.revoke_action.setVisible(writable and self.in_force is not None)
        self.compare_action.setEnabled(len(self.versions) > 1)
        self.more_button.setVisible(bool(self.versions))
        self.version_combo.setVisible(len(self.versions) > 1)

        due = self.in_force is not None and self.in_force.due_for_review(today)
        if due and self.in_force is not None:
            self.review_banner.show_message(_(
                "The review date, {date}, has come. Go through the plan with the client: rate each goal, note what "
                "changes and who was there.").format(date=format_date(self.in_force.review_on)), "warning")
            self.review_now.setVisible(writable)
        else:
            self.review_banner.setVisible(False)
        if self.draft is not None:
            saved = self.draft.updated_at
            self.draft_banner.show_message(_(
                "A draft of version {n} is being written (last kept {when}). It is not in force until it is "
                "signed.").format(n=self.draft.version, when=format_datetime(saved, "short") if saved else "—"))
            self.continue_button.setVisible(writable)
            self.discard_button.setVisible(writable)
        else:
            self.draft_banner.setVisible(False)

        if not self.versions:
            self.shown = None
            self.outline.clear_document()
            self.view.clear()
            self._fill_versions()
            self.past_banner.setVisible(False)
            self._empty_state(writable)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.splitter)
        self._fill_versions()
        self._show(self._chosen_id)

    def _empty_state(self, writable: bool) -> None:
        if not writable:
            self.empty.text.setText(_("There is no care plan for this client. The vault is open read-only, so none "
                                      "can be written now."))
            return
        assert self.client_id is not None
        latest = self.session.assessments.latest(self.client_id)
        count = len(self.session.care_plans.suggestions(self.client_id))
        if latest is None:
            extra = _("There is no completed assessment yet: the plan starts empty.")
        else:
            extra = ngettext("It starts from the assessment of {date}: what matters to the client, and {n} suggested "
                             "need.", "It starts from the assessment of {date}: what matters to the client, and {n} "
                             "suggested needs.", count).format(date=format_date(latest.assessed_on), n=count)
        self.empty.text.setText(self._empty_text + "\n\n" + extra)

    def _fill_versions(self) -> None:
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for plan in self.versions:
            self.version_combo.addItem(version_label(plan), plan.id)
        self.version_combo.blockSignals(False)

    def _default(self) -> CarePlan | None:
        return self.in_force or self.draft or (self.versions[0] if self.versions else None)

    def _show(self, plan_id: str | None) -> None:
        default = self._default()
        if default is None:
            return
        plan = next((p for p in self.versions if p.id == plan_id), default)
        changed = self.shown is None or self.shown.id != plan.id
        self.shown = plan
        self._chosen_id = plan.id if plan is not default else None
        self.version_combo.blockSignals(True)
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(plan.id)))
        self.version_combo.blockSignals(False)
        self.tracking = self.session.care_plans.tracking(plan.client_id, plan.document)
        gas: dict[str, int] = {}
        for review in self.reviews:  # newest first: the first rating of a goal is its latest
            for progress in review.progress:
                if progress.gas is not None:
                    gas.setdefault(progress.goal_id, progress.gas)
        self.outline.set_context(self.tracking, gas)
        first = plan.document.needs[0].id if plan.document.needs else PLAN
        self.outline.set_document(plan.document, first if changed else None)
        self._show_item()
        if plan.status is PlanStatus.SUPERSEDED:
            replaced = plan.superseded_at.astimezone().date() if plan.superseded_at else None
            self.past_banner.show_message(_(
                "You are looking at version {n}, replaced on {date}. It is kept exactly as it was signed.").format(
                n=plan.version, date=format_date(replaced)))
            self.back_button.setVisible(self.in_force is not None)
        elif plan.status is PlanStatus.DRAFT and self.in_force is not None:
            self.past_banner.show_message(_("You are looking at the draft of version {n}. It is not in force.")
                                          .format(n=plan.version))
            self.back_button.setVisible(True)
        elif plan.status in (PlanStatus.COMPLETED, PlanStatus.REVOKED):
            when = plan.status_changed_at.astimezone().date() if plan.status_changed_at else None
            self.past_banner.show_message(_("This plan was {status} on {date}: {reason}").format(
                status=plan.status.label.lower(), date=format_date(when), reason=plan.status_reason or "—"))
            self.back_button.setVisible(False)
        else:
            self.past_banner.setVisible(False)

    def _show_item(self) -> None:
        plan = self.shown
        if plan is None:
            return
        current = self.outline.current_id()
        if current == ABOUT:
            self.view.show_about(plan)
        elif current == PLAN:
            goals = {g.id: short(g.client_words or g.smart, 40) for g in plan.document.goals()}
            self.view.show_plan(plan, [r for r in self.reviews if r.plan_id == plan.id] or self.reviews, goals)
        else:
            node = self.outline.node(current)
            if node is None:
                self.view.clear()
                return
            self.view.show_node(node, self.tracking.get(node.id), self.reviews, self.names)

    def _version_chosen(self, index: int) -> None:
        if index >= 0:
            self._show(self.version_combo.itemData(index))

    def show_current(self) -> None:
        self._show(None)

    def show_version(self, plan_id: str) -> None:
        self._show(plan_id)

    # -- writing -------------------------------------------------------------------------------

    def _open_editor(self) -> None:
        self.open_editor()

    def open_editor(self) -> CarePlanEditorDialog | None:
        """Write the plan: continue the draft, or start one (from the plan in force, or a new
        plan from the latest assessment)."""
        if self.client_id is None or self.session.read_only:
            return None
        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        try:
            draft = self.session.care_plans.start_draft(self.client_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return None
        editor = CarePlanEditorDialog(self.session, draft, self.window())
        editor.sign_requested.connect(self._sign_plan)
        editor.finished.connect(self._editor_closed)
        self.editor = editor
        self._editor_saved = True  # a new draft exists now
        editor.open()
        return editor

    def _editor_closed(self, _result: int) -> None:
        editor, self.editor = self.editor, None
        if editor is None or self.client is None:
            return
        self._chosen_id = None
        self.refresh()
        if self._editor_saved:
            self.changed.emit()

    def start_signing(self) -> None:
        """Sign the draft; if it isn't ready, open it with the problems shown where they are."""
        if self.draft is None or self.session.read_only:
            return
        if self.session.care_plans.activation_problems(self.draft):
            editor = self.open_editor()
            if editor is not None:
                editor.sign()
            return
        self._sign_plan(self.draft.id)

    def _sign_plan(self, plan_id: str) -> None:
        if self.client is None:
            return
        try:
            plan = self.session.care_plans.get(plan_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        dialog = SignCarePlanDialog(self.session, plan, self.client.display_name, self.window())
        dialog.signed.connect(self._signed)
        dialog.finished.connect(lambda _r: setattr(self, "sign_dialog", None))
        self.sign_dialog = dialog
        dialog.open()

    def _signed(self, plan: CarePlan) -> None:
        self._chosen_id = None
        self.session.drafts.discard(FORM, plan.id)
        self.refresh()
        self.message.show_message(_("Version {n} of the care plan is now in force. The first review is due by "
                                    "{date}.").format(n=plan.version, date=format_date(plan.review_on)), "info")
        self.changed.emit()

    def discard_draft(self) -> None:
        if self.draft is None or self.client_id is None:
            return
        answer = QMessageBox.question(
            self, _("Discard the draft?"),
            _("The draft of version {n} and everything written in it will be removed. The plan in force, if any, "
              "stays as it is.").format(n=self.draft.version),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        try:
            draft_id = self.draft.id
            self.session.care_plans.discard_draft(self.client_id)
            self.session.drafts.discard(FORM, draft_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._chosen_id = None
        self.refresh()
        self.changed.emit()

    # -- the plan in force ---------------------------------------------------------------------

    def open_review(self) -> CarePlanReviewDialog | None:
        if self.in_force is None or self.session.read_only:
            return None
        dialog = CarePlanReviewDialog(self.session, self.in_force, self.window())
        dialog.recorded.connect(self._reviewed)
        dialog.finished.connect(lambda _r: setattr(self, "review_dialog", None))
        self.review_dialog = dialog
        dialog.open()
        return dialog

    def _reviewed(self, review: Review) -> None:
        self.refresh()
        self.message.show_message(_("The review of {date} is recorded. The next one is due by {next}.").format(
            date=format_date(review.reviewed_on), next=format_date(review.next_review_on)), "info")
        self.changed.emit()

    def change_status(self, status: PlanStatus) -> CarePlanStatusDialog | None:
        if self.in_force is None or self.session.read_only:
            return None
        dialog = CarePlanStatusDialog(self.session, self.in_force, status, self.window())
        dialog.changed.connect(self._status_changed)
        dialog.finished.connect(lambda _r: setattr(self, "status_dialog", None))
        self.status_dialog = dialog
        dialog.open()
        return dialog

    def resume(self) -> None:
        if self.in_force is None or self.session.read_only:
            return
        try:
            plan = self.session.care_plans.set_status(self.in_force.id, PlanStatus.ACTIVE)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._status_changed(plan)

    def _status_changed(self, plan: CarePlan) -> None:
        self._chosen_id = None
        self.refresh()
        self.message.show_message(_("Version {n} of the care plan is now {status}.").format(
            n=plan.version, status=plan.status.label.lower()), "info")
        self.changed.emit()

    def open_diff(self) -> CarePlanDiffDialog | None:
        if len(self.versions) < 2:
            return None
        newest = self.versions[0]
        older = self.shown if self.shown is not None and self.shown.id != newest.id else self.versions[1]
        dialog = CarePlanDiffDialog(self.session, self.versions, older.id, newest.id, self.window())
        dialog.finished.connect(lambda _r: setattr(self, "diff_dialog", None))
        self.diff_dialog = dialog
        dialog.open()
        return dialog

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.close_for_lock()
        if self.review_dialog is not None:
            review, self.review_dialog = self.review_dialog, None
            review.close_for_lock()
        for name in ("sign_dialog", "diff_dialog", "status_dialog"):
            dialog = getattr(self, name)
            if dialog is not None:
                setattr(self, name, None)
                dialog.reject()
        self.outline.clear_document()
        self.view.clear()
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        self.version_combo.blockSignals(False)
        self.status.clear()
        for banner in (self.message, self.review_banner, self.draft_banner, self.past_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.in_force = self.draft = self.shown = None
        self.versions = []
        self.reviews = []
        self.tracking = {}
        self._chosen_id = None
        self._loaded_for = None
        self.stack.setCurrentWidget(self.empty)
        super().clear()
