"""A vault: a folder holding the encrypted database (vault.db) and its key file (vault.key).

Lifecycle: `Vault.create()` makes a new one; `derive_key()` turns a passphrase or recovery key into
the data key (the slow step, safe to run off the GUI thread); `Vault.open()` opens the database
with that key through the one connection factory, checks it, and migrates it after a verified
backup. A vault whose database fails its checks opens read-only and refuses every write.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from app.store import db, migrations
from app.store.audit_repo import AuditRepository
from app.store.backup import finish_interrupted_restore
from app.store.errors import (
    ReadOnlyVault,
    VaultDamaged,
    VaultExists,
    VaultNotFound,
    VaultTooNew,
    WrongPassphrase,
)
from app.store.files import ensure_private_dir
from app.store.keyfile import (
    KEYFILE_NAME,
    KdfParams,
    KeyFile,
    create_keys,
    read_keyfile,
    unlock_with_passphrase,
    unlock_with_recovery_key,
    with_new_passphrase,
    with_new_recovery_key,
    write_keyfile,
)

DB_NAME = db.DB_NAME


def is_vault(folder: Path) -> bool:
    return (folder / KEYFILE_NAME).is_file() or (folder / DB_NAME).is_file()


@dataclass(frozen=True, slots=True)
class UnlockedKey:
    keyfile: KeyFile
    dek: bytes


def derive_key(
    folder: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    remembered: bytes | None = None,
) -> UnlockedKey:
    """Unwrap the data key. Reads the key file only; changes no file. Slow by design.

    `remembered` is a data key kept by the OS credential store; it is checked against the key
    file's check value (WrongPassphrase when it no longer fits, e.g. after a restore)."""
    finish_interrupted_restore(folder)
    if not is_vault(folder):
        raise VaultNotFound(folder)
    keyfile = read_keyfile(folder)
    if remembered is not None:
        if not keyfile.matches(remembered):
            raise WrongPassphrase()
        dek = remembered
    elif recovery_key is not None:
        dek = unlock_with_recovery_key(keyfile, recovery_key)
    elif passphrase is not None:
        dek = unlock_with_passphrase(keyfile, passphrase)
    else:
        raise ValueError("a passphrase or a recovery key is needed")
    return UnlockedKey(keyfile, dek)


class Vault:
    """An open vault. Owns the single database connection of its thread."""

    def __init__(
        self, folder: Path, keyfile: KeyFile, dek: bytes, conn: db.Connection, checks: db.IntegrityCheck
    ) -> None:
        self.folder = folder
        self.keyfile = keyfile
        self._dek: bytes | None = dek
        self._conn: db.Connection | None = conn
        self._checks = checks

    # -- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def create(
        cls, folder: Path, passphrase: str, params: KdfParams, *, actor: str, demo: bool = False
    ) -> tuple[Vault, str]:
        """Create a new vault in an empty or new folder; returns it and the recovery key."""
        if folder.exists() and any(folder.iterdir()):
            raise VaultExists(folder)
        ensure_private_dir(folder)
        keys = create_keys(passphrase, params, demo=demo)
        write_keyfile(folder, keys.keyfile)
        conn = db.connect(folder / DB_NAME, keys.dek, create=True)
        db.configure(conn)
        migrations.apply(conn, 0)
        vault = cls(folder, keys.keyfile, keys.dek, conn, db.IntegrityCheck.finished([]))
        with vault.transaction():
            vault.audit(actor).append("vault.create", "vault", keys.keyfile.vault_id)
        return vault, keys.recovery_key

    @classmethod
    def open(
        cls,
        folder: Path,
        key: UnlockedKey,
        *,
        before_migration: Callable[[Vault], None] | None = None,
        steps: tuple[migrations.Migration, ...] = migrations.MIGRATIONS,
        check_in_background: bool = False,
    ) -> Vault:
        """Open with an unwrapped key: verify, check integrity, migrate after a backup.

        A vault newer than this version is closed again untouched (VaultTooNew). A database
        whose pages fail their checks is read-only, `problems` listing what failed. With
        check_in_background (and no migration pending) the checks run on their own connection
        while the caller reads; writes wait for them (`transaction()`).
        """
        path = folder / DB_NAME
        try:
            conn = db.connect(path, key.dek)
        except FileNotFoundError:
            raise VaultDamaged([f"{DB_NAME} is missing"]) from None
        latest = steps[-1].version
        version = db.user_version(conn)
        if version > latest:
            conn.close()
            raise VaultTooNew(version, latest)
        if check_in_background and version == latest:
            db.configure(conn)
            return cls(folder, key.keyfile, key.dek, conn, db.IntegrityCheck(path, key.dek))
        problems = db.integrity_problems(conn)
        if not problems:
            db.configure(conn)
        vault = cls(folder, key.keyfile, key.dek, conn, db.IntegrityCheck.finished(problems))
        if not problems and version < latest:
            if version > 0 and before_migration is not None:
                before_migration(vault)
            migrations.apply(conn, version, steps)
        return vault

    def close(self) -> None:
        """Checkpoint (when writable) and close the connection; forget the key."""
        problems = self._checks.wait()  # its connection is closed too before this returns
        conn, self._conn = self._conn, None
        self._dek = None
        if conn is None:
            return
        with contextlib.suppress(db.DatabaseError):
            if not problems:
                db.checkpoint(conn)
        conn.close()

    @property
    def problems(self) -> list[str]:
        """What the integrity checks found (empty while they still run)."""
        return self._checks.problems()

    def checks_done(self) -> bool:
        return self._checks.done()

    def wait_checks(self) -> list[str]:
        return self._checks.wait()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def read_only(self) -> bool:
        return bool(self.problems)

    @property
    def connection(self) -> db.Connection:
        if self._conn is None:
            raise RuntimeError("the vault is locked")
        return self._conn

    @property
    def dek(self) -> bytes:
        if self._dek is None:
            raise RuntimeError("the vault is locked")
        return self._dek

    @property
    def vault_id(self) -> str:
        return self.keyfile.vault_id

    @property
    def version(self) -> int:
        return db.user_version(self.connection)

    def audit(self, actor: str) -> AuditRepository:
        return AuditRepository(self.connection, actor)

    # -- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[db.Connection]:
        """One atomic unit of work: all of it is committed, or none of it."""
        if self.wait_checks():
            raise ReadOnlyVault()
        conn = self.connection
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException as exc:  # noqa: BLE001 - _abandon re-raises it
            # Interrupted on its last steps, BEGIN can leave a transaction open: end it, or the
            # next save would fail with "cannot start a transaction within a transaction".
            _abandon(conn, exc)
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:  # noqa: BLE001 - _abandon re-raises it
            _abandon(conn, exc)

    # -- keys ---------------------------------------------------------------------------------

    def rewrapped(self, new_passphrase: str, params: KdfParams) -> KeyFile:
        """The next key file generation for a new passphrase (slow: runs the KDF; writes nothing)."""
        return with_new_passphrase(self.keyfile, self.dek, new_passphrase, params)

    def install_keyfile(self, updated: KeyFile) -> None:
        """Write a re-wrapped key file atomically (the database bytes do not change)."""
        if updated.vault_id != self.keyfile.vault_id or not updated.matches(self.dek):
            raise ValueError("key file belongs to another vault")
        write_keyfile(self.folder, updated)
        self.keyfile = updated

    def change_passphrase(self, new_passphrase: str, params: KdfParams) -> None:
        """Re-wrap the data key; the database bytes do not change."""
        self.install_keyfile(self.rewrapped(new_passphrase, params))

    def rotate_recovery_key(self) -> str:
        updated, recovery_key = with_new_recovery_key(self.keyfile, self.dek)
        write_keyfile(self.folder, updated)
        self.keyfile = updated
        return recovery_key

    def full_check(self) -> list[str]:
        """Cipher integrity and a full structural integrity check (slower than at unlock)."""
        return db.integrity_problems(self.connection, full=True)


def remove_vault_files(folder: Path) -> None:
    """Delete a vault's files (used only for demo vaults, which are marked as such)."""
    for path in folder.iterdir():
        if path.is_file():
            os.unlink(path)
    folder.rmdir()


def _abandon(conn: db.Connection, exc: BaseException) -> NoReturn:
    """Roll back whatever transaction is open, then raise `exc` (a database error as the store's
    own, with its sentence)."""
    if conn.in_transaction:
        with contextlib.suppress(db.DatabaseError):
            conn.execute("ROLLBACK")
    if isinstance(exc, db.DatabaseError):
        raise db.translate_write_error(exc) from exc
    raise exc
