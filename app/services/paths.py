"""Where Waypoint keeps things on this device, and the process hygiene applied at start-up."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.store.files import ensure_private_dir


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Config (settings.json), data (logs, demo vault, default backups) and a private temp folder."""

    config_dir: Path
    data_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        override = os.environ.get("WAYPOINT_HOME")
        if override:
            root = Path(override)
            return cls(root / "config", root / "data")
        import platformdirs

        return cls(
            Path(platformdirs.user_config_dir("Waypoint", appauthor=False)),
            Path(platformdirs.user_data_dir("Waypoint", appauthor=False)),
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def temp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def default_vault_dir(self) -> Path:
        return self.data_dir / "vault"

    @property
    def default_backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def demo_vault_dir(self) -> Path:
        return self.data_dir / "demo-vault"

    def ensure(self) -> None:
        if self.config_dir.parent == self.data_dir.parent and os.environ.get("WAYPOINT_HOME"):
            ensure_private_dir(self.config_dir.parent)  # WAYPOINT_HOME is ours entirely
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.temp_dir):
            ensure_private_dir(folder)


def harden_process(paths: AppPaths) -> None:
    """umask 077, no core dumps, and a private temp folder for anything transient."""
    if os.name == "posix":
        os.umask(0o077)
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        except (ImportError, ValueError, OSError):
            # Not every platform lets a process lower its core limit; umask still applies.
            pass
    paths.ensure()
    tempfile.tempdir = str(paths.temp_dir)
    os.environ["TMPDIR"] = str(paths.temp_dir)
    os.environ["SQLITE_TMPDIR"] = str(paths.temp_dir)
