"""Logging to a private, rotating file. Messages name actions and error types — never client
data, passphrases or keys (tests with debug logging on check this)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.store.files import ensure_private_dir

LOG_NAME = "waypoint.log"
_configured: dict[str, logging.Handler] = {}


def configure_logging(log_dir: Path, *, debug: bool = False) -> Path:
    ensure_private_dir(log_dir)
    path = log_dir / LOG_NAME
    root = logging.getLogger()
    old = _configured.pop("file", None)
    if old is not None:
        root.removeHandler(old)
        old.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    _configured["file"] = handler
    if path.exists():
        path.chmod(0o600)
    return path
