"""Write or change a safety plan with the client: the six steps, the one thing that matters most,
barriers and likelihood per step, and a review date. Fast with the keyboard (Enter adds a line or
a row), autosaved while typing, and checked next to each field before it can be signed.

Two layers keep typing safe: every keystroke is autosaved (debounced) as a form draft in the
vault, exactly as typed — half-typed dates included; Save, Close and "Sign and activate…" keep
it as the plan's draft version through the service. Reopening restores whichever is newer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, current_locale, date_example, format_datetime, ngettext, parse_date
from app.models.safety_plan import (
    Contact,
    EmergencyDepartment,
    Likelihood,
    MeansStep,
    PlanContent,
    Professional,
    SafetyPlan,
    Section,
    StepNote,
    default_review_on,
)
from app.models.screening import crisis_line
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.draft_dialog import DraftDialog
from app.ui.drafts import DraftAutosaver
from app.ui.theme import SPACING
from app.ui.widgets.common import (
    Banner,
    Card,
    FieldGrid,
    muted_label,
)
from app.ui.widgets.inputs import DateField
from app.ui.widgets.list_editors import Column, LinesEditor, RowsEditor

FORM = "safety_plan"


_LINE_PLACEHOLDERS: dict[Section, Callable[[], str]] = {
    Section.WARNING_SIGNS: lambda: _("e.g. lying awake going over things"),
    Section.COPING: lambda: _("e.g. a walk with music on"),
}
_ROW_COLUMNS: dict[Section, Callable[[], tuple[list[Column], str]]] = {
    Section.DISTRACTIONS: lambda: ([Column("name", _("Person or place"), _("Name")), Column("phone", _("Phone")),
                                    Column("place", _("Where"), _("e.g. the library café"), stretch=2)],
                                   _("+ Add a person or place")),
    Section.HELPERS: lambda: ([Column("name", _("Name")), Column("phone", _("Phone"))], _("+ Add a person")),
    Section.PROFESSIONALS: lambda: ([Column("name", _("Name")),
                                     Column("role", _("Role or service"), _("e.g. psychiatrist")),
                                     Column("phone", _("Phone")), Column("after_hours", _("After-hours phone"))],
                                    _("+ Add a professional or service")),
    Section.MEANS: lambda: ([Column("what", _("What"), _("e.g. spare medicines")),
                             Column("held_by", _("Who keeps it")), Column("by_when", _("By when"), date=True)],
                            _("+ Add something to make safer")),
}


def form_data(content: PlanContent, review_on: date | None) -> dict[str, Any]:
    """A plan as the editor's form holds it (dates as typed text)."""
    return {
        "worth": content.worth_living_for,
        "warning_signs": list(content.warning_signs),
        "coping": list(content.coping),
        "distractions": [{"name": c.name, "phone": c.phone, "place": c.place} for c in content.distractions],
        "helpers": [{"name": c.name, "phone": c.phone} for c in content.helpers],
        "professionals": [{"name": p.name, "role": p.role, "phone": p.phone, "after_hours": p.after_hours}
                          for p in content.professionals],
        "means": [{"what": m.what, "held_by": m.held_by, "by_when": date_example(m.by_when) if m.by_when else ""}
                  for m in content.means],
        "ed": content.emergency_department.to_json(),
        "local_crisis_line": content.local_crisis_line,
        "steps": {s.value: {"barriers": n.barriers, "likelihood": n.likelihood.value if n.likelihood else ""}
                  for s, n in content.steps.items()},
        "review_on": date_example(review_on) if review_on else "",
    }


class SafetyPlanEditorDialog(DraftDialog):
    saved = Signal()  # the plan's draft version was saved
    sign_requested = Signal(str)  # plan id: the draft passed its checks and is ready to be signed

    def __init__(self, session: Session, client_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client_id = client_id
        plans = session.safety_plans
        self.plan: SafetyPlan | None = plans.draft(client_id)
        active = plans.current(client_id)
        self.setWindowTitle(_("Safety plan draft"))
        self.setModal(True)
        self.resize(1000, 690)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        outer.setSpacing(SPACING)
        title = QLabel(_("Safety plan draft"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        outer.addWidget(title)
        if active is not None:
            intro = _("Changes to version {n}, which stays in force until this draft is signed. Write in the "
                      "client's own words; Enter adds a line.").format(n=active.version)
        else:
            intro = _("Write it together, in the client's own words; Enter adds a line. It is kept as a draft "
                      "while you type and is in force once signed.")
        outer.addWidget(muted_label(intro))
        self.draft_banner = Banner("info")
        outer.addWidget(self.draft_banner)
        self.error_banner = Banner("error")
        outer.addWidget(self.error_banner)

        scroll, body = self.scrolling_form()
        self._build()
        self.form.addStretch(1)
        scroll.setWidget(body)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)

        # Enter adds lines here; it never signs by surprise.
        self.status, self.close_button, self.save_button, self.sign_button = self.draft_buttons(
            outer, _("Sign and activate…"), self.sign, self.save_draft)
        QShortcut(QKeySequence.StandardKey.Save, self, self._save_shortcut)

        self.autosaver = DraftAutosaver(session, FORM, client_id, self.collect, parent=self)
        self.autosaver.status.connect(self.status.setText)
        base = self.plan or active
        content = base.content if base else PlanContent()
        review = self.plan.review_on if self.plan else default_review_on(session.clock.today())
        self.apply(form_data(content, review))
        self._edited = False  # nothing is created until something is typed, saved or signed
        self._close_warned = False
        self._restore_typing()
        self._connect()
        self._order_tabs()

    # -- building ------------------------------------------------------------------------------

    def _section_card(self, section: Section) -> Card:
        card = Card()
        head = QHBoxLayout()
        head.setSpacing(SPACING)
        c = theme.colors()
        number = QLabel(str(section.number))
        number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        number.setFixedSize(24, 24)
        number.setStyleSheet(f"background: {c.accent}; color: {c.accent_text}; border-radius: 12px; font-weight: 600;")
        head.addWidget(number)
        heading = QLabel(section.heading)
        heading.setFont(theme.scaled_font(self, 1.1, bold=True))
        head.addWidget(heading, 1)
        card.body.addLayout(head)
        card.body.addWidget(muted_label(section.hint))
        self.form.addWidget(card)
        return card

    def _build(self) -> None:
        worth = Card()
        caption = QLabel(_("The one thing that matters most to me, worth living for"))
        caption.setFont(theme.scaled_font(self, 1.1, bold=True))
        worth.body.addWidget(caption)
        self.worth = QLineEdit()
        self.worth.setMaxLength(300)
        self.worth.setFont(theme.scaled_font(self, 1.15))
        self.worth.setPlaceholderText(_("In the client's words, e.g. my kids, my dog, seeing spring"))
        self.worth.setAccessibleName(_("The one thing that matters most to me"))
        caption.setBuddy(self.worth)
        worth.body.addWidget(self.worth)
        self.form.addWidget(worth)

        self.lines: dict[Section, LinesEditor] = {}
        self.rows: dict[Section, RowsEditor] = {}
        self.barriers: dict[Section, QLineEdit] = {}
        self.likelihood: dict[Section, QComboBox] = {}
        for section in Section:
            card = self._section_card(section)
            name = _("Step {n}").format(n=section.number)
            if section in _LINE_PLACEHOLDERS:
                lines = LinesEditor(name, _LINE_PLACEHOLDERS[section]())
                self.lines[section] = lines
                card.body.addWidget(lines)
            else:
                columns, add_label = _ROW_COLUMNS[section]()
                rows = RowsEditor(name, columns, add_label)
                self.rows[section] = rows
                card.body.addWidget(rows)
            if section is Section.PROFESSIONALS:
                self._build_services(card)
            card.body.addLayout(self._step_note(section))

        review = Card()
        self.review_grid = FieldGrid(columns=3)
        self.review_on = DateField()
        self.review_grid.add("review_on", _("Review the plan together by"), self.review_on, required=True,
                             hint=_("Plans are usually reviewed within a month, and after any crisis."))
        review.body.addWidget(self.review_grid)
        self.form.addWidget(review)

    def _build_services(self, card: Card) -> None:
        crisis = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(theme.icon("mdi6.phone-alert-outline", theme.colors().accent).pixmap(20, 20))
        crisis.addWidget(icon)
        self.crisis_label = QLabel(crisis_line(current_locale()))
        self.crisis_label.setFont(theme.scaled_font(self, 1.0, bold=True))
        self.crisis_label.setToolTip(_("Always printed on the plan"))
        crisis.addWidget(self.crisis_label, 1)
        card.body.addLayout(crisis)
        self.ed_grid = FieldGrid(columns=3)
        self.ed_name = QLineEdit()
        self.ed_grid.add("ed_name", _("Nearest emergency department"), self.ed_name)
        self.ed_address = QLineEdit()
        self.ed_grid.add("ed_address", _("Its address"), self.ed_address)
        self.ed_phone = QLineEdit()
        self.ed_grid.add("ed_phone", _("Its phone"), self.ed_phone)
        self.local_line = QLineEdit()
        self.local_line.setPlaceholderText(_("e.g. the county mobile crisis team and its number"))
        self.ed_grid.add("local_crisis_line", _("Local crisis service (optional)"), self.local_line, span=3)
        card.body.addWidget(self.ed_grid)

    def _step_note(self, section: Section) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        caption = muted_label(_("What might get in the way?"))
        caption.setWordWrap(False)
        row.addWidget(caption)
        barriers = QLineEdit()
        barriers.setMaxLength(300)
        barriers.setAccessibleName(_("Step {n}: what might get in the way").format(n=section.number))
        caption.setBuddy(barriers)
        row.addWidget(barriers, 1)
        likely_caption = muted_label(_("Likely to use it?"))
        likely_caption.setWordWrap(False)
        row.addWidget(likely_caption)
        likely = QComboBox()
        likely.addItem(_("Not asked"), "")
        for value in Likelihood:
            likely.addItem(value.label, value.value)
        likely.setAccessibleName(_("Step {n}: how likely the client is to use it").format(n=section.number))
        likely_caption.setBuddy(likely)
        row.addWidget(likely)
        self.barriers[section] = barriers
        self.likelihood[section] = likely
        return row

    def _connect(self) -> None:
        self.worth.textEdited.connect(self._changed)
        for lines in self.lines.values():
            lines.changed.connect(self._changed)
            lines.reordered.connect(self._order_tabs)
        for rows in self.rows.values():
            rows.changed.connect(self._changed)
            rows.reordered.connect(self._order_tabs)
        for edit in (*self.barriers.values(), self.ed_name, self.ed_address, self.ed_phone, self.local_line):
            edit.textEdited.connect(self._changed)
        for combo in self.likelihood.values():
            combo.currentIndexChanged.connect(self._changed)
        self.review_on.edit.textEdited.connect(self._changed)

    def _order_tabs(self) -> None:
        """Tab (and Enter at the end of a list) follows the reading order, lines added included."""
        chain: list[QWidget] = [self.worth]
        for section in Section:
            editor = self.lines.get(section) or self.rows[section]
            chain.extend(editor.tab_widgets())
            if section is Section.PROFESSIONALS:
                chain.extend((self.ed_name, self.ed_address, self.ed_phone, self.local_line))
            chain.extend((self.barriers[section], self.likelihood[section]))
        chain.extend((self.review_on.edit, self.review_on.pick, self.close_button, self.save_button,
                      self.sign_button))
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _changed(self, *_args: Any) -> None:
        self._edited = True
        self._close_warned = False
        self.autosaver.changed()

    # -- values --------------------------------------------------------------------------------

    def collect(self) -> dict[str, Any]:
        """Everything on screen exactly as typed."""
        return {
            "worth": self.worth.text(),
            "warning_signs": self.lines[Section.WARNING_SIGNS].lines(),
            "coping": self.lines[Section.COPING].lines(),
            "distractions": self.rows[Section.DISTRACTIONS].values(),
            "helpers": self.rows[Section.HELPERS].values(),
            "professionals": self.rows[Section.PROFESSIONALS].values(),
            "means": self.rows[Section.MEANS].values(),
            "ed": {"name": self.ed_name.text(), "address": self.ed_address.text(), "phone": self.ed_phone.text()},
            "local_crisis_line": self.local_line.text(),
            "steps": {s.value: {"barriers": self.barriers[s].text(), "likelihood": self.likelihood[s].currentData()}
                      for s in Section},
            "review_on": self.review_on.text(),
        }

    def apply(self, data: dict[str, Any]) -> None:
        self.worth.setText(str(data.get("worth", "")))
        for section, key in ((Section.WARNING_SIGNS, "warning_signs"), (Section.COPING, "coping")):
            self.lines[section].set_lines([str(v) for v in data.get(key) or []])
        for section, key in ((Section.DISTRACTIONS, "distractions"), (Section.HELPERS, "helpers"),
                             (Section.PROFESSIONALS, "professionals"), (Section.MEANS, "means")):
            self.rows[section].set_values([{k: str(v or "") for k, v in row.items()} for row in data.get(key) or []])
        ed = data.get("ed") or {}
        self.ed_name.setText(str(ed.get("name", "")))
        self.ed_address.setText(str(ed.get("address", "")))
        self.ed_phone.setText(str(ed.get("phone", "")))
        self.local_line.setText(str(data.get("local_crisis_line", "")))
        steps = data.get("steps") or {}
        for section in Section:
            note = steps.get(section.value) or {}
            self.barriers[section].setText(str(note.get("barriers", "")))
            combo = self.likelihood[section]
            combo.setCurrentIndex(max(0, combo.findData(note.get("likelihood") or "")))
        self.review_on.set_text(str(data.get("review_on", "")))

    def read(self) -> tuple[PlanContent, date | None, dict[str, str]]:
        """The form as plan content, rows in screen order (blank ones included), and a sentence
        for each date that can't be read (keyed like the plan checks; the date is left empty)."""
        data = self.collect()
        problems: dict[str, str] = {}
        means: list[MeansStep] = []
        for i, row in enumerate(data["means"]):
            when: date | None = None
            if row["by_when"].strip():
                try:
                    when = parse_date(row["by_when"])
                except ValueError as exc:
                    problems[f"means.{i}.by_when"] = str(exc)
            means.append(MeansStep(row["what"], row["held_by"], when))
        review_on: date | None = None
        try:
            review_on = self.review_on.value()
        except ValueError as exc:
            problems["review_on"] = str(exc)
        steps = {}
        for s in Section:
            note = data["steps"][s.value]
            steps[s] = StepNote(note["barriers"], Likelihood(note["likelihood"]) if note["likelihood"] else None)
        content = PlanContent(
            worth_living_for=data["worth"],
            warning_signs=tuple(data["warning_signs"]),
            coping=tuple(data["coping"]),
            distractions=tuple(Contact(r["name"], r["phone"], r["place"]) for r in data["distractions"]),
            helpers=tuple(Contact(r["name"], r["phone"]) for r in data["helpers"]),
            professionals=tuple(Professional(r["name"], r["role"], r["phone"], r["after_hours"])
                                for r in data["professionals"]),
            emergency_department=EmergencyDepartment(**data["ed"]),
            local_crisis_line=data["local_crisis_line"],
            means=tuple(means),
            steps=steps,
        )
        return content, review_on, problems

    # -- drafts --------------------------------------------------------------------------------

    def _restore_typing(self) -> None:
        """Typing autosaved but not yet kept in the plan's draft (a crash, a lock, a date that
        couldn't be read) comes back, with a note saying so."""
        typed = self.session.drafts.load(FORM, self.client_id)
        if typed is None:
            return
        if typed.data == self.collect():
            return
        self.apply(typed.data)
        self._edited = True
        self.autosaver.dirty = True
        self.draft_banner.show_message(_("What you typed on {when} was restored: it had not been saved in the "
                                         "draft yet.").format(when=format_datetime(typed.saved_at, "short")))

    # -- saving --------------------------------------------------------------------------------

    def save_draft(self) -> bool:
        """Keep the form as the plan's draft version. False (with the reason shown) if it can't be;
        the typing is kept as it is either way."""
        self._clear_problems()
        content, review_on, unreadable = self.read()
        if unreadable:
            self.keep_typing()
            self._show_problems(unreadable, _("A date can't be read. Everything you typed is kept."))
            return False
        try:
            self.plan = self.session.safety_plans.save_draft(self.client_id, content, review_on)
        except VaultError as exc:
            self.keep_typing()
            self.error_banner.show_message(str(exc), "error")
            return False
        self.draft_stored(self.plan.updated_at)
        self.saved.emit()
        return True


    def _save_shortcut(self) -> None:
        self.save_draft()

    def sign(self) -> None:
        """Check the plan; if it is ready, close and ask for the signatures. Every problem is shown
        at once, next to its field."""
        content, review_on, unreadable = self.read()
        if unreadable:
            self._clear_problems()
            self.keep_typing()
        elif not self.save_draft():
            return
        problems = {**self.session.safety_plans.activation_problems(content, review_on), **unreadable}
        if problems:
            self._show_problems(problems, ngettext(
                "{n} thing needs attention before the plan can be signed. Everything you typed is kept.",
                "{n} things need attention before the plan can be signed. Everything you typed is kept.",
                len(problems)).format(n=len(problems)))
            return
        assert self.plan is not None
        plan_id = self.plan.id
        self.done(QDialog.DialogCode.Accepted)
        self.sign_requested.emit(plan_id)

    def _clear_problems(self) -> None:
        self.error_banner.setVisible(False)
        for lines in self.lines.values():
            lines.set_error(None)
        for rows in self.rows.values():
            rows.clear_errors()
        self.review_grid.clear_errors()

    def _show_problems(self, problems: dict[str, str], summary: str) -> None:
        targets: list[tuple[int, QWidget]] = []
        order = [s.value for s in Section]
        leftover: list[str] = []
        for key, message in problems.items():
            head, _dot, rest = key.partition(".")
            if key in ("warning_signs", "coping"):
                editor = self.lines[Section(key)]
                editor.set_error(message)
                targets.append((order.index(key), editor.first_edit()))
            elif key == "people":
                helpers = self.rows[Section.HELPERS]
                helpers.set_error(message)
                targets.append((order.index(Section.HELPERS.value), helpers.first_edit()))
            elif key == "review_on":
                self.review_grid.set_error("review_on", message)
                targets.append((len(order), self.review_on))
            elif head in order and Section(head) in self.rows and rest:
                index, _dot, field = rest.partition(".")
                widget = self.rows[Section(head)].set_row_error(int(index), field, message)
                targets.append((order.index(head), widget or self.rows[Section(head)].first_edit()))
            else:
                leftover.append(message)
        self.error_banner.show_message("\n".join([summary, *leftover]), "error")
        if targets:
            first = min(targets, key=lambda t: t[0])[1]
            self.scroll_area.ensureWidgetVisible(first, 50, 80)
            first.setFocus()

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
        return None if self.error_banner.isVisible() else self.worth
