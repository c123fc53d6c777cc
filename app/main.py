"""Composition root for the desktop app: process hygiene, settings, services, then the window."""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path

_T0 = time.perf_counter()
log = logging.getLogger("waypoint")


def _install_error_handlers() -> None:
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def qt_messages(kind: QtMsgType, _context: object, message: str) -> None:
        level = logging.WARNING if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg) else logging.DEBUG
        logging.getLogger("qt").log(level, "%s", message)

    qInstallMessageHandler(qt_messages)

    def excepthook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        # The exception's message may quote what someone typed: log its type and stack only.
        log.error("unhandled %s\n%s", kind.__name__, "".join(traceback.format_tb(tb)))  # type: ignore[arg-type]
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            QMessageBox.warning(None, "Waypoint", (
                f"Something went wrong ({kind.__name__}). Your work so far is kept as a draft. "
                "If it happens again, restart Waypoint."))

    sys.excepthook = excepthook


def _install_qt_language(app) -> None:  # type: ignore[no-untyped-def]
    """Qt's own words (standard buttons, the print and file dialogs) in the interface language,
    and Qt's locale (calendar pop-ups, first day of the week) from the formatting locale."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from app.i18n import current_language, current_locale

    QLocale.setDefault(QLocale(current_locale()))
    language = current_language()
    if language == "en":
        return
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)


def _set_window_icon(app) -> None:  # type: ignore[no-untyped-def]
    """The app's icon in the title bar and task switcher: resources/icons in an installed bundle,
    installer/icons/png in a source checkout."""
    from PySide6.QtGui import QIcon

    from app import RESOURCES_DIR

    for folder in (RESOURCES_DIR / "icons", RESOURCES_DIR.parent / "installer" / "icons" / "png"):
        files = sorted(folder.glob("waypoint-*.png"))
        if files:
            icon = QIcon()
            for file in files:
                icon.addFile(str(file))
            app.setWindowIcon(icon)
            return


def build_app(debug: bool = False):  # type: ignore[no-untyped-def]
    """The composition root: process hygiene, logging, settings and services, then the window.

    Returns (QApplication, AppServices, MainWindow, AppController), nothing started yet."""
    from app.services.context import start_process

    services = start_process(debug)
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Waypoint")
    app.setOrganizationName("Waypoint")
    app.setDesktopFileName("waypoint")
    _install_error_handlers()
    _install_qt_language(app)
    from app.ui import theme
    from app.ui.controller import AppController
    from app.ui.shell import MainWindow

    theme.apply(app)
    _set_window_icon(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: theme.apply(app))  # follow the OS live
    window = MainWindow()
    controller = AppController(app, services, window)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    window.resize(min(1280, screen.width()), min(820, screen.height()))
    return app, services, window, controller


def run_gui(vault: Path | None = None, demo: bool = False, debug: bool = False) -> int:
    app, _services, window, controller = build_app(debug)
    if os.environ.get("WAYPOINT_BENCH_STARTUP"):
        _bench_startup(app, controller)
    controller.start(vault, demo)
    window.show()
    log.info("started")
    return app.exec()


def _bench_startup(app, controller) -> None:  # type: ignore[no-untyped-def]
    """For bench/startup.py: report when the unlock screen is first painted, then quit."""

    def painted() -> None:
        print(f"PAINTED {time.perf_counter() - _T0:.4f}", flush=True)
        app.quit()

    controller.unlock_page.painted.connect(painted)
