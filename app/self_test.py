"""`waypoint --self-test`: proves an installed (or frozen) Waypoint has everything it needs.

It works in a temporary folder of its own (WAYPOINT_HOME points there for the run, so the user's
settings, vaults, logs and credential store are never touched): it creates a vault, writes a
synthetic client and reads it back after unlocking again, renders a client-summary PDF and loads it
back, runs the vault checks (database and cipher integrity, audit chain), finds the bundled
resources (instruments, fonts, translations, the Part 2 notice, babel locale data), imports the
credential-store backends, and starts the Qt interface offscreen as far as the main window and the
unlock page. One line per check, "ok NAME: …" or "FAILED NAME: …"; never client data.

Exit status 0 only when every check passed. The run changes process-wide state (umask, temp
folder, Qt platform), so call it in a process that exits afterwards.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The synthetic client written and read back. Not a person; chosen to exercise non-ASCII text.
_FIRST, _LAST = "Zoë", "Ødegård"


@dataclass
class _Run:
    """What the checks share: the temporary folder and what earlier checks produced."""

    root: Path
    out: Callable[[str], None]
    services: Any = None
    passphrase: str = ""
    client_id: str = ""
    pdf: bytes = b""
    results: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def vault_dir(self) -> Path:
        return self.root / "vault"


def _platform_keyring_backends() -> tuple[str, ...]:
    """The keyring backend modules Waypoint trusts on this operating system."""
    if sys.platform == "darwin":
        return ("keyring.backends.macOS",)
    if sys.platform == "win32":
        return ("keyring.backends.Windows",)
    return ("keyring.backends.SecretService", "keyring.backends.libsecret", "keyring.backends.kwallet")


def _platform_plugins() -> tuple[str, ...]:
    """Qt platform plugins the bundle must carry for this operating system (file-name fragments)."""
    if sys.platform == "darwin":
        return ("offscreen", "cocoa")
    if sys.platform == "win32":
        return ("offscreen", "windows")
    return ("offscreen", "xcb", "wayland")


# -- the checks --------------------------------------------------------------------------------------
# Each returns a short detail for its "ok" line, or raises. Details carry counts and names of
# resources, never anything typed into the vault.


def check_resources(run: _Run) -> str:
    from app import RESOURCES_DIR
    from app.services.consents import load_redisclosure_notice
    from app.services.instruments import load_catalog

    if not RESOURCES_DIR.is_dir():
        raise FileNotFoundError(f"resources folder missing: {RESOURCES_DIR}")
    instruments = load_catalog()
    version, notice = load_redisclosure_notice()
    if not notice:
        raise ValueError("the Part 2 re-disclosure notice is empty")
    return f"{len(instruments)} instruments, Part 2 notice v{version}"


def check_fonts(run: _Run) -> str:
    from reportlab.pdfbase import pdfmetrics

    from app.reports.engine import FONTS_DIR, register_fonts

    family = register_fonts()
    font = pdfmetrics.getFont(family)
    # The PDF font must carry the letters of the names Waypoint is built for.
    for char in "ÅéñØöễịПр":
        if ord(char) not in font.face.charToGlyph:
            raise ValueError(f"font {family} has no glyph for U+{ord(char):04X}")
    return f"{family} from {FONTS_DIR.name}/ ({len(list(FONTS_DIR.glob('*.ttf')))} files)"


def check_translations(run: _Run) -> str:
    import gettext
    from datetime import date

    from babel import Locale
    from babel.dates import format_date

    from app.i18n import _LOCALE_DIR, SUPPORTED_LANGUAGES

    found = []
    for language in sorted(SUPPORTED_LANGUAGES):
        if language == "en":  # the source language needs no catalog
            continue
        mo = _LOCALE_DIR / language / "LC_MESSAGES" / "waypoint.mo"
        if not mo.is_file():
            raise FileNotFoundError(f"compiled catalog missing: {language}/LC_MESSAGES/waypoint.mo")
        with mo.open("rb") as handle:
            gettext.GNUTranslations(handle)  # raises on a damaged catalog
        data = mo.read_bytes()
        order = "<" if data[:4] == b"\xde\x12\x04\x95" else ">"
        messages = struct.unpack(f"{order}I", data[8:12])[0] - 1  # the .mo header counts the metadata entry
        if messages < 2:
            raise ValueError(f"the {language} catalog is empty")
        found.append(f"{language} ({messages} messages)")
    for ident in ("en_US", "es_MX", "es_ES"):
        Locale.parse(ident)
        format_date(date(2026, 12, 1), "full", locale=ident)
    return ", ".join(found) + "; babel locale data for en and es"


def check_keyring(run: _Run) -> str:
    import importlib
    from importlib.metadata import entry_points

    import keyring  # noqa: F401 - the package itself must import

    names = {ep.value for ep in entry_points(group="keyring.backends")}
    wanted = _platform_keyring_backends()
    loaded = []
    for module in wanted:
        if module not in names:
            raise LookupError(f"keyring does not list the backend {module} (package metadata missing?)")
        importlib.import_module(module)
        loaded.append(module.rsplit(".", 1)[-1])
    return ", ".join(loaded)


def check_vault(run: _Run) -> str:
    from datetime import date

    from app.models.client import ClientFields
    from app.services import passphrases

    run.passphrase = passphrases.generate()
    created = run.services.vaults.create(run.vault_dir, run.passphrase, run.passphrase)
    session = created.session
    try:
        client = session.clients.create(ClientFields(first_name=_FIRST, last_name=_LAST,
                                                     date_of_birth=date(1984, 5, 17), phone="(555) 010-0199"))
        run.client_id = client.id
    finally:
        session.close()
    # Unlock again from the key file and read the record back from disk.
    session = run.services.vaults.unlock(run.vault_dir, passphrase=run.passphrase)
    try:
        back = session.clients.get(run.client_id)
        if (back.fields.first_name, back.fields.last_name) != (_FIRST, _LAST):
            raise ValueError("the client read back differs from the one written")
        if [c.id for c in session.clients.search(_LAST)] != [run.client_id]:
            raise ValueError("the full-text search did not find the client")
    finally:
        session.close()
    return "created a vault, wrote a client, unlocked again and read it back"


def check_report(run: _Run) -> str:
    import io

    from pypdf import PdfReader

    from app.services.reporting import ReportRequest, kind, letterhead_from

    session = run.services.vaults.unlock(run.vault_dir, passphrase=run.passphrase)
    try:
        run.pdf = kind("summary").build(session, ReportRequest("summary", run.client_id),
                                        letterhead_from(run.services.settings))
    finally:
        session.close()
    reader = PdfReader(io.BytesIO(run.pdf))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    if _LAST not in text:
        raise ValueError("the client's name is not in the PDF's text")
    return f"client summary, {len(reader.pages)} page(s), {len(run.pdf) // 1024} KiB, read back"


def check_integrity(run: _Run) -> str:
    session = run.services.vaults.unlock(run.vault_dir, passphrase=run.passphrase)
    try:
        report = run.services.vaults.check(session)
    finally:
        session.close()
    if report.problems:
        raise ValueError("database check: " + "; ".join(report.problems))
    if not report.chain.ok:
        raise ValueError(f"audit chain broken: {report.chain.problem}")
    return f"database and cipher integrity ok, audit chain ok ({report.chain.entries} entries)"


def check_qt_plugins(run: _Run) -> str:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    present = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    missing = [w for w in _platform_plugins() if not any(w in name for name in present)]
    if missing:
        raise FileNotFoundError(f"Qt platform plugins missing from {folder}: {', '.join(missing)}")
    return ", ".join(_platform_plugins())


def check_gui(run: _Run) -> str:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtWidgets import QApplication

    from app.ui import theme
    from app.ui.controller import AppController
    from app.ui.shell import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "waypoint"])
    assert isinstance(app, QApplication)
    theme.apply(app)
    window = MainWindow()
    controller = AppController(app, run.services, window)
    try:
        controller.start(run.vault_dir)
        window.resize(1366, 768)
        window.show()
        app.processEvents()
        if window.stack.currentWidget() is not controller.unlock_page:
            raise RuntimeError("the unlock page was not shown for the vault")
        if window.grab().isNull():
            raise RuntimeError("the main window could not be drawn")
        # The report preview's path: QtPdf loads the PDF from memory and renders a page.
        document = QPdfDocument()
        buffer = QBuffer()
        buffer.setData(QByteArray(run.pdf))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            raise RuntimeError(f"QtPdf could not load the report ({document.error().name})")
        if document.render(0, QSize(300, 400)).isNull():
            raise RuntimeError("QtPdf could not render the report's first page")
        pages = document.pageCount()
        document.close()
    finally:
        controller.idle.stop()
        app.removeEventFilter(controller.idle)
        window.allow_close = True
        window.close()
        window.deleteLater()
        app.processEvents()
    return f"main window and unlock page built ({app.platformName()}), QtPdf loaded {pages} page(s)"


CHECKS: tuple[tuple[str, Callable[[_Run], str]], ...] = (
    ("resources", check_resources),
    ("fonts", check_fonts),
    ("translations", check_translations),
    ("keyring", check_keyring),
    ("vault", check_vault),
    ("report", check_report),
    ("integrity", check_integrity),
    ("qt-plugins", check_qt_plugins),
    ("gui", check_gui),
)
"""(name, check) in order; later checks use what earlier ones made (the vault, the PDF)."""


def _services(root: Path) -> Any:
    """Services on `root`, as `start_process` builds them, but with a credential store that is
    never asked for anything (the user's keychain stays untouched)."""
    from keyring.backends.fail import Keyring as NoKeyring

    from app.i18n import set_locale
    from app.services.context import AppServices
    from app.services.device_keys import DeviceKeyStore
    from app.services.logs import configure_logging
    from app.services.paths import AppPaths, harden_process

    paths = AppPaths.default()
    harden_process(paths)
    configure_logging(paths.log_dir)
    services = AppServices.build(paths, device_keys=DeviceKeyStore(NoKeyring()))  # type: ignore[no-untyped-call]
    set_locale(services.settings.locale or None, services.settings.language or None)
    return services


def run_self_test(out: Callable[[str], None] | None = None) -> int:
    """Run every check; print one line each; 0 when all passed, 1 otherwise."""
    emit = out or (lambda line: print(line, flush=True))
    root = Path(tempfile.mkdtemp(prefix="waypoint-self-test-"))
    saved = {k: os.environ.get(k) for k in ("WAYPOINT_HOME", "WAYPOINT_KDF_TARGET_MS", "QT_QPA_PLATFORM")}
    os.environ["WAYPOINT_HOME"] = str(root / "home")
    os.environ["WAYPOINT_KDF_TARGET_MS"] = "0"  # the KDF floor (Argon2id m=64 MiB, t=3): quick, never weaker
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no window appears on the user's screen
    run = _Run(root, emit)
    try:
        try:
            run.services = _services(root)
        except Exception as exc:  # noqa: BLE001 - reported as a failed check, not a traceback
            emit(f"FAILED start: {type(exc).__name__}: {exc}")
            return 1
        for name, check in CHECKS:
            try:
                detail = check(run)
            except Exception as exc:  # noqa: BLE001 - each check reports and the next one runs
                fields = getattr(exc, "problems", None)  # a ValidationError names its fields
                where = f" (fields: {', '.join(fields)})" if isinstance(fields, dict) else ""
                emit(f"FAILED {name}: {type(exc).__name__}: {exc}{where}")
                if os.environ.get("WAYPOINT_DEBUG"):
                    traceback.print_exc()
                run.results.append((name, False))
            else:
                emit(f"ok {name}: {detail}")
                run.results.append((name, True))
        failed = [name for name, ok in run.results if not ok]
        emit("self-test passed" if not failed else f"self-test FAILED ({len(failed)} of {len(CHECKS)} checks)")
        return 0 if not failed else 1
    finally:
        import logging

        logging.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        tempfile.tempdir = None
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_self_test())
