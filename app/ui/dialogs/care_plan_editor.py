"""Write a care plan with the client: the outline (needs → goals → steps → actions) on the left,
worked with the keyboard; the chosen item's fields on the right; the needs the assessment and
screens suggest on top, to add, add and write, or dismiss.

Two layers keep typing safe, as in the other long forms: every change is autosaved (debounced)
as a form draft in the vault — unreadable dates included, exactly as typed; Save, Close and
"Sign and activate…" keep it as the plan's draft version through the service. Reopening
restores the form draft when it is newer than the plan's draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, date_example, format_date, format_datetime, ngettext, parse_date
from app.models.assessment import AboutPerson
from app.models.care_plan import (
    CarePlan,
    Node,
    PlanDocument,
    Suggestion,
    Tracking,
    accept,
    dismiss,
    open_suggestions,
    update_item,
)
from app.services.errors import ValidationError, VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_details import CarePlanDetails
from app.ui.widgets.common import Banner, Card, muted_label
from app.ui.widgets.plan_outline import ABOUT, PLAN, PlanOutline

FORM = "care_plan"
_PLAN_KEYS = ("discharge_criteria", "start_on", "review_days")


def _row_of(key: str, ids: set[str]) -> tuple[str, str]:
    """The outline row a problem belongs to, and the field's name on that row's form."""
    head, _dot, field = key.partition(".")
    if head == "about":
        return ABOUT, field
    if key in _PLAN_KEYS:
        return PLAN, key
    if head in ids:
        return head, field
    return "", key


class SuggestionRow(QFrame):
    """One suggested need: what it is, where it comes from, and Add / Add and write / Dismiss."""

    def __init__(self, suggestion: Suggestion, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self.setObjectName("ItemRow")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        row.setSpacing(SPACING)
        text = QVBoxLayout()
        text.setSpacing(0)
        heading = QLabel(_("{domain} · {priority}").format(domain=suggestion.domain.label,
                                                           priority=suggestion.priority.label.lower()))
        heading.setFont(theme.scaled_font(self, 1.0, bold=True))
        text.addWidget(heading)
        summary = muted_label(suggestion.summary)
        text.addWidget(summary)
        row.addLayout(text, 1)
        self.add_button = QPushButton(_("Add"))
        self.add_button.setAccessibleName(_("Add the suggested need: {domain}").format(domain=suggestion.domain.label))
        self.write_button = QPushButton(_("Add and write…"))
        self.write_button.setAccessibleName(_("Add the suggested need and write it with the client: {domain}").format(
            domain=suggestion.domain.label))
        self.dismiss_button = QPushButton(_("Dismiss"))
        self.dismiss_button.setAccessibleName(_("Dismiss the suggested need: {domain}").format(
            domain=suggestion.domain.label))
        self.dismiss_button.setToolTip(_("It won't be suggested again for this plan"))
        for button in (self.add_button, self.write_button, self.dismiss_button):
            button.setAutoDefault(False)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)


class CarePlanEditorDialog(DraftDialog):
    saved = Signal()  # the plan's draft version was saved
    sign_requested = Signal(str)  # plan id: the draft passed its checks and is ready to be signed

    def __init__(self, session: Session, plan: CarePlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.plan = plan
        self.client_id = plan.client_id
        plans = session.care_plans
        in_force = plans.current(plan.client_id)
        self.setWindowTitle(_("Care plan draft"))
        self.setModal(True)
        self.resize(1280, 720)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        head = QHBoxLayout()
        title = QLabel(_("Care plan — draft of version {n}").format(n=plan.version))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        head.addWidget(title, 1)
        outer.addLayout(head)
        if in_force is not None:
            intro = _("Changes to version {n}, which stays in force until this draft is signed. Write in the client's "
                      "own words.").format(n=in_force.version)
        else:
            intro = _("Write it together, in the client's own words. It is kept as a draft while you type and is in "
                      "force once both of you sign it.")
        outer.addWidget(muted_label(intro))
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        self.all_suggestions = plans.suggestions(plan.client_id)
        self.suggestion_card = Card()
        caption = QLabel(_("Suggested from the assessment and screens"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        self.suggestion_card.body.addWidget(caption)
        self.suggestion_scroll = QScrollArea()
        self.suggestion_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its buttons take the focus
        self.suggestion_scroll.setWidgetResizable(True)
        self.suggestion_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.suggestion_scroll.setMaximumHeight(118)
        holder = QWidget()
        self.suggestion_list = QVBoxLayout(holder)
        self.suggestion_list.setContentsMargins(0, 0, SPACING, 0)
        self.suggestion_list.setSpacing(4)
        self.suggestion_scroll.setWidget(holder)
        self.suggestion_card.body.addWidget(self.suggestion_scroll)
        outer.addWidget(self.suggestion_card)
        self.suggestion_rows: list[SuggestionRow] = []
        self._shown_suggestions: list[str] | None = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(4)
        left_layout.addLayout(self._toolbar())
        self.outline = PlanOutline()
        self.outline.set_editable(True)
        left_layout.addWidget(self.outline, 1)
        self.outline_hint = Banner("info", _("No needs yet. Press Enter in the outline to write the first one in the "
                                             "client's words, or add one of the suggestions above."))
        left_layout.addWidget(self.outline_hint)
        keys = muted_label(_("Enter: new item · Ctrl+Enter: inside · Tab / Shift+Tab: level in / out · Ctrl+↑ ↓: move · "
                             "Delete: remove · F2: words · F4: status · Ctrl+Z: undo · Ctrl+Tab: details"))
        left_layout.addWidget(keys)
        splitter.addWidget(left)
        self.details = CarePlanDetails(plans.instrument_choices())
        self.details.today = session.clock.today
        self.details.setMinimumWidth(400)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])
        outer.addWidget(splitter, 1)

        self.status, self.close_button, self.save_button, self.sign_button = self.draft_buttons(
            outer, _("Sign and activate…"), self.sign, self.save_draft)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_draft)
        QShortcut(QKeySequence.StandardKey.New, self, self._new_need)
        QShortcut(QKeySequence.StandardKey.Undo, self, self.outline.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, self.outline.redo)
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, self.outline.redo)
        QShortcut(QKeySequence("F6"), self, self._switch_pane)

        self.assessed_on: date | None = None
        latest = session.assessments.latest(plan.client_id)
        if latest is not None:
            self.assessed_on = latest.assessed_on
        self.start_text = date_example(plan.start_on) if plan.start_on else ""
        self.review_days = plan.review_days
        self.problems: dict[str, str] = {}
        self.tracking: dict[str, Tracking] = {}
        self._targets: object = None
        self.autosaver = DraftAutosaver(session, FORM, plan.id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        self.outline.set_document(plan.document, PLAN if not plan.document.needs else plan.document.needs[0].id)
        self._edited = False
        self._close_warned = False
        self._restore_typing()
        self.outline_hint.setVisible(not self.document().needs)
        self._refresh_context()
        self._refresh_suggestions()
        self._connect()
        self._show_current()

    # -- building ------------------------------------------------------------------------------

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        caption = QLabel(_("The plan"))
        caption.setFont(theme.scaled_font(self, 1.05, bold=True))
        row.addWidget(caption, 1)

        def tool(icon: str, text: str, keys: str, slot: Any) -> QToolButton:
            button = QToolButton()
            button.setIcon(theme.icon(icon))
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"{text} ({keys})")
            button.setAccessibleName(text)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            row.addWidget(button)
            return button

        self.add_need_button = tool("mdi6.plus", _("Need"), "Ctrl+N", self._new_need)
        self.add_below_button = tool("mdi6.plus", _("Below"), "Enter", lambda: self._outline_do(self.outline.add_sibling))
        self.add_inside_button = tool("mdi6.subdirectory-arrow-right", _("Inside"), "Ctrl+Enter",
                                      lambda: self._outline_do(self.outline.add_child))
        self.indent_button = tool("mdi6.format-indent-increase", _("In"), "Tab",
                                  lambda: self._outline_do(self.outline.indent))
        self.outdent_button = tool("mdi6.format-indent-decrease", _("Out"), "Shift+Tab",
                                   lambda: self._outline_do(self.outline.outdent))
        self.up_button = tool("mdi6.arrow-up", _("Up"), "Ctrl+Up", lambda: self._outline_do(lambda: self.outline.move_current(-1)))
        self.down_button = tool("mdi6.arrow-down", _("Down"), "Ctrl+Down",
                                lambda: self._outline_do(lambda: self.outline.move_current(1)))
        self.remove_button = tool("mdi6.delete-outline", _("Remove"), "Delete",
                                  lambda: self._outline_do(self.outline.remove_current))
        self.undo_button = tool("mdi6.undo", _("Undo"), "Ctrl+Z", lambda: self._outline_do(self.outline.undo))
        return row

    def _connect(self) -> None:
        self.outline.current_changed.connect(lambda _id: self._show_current())
        self.outline.document_changed.connect(self._document_changed)
        self.outline.message.connect(self._outline_message)
        self.outline.details_requested.connect(self.details.focus_first)
        self.details.node_edited.connect(self._node_edited)
        self.details.about_edited.connect(self._about_edited)
        self.details.plan_edited.connect(self._plan_edited)

    def _outline_do(self, action: Any) -> None:
        self.outline.setFocus()
        action()

    def _new_need(self) -> None:
        self.outline.setFocus()
        self.outline.add_need()

    def _switch_pane(self) -> None:
        if self.outline.hasFocus():
            self.details.focus_first()
        else:
            self.outline.setFocus()

    def _outline_message(self, text: str) -> None:
        self.status.setText(text)

    # -- the document --------------------------------------------------------------------------

    def document(self) -> PlanDocument:
        return self.outline.document()

    def _show_current(self) -> None:
        current = self.outline.current_id()
        doc = self.document()
        if current == ABOUT:
            note = (_("Carried over from the assessment of {date}; change it here with the client.").format(
                date=format_date(self.assessed_on)) if self.assessed_on else "")
            self.details.show_about(doc.about, note)
        elif current == PLAN:
            self.details.show_plan(doc.discharge_criteria, self.start_text, self.review_days)
        else:
            node = self.outline.node(current)
            if node is None:
                self.details.clear()
                return
            self.details.show_node(node, self.tracking.get(node.id))
        self.details.set_errors(self._problems_for(current))

    def _problems_for(self, row: str) -> dict[str, str]:
        ids = {n.id for _p, n in self.document().items()}
        found = {}
        for key, message in self.problems.items():
            owner, field = _row_of(key, ids)
            if owner == row:
                found[field] = message
        return found

    def _document_changed(self, source: str) -> None:
        self.outline_hint.setVisible(not self.document().needs)
        self._changed()
        self._refresh_context()
        self._refresh_suggestions()
        if source != "details":
            self._show_current()

    def _node_edited(self, node: Node, key: str) -> None:
        doc = update_item(self.document(), node)
        self.outline.apply(doc, coalesce=key or None, source="details")
        self._changed()

    def _about_edited(self, about: AboutPerson, key: str) -> None:
        self.outline.apply(replace(self.document(), about=about), coalesce=key, source="details")
        self._changed()

    def _plan_edited(self, key: str) -> None:
        discharge, self.start_text, self.review_days = self.details.plan_values()
        doc = replace(self.document(), discharge_criteria=discharge)
        if doc != self.document():
            self.outline.apply(doc, coalesce=key, source="details")
        self._changed()

    def _changed(self) -> None:
        self._edited = True
        self._close_warned = False
        self.autosaver.changed()

    def _refresh_context(self) -> None:
        """Score tracking for the objectives tied to a questionnaire (read again only when a
        target changes)."""
        targets = tuple((o.id, o.instrument) for o in self.document().objectives() if o.instrument)
        if targets != self._targets:
            self._targets = targets
            self.tracking = self.session.care_plans.tracking(self.client_id, self.document()) if targets else {}
            self.outline.set_context(self.tracking)
            if self.details.node is not None:
                self.details.set_tracking(self.tracking.get(self.details.node.id))

    def _refresh_suggestions(self) -> None:
        open_ = open_suggestions(self.all_suggestions, self.document())
        keys = [s.key for s in open_]
        if keys == self._shown_suggestions:
            return
        self._shown_suggestions = keys
        for row in self.suggestion_rows:
            self.suggestion_list.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.suggestion_rows = []
        for suggestion in open_:
            row = SuggestionRow(suggestion)
            row.add_button.clicked.connect(lambda _c=False, s=suggestion: self.accept_suggestion(s))
            row.write_button.clicked.connect(lambda _c=False, s=suggestion: self.accept_suggestion(s, write=True))
            row.dismiss_button.clicked.connect(lambda _c=False, s=suggestion: self.dismiss_suggestion(s))
            self.suggestion_list.addWidget(row)
            self.suggestion_rows.append(row)
        self.suggestion_card.setVisible(bool(open_))
        self.suggestion_scroll.setMinimumHeight(min(118, 56 * len(open_)))

    def accept_suggestion(self, suggestion: Suggestion, write: bool = False) -> None:
        doc, path = accept(self.document(), suggestion, self.outline.new_id())
        need = doc.needs[path[0]]
        self.outline.apply(doc, need.id)
        self.status.setText(_("Added the need: {domain}. Ctrl+Z takes it out again.").format(domain=suggestion.domain.label))
        if write:
            self.details.focus_first()
        else:
            self._focus_next_suggestion()

    def dismiss_suggestion(self, suggestion: Suggestion) -> None:
        self.outline.apply(dismiss(self.document(), suggestion.key))
        self.status.setText(_("Dismissed for this plan: {domain}. Ctrl+Z brings it back.").format(
            domain=suggestion.domain.label))
        self._focus_next_suggestion()

    def _focus_next_suggestion(self) -> None:
        if self.suggestion_rows:
            self.suggestion_rows[0].add_button.setFocus()
        else:
            self.outline.setFocus()

    # -- values --------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {"plan_id": self.plan.id, "document": self.document().to_json(), "start_on": self.start_text,
                "review_days": self.review_days, "raw_dates": dict(self.details.raw_dates)}

    def _restore_typing(self) -> None:
        """Typing autosaved but not yet kept in the plan's draft (a crash, a lock, a date that
        couldn't be read) comes back, with a note saying so."""
        typed = self.session.drafts.load(FORM, self.plan.id)
        if typed is None or typed.data == self.collect():
            return
        try:
            doc = PlanDocument.from_json(typed.data.get("document") or {})
        except (ValueError, TypeError, KeyError):
            return
        self.outline.set_document(doc, self.outline.current_id())
        self.start_text = str(typed.data.get("start_on") or "")
        self.review_days = int(typed.data.get("review_days") or self.review_days)
        self.details.raw_dates = {str(k): str(v) for k, v in (typed.data.get("raw_dates") or {}).items()}
        self._edited = True
        self.autosaver.dirty = True
        self.draft_banner.show_message(_("What you typed on {when} was restored: it had not been saved in the "
                                         "draft yet.").format(when=format_datetime(typed.saved_at, "short")))

    def _unreadable(self) -> tuple[date | None, dict[str, str]]:
        """The start date, and a sentence for each date that can't be read (keyed like the checks)."""
        problems: dict[str, str] = {}
        start: date | None = None
        if self.start_text.strip():
            try:
                start = parse_date(self.start_text)
            except ValueError as exc:
                problems["start_on"] = str(exc)
        for key, text in self.details.raw_dates.items():
            try:
                parse_date(text)
            except ValueError as exc:
                problems[key] = str(exc)
        return start, problems

    # -- saving --------------------------------------------------------------------------------

    def save_draft(self) -> bool:
        """Keep the outline as the plan's draft version. False (with the reason shown) if it can't
        be; the typing is kept as it is either way."""
        self._clear_problems()
        start, unreadable = self._unreadable()
        if unreadable:
            self.keep_typing()
            self._show_problems(unreadable, _("A date can't be read. Everything you typed is kept."))
            return False
        try:
            self.plan = self.session.care_plans.save_draft(self.plan.id, self.document(), start, self.review_days)
        except ValidationError as exc:
            self.keep_typing()
            self._show_problems(exc.problems, str(exc))
            return False
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return False
        self.draft_stored(self.plan.updated_at)
        self.saved.emit()
        return True


    def sign(self) -> None:
        """Check the plan; if it is ready, close and ask for the agreement and signatures. Every
        problem is shown at once, marked in the outline and next to its field."""
        if not self.save_draft():
            return
        problems = self.session.care_plans.activation_problems(self.plan)
        if problems:
            self._show_problems(problems, ngettext(
                "{n} thing needs attention before the plan can be signed. Everything you typed is kept.",
                "{n} things need attention before the plan can be signed. Everything you typed is kept.",
                len(problems)).format(n=len(problems)))
            return
        plan_id = self.plan.id
        self.done(QDialog.DialogCode.Accepted)
        self.sign_requested.emit(plan_id)

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        self.problems = {}
        self.outline.set_problems({})
        self.details.set_errors({})

    def _show_problems(self, problems: dict[str, str], summary: str) -> None:
        self.problems = dict(problems)
        ids = {n.id for _p, n in self.document().items()}
        rows: dict[str, str] = {}
        leftover: list[str] = []
        for key, message in problems.items():
            owner, _field = _row_of(key, ids)
            if owner:
                rows.setdefault(owner, message)
            else:
                leftover.append(message)
        self.outline.set_problems(rows)
        self.error_banner.show_message("\n".join([summary, *leftover]), "error")
        order = [ABOUT, PLAN, *(n.id for _p, n in self.document().items())]
        first = next((row for row in order if row in rows), None)
        if first is None:
            self.outline.setFocus()
            return
        self.outline.select(first)
        self._show_current()
        field = next(iter(self._problems_for(first)), "")
        widget = self.details.field_widget(field) or self.details.field_widget("title")
        if widget is not None:
            widget.setFocus()
        else:
            self.outline.setFocus()

    # -- closing -------------------------------------------------------------------------------

    def reject(self) -> None:
        """Close, keeping the draft. If a date can't be read, say so once; closing again keeps the
        typing as it is (it comes back next time)."""
        if self._edited and not self.save_draft() and not self._close_warned:
            self._close_warned = True
            self.error_banner.show_message(self.error_banner.label.text() + "\n" + _(
                "Fix it, or close again: what you typed is kept and comes back next time."), "error")
            return
        self.autosaver.flush()
        super().reject()

    def first_focus(self) -> QWidget | None:
        return None if self.error_banner.isVisible() else self.outline

