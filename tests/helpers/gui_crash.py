"""Child process for the crash test: unlock in the real GUI, type into the new-client form,
wait until the draft is saved, then die with SIGKILL (a dead battery, as far as the vault knows).

Usage: python -m tests.helpers.gui_crash VAULT_DIR   (WAYPOINT_PASSPHRASE and WAYPOINT_HOME set)
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    from PySide6.QtTest import QTest

    from app.main import build_app
    from tests.helpers.typing import type_text

    app, _services, window, controller = build_app()
    window.show()
    controller.start(Path(sys.argv[1]))
    page = controller.unlock_page
    page.passphrase.setText(os.environ["WAYPOINT_PASSPHRASE"])
    page.submit()

    def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            app.processEvents()
            time.sleep(0.01)

    wait_for(lambda: controller.workspace is not None)
    controller.workspace.new_client()
    editor = controller.workspace.editor
    QTest.keyClicks(editor.inputs["first_name"], "Batterie")
    type_text(editor.inputs["last_name"], "Diesmidway-Ñúñez")
    QTest.keyClicks(editor.inputs["email"], "batterie@example.org")
    QTest.keyClicks(editor.inputs["date_of_birth"].edit, "1979-02-")  # half-typed, kept as typed
    wait_for(lambda: editor.status.text().startswith("Draft saved"))
    print("DRAFT SAVED", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
