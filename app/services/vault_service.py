"""Creating, unlocking, checking and re-keying vaults."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.i18n import _
from app.models.audit import ChainReport
from app.services import passphrases
from app.services.backups import BackupService
from app.services.clock import Clock
from app.services.errors import ValidationError
from app.services.session import Session, current_actor
from app.store.errors import WrongSecret
from app.store.keyfile import KdfParams, KeyFile, calibrate
from app.store.vault import UnlockedKey, Vault, derive_key, is_vault

log = logging.getLogger(__name__)
DEFAULT_KDF_TARGET_SECONDS = 0.7


def kdf_target_seconds() -> float:
    """0.5–1 s by design (0.7 s aimed at). WAYPOINT_KDF_TARGET_MS can only lower the time towards the floor
    (Argon2id m=64 MiB, t=3), which is never crossed — used to keep test suites quick."""
    raw = os.environ.get("WAYPOINT_KDF_TARGET_MS")
    if raw is None:
        return DEFAULT_KDF_TARGET_SECONDS
    try:
        return max(0.0, min(DEFAULT_KDF_TARGET_SECONDS, int(raw) / 1000))
    except ValueError:
        return DEFAULT_KDF_TARGET_SECONDS


@dataclass(frozen=True, slots=True)
class CreatedVault:
    session: Session
    recovery_key: str


@dataclass(frozen=True, slots=True)
class CheckReport:
    version: int
    problems: list[str]
    chain: ChainReport
    clients: int

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain.ok


class VaultService:
    def __init__(self, backups: BackupService, clock: Clock | None = None) -> None:
        self.backups = backups
        self.clock = clock or Clock()
        self._kdf: KdfParams | None = None
        self._failed: dict[str, int] = {}

    def kdf_params(self) -> KdfParams:
        if self._kdf is None:
            self._kdf = calibrate(kdf_target_seconds())
        return self._kdf

    def check_new_passphrase(self, passphrase: str, confirm: str | None, names: Sequence[str] = ()) -> None:
        """Raise ValidationError (field 'passphrase' or 'confirm') when it can't be used."""
        verdict = passphrases.check(passphrase, [current_actor(), *names])
        if not verdict.ok:
            raise ValidationError({"passphrase": verdict.problem}, verdict.problem)
        if confirm is not None and confirm != passphrase:
            message = _("The two passphrases are different. Type the same passphrase twice.")
            raise ValidationError({"confirm": message}, message)

    def create(
        self, folder: Path, passphrase: str, confirm: str | None = None, *, demo: bool = False,
        names: Sequence[str] = (),
    ) -> CreatedVault:
        self.check_new_passphrase(passphrase, confirm, names)
        vault, recovery_key = Vault.create(
            folder, passphrase, self.kdf_params(), actor=current_actor(), demo=demo
        )
        return CreatedVault(Session(vault, self.clock), recovery_key)

    def derive(
        self,
        folder: Path,
        *,
        passphrase: str | None = None,
        recovery_key: str | None = None,
        remembered: bytes | None = None,
    ) -> UnlockedKey:
        """The slow step of unlocking (safe on a worker thread). Counts failures for the audit."""
        try:
            return derive_key(folder, passphrase=passphrase, recovery_key=recovery_key, remembered=remembered)
        except WrongSecret:
            key = str(folder.resolve())
            self._failed[key] = self._failed.get(key, 0) + 1
            raise

    def failed_attempts(self, folder: Path) -> int:
        return self._failed.get(str(folder.resolve()), 0)

    def open(
        self, folder: Path, key: UnlockedKey, *, how: str = "passphrase", background_checks: bool = False
    ) -> Session:
        """Open the database; back up first when a migration is pending; audit the unlock.

        With background_checks the integrity checks run while the caller shows the first screen;
        the caller then calls finish_unlock() once `session.checks_done()` (writes wait for the
        checks in any case)."""

        def backup_first(vault: Vault) -> None:
            self.backups.run(vault.folder, vault.dek, vault.keyfile, reason="migration")

        vault = Vault.open(folder, key, before_migration=backup_first, check_in_background=background_checks)
        session = Session(vault, self.clock)
        if not background_checks:
            self.finish_unlock(session, how)
        return session

    def finish_unlock(self, session: Session, how: str) -> None:
        """Record the unlock (and the failed attempts before it) once the checks are done."""
        failed = self._failed.pop(str(session.vault.folder.resolve()), 0)
        session.wait_checks()
        if session.read_only:
            return
        with session.write():
            if failed:
                session.audit("vault.unlock_failed", "vault", session.vault.vault_id, f"count={failed}")
            session.audit("vault.unlock", "vault", session.vault.vault_id, f"with={how}")

    def unlock(
        self, folder: Path, *, passphrase: str | None = None, recovery_key: str | None = None
    ) -> Session:
        key = self.derive(folder, passphrase=passphrase, recovery_key=recovery_key)
        return self.open(folder, key, how="recovery_key" if recovery_key is not None else "passphrase")

    def change_passphrase(self, session: Session, new_passphrase: str, confirm: str | None = None) -> None:
        """Re-wrap the data key under a new passphrase. The database is not rewritten."""
        self.commit_passphrase_change(session, self.prepare_passphrase_change(session, new_passphrase, confirm))

    def prepare_passphrase_change(self, session: Session, new_passphrase: str, confirm: str | None = None) -> KeyFile:
        """The slow half (KDF), safe on a worker thread: checks the policy, writes nothing."""
        self.check_new_passphrase(new_passphrase, confirm)
        return session.vault.rewrapped(new_passphrase, self.kdf_params())

    def commit_passphrase_change(self, session: Session, keyfile: KeyFile) -> None:
        session.vault.install_keyfile(keyfile)
        session.record("key.passphrase_change", "vault", session.vault.vault_id)

    def verify_passphrase(self, session: Session, passphrase: str) -> None:
        """Raise WrongPassphrase unless `passphrase` opens this vault (slow; writes nothing)."""
        derive_key(session.vault.folder, passphrase=passphrase)

    def rotate_recovery_key(self, session: Session) -> str:
        recovery_key = session.vault.rotate_recovery_key()
        session.record("key.recovery_rotate", "vault", session.vault.vault_id)
        return recovery_key

    def check(self, session: Session) -> CheckReport:
        """Full integrity, cipher integrity and the audit chain of an open vault."""
        problems = list(session.problems) or session.vault.full_check()
        chain = session.audit_repo().verify()
        clients = session.clients.count() if not problems else 0
        if not problems:
            session.record("vault.check", "vault", session.vault.vault_id, "result=ok" if chain.ok else "result=chain")
        return CheckReport(session.vault.version, problems, chain, clients)

    @staticmethod
    def is_vault(folder: Path) -> bool:
        return is_vault(folder)

