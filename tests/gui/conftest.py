"""GUI fixtures: the real window and controller, offscreen, with an injectable idle clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.services.context import AppServices
from app.ui import theme, worker
from app.ui.controller import AppController
from app.ui.shell import MainWindow
from tests.conftest import PASSPHRASE
from tests.helpers.typing import type_text


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Gui:
    qtbot: QtBot
    window: MainWindow
    controller: AppController
    idle_clock: FakeMonotonic
    services: AppServices

    def unlock(self, folder: Path, passphrase: str = PASSPHRASE) -> None:
        self.controller.start(folder)
        page = self.controller.unlock_page
        self.qtbot.waitUntil(lambda: self.window.stack.currentWidget() is page)
        page.passphrase.clear()
        type_text(page.passphrase.edit, passphrase)
        self.qtbot.keyClick(page.passphrase.edit, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: self.controller.workspace is not None, timeout=20000)
        # The unlock-time integrity checks finish in the background; then the unlock is audited.
        self.qtbot.waitUntil(lambda: self.controller.pending_unlock is None, timeout=20000)

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        if QApplication.activeWindow() is None:
            # A window manager re-activates the main window when a dialog closes; offscreen
            # Qt has none, so do what it would.
            self.window.activateWindow()
            self.qtbot.waitUntil(self.window.isActiveWindow, timeout=2000)
        target = QApplication.focusWidget() or self.window
        self.qtbot.keyClick(target, key, modifiers)


@pytest.fixture
def gui(qtbot: QtBot, services: AppServices) -> Iterator[Gui]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply(app, "light")
    window = MainWindow()
    qtbot.addWidget(window)
    clock = FakeMonotonic()
    controller = AppController(app, services, window, idle_clock=clock, idle_check_ms=20)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield Gui(qtbot, window, controller, clock, services)
    controller.idle.stop()
    app.removeEventFilter(controller.idle)
    worker.wait_all(30000)
    if controller.session is not None:
        controller.session.close()
    window.allow_close = True


@pytest.fixture
def client_vault(services: AppServices, vault_dir: Path) -> Path:
    """A closed vault holding three synthetic clients."""
    from tests.conftest import person

    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    for first, last in (("Zoë", "Ødegård"), ("Ольга", "Петрова"), ("Nguyễn Thị", "Ánh")):
        created.session.clients.create(person(first_name=first, last_name=last))
    created.session.close()
    return vault_dir


def visible_texts(root: QWidget | None = None) -> str:
    """Every piece of text any live widget or item model shows, for leak checks."""
    from PySide6.QtCore import QAbstractItemModel, QModelIndex
    from PySide6.QtWidgets import (
        QAbstractButton,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    texts: list[str] = []
    widgets = QApplication.allWidgets() if root is None else [root, *root.findChildren(QWidget)]
    models: set[int] = set()
    for w in widgets:
        if isinstance(w, QLabel | QAbstractButton | QLineEdit):
            texts.append(w.text())
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            texts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            texts.append(w.currentText())
        texts.append(w.accessibleName())
        texts.append(w.toolTip())
        texts.append(w.windowTitle())
        model = getattr(w, "model", None)
        if callable(model):
            m = model()
            if isinstance(m, QAbstractItemModel) and id(m) not in models:
                models.add(id(m))
                try:
                    columns = m.columnCount(QModelIndex())
                except TypeError:  # list models keep columnCount private
                    columns = 1
                for row in range(m.rowCount(QModelIndex())):
                    for column in range(max(1, columns)):
                        texts.append(str(m.data(m.index(row, column)) or ""))
    return "\n".join(texts)
