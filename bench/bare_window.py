"""The floor for the start-up figure: a bare PySide6 window that prints when first painted.

Prints `PAINTED <seconds since the interpreter reached this file>` and quits, like the app does
with WAYPOINT_BENCH_STARTUP=1. bench/startup.py measures both from process spawn.
"""

import sys
import time

_T0 = time.perf_counter()

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402


class Window(QWidget):
    painted = False

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            print(f"PAINTED {time.perf_counter() - _T0:.4f}", flush=True)
            QApplication.instance().quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = Window()
    window.resize(1280, 820)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
