"""Two versions of a care plan side by side: what was added, removed or changed — the plan's
own fields, "about the person", and each need, goal, step and action, field by field."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, ngettext
from app.models.care_plan import CarePlan, ChangeKind, ItemChange, PlanStatus
from app.services.errors import VaultError
from app.services.session import Session
from app.ui import theme
from app.ui.theme import SPACING
from app.ui.widgets.care_plan_text import value_text
from app.ui.widgets.common import Banner, dialog_buttons, muted_label

_CHANGE_ICONS = {ChangeKind.ADDED: "mdi6.plus-circle-outline", ChangeKind.REMOVED: "mdi6.minus-circle-outline",
                 ChangeKind.CHANGED: "mdi6.pencil-outline"}


def version_label(plan: CarePlan) -> str:
    """E.g. "Version 2 (active)", "Version 1 (replaced)"."""
    status = _("replaced") if plan.status is PlanStatus.SUPERSEDED else plan.status.label.lower()
    return _("Version {n} ({status})").format(n=plan.version, status=status)


class CarePlanDiffDialog(QDialog):
    def __init__(self, session: Session, versions: Sequence[CarePlan], old_id: str | None = None,
                 new_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.versions = sorted(versions, key=lambda p: p.version)
        self.names = {i: n for i, n, _b in session.care_plans.instrument_choices()}
        self.setWindowTitle(_("Compare versions of the care plan"))
        self.setModal(True)
        self.resize(1100, 640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACING * 3, SPACING * 2, SPACING * 3, SPACING * 2)
        layout.setSpacing(SPACING)
        title = QLabel(_("Compare versions"))
        title.setFont(theme.scaled_font(self, 1.5, bold=True))
        layout.addWidget(title)
        row = QHBoxLayout()
        row.setSpacing(SPACING)
        self.old = QComboBox()
        self.new = QComboBox()
        for combo in (self.old, self.new):
            for plan in self.versions:
                combo.addItem(version_label(plan), plan.id)
        from_label = QLabel(_("From"))
        from_label.setBuddy(self.old)
        self.old.setAccessibleName(_("Earlier version"))
        to_label = QLabel(_("to"))
        to_label.setBuddy(self.new)
        self.new.setAccessibleName(_("Later version"))
        row.addWidget(from_label)
        row.addWidget(self.old)
        row.addWidget(to_label)
        row.addWidget(self.new)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = muted_label("")
        layout.addWidget(self.summary)
        self.error = Banner("error")
        layout.addWidget(self.error)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("What changed"), _("Before"), _("After")])
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 330)
        self.tree.setAccessibleName(_("Differences between the two versions"))
        layout.addWidget(self.tree, 1)
        close, _primary = dialog_buttons(self, layout, _("Close"), self.accept)
        close.setVisible(False)
        ids = [p.id for p in self.versions]
        self.old.setCurrentIndex(ids.index(old_id) if old_id in ids else max(0, len(ids) - 2))
        self.new.setCurrentIndex(ids.index(new_id) if new_id in ids else len(ids) - 1)
        self.old.currentIndexChanged.connect(lambda _i: self.compare())
        self.new.currentIndexChanged.connect(lambda _i: self.compare())
        self.changes: list[ItemChange] = []
        self.compare()
        self.tree.setFocus()

    def compare(self) -> None:
        self.tree.clear()
        self.error.setVisible(False)
        old, new = str(self.old.currentData()), str(self.new.currentData())
        try:
            self.changes = self.session.care_plans.diff(old, new)
        except VaultError as exc:
            self.error.show_message(str(exc), "error")
            return
        old_label, new_label = self.old.currentText(), self.new.currentText()
        self.tree.setHeaderLabels([_("What changed"), old_label, new_label])
        counts = {kind: sum(c.change is kind for c in self.changes) for kind in ChangeKind}
        if old == new:
            self.summary.setText(_("Choose two different versions to compare."))
        elif not self.changes:
            self.summary.setText(_("These two versions say the same."))
        else:
            self.summary.setText(_("{added} · {removed} · {changed}").format(
                added=ngettext("{n} added", "{n} added", counts[ChangeKind.ADDED]).format(n=counts[ChangeKind.ADDED]),
                removed=ngettext("{n} removed", "{n} removed", counts[ChangeKind.REMOVED]).format(
                    n=counts[ChangeKind.REMOVED]),
                changed=ngettext("{n} changed", "{n} changed", counts[ChangeKind.CHANGED]).format(
                    n=counts[ChangeKind.CHANGED])))
        colors = theme.colors()
        for change in self.changes:
            what = change.kind.label if change.kind else ""
            heading = (_("{change} {kind}: {title}").format(change=change.change.label, kind=what.lower(),
                                                           title=change.title or _("(no words)"))
                       if what else _("{change}: {title}").format(change=change.change.label, title=change.title))
            if change.under:
                heading = _("{change}  (under “{words}”)").format(change=heading, words=change.under)
            top = QTreeWidgetItem([heading, "", ""])
            top.setIcon(0, theme.icon(_CHANGE_ICONS[change.change], colors.text))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setToolTip(0, heading)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for field in change.fields:
                child = QTreeWidgetItem([field.label, value_text(field.old, self.names), value_text(field.new, self.names)])
                child.setData(0, Qt.ItemDataRole.AccessibleTextRole, _("{field}: was {old}; now {new}").format(
                    field=field.label, old=value_text(field.old, self.names), new=value_text(field.new, self.names)))
                top.addChild(child)
            top.setExpanded(True)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
