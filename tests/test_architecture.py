"""The codebase's own rules, checked on every run: layer arrows, lint, start-up imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold() -> None:
    result = run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_ruff_is_clean() -> None:
    result = run(str(BIN / "ruff"), "check", "app", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_stdlib_sqlite_in_the_app() -> None:
    offenders = [p for p in (ROOT / "app").rglob("*.py") if "import sqlite3" in p.read_text()]
    assert offenders == []


def test_the_unlock_screen_needs_no_heavy_module() -> None:
    """Everything imported before the unlock screen paints, minus what it must have."""
    code = (
        "import sys, app.cli, app.main, app.ui.controller, app.ui.pages.unlock, app.services.context\n"
        "app.cli._parser(list_kinds=False)  # what `waypoint` parses before starting the app\n"
        "heavy = ['qtawesome', 'keyring', 'reportlab', 'faker', 'argon2', 'zxcvbn', 'babel.dates',"
        " 'PySide6.QtPdf', 'app.ui.workspace', 'cryptography.hazmat.primitives.ciphers.aead',"
        # Domain modules the unlock screen has no use for (each costs start-up time).
        " 'app.models.follow_ups', 'app.models.notes', 'app.models.recurrence']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_the_qt_binding_keeps_its_references() -> None:
    """PySide6 6.12.0 dropped a reference to None on each void call, and Python 3.11 aborts
    (none_dealloc) after a few thousand: a day's use. pyproject pins it out; this keeps it out."""
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QLineEdit\n"
        "app = QApplication([]); edit = QLineEdit()\n"
        "before = sys.getrefcount(None)\n"
        "for _ in range(3000):\n"
        "    app.processEvents(); edit.setText('x')\n"
        "print(before - sys.getrefcount(None))\n"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr[-500:]
    assert abs(int(result.stdout.strip())) < 100


def test_domain_store_and_services_type_check_strictly() -> None:
    result = run(str(BIN / "mypy"), "app/models", "app/store", "app/services")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
