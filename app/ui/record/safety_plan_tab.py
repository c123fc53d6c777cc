"""The client record's "Safety plan" tab: the plan in force shown readably, the draft being
written, signing, the copy given to the client, and every past version, read-only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_datetime
from app.models.safety_plan import PlanStatus, SafetyPlan
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.safety_plan_editor import FORM, SafetyPlanEditorDialog
from app.ui.dialogs.safety_plan_sign import SignSafetyPlanDialog
from app.ui.record.base import RecordTab
from app.ui.record.safety_plan_view import SafetyPlanView, state_text, status_text
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, EmptyState, muted_label, primary_button


class SafetyPlanTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.active: SafetyPlan | None = None
        self.draft: SafetyPlan | None = None
        self.versions: list[SafetyPlan] = []
        self.shown: SafetyPlan | None = None
        self._selected_id: str | None = None
        self._loaded_for: str | None = None
        self.editor: SafetyPlanEditorDialog | None = None
        self._editor_saved = False
        self.sign_dialog: SignSafetyPlanDialog | None = None

        header = QHBoxLayout()
        header.setSpacing(SPACING)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = QLabel(_("Safety plan"))
        self.title.setFont(theme.scaled_font(self, 1.3, bold=True))
        titles.addWidget(self.title)
        self.status = muted_label("")
        titles.addWidget(self.status)
        header.addLayout(titles, 1)
        self.copy_button = QPushButton(_("Copy given today"))
        self.copy_button.setToolTip(_("Record that the client was given a copy of the plan in force today"))
        self.copy_button.clicked.connect(self.give_copy)
        header.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        self.edit_button = QPushButton(_("Review and change…"))
        self.edit_button.clicked.connect(self._open_editor)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.sign_button = primary_button(_("Sign and activate…"))
        self.sign_button.clicked.connect(self.start_signing)
        header.addWidget(self.sign_button, 0, Qt.AlignmentFlag.AlignTop)
        self.layout_.addLayout(header)

        self.message = Banner("info")
        self.layout_.addWidget(self.message)
        self.review_banner = Banner("warning")
        self.review_now = self.review_banner.add_button(_("Review now…"), self._open_editor)
        self.layout_.addWidget(self.review_banner)
        self.draft_banner = Banner("info")
        self.continue_button = self.draft_banner.add_button(_("Continue writing…"), self._open_editor)
        self.discard_button = self.draft_banner.add_button(_("Discard draft"), self.discard_draft)
        self.layout_.addWidget(self.draft_banner)
        self.past_banner = Banner("info")
        self.past_banner.add_button(_("Show the plan in force"), self.show_current)
        self.layout_.addWidget(self.past_banner)

        self.stack = QStackedWidget()
        self.write_button = primary_button(_("Write a safety plan…"))
        self.write_button.clicked.connect(self._open_editor)
        self._empty_text = _("A safety plan is written with the client, in their words: the signs that a crisis may be "
              "building, what they can do on their own, people and places that help, people to ask for help, "
              "professionals and the crisis line, and how to make their surroundings safer. Both of you sign "
              "it, and the client keeps a copy.")
        self.empty = EmptyState(_("No safety plan yet"), self._empty_text, self.write_button)
        self.stack.addWidget(self.empty)

        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(SPACING * 2)
        self.scroll_area = QScrollArea()
        self.scroll_area.setAccessibleName(_("Safety plan"))
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view = SafetyPlanView()
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, SPACING, 0)
        holder_layout.addWidget(self.view)
        self.scroll_area.setWidget(holder)
        row.addWidget(self.scroll_area, 1)
        self.versions_panel = QWidget()
        panel = QVBoxLayout(self.versions_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(4)
        caption = QLabel(_("Versions"))
        caption.setFont(theme.scaled_font(self, 1.0, bold=True))
        panel.addWidget(caption)
        self.version_list = QListWidget()
        self.version_list.setObjectName("SafetyVersions")
        self.version_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.version_list.setAccessibleName(_("Versions of the safety plan"))
        self.version_list.setWordWrap(True)
        self.version_list.currentItemChanged.connect(self._version_chosen)
        caption.setBuddy(self.version_list)
        panel.addWidget(self.version_list, 1)
        panel.addWidget(muted_label(_("Past versions are kept exactly as they were signed.")))
        self.versions_panel.setFixedWidth(230)
        row.addWidget(self.versions_panel)
        self.stack.addWidget(content)
        self.layout_.addWidget(self.stack, 1)

    # -- reading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        client_id = self.client_id
        if client_id is None:
            return
        if self._loaded_for != client_id:
            self._selected_id = None
            self.message.setVisible(False)
            self._loaded_for = client_id
        plans = self.session.safety_plans
        self.active = plans.current(client_id)
        self.draft = plans.draft(client_id)
        self.versions = plans.versions(client_id, include_draft=True)
        writable = not self.session.read_only
        today = self.session.clock.today()

        if self.active is not None:
            review = format_date(self.active.review_on) if self.active.review_on else "—"
            self.status.setText(_("{status} · review by {date}").format(status=status_text(self.active), date=review))
        elif self.draft is not None:
            self.status.setText(_("No plan in force yet: a draft is being written."))
        else:
            self.status.setText(_("No plan in force."))
        self.copy_button.setVisible(writable and self.active is not None and self.active.copy_given_on is None)
        self.edit_button.setVisible(writable and self.draft is None and self.active is not None)
        self.sign_button.setVisible(writable and self.draft is not None)
        self.write_button.setVisible(writable)
        self.empty.text.setText(self._empty_text if writable else _(
            "There is no safety plan for this client. The vault is open read-only, so none can be written now."))

        due = self.active is not None and self.active.due_for_review(today)
        if due and self.active is not None and self.draft is None:
            self.review_banner.show_message(_(
                "The review date, {date}, has come. Go through the plan with the client and sign it again, "
                "changed or not.").format(date=format_date(self.active.review_on)), "warning")
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
            self.view.clear()
            self._clear_versions()
            self.past_banner.setVisible(False)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        self._fill_versions()
        self._show(self._selected_id)

    def _fill_versions(self) -> None:
        c = theme.colors()
        self.version_list.setStyleSheet(
            f"QListWidget#SafetyVersions {{ border: none; background: transparent; }}"
            f"QListWidget#SafetyVersions::item {{ padding: 6px 6px; border-bottom: 1px solid {c.border};"
            f" color: {c.text}; }}"
            f"QListWidget#SafetyVersions::item:selected {{ background: {c.info_bg}; color: {c.text};"
            f" border-radius: 6px; }}")
        self.version_list.blockSignals(True)
        self.version_list.clear()
        for plan in self.versions:
            item = QListWidgetItem(_("Version {n}\n{state}").format(n=plan.version, state=state_text(plan)))
            item.setData(Qt.ItemDataRole.UserRole, plan.id)
            item.setToolTip(status_text(plan))
            self.version_list.addItem(item)
        self.version_list.blockSignals(False)
        self.versions_panel.setVisible(len(self.versions) > 1)

    def _clear_versions(self) -> None:
        self.version_list.blockSignals(True)
        self.version_list.clear()
        self.version_list.blockSignals(False)

    def _show(self, plan_id: str | None) -> None:
        if not self.versions:
            return
        default = self.active or self.draft or self.versions[0]
        plan = next((p for p in self.versions if p.id == plan_id), default)
        self.shown = plan
        self._selected_id = plan.id if plan is not default else None
        self.view.show_plan(plan)
        for row in range(self.version_list.count()):
            item = self.version_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == plan.id:
                self.version_list.blockSignals(True)
                self.version_list.setCurrentItem(item)
                self.version_list.blockSignals(False)
        if plan.status is PlanStatus.SUPERSEDED:
            replaced = plan.superseded_at.astimezone().date() if plan.superseded_at else None
            self.past_banner.show_message(_(
                "You are looking at version {n}, replaced on {date}. It is kept exactly as it was signed and "
                "can't be changed.").format(n=plan.version, date=format_date(replaced)))
        elif plan.status is PlanStatus.DRAFT and self.active is not None:
            self.past_banner.show_message(_("You are looking at the draft of version {n}. It is not in force.")
                                          .format(n=plan.version))
        else:
            self.past_banner.setVisible(False)

    def _version_chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self._show(item.data(Qt.ItemDataRole.UserRole))

    def show_current(self) -> None:
        self._show(None)

    def show_version(self, plan_id: str) -> None:
        self._show(plan_id)

    # -- actions -------------------------------------------------------------------------------

    def _open_editor(self) -> None:
        self.open_editor()

    def open_editor(self) -> SafetyPlanEditorDialog | None:
        """Write the plan: continue the draft, or start one from the plan in force (or empty)."""
        if self.client_id is None or self.session.read_only:
            return None
        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        editor = SafetyPlanEditorDialog(self.session, self.client_id, self.window())
        editor.sign_requested.connect(self._sign_plan)
        editor.finished.connect(self._editor_closed)
        self.editor = editor
        self._editor_saved = False
        editor.saved.connect(self._editor_saved_draft)
        editor.open()
        return editor

    def _editor_saved_draft(self) -> None:
        self._editor_saved = True

    def _editor_closed(self, _result: int) -> None:
        editor, self.editor = self.editor, None
        if editor is None or self.client is None:
            return
        self.refresh()
        if self._editor_saved:
            self.changed.emit()

    def start_signing(self) -> None:
        """Sign the draft; if it isn't ready, open it with the problems shown next to the fields."""
        if self.draft is None or self.session.read_only:
            return
        if self.session.safety_plans.activation_problems(self.draft.content, self.draft.review_on):
            editor = self.open_editor()
            if editor is not None:
                editor.sign()
            return
        self._sign_plan(self.draft.id)

    def _sign_plan(self, plan_id: str) -> None:
        if self.client is None:
            return
        try:
            plan = self.session.safety_plans.get(plan_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        dialog = SignSafetyPlanDialog(self.session, plan, self.client.display_name, self.window())
        dialog.signed.connect(self._signed)
        dialog.finished.connect(lambda _r: setattr(self, "sign_dialog", None))
        self.sign_dialog = dialog
        dialog.open()

    def _signed(self, plan: SafetyPlan) -> None:
        self._selected_id = None
        self.session.drafts.discard(FORM, plan.client_id)
        self.refresh()
        self.message.show_message(_("Version {n} of the safety plan is now in force.").format(n=plan.version), "info")
        self.changed.emit()

    def give_copy(self) -> None:
        if self.active is None:
            return
        try:
            self.session.safety_plans.record_copy_given(self.active.id)
        except (ValidationError, VaultError) as exc:
            self.message.show_message(str(exc), "error")
            return
        self.refresh()
        self.changed.emit()

    def discard_draft(self) -> None:
        if self.draft is None or self.client_id is None:
            return
        answer = QMessageBox.question(
            self, _("Discard the draft?"),
            _("The draft of version {n} and everything typed in it will be removed. The plan in force, if any, "
              "stays as it is.").format(n=self.draft.version),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        try:
            self.session.safety_plans.discard_draft(self.client_id)
            self.session.drafts.discard(FORM, self.client_id)
        except VaultError as exc:
            self.message.show_message(str(exc), "error")
            return
        self._selected_id = None
        self.refresh()
        self.changed.emit()

    # -- lock ----------------------------------------------------------------------------------

    def clear(self) -> None:
        """On lock: keep what is being typed, close the dialogs, show nothing of the client."""
        if self.editor is not None:
            editor, self.editor = self.editor, None
            editor.close_for_lock()
        if self.sign_dialog is not None:
            dialog, self.sign_dialog = self.sign_dialog, None
            dialog.reject()
        self.view.clear()
        self._clear_versions()
        self.status.clear()
        for banner in (self.message, self.review_banner, self.draft_banner, self.past_banner):
            banner.label.clear()
            banner.setVisible(False)
        self.active = self.draft = self.shown = None
        self.versions = []
        self._selected_id = None
        self._loaded_for = None
        self.stack.setCurrentWidget(self.empty)
        super().clear()
