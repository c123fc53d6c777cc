"""Backups on demand, on quit and daily, with retention; restore that keeps the old vault."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.models.retention import RetentionPolicy, backups_to_keep
from app.services.clock import Clock
from app.services.session import current_actor
from app.services.settings import Settings
from app.store.backup import (
    BackupResult,
    RestoreResult,
    create_backup,
    list_backups,
    restore_backup,
)
from app.store.keyfile import KeyFile

if TYPE_CHECKING:
    from app.services.session import Session

log = logging.getLogger(__name__)
DAILY = timedelta(hours=24)
KEEP_RECENT = 3  # a backup made by hand this afternoon never deletes this morning's
_STAMP_FORMAT = "%Y%m%d-%H%M%S"


class BackupService:
    def __init__(self, settings: Callable[[], Settings], default_folder: Path, clock: Clock | None = None) -> None:
        self._settings = settings
        self._default_folder = default_folder
        self.clock = clock or Clock()

    def folder(self) -> Path:
        configured = self._settings().backup_folder
        return Path(configured).expanduser() if configured else self._default_folder

    def policy(self) -> RetentionPolicy:
        s = self._settings()
        return RetentionPolicy(s.backup_keep_daily, s.backup_keep_weekly, s.backup_keep_monthly, KEEP_RECENT)

    def run(
        self, vault_folder: Path, dek: bytes, keyfile: KeyFile, dest: Path | None = None, *, reason: str = "manual"
    ) -> BackupResult:
        """Write a verified backup. Opens its own connection, so it may run on a worker thread."""
        log.info("backup started (%s)", reason)
        result = create_backup(vault_folder, dek, keyfile, dest or self.folder(), self.clock.now())
        log.info("backup written and verified")
        return result

    def after(self, session: Session, result: BackupResult) -> list[Path]:
        """Record a finished backup in the audit trail and apply retention to its folder."""
        session.record("backup.create", "vault", session.vault.vault_id)
        return self.prune(session.vault.vault_id, result.path.parent)

    def backup_now(self, session: Session, dest: Path | None = None, *, reason: str = "manual") -> BackupResult:
        vault = session.vault
        result = self.run(vault.folder, vault.dek, vault.keyfile, dest, reason=reason)
        self.after(session, result)
        return result

    def history(self, vault_id: str, folder: Path | None = None) -> list[tuple[datetime, Path]]:
        found = []
        for path in list_backups(folder or self.folder(), vault_id):
            stamp = path.stem.rsplit("-", 2)
            try:
                when = datetime.strptime(f"{stamp[-2]}-{stamp[-1]}", _STAMP_FORMAT)
            except ValueError:
                continue
            found.append((when, path))
        return sorted(found)

    def last_backup(self, vault_id: str) -> datetime | None:
        history = self.history(vault_id)
        return history[-1][0] if history else None

    def due(self, vault_id: str) -> bool:
        """True when the newest backup is more than a day old (or there is none)."""
        last = self.last_backup(vault_id)
        now = self.clock.now().replace(tzinfo=None)
        return last is None or now - last >= DAILY

    def prune(self, vault_id: str, folder: Path | None = None) -> list[Path]:
        history = self.history(vault_id, folder)
        keep = backups_to_keep([when for when, _ in history], self.policy())
        removed = []
        for when, path in history:
            if when not in keep:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                    removed.append(path)
        return removed

    def restore(
        self, backup: Path, folder: Path, *, passphrase: str | None = None, recovery_key: str | None = None
    ) -> RestoreResult:
        """Restore into `folder` (which must not be open). The previous vault is kept beside it."""
        result = restore_backup(
            backup,
            folder,
            passphrase=passphrase,
            recovery_key=recovery_key,
            when=self.clock.now().astimezone(),
            actor=current_actor(),
        )
        log.info("restore completed")
        return result
