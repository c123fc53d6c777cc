"""The app in Spanish, end to end: a fresh process with the language set to Spanish (so every module
is imported after the language is chosen, as when a person starts it) shows every page, a client's
record with each tab, the menus and the report dialog; no visible text is an English string the
catalog translates (which would mean a string bypassed `_()` or was translated too early)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from app import RESOURCES_DIR
from tests.conftest import PASSPHRASE

SCRIPT = r'''
import json, os, sys
from dataclasses import replace
from pathlib import Path

from app.services.context import AppServices
from app.services.paths import AppPaths

paths = AppPaths.default()
services = AppServices.build(paths)
services.update_settings(replace(services.settings, language="es"))
folder = Path(sys.argv[1])
created = services.vaults.create(folder, sys.argv[2], sys.argv[2])
from app.services import demo
demo.populate(created.session, 12, seed=3)
created.session.close()

from app.main import build_app
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar, QTableView, QTreeView, QListWidget

app, services, window, controller = build_app()
window.resize(1366, 768)
window.show()
controller.start(folder)
page = controller.unlock_page
page.passphrase.edit.setText(sys.argv[2])
page.submit()
def wait(cond, ms=30000):
    for _ in range(ms // 20):
        app.processEvents()
        if cond():
            return
        QTest.qWait(20)
    raise SystemExit("timed out")
wait(lambda: controller.workspace is not None and controller.pending_unlock is None)
texts = set()
def collect(root):
    for w in [root, *root.findChildren(QLabel), *root.findChildren(QAbstractButton)]:
        if w.isVisibleTo(root) and hasattr(w, "text") and w.text():
            texts.add(w.text())
    for bar in root.findChildren(QTabBar):
        if bar.isVisibleTo(root):
            texts.update(bar.tabText(i) for i in range(bar.count()))
    for view in root.findChildren(QTableView) + root.findChildren(QTreeView):
        model = view.model()
        if view.isVisibleTo(root) and model is not None:
            texts.update(str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount()))
ws = controller.workspace
for name in ("today", "clients", "contacts", "calendar", "caseload"):
    ws.go(name)
    wait(lambda: not getattr(ws.caseload, "loading", False))
    collect(ws)
for action in window.menuBar().actions():
    texts.add(action.text())
    if action.menu():
        texts.update(a.text() for a in action.menu().actions() if a.text())
client_id = ws.clients.model.row_at(0).id
ws.open_client(client_id)
for tab in ws.record.record_tabs:
    ws.record.tabs.setCurrentWidget(tab)
    app.processEvents()
    collect(ws)
controller.show_report(client_id)
dialog = controller.dialogs[-1]
app.processEvents()
collect(dialog)
dialog.reject()
print("TEXTS " + json.dumps(sorted(t for t in texts if t.strip())))
controller.lock("manual")
window.allow_close = True
'''


def test_the_app_in_spanish_shows_no_untranslated_catalog_string(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"WAYPOINT_HOME": str(home), "WAYPOINT_KDF_TARGET_MS": "0", "QT_QPA_PLATFORM": "offscreen",
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "vault"), PASSPHRASE], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("TEXTS "))
    shown = set(json.loads(line[len("TEXTS "):]))
    with (RESOURCES_DIR / "locale" / "es" / "LC_MESSAGES" / "waypoint.po").open("rb") as f:
        catalog = read_po(f, locale="es")
    english = {}
    for message in catalog:
        if message.id and not isinstance(message.id, tuple) and message.string and message.string != message.id:
            english[message.id] = message.string
    for spanish in ("Hoy", "Clientes"):
        assert any(spanish in text for text in shown), spanish
    untranslated = sorted(text for text in shown if text in english)
    assert untranslated == [], f"shown in English in the Spanish interface: {untranslated[:30]}"
