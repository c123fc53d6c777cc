"""The client record's "Assessment" tab: the latest comprehensive assessment, readable at a glance
(needs and strengths as numbers and words, the client's own words, diagnoses, medications,
hospital and ED history, the facts the risk tier reads), older versions on request, and the way
in to starting a new assessment or continuing the draft."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date
from app.models.assessment import (
    Assessment,
    AssessmentDocument,
    LifeDomain,
    about_labels,
    adherence_labels,
    housing_labels,
    need_labels,
    overall_adherence,
    rating_text,
    strength_labels,
    support_labels,
)
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.dialogs.assessment_editor import FORM, AssessmentEditorDialog
from app.ui.record.base import RecordTab
from app.ui.theme import SPACING
from app.ui.widgets.common import Banner, Card, EmptyState, muted_label, primary_button


def _label(text: str, *, muted: bool = False, bold: bool = False, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if muted:
        label.setProperty("muted", True)
    if bold:
        label.setFont(theme.scaled_font(label, 1.0, bold=True))
    return label


def _rating_badge(value: int | None, text: str, need: bool) -> QLabel:
    """A rating as words and number on a tint: the tint only supports what the words say."""
    c = theme.colors()
    if value is None:
        background, border = c.surface, c.border
    elif need:
        background = {0: c.surface_alt, 1: c.info_bg, 2: c.warning_bg, 3: c.danger_bg}[value]
        border = c.danger if value == 3 else c.border
    else:
        background, border = (c.info_bg if value >= 2 else c.surface_alt), c.border
    badge = QLabel(text)
    badge.setStyleSheet(f"QLabel {{ background: {background}; border: 1px solid {border}; border-radius: 10px;"
                        f" padding: 2px 10px; color: {c.text}; }}")
    return badge


def _card(title: str) -> Card:
    card = Card()
    caption = QLabel(title)
    caption.setFont(theme.scaled_font(card, 1.1, bold=True))
    card.body.addWidget(caption)
    return card


def _table(card: Card, headers: list[str], rows: list[list[str]], *stretch: int) -> None:
    grid = QGridLayout()
    grid.setHorizontalSpacing(SPACING * 2)
    grid.setVerticalSpacing(SPACING // 2)
    for col, text in enumerate(headers):
        grid.addWidget(_label(text, muted=True), 0, col)
    for r, values in enumerate(rows, start=1):
        for col, text in enumerate(values):
            grid.addWidget(_label(text or "—"), r, col, Qt.AlignmentFlag.AlignTop)
    for column in stretch:
        grid.setColumnStretch(column, 1)
    card.body.addLayout(grid)


class AssessmentTab(RecordTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.versions: list[Assessment] = []
        self.draft: Assessment | None = None
        self.shown: Assessment | None = None
        self.editor: AssessmentEditorDialog | None = None
        self._started_new = False
        # One calm surface behind the cards, as on the Overview tab.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Window)

        top = QHBoxLayout()
        top.setSpacing(SPACING)
        self.heading = QLabel(_("Comprehensive assessment"))
        self.heading.setFont(theme.scaled_font(self, 1.2, bold=True))
        top.addWidget(self.heading)
        top.addStretch(1)
        self.version_picker = QComboBox()
        self.version_picker.setAccessibleName(_("Assessment version to show"))
        self.version_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.version_picker.currentIndexChanged.connect(self._pick_version)
        top.addWidget(self.version_picker)
        self.start_button = primary_button(_("New assessment"))
        self.start_button.clicked.connect(self.open_editor)
        top.addWidget(self.start_button)
        self.layout_.addLayout(top)

        self.read_only_banner = Banner("info")
        self.layout_.addWidget(self.read_only_banner)
        self.draft_banner = Banner("info")
        self.discard_button = self.draft_banner.add_button(_("Discard draft…"), self.discard_draft)
        self.layout_.addWidget(self.draft_banner)
        self.older_banner = Banner("info")
        self.older_banner.add_button(_("Show the latest"), lambda: self.version_picker.setCurrentIndex(0))
        self.layout_.addWidget(self.older_banner)

        self.stack = QStackedWidget()
        self.empty_button = primary_button(_("Start the assessment"))
        self.empty_button.clicked.connect(self.open_editor)
        self.empty = EmptyState(
            _("No assessment yet"),
            _("The comprehensive assessment rates need and strength in sixteen life domains and keeps the "
              "client's hopes, preferences, supports and barriers in their own words, with diagnoses, "
              "medications and hospital history. Its facts feed the risk tier."),
            self.empty_button)
        self.stack.addWidget(self.empty)
        self.scroll = QScrollArea()
        self.scroll.setAccessibleName(_("Assessment"))
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(QWidget())
        self.scroll.viewport().setAutoFillBackground(False)
        self.stack.addWidget(self.scroll)
        self.layout_.addWidget(self.stack, 1)
        self._reset()

    # -- loading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.client is None:
            return
        try:
            self.versions = self.session.assessments.versions(self.client.id)
            self.draft = None if self.session.read_only else self.session.assessments.draft(self.client.id)
        except VaultError as exc:
            self.draft_banner.show_message(str(exc), "error")
            return
        read_only = self.session.read_only
        self.read_only_banner.setVisible(False)
        if read_only:
            self.read_only_banner.show_message(_("The vault is read-only, so assessments can be viewed but not changed."))
        self.start_button.setVisible(not read_only and bool(self.versions))  # the empty state has its own
        self.empty_button.setVisible(not read_only)
        if self.draft is not None:
            self.start_button.setText(_("Continue draft"))
            self.draft_banner.show_message(_(
                "Version {n} is a draft, dated {date}. Continue it to complete it; until then the risk tier uses the "
                "last completed version.").format(n=self.draft.version, date=format_date(self.draft.assessed_on, "long")))
        else:
            self.start_button.setText(_("New assessment") if self.versions else _("Start the assessment"))
            self.draft_banner.setVisible(False)
        self.start_button.setToolTip(_("Opens the assessment editor. Nothing is lost if you close it."))
        self.empty_button.setText(self.start_button.text())
        self.version_picker.blockSignals(True)
        self.version_picker.clear()
        for number, version in enumerate(self.versions):
            text = _("Version {n} · {date}").format(n=version.version, date=format_date(version.assessed_on, "medium"))
            self.version_picker.addItem(_("{version} (latest)").format(version=text) if number == 0 else text)
        self.version_picker.blockSignals(False)
        self.version_picker.setVisible(len(self.versions) > 1)
        self.version_picker.setCurrentIndex(0 if self.versions else -1)
        self._show(self.versions[0] if self.versions else None)

    def _pick_version(self, index: int) -> None:
        if 0 <= index < len(self.versions):
            self._show(self.versions[index])

    def _show(self, assessment: Assessment | None) -> None:
        self.shown = assessment
        if assessment is None:
            self.older_banner.setVisible(False)
            self.scroll.setWidget(QWidget())
            self.stack.setCurrentWidget(self.empty)
            return
        latest = self.versions[0]
        if assessment.id != latest.id:
            self.older_banner.show_message(_("This is version {n}, an older version. The latest is version {latest}.")
                                           .format(n=assessment.version, latest=latest.version))
        else:
            self.older_banner.setVisible(False)
        self.scroll.setWidget(self._render(assessment))
        self.stack.setCurrentWidget(self.scroll)

    # -- rendering -------------------------------------------------------------------------------

    def _render(self, a: Assessment) -> QWidget:
        doc = a.document
        page = QWidget()
        page.setObjectName("AssessmentView")
        page.setAutoFillBackground(False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, SPACING, 0)
        layout.setSpacing(SPACING * 2)
        meta = _("Version {n} · assessed {date} · completed {when} by {who}").format(
            n=a.version, date=format_date(a.assessed_on, "long"), who=a.completed_by or "—",
            when=format_date(a.completed_at.astimezone().date(), "medium") if a.completed_at else "—")
        self.meta = muted_label(meta)
        layout.addWidget(self.meta)

        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self._about_card(doc), 3)
        row.addWidget(self._facts_card(doc), 2)
        layout.addLayout(row)
        layout.addWidget(self._domains_card(doc))
        row = QHBoxLayout()
        row.setSpacing(SPACING * 2)
        row.addWidget(self._diagnoses_card(doc), 2)
        row.addWidget(self._medications_card(doc), 3)
        layout.addLayout(row)
        layout.addWidget(self._events_card(doc))
        layout.addStretch(1)
        return page

    def _about_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("About the person"))
        card.body.addWidget(muted_label(_("In the client's own words.")))
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(SPACING)
        for r, (name, label) in enumerate(about_labels().items()):
            grid.addWidget(_label(label, muted=True, wrap=False), r, 0, Qt.AlignmentFlag.AlignTop)
            text = getattr(doc.about, name)
            grid.addWidget(_label(text or _("Not recorded")), r, 1)
        grid.setColumnStretch(1, 1)
        card.body.addLayout(grid)
        card.body.addStretch(1)
        return card

    def _facts_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("Facts for the risk tier"))
        f = doc.facts
        adherence = overall_adherence(doc)

        def yes_no(value: bool | None, yes: str) -> str:
            return _("Not asked") if value is None else (yes if value else _("No"))

        rows = [
            (_("Where they live now"), housing_labels()[f.housing] if f.housing else _("Not recorded")),
            (_("Medication, overall"), adherence_labels()[adherence] if adherence else _("Not recorded")),
            (_("People they can rely on"), support_labels()[f.support] if f.support else _("Not recorded")),
            (_("Psychosis or mania"), yes_no(f.psychosis_or_mania, _("Yes, noted"))),
            (_("Harm from drinking"), yes_no(f.alcohol_harm, _("Yes"))),
        ]
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(SPACING)
        for r, (label, value) in enumerate(rows):
            grid.addWidget(_label(label, muted=True, wrap=False), r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(_label(value), r, 1)
        grid.setColumnStretch(1, 1)
        card.body.addLayout(grid)
        card.body.addWidget(muted_label(_("The Risk tab reads these with the latest screens and the hospital history.")))
        card.body.addStretch(1)
        return card

    def _domains_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("Life domains"))
        needs = [doc.domain(d).need for d in LifeDomain]
        counts = {n: sum(1 for v in needs if v == n) for n in range(4)}
        card.body.addWidget(muted_label(_(
            "Needs: {severe} severe, {moderate} moderate, {mild} mild, {none} none.").format(
            severe=counts[3], moderate=counts[2], mild=counts[1], none=counts[0])))
        grid = QGridLayout()
        grid.setHorizontalSpacing(SPACING * 2)
        grid.setVerticalSpacing(SPACING // 2 + 2)
        for col, text in enumerate((_("Life domain"), _("Need"), _("Strength"), _("Notes"))):
            grid.addWidget(_label(text, muted=True), 0, col)
        for r, domain in enumerate(LifeDomain, start=1):
            rating = doc.domain(domain)
            name = _label(domain.label, bold=True, wrap=False)
            name.setContentsMargins(0, 3, 0, 0)
            grid.addWidget(name, r, 0, Qt.AlignmentFlag.AlignTop)
            need = _rating_badge(rating.need, rating_text(rating.need, need_labels()), need=True)
            need.setAccessibleName(_("{domain} need: {rating}").format(
                domain=domain.label, rating=rating_text(rating.need, need_labels())))
            grid.addWidget(need, r, 1, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            strength = _rating_badge(rating.strength, rating_text(rating.strength, strength_labels()), need=False)
            strength.setAccessibleName(_("{domain} strength: {rating}").format(
                domain=domain.label, rating=rating_text(rating.strength, strength_labels())))
            grid.addWidget(strength, r, 2, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            notes = _label(rating.narrative or "—")
            notes.setContentsMargins(0, 3, 0, 0)
            grid.addWidget(notes, r, 3, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(3, 1)
        card.body.addLayout(grid)
        return card

    def _diagnoses_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("Diagnoses"))
        if not doc.diagnoses:
            card.body.addWidget(muted_label(_("None recorded.")))
        else:
            _table(card, [_("Diagnosis"), _("ICD-10")], [[d.text, d.icd10] for d in doc.diagnoses], 0)
        card.body.addStretch(1)
        return card

    def _medications_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("Medications"))
        card.body.addWidget(muted_label(_("As reported by the client, not reconciled.")))
        if not doc.medications:
            card.body.addWidget(muted_label(_("None recorded.")))
        else:
            labels = adherence_labels()
            _table(card, [_("Medication"), _("Dose"), _("Prescriber"), _("How it is taken")],
                   [[m.name, m.dose, m.prescriber, labels[m.adherence] if m.adherence else _("Not asked")]
                    for m in doc.medications], 3)
        card.body.addStretch(1)
        return card

    def _events_card(self, doc: AssessmentDocument) -> Card:
        card = _card(_("Hospital and ED history"))
        if not doc.events:
            card.body.addWidget(muted_label(_("No hospital, ED or crisis history recorded.")))
            return card
        events = sorted(doc.events, key=lambda e: (e.on is not None, e.on), reverse=True)
        _table(card, [_("Date"), _("What happened"), _("Where"), _("Note")],
               [[format_date(e.on, "medium") if e.on else _("Date not known"), e.kind.label, e.where, e.note]
                for e in events], 2, 3)
        return card

    # -- editing ---------------------------------------------------------------------------------

    def open_editor(self) -> None:
        if self.client is None or self.session.read_only:
            return
        if self.editor is not None:
            self.editor.raise_()
            return
        try:
            self._started_new = self.session.assessments.draft(self.client.id) is None
            draft = self.session.assessments.start(self.client.id)
            previous = self.session.assessments.get(draft.supersedes) if draft.supersedes else None
        except VaultError as exc:
            self.draft_banner.show_message(str(exc), "error")
            return
        self.editor = AssessmentEditorDialog(self.session, draft, previous, parent=self)
        self.editor.completed.connect(self._completed)
        self.editor.finished.connect(self._editor_closed)
        self.editor.open()

    def _editor_closed(self, result: int) -> None:
        editor, self.editor = self.editor, None
        if editor is None:
            return
        editor.deleteLater()
        if self.client is None:  # locking: the typing is kept, nothing else to do
            return
        if (result != QDialog.DialogCode.Accepted and self._started_new and not editor.touched
                and not editor.assessment.completed):
            # Opened and closed without a keystroke: no draft to leave behind.
            try:
                self.session.assessments.discard_draft(editor.assessment.id)
            except VaultError as exc:
                self.draft_banner.show_message(str(exc), "error")
        self.refresh()

    def _completed(self, _assessment: Assessment) -> None:
        self.changed.emit()

    def discard_draft(self) -> None:
        if self.draft is None or self.session.read_only:
            return
        answer = QMessageBox.question(
            self, _("Discard the draft?"),
            _("The draft of version {n} and everything typed in it will be thrown away. Completed versions are "
              "kept.").format(n=self.draft.version),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        try:
            self.session.assessments.discard_draft(self.draft.id)
            self.session.drafts.discard(FORM, self.draft.id)
        except VaultError as exc:
            self.draft_banner.show_message(str(exc), "error")
            return
        self.changed.emit()

    # -- clearing --------------------------------------------------------------------------------

    def _reset(self) -> None:
        self.versions, self.draft, self.shown = [], None, None
        self.version_picker.blockSignals(True)
        self.version_picker.clear()
        self.version_picker.blockSignals(False)
        self.version_picker.setVisible(False)
        for banner in (self.read_only_banner, self.draft_banner, self.older_banner):
            banner.setVisible(False)
        self.scroll.setWidget(QWidget())
        self.stack.setCurrentWidget(self.empty)

    def clear(self) -> None:
        """Lock or another client: close the editor (its typing is kept) and show nothing."""
        self.client = None
        if self.editor is not None:
            self.editor.close_for_lock()
        self._reset()
        super().clear()

