"""The care plan as an outline: needs → goals → objectives → interventions in one tree, with
"about the person" and "when the plan is done" on top. Read-only in the record; in the editor
it is worked with the keyboard:

    Enter                 a new item below, at the same level (typing goes straight into it)
    Ctrl+Enter            a new item inside (one level down)
    Tab / Shift+Tab       one level in / out (also Ctrl+→ / Ctrl+←), where that makes sense
    Ctrl+↑ / Ctrl+↓       move up / down
    Delete                remove (Ctrl+Z brings it back)
    F2                    change the words;  F4 or Alt+↓: change the status in place
    Ctrl+Tab              on to the next field (the details of the item)

Every change is a new document (app.models.care_plan's pure functions), so undo and redo keep
the documents that came before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QContextMenuEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.i18n import _
from app.models.care_plan import (
    Goal,
    GoalLifecycle,
    InterventionStatus,
    ItemKind,
    Need,
    Node,
    Objective,
    ObjectiveStatus,
    OutlineError,
    Path,
    PlanDocument,
    Priority,
    Tracking,
    TrackState,
    add_child,
    add_sibling,
    children,
    indent,
    insert,
    is_blank,
    kind_of,
    move,
    node_at,
    outdent,
    remove,
    replace_node,
    short,
    title,
    with_title,
)
from app.ui import theme
from app.ui.widgets.care_plan_text import (
    ABOUT_ICON,
    KIND_ICONS,
    PLAN_ICON,
    PROBLEM_ICON,
    placeholder,
    row_title,
    status_text,
    when_text,
)

ABOUT = "about"
PLAN = "plan"
ID_ROLE = Qt.ItemDataRole.UserRole
COL_TITLE, COL_STATUS, COL_WHEN = 0, 1, 2
_UNDO_LIMIT = 200


def status_choices(kind: ItemKind) -> list[tuple[str, str]]:
    """(value, label) of the status an item of this kind has in the outline's status column."""
    values: list[Any] = {ItemKind.NEED: list(Priority), ItemKind.GOAL: list(GoalLifecycle),
                         ItemKind.OBJECTIVE: list(ObjectiveStatus),
                         ItemKind.INTERVENTION: list(InterventionStatus)}[kind]
    return [(v.value, v.label) for v in values]


def with_status(node: Node, value: str) -> Node:
    if isinstance(node, Need):
        return replace(node, priority=Priority(value))
    if isinstance(node, Goal):
        return replace(node, lifecycle=GoalLifecycle(value))
    if isinstance(node, Objective):
        return replace(node, status=ObjectiveStatus(value))
    return replace(node, status=InterventionStatus(value))


def current_status(node: Node) -> str:
    if isinstance(node, Need):
        return node.priority.value
    if isinstance(node, Goal):
        return node.lifecycle.value
    return node.status.value


class _TitleDelegate(QStyledItemDelegate):
    """Typing an item's words in place: Enter goes on to a new item, Tab and Shift+Tab change
    the level, Esc leaves it as it was (and drops an item just added with nothing in it)."""

    def __init__(self, outline: PlanOutline) -> None:
        super().__init__(outline)
        self.outline = outline

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        node = self.outline.node(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)))
        if node is not None:
            editor.setPlaceholderText(placeholder(kind_of(node)))
            editor.setAccessibleName(kind_of(node).title_label)
        editor.setProperty("item_id", index.sibling(index.row(), COL_TITLE).data(ID_ROLE))
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        node = self.outline.node(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)))
        if isinstance(editor, QLineEdit) and node is not None:
            editor.setText(title(node))

    def setModelData(self, editor: QWidget, _model: QAbstractItemModel,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QLineEdit):
            self.outline.commit_title(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)), editor.text())

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(editor, QLineEdit) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers()
            ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
            then: str | None = None
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                then = "child" if ctrl else "sibling"
            elif key == Qt.Key.Key_Tab and not ctrl:
                then = "indent"
            elif key == Qt.Key.Key_Backtab and not ctrl:
                then = "outdent"
            elif key == Qt.Key.Key_Escape:
                item_id = str(editor.property("item_id"))
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                QTimer.singleShot(0, lambda: self.outline.cancelled_edit(item_id))
                return True
            if then is not None:
                item_id = str(editor.property("item_id"))
                self.commitData.emit(editor)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                QTimer.singleShot(0, lambda: self.outline.after_edit(item_id, then))
                return True
        return super().eventFilter(editor, event)


class _StatusDelegate(QStyledItemDelegate):
    """The status column as a list to choose from, in place."""

    def __init__(self, outline: PlanOutline) -> None:
        super().__init__(outline)
        self.outline = outline

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        node = self.outline.node(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)))
        if node is not None:
            for value, label in status_choices(kind_of(node)):
                combo.addItem(label, value)
            combo.setAccessibleName(_("Status of this {kind}").format(kind=kind_of(node).label.lower()))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        node = self.outline.node(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)))
        if isinstance(editor, QComboBox) and node is not None:
            editor.setCurrentIndex(max(0, editor.findData(current_status(node))))

    def setModelData(self, editor: QWidget, _model: QAbstractItemModel,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            self.outline.set_status(str(index.sibling(index.row(), COL_TITLE).data(ID_ROLE)), str(editor.currentData()))

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Enter keeps the choice and Esc leaves it, here: neither goes on to the outline."""
        if isinstance(editor, QComboBox) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.commitData.emit(editor)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
                return True
        return super().eventFilter(editor, event)


class PlanOutline(QTreeWidget):
    """The outline of a plan document. `document_changed(source)` after every change ('outline',
    'undo', or the `source` given to `apply`); `current_changed(id)` with an item id, ABOUT, PLAN
    or '' as the selection moves; `message(sentence)` when a change can't be made or can be undone."""

    document_changed = Signal(str)
    current_changed = Signal(str)
    message = Signal(str)
    details_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlanOutline")
        self.setColumnCount(3)
        self.setHeaderLabels([_("Needs, goals, steps and actions"), _("Status"), _("Target or how often")])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_WHEN, QHeaderView.ResizeMode.ResizeToContents)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setExpandsOnDoubleClick(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName(_("Care plan outline"))
        self.setItemDelegateForColumn(COL_TITLE, _TitleDelegate(self))
        self.setItemDelegateForColumn(COL_STATUS, _StatusDelegate(self))
        self.new_id: Callable[[], str] = lambda: str(uuid.uuid4())
        self._doc = PlanDocument()
        self._editable = False
        self._undo: list[tuple[PlanDocument, str]] = []
        self._redo: list[tuple[PlanDocument, str]] = []
        self._last_key: str | None = None
        self._created: str | None = None  # the item just added by Enter, dropped again by Esc if left blank
        self._tracking: Mapping[str, Tracking] = {}
        self._gas: Mapping[str, int] = {}
        self._problems: Mapping[str, str] = {}
        self._collapsed: set[str] = set()
        self._items: dict[str, QTreeWidgetItem] = {}
        self._shape: list[tuple[str, int]] = []
        self.currentItemChanged.connect(self._current_item_changed)
        self.itemCollapsed.connect(lambda item: self._collapsed.add(str(item.data(COL_TITLE, ID_ROLE))))
        self.itemExpanded.connect(lambda item: self._collapsed.discard(str(item.data(COL_TITLE, ID_ROLE))))
        self.itemDoubleClicked.connect(self._double_clicked)
        self._update_description()

    # -- state ---------------------------------------------------------------------------------

    def document(self) -> PlanDocument:
        return self._doc

    def set_document(self, doc: PlanDocument, select: str | None = None) -> None:
        """Show a document afresh (no undo history)."""
        self._undo.clear()
        self._redo.clear()
        self._last_key = None
        self._created = None
        self._doc = doc
        self._rebuild(select if select is not None else self.current_id())

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self._update_description()
        self._rebuild(self.current_id())

    @property
    def editable(self) -> bool:
        return self._editable

    def set_context(self, tracking: Mapping[str, Tracking] | None = None, gas: Mapping[str, int] | None = None) -> None:
        """What the status column shows beside the items: objectives' score tracking, goals'
        latest goal attainment."""
        self._tracking = tracking or {}
        self._gas = gas or {}
        self._refresh_rows()

    def set_problems(self, problems: Mapping[str, str]) -> None:
        """Mark the items that need attention (item id → sentence)."""
        self._problems = problems
        self._refresh_rows()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def node(self, item_id: str) -> Node | None:
        found = self._doc.find(item_id)
        return found[1] if found else None

    def current_id(self) -> str:
        item = self.currentItem()
        return str(item.data(COL_TITLE, ID_ROLE)) if item is not None else ""

    def current_path(self) -> Path | None:
        found = self._doc.find(self.current_id())
        return found[0] if found else None

    def select(self, item_id: str) -> None:
        item = self._items.get(item_id)
        if item is not None:
            self.setCurrentItem(item, COL_TITLE)
            self.scrollToItem(item)

    def clear_document(self) -> None:
        """Forget the document (on lock)."""
        self._doc = PlanDocument()
        self._undo.clear()
        self._redo.clear()
        self._tracking, self._gas, self._problems = {}, {}, {}
        self._items.clear()
        self._shape = []
        self.clear()

    # -- changes -------------------------------------------------------------------------------

    def apply(self, doc: PlanDocument, select: str | None = None, *, coalesce: str | None = None,
              source: str = "outline") -> None:
        """Make `doc` the outline's document, keeping the one before it for undo. Changes with the
        same `coalesce` key in a row (typing in one field) make a single undo step."""
        if doc == self._doc:
            return
        if coalesce is None or coalesce != self._last_key:
            self._undo.append((self._doc, self.current_id()))
            del self._undo[:-_UNDO_LIMIT]
        self._last_key = coalesce
        self._redo.clear()
        self._doc = doc
        self._sync(select if select is not None else self.current_id())
        self.document_changed.emit(source)

    def undo(self) -> bool:
        if not self._undo:
            self.message.emit(_("Nothing to undo."))
            return False
        self._redo.append((self._doc, self.current_id()))
        self._doc, selected = self._undo.pop()
        self._last_key = None
        self._sync(selected)
        self.document_changed.emit("undo")
        return True

    def redo(self) -> bool:
        if not self._redo:
            self.message.emit(_("Nothing to redo."))
            return False
        self._undo.append((self._doc, self.current_id()))
        self._doc, selected = self._redo.pop()
        self._last_key = None
        self._sync(selected)
        self.document_changed.emit("undo")
        return True

    def _op(self, change: Callable[[PlanDocument, Path], tuple[PlanDocument, Path]], path: Path | None = None,
            *, edit: bool = False) -> bool:
        path = path if path is not None else self.current_path()
        if not self._editable or path is None:
            return False
        try:
            doc, new_path = change(self._doc, path)
        except OutlineError as exc:
            self.message.emit(str(exc))
            return False
        node = node_at(doc, new_path)
        self.apply(doc, node.id)
        if edit:
            self.edit_title(node.id)
        return True

    def add_sibling(self, edit: bool = True) -> bool:
        """A new item after the current one, at its level (a need when nothing is chosen)."""
        if not self._editable:
            return False
        path = self.current_path()
        if path is None:
            return self.add_need(edit=edit)
        item_id = self.new_id()
        done = self._op(lambda d, p: add_sibling(d, p, item_id), path, edit=edit)
        self._created = item_id if done else None
        return done

    def add_need(self, edit: bool = True, first: bool = False) -> bool:
        """A new need, last in the plan (or first)."""
        if not self._editable:
            return False
        item_id = self.new_id()
        doc, _path = insert(self._doc, (), 0 if first else len(self._doc.needs), Need(id=item_id))
        self.apply(doc, item_id)
        self._created = item_id
        if edit:
            self.edit_title(item_id)
        return True

    def add_child(self, edit: bool = True) -> bool:
        item_id = self.new_id()
        done = self._op(lambda d, p: add_child(d, p, item_id), edit=edit)
        self._created = item_id if done else None
        return done

    def indent(self, edit: bool = False) -> bool:
        return self._op(indent, edit=edit)

    def outdent(self, edit: bool = False) -> bool:
        return self._op(outdent, edit=edit)

    def move_current(self, delta: int) -> bool:
        return self._op(lambda d, p: move(d, p, delta))

    def remove_current(self) -> bool:
        path = self.current_path()
        if not self._editable or path is None:
            return False
        node = node_at(self._doc, path)
        doc = remove(self._doc, path)
        row = list(self._doc.needs if len(path) == 1 else children(node_at(self._doc, path[:-1])))
        after = row[path[-1] - 1].id if path[-1] > 0 else (node_at(self._doc, path[:-1]).id if len(path) > 1 else "")
        if not after and len(row) > 1:
            after = row[1].id
        self.apply(doc, after or PLAN)
        words = short(title(node), 40)
        if words:
            self.message.emit(_("Removed “{words}” and what was under it. Ctrl+Z brings it back.").format(words=words))
        else:
            self.message.emit(_("Removed the empty {kind}. Ctrl+Z brings it back.").format(kind=kind_of(node).label.lower()))
        return True

    def set_status(self, item_id: str, value: str) -> None:
        found = self._doc.find(item_id)
        if found is None or not self._editable:
            return
        path, node = found
        if current_status(node) != value:
            self.apply(replace_node(self._doc, path, with_status(node, value)), item_id)

    def commit_title(self, item_id: str, text: str) -> None:
        found = self._doc.find(item_id)
        if found is None or not self._editable:
            return
        path, node = found
        if title(node) != text:
            self.apply(replace_node(self._doc, path, with_title(node, text)), item_id)

    def edit_title(self, item_id: str | None = None) -> None:
        item = self._items.get(item_id or self.current_id())
        if item is None or not self._editable or self._doc.find(str(item.data(COL_TITLE, ID_ROLE))) is None:
            return
        self.setCurrentItem(item, COL_TITLE)
        self.scrollToItem(item)
        self.editItem(item, COL_TITLE)

    def edit_status(self) -> None:
        item = self.currentItem()
        if item is None or not self._editable or self._doc.find(str(item.data(COL_TITLE, ID_ROLE))) is None:
            return
        self.editItem(item, COL_STATUS)  # ↑ and ↓ choose, Enter keeps it, Esc leaves it as it was

    def after_edit(self, item_id: str, then: str) -> None:
        """What comes after typing an item's words: a new item, or a change of level."""
        self.select(item_id)
        if then == "sibling":
            self.add_sibling(edit=True)
        elif then == "child":
            self.add_child(edit=True)
        elif then == "indent":
            if not self.indent(edit=True):
                self.edit_title(item_id)
        elif then == "outdent" and not self.outdent(edit=True):
            self.edit_title(item_id)

    def cancelled_edit(self, item_id: str) -> None:
        """Esc while typing: an item just added and still empty goes again."""
        node = self.node(item_id)
        if node is not None and item_id == self._created and is_blank(node):
            self.undo()
            self._redo.clear()
        self._created = None
        self.setFocus()

    # -- keyboard and mouse --------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if (getattr(self, "_editable", False) and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.current_path() is not None):
            if event.key() == Qt.Key.Key_Tab and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.indent()
            else:
                self.outdent()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_Tab and ctrl:
            if self._editable:
                self.details_requested.emit()
            else:
                self.focusNextChild()
            return
        if key == Qt.Key.Key_Backtab and ctrl:
            self.focusPreviousChild()
            return
        if not self._editable:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.details_requested.emit()
                return
            super().keyPressEvent(event)
            return
        on_item = self.current_path() is not None
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if ctrl and on_item:
                self.add_child()
            elif on_item:
                self.add_sibling()
            else:  # on "about the person" or "when the plan is done": a need, first in the plan
                self.add_need(first=True)
        elif ctrl and key == Qt.Key.Key_Right:
            self.indent()
        elif ctrl and key == Qt.Key.Key_Left:
            self.outdent()
        elif ctrl and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_current(-1 if key == Qt.Key.Key_Up else 1)
        elif key == Qt.Key.Key_Delete and on_item:
            self.remove_current()
        elif key == Qt.Key.Key_F2 and on_item:
            self.edit_title()
        elif (key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down)) and on_item:
            self.edit_status()
        else:
            super().keyPressEvent(event)

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if not self._editable or self._doc.find(str(item.data(COL_TITLE, ID_ROLE))) is None:
            self.details_requested.emit()
            return
        if column == COL_STATUS:
            self.edit_status()
        else:
            self.edit_title(str(item.data(COL_TITLE, ID_ROLE)))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt override
        if not self._editable:
            return
        menu = self.build_menu()
        menu.exec(event.globalPos())

    def build_menu(self) -> QMenu:
        """The outline's actions with their keys, for the mouse (and to learn the keys)."""
        menu = QMenu(self)
        on_item = self.current_path() is not None

        def add(text: str, keys: str, slot: Callable[[], object], enabled: bool = True) -> QAction:
            action = menu.addAction(text)
            action.setShortcut(keys)
            action.setShortcutVisibleInContextMenu(True)
            action.setEnabled(enabled)
            action.triggered.connect(lambda: slot())
            return action

        add(_("Add below"), "Enter", lambda: self.add_sibling())
        add(_("Add inside"), "Ctrl+Enter", lambda: self.add_child(), on_item)
        add(_("Add a need"), "Ctrl+N", lambda: self.add_need())
        menu.addSeparator()
        add(_("One level in"), "Tab", self.indent, on_item)
        add(_("One level out"), "Shift+Tab", self.outdent, on_item)
        add(_("Move up"), "Ctrl+Up", lambda: self.move_current(-1), on_item)
        add(_("Move down"), "Ctrl+Down", lambda: self.move_current(1), on_item)
        node = self.node(self.current_id())
        if node is not None:
            status = menu.addMenu(_("Status"))
            for value, label in status_choices(kind_of(node)):
                action = status.addAction(label)
                action.setCheckable(True)
                action.setChecked(value == current_status(node))
                action.triggered.connect(lambda _c=False, v=value, i=node.id: self.set_status(i, v))
        menu.addSeparator()
        add(_("Change the words"), "F2", lambda: self.edit_title(), on_item)
        add(_("Remove"), "Delete", self.remove_current, on_item)
        menu.addSeparator()
        add(_("Undo"), "Ctrl+Z", self.undo, self.can_undo())
        add(_("Redo"), "Ctrl+Shift+Z", self.redo, self.can_redo())
        return menu

    def _current_item_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        self.current_changed.emit(str(current.data(COL_TITLE, ID_ROLE)) if current is not None else "")

    def _update_description(self) -> None:
        if self._editable:
            self.setAccessibleDescription(_(
                "Enter adds an item below; Ctrl+Enter adds one inside; Tab and Shift+Tab change the level; "
                "Ctrl+Up and Ctrl+Down move; Delete removes; F2 changes the words; F4 changes the status; "
                "Ctrl+Tab goes on to the details."))
        else:
            self.setAccessibleDescription(_("Enter shows the details of the item."))

    # -- rows ----------------------------------------------------------------------------------

    def _shape_of(self, doc: PlanDocument) -> list[tuple[str, int]]:
        return [(n.id, len(p)) for p, n in doc.items()]

    def _sync(self, select: str) -> None:
        """Update the rows in place when only words or statuses changed; rebuild otherwise."""
        if self._shape_of(self._doc) == self._shape and all(i in self._items for i, _d in self._shape):
            self._refresh_rows()
            if select and select != self.current_id():
                self.select(select)
        else:
            self._rebuild(select)

    def _rebuild(self, select: str) -> None:
        scroll = self.verticalScrollBar().value()
        self.blockSignals(True)
        self.clear()
        self._items = {}
        about = QTreeWidgetItem()
        about.setData(COL_TITLE, ID_ROLE, ABOUT)
        plan = QTreeWidgetItem()
        plan.setData(COL_TITLE, ID_ROLE, PLAN)
        self.addTopLevelItems([about, plan])
        self._items[ABOUT], self._items[PLAN] = about, plan

        def add(parent: QTreeWidgetItem | None, nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                item = QTreeWidgetItem()
                item.setData(COL_TITLE, ID_ROLE, node.id)
                if parent is None:
                    self.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                self._items[node.id] = item
                add(item, children(node))

        add(None, self._doc.needs)
        self._shape = self._shape_of(self._doc)
        self._refresh_rows()
        for item_id, item in self._items.items():
            if item.childCount():
                item.setExpanded(item_id not in self._collapsed)
        self.blockSignals(False)
        target = self._items.get(select) if select else None
        if target is not None:
            self.setCurrentItem(target, COL_TITLE)
        self.verticalScrollBar().setValue(scroll)
        if target is not None:
            self.scrollToItem(target)
        self.current_changed.emit(self.current_id())

    def _refresh_rows(self) -> None:
        colors = theme.colors()
        muted = QBrush(QColor(colors.muted))
        normal = QBrush(QColor(colors.text))
        for item_id, item in self._items.items():
            if item_id == ABOUT:
                what = short(self._doc.about.what_matters, 70)
                text = _("About the person: {words}").format(words=what) if what else _("About the person")
                self._fill(item, ABOUT_ICON, text, "", "", _("What matters to the client, their preferences, "
                                                             "strengths, supports and barriers"), normal, muted)
                continue
            if item_id == PLAN:
                criteria = short(self._doc.discharge_criteria, 70)
                text = (_("When the plan is done: {words}").format(words=criteria) if criteria
                        else _("When the plan is done"))
                self._fill(item, PLAN_ICON, text, "", "", _("Discharge criteria in the client's words, start date and "
                                                            "review interval"), normal, muted)
                continue
            node = self.node(item_id)
            if node is None:
                continue
            kind = kind_of(node)
            words = row_title(node)
            problem = self._problems.get(item_id, "")
            icon = PROBLEM_ICON if problem else KIND_ICONS[kind]
            tip = _("{kind}: {words}").format(kind=kind.label, words=words) if words else kind.label
            if problem:
                tip = _("{item} — needs attention: {problem}").format(item=tip, problem=problem)
            self._fill(item, icon, words or placeholder(kind), status_text(node, self._tracking, self._gas),
                       when_text(node), tip, normal if title(node).strip() else muted, muted, danger=bool(problem))
            tracked = self._tracking.get(item_id)
            if tracked is not None:
                tint = {TrackState.MET: colors.success, TrackState.OVERDUE: colors.danger}.get(tracked.state)
                if tint:
                    item.setForeground(COL_STATUS, QBrush(QColor(tint)))
            flags = item.flags() | Qt.ItemFlag.ItemIsEditable if self._editable else item.flags() & ~Qt.ItemFlag.ItemIsEditable
            item.setFlags(flags)

    def _fill(self, item: QTreeWidgetItem, icon: str, text: str, status: str, when: str, tip: str,
              brush: QBrush, muted: QBrush, danger: bool = False) -> None:
        colors = theme.colors()
        item.setIcon(COL_TITLE, theme.icon(icon, colors.danger if danger else colors.muted))
        item.setText(COL_TITLE, text)
        item.setText(COL_STATUS, status)
        item.setText(COL_WHEN, when)
        item.setForeground(COL_TITLE, brush)
        item.setForeground(COL_STATUS, muted)
        item.setForeground(COL_WHEN, muted)
        font = QFont(self.font())
        font.setItalic(brush is muted)
        item.setFont(COL_TITLE, font)
        item.setToolTip(COL_TITLE, tip)
        spoken = ". ".join(p for p in (tip, text, status, when) if p)
        item.setData(COL_TITLE, Qt.ItemDataRole.AccessibleTextRole, spoken)
