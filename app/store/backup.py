"""Encrypted backups and crash-safe restore.

A backup is one file (a zip, stored uncompressed) holding the encrypted database, the key file
and a manifest of non-secret facts (format, vault id, time, schema version, SHA-256 of the
database). The database copy is taken with SQLite's backup API inside one read transaction, so it
is a consistent snapshot even while another connection writes; it is verified (cipher and full
integrity checks, row counts per table) before the file is moved into place atomically.

Restore extracts to a hidden staging folder beside the vault, verifies it with the backup's own
key, then swaps folders by rename, keeping the previous vault as `<name>.before-restore-<time>`.
A restore killed between the two renames is completed the next time the vault is opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.i18n import _
from app.models.timefmt import to_iso
from app.store import db, migrations
from app.store.audit_repo import AuditRepository
from app.store.errors import BackupError, VaultDamaged
from app.store.files import create_private_file, ensure_private_dir, fsync_dir, temp_path_beside
from app.store.keyfile import (
    KEYFILE_NAME,
    KeyFile,
    unlock_with_passphrase,
    unlock_with_recovery_key,
)

BACKUP_FORMAT = "waypoint-backup"
BACKUP_SUFFIX = ".wpbackup"
MANIFEST = "manifest.json"
READY_MARKER = "RESTORE-READY"
DB_NAME = db.DB_NAME


@dataclass(frozen=True, slots=True)
class BackupManifest:
    vault_id: str
    created_at: str
    user_version: int
    db_sha256: str
    key_generation: int


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: BackupManifest
    tables: dict[str, int]


def backup_name(vault_id: str, when: datetime) -> str:
    """Neutral file name: no client or practice name, just the vault's short id and the time."""
    return f"waypoint-backup-{vault_id[:8]}-{when.strftime('%Y%m%d-%H%M%S')}{BACKUP_SUFFIX}"


def _table_counts(conn: db.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
    ]
    # Table names come from sqlite_schema, quoted as identifiers.
    return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def create_backup(folder: Path, dek: bytes, keyfile: KeyFile, dest: Path, when: datetime) -> BackupResult:
    """Write a verified backup of the vault in `folder` to `dest` (a folder or a file path)."""
    if dest.is_dir() or dest.suffix != BACKUP_SUFFIX:
        ensure_private_dir(dest)
        dest = dest / backup_name(keyfile.vault_id, when)
    ensure_private_dir(dest.parent)
    source = db.connect(folder / DB_NAME, dek)
    snapshot = temp_path_beside(dest, "db")
    try:
        problems = db.integrity_problems(source, full=True)
        if problems:
            raise BackupError(
                _("The vault failed its check, so no backup was written: {problem}").format(
                    problem=problems[0]
                )
            )
        target = db.connect(snapshot, dek, create=True)
        try:
            source.execute("BEGIN")
            try:
                counts = _table_counts(source)
                version = db.user_version(source)
                source.backup(target)
            finally:
                source.execute("COMMIT")
            target.execute("PRAGMA journal_mode = DELETE")
            _verify_copy(target, counts)
        finally:
            target.close()
        manifest = BackupManifest(
            vault_id=keyfile.vault_id,
            created_at=to_iso(when),
            user_version=version,
            db_sha256=_sha256(snapshot),
            key_generation=keyfile.generation,
        )
        _write_zip(dest, snapshot, keyfile.to_bytes(), manifest)
    finally:
        source.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(snapshot)
    return BackupResult(dest, manifest, counts)


def _verify_copy(target: db.Connection, expected: dict[str, int]) -> None:
    problems = db.integrity_problems(target, full=True)
    if problems:
        raise BackupError(_("The backup copy failed its check: {problem}").format(problem=problems[0]))
    if _table_counts(target) != expected:
        raise BackupError(_("The backup copy does not match the vault. Try the backup again."))


def _write_zip(dest: Path, snapshot: Path, keyfile_bytes: bytes, manifest: BackupManifest) -> None:
    tmp = temp_path_beside(dest)
    fd = create_private_file(tmp)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, _manifest_json(manifest))
                archive.writestr(KEYFILE_NAME, keyfile_bytes)
                archive.write(snapshot, DB_NAME)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(dest.parent)


def _manifest_json(manifest: BackupManifest) -> str:
    return json.dumps(
        {
            "format": BACKUP_FORMAT,
            "version": 1,
            "vault_id": manifest.vault_id,
            "created_at": manifest.created_at,
            "user_version": manifest.user_version,
            "db_sha256": manifest.db_sha256,
            "key_generation": manifest.key_generation,
        },
        indent=2,
    )


def read_manifest(path: Path) -> BackupManifest:
    """The manifest of a backup file, or BackupError saying why it is not one."""
    try:
        with zipfile.ZipFile(path) as archive:
            doc = json.loads(archive.read(MANIFEST))
            names = set(archive.namelist())
        if doc.get("format") != BACKUP_FORMAT or not {DB_NAME, KEYFILE_NAME} <= names:
            raise ValueError("not a Waypoint backup")
        return BackupManifest(
            vault_id=str(doc["vault_id"]),
            created_at=str(doc["created_at"]),
            user_version=int(doc["user_version"]),
            db_sha256=str(doc["db_sha256"]),
            key_generation=int(doc["key_generation"]),
        )
    except FileNotFoundError:
        raise BackupError(_("There is no file at {path}.").format(path=path)) from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise BackupError(
            _("{path} is not a Waypoint backup, or it is damaged. Choose a .wpbackup file.").format(
                path=path
            )
        ) from None


@dataclass(frozen=True, slots=True)
class RestoreResult:
    folder: Path
    previous: Path | None
    manifest: BackupManifest


def _staging_prefix(folder: Path) -> str:
    return f".{folder.name}.restore-new-"


def restore_backup(
    backup: Path,
    folder: Path,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    when: datetime,
    actor: str = "",
) -> RestoreResult:
    """Restore `backup` into `folder`, keeping any vault already there beside it.

    The backup is unlocked with the passphrase (or recovery key) that was current when it was
    made. A wrong secret, a damaged backup or a killed process leaves `folder` as it was.
    """
    manifest = read_manifest(backup)
    if manifest.user_version > migrations.LATEST:
        raise BackupError(
            _("This backup was made by a newer version of Waypoint. Update Waypoint to restore it.")
        )
    folder = folder.absolute()
    ensure_private_dir(folder.parent)
    finish_interrupted_restore(folder)
    staging = folder.parent / (_staging_prefix(folder) + secrets.token_hex(4))
    ensure_private_dir(staging)
    try:
        _extract(backup, staging, manifest)
        keyfile = KeyFile.from_bytes((staging / KEYFILE_NAME).read_bytes())
        if recovery_key is not None:
            dek = unlock_with_recovery_key(keyfile, recovery_key)
        elif passphrase is not None:
            dek = unlock_with_passphrase(keyfile, passphrase)
        else:
            raise ValueError("a passphrase or a recovery key is needed")
        try:
            conn = db.connect(staging / DB_NAME, dek)
        except VaultDamaged as exc:
            raise BackupError(
                _("The backup failed its check ({detail}); nothing was restored.").format(detail=exc.problems[0])
            ) from None
        try:
            problems = db.integrity_problems(conn, full=True)
            chain = AuditRepository(conn, actor).verify() if not problems else None
            if problems or (chain is not None and not chain.ok):
                detail = problems[0] if problems else (chain.problem if chain else "")
                raise BackupError(
                    _("The backup failed its check ({detail}); nothing was restored.").format(detail=detail)
                )
            db.configure(conn)
            conn.execute("BEGIN IMMEDIATE")
            AuditRepository(conn, actor).append("backup.restore", "vault", keyfile.vault_id)
            conn.execute("COMMIT")
            db.checkpoint(conn)
        finally:
            conn.close()
        marker = staging / READY_MARKER
        os.close(create_private_file(marker))
        fsync_dir(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous: Path | None = None
    if folder.exists():
        previous = folder.with_name(f"{folder.name}.before-restore-{when.strftime('%Y%m%d-%H%M%S')}")
        os.rename(folder, previous)
        fsync_dir(folder.parent)
    os.rename(staging, folder)
    os.unlink(folder / READY_MARKER)
    fsync_dir(folder.parent)
    return RestoreResult(folder, previous, manifest)


def _extract(backup: Path, staging: Path, manifest: BackupManifest) -> None:
    damaged = _("The backup file is damaged (its checksum does not match); nothing was restored.")
    try:
        with zipfile.ZipFile(backup) as archive:
            for name in (DB_NAME, KEYFILE_NAME):
                target = staging / name
                fd = create_private_file(target)
                with os.fdopen(fd, "wb") as out, archive.open(name) as src:
                    shutil.copyfileobj(src, out, 1 << 20)
                    out.flush()
                    os.fsync(out.fileno())
    except zipfile.BadZipFile:  # e.g. "Bad CRC-32": the stored copy changed on disk
        raise BackupError(damaged) from None
    if _sha256(staging / DB_NAME) != manifest.db_sha256:
        raise BackupError(damaged)
    fsync_dir(staging)


def finish_interrupted_restore(folder: Path) -> None:
    """Complete a restore that was killed between its two renames, or clear a stale staging folder.

    A verified staging folder (it holds the ready marker) replaces a missing vault; anything else
    left over from an interrupted restore is deleted (it only ever held encrypted copies).
    """
    parent = folder.parent
    if not parent.is_dir():
        return
    if (folder / READY_MARKER).exists():
        # Killed after the swap, before the marker was removed: the restore is complete.
        os.unlink(folder / READY_MARKER)
        fsync_dir(folder)
    prefix = _staging_prefix(folder)
    for staging in sorted(parent.glob(prefix + "*")):
        if not folder.exists() and (staging / READY_MARKER).exists():
            os.rename(staging, folder)
            os.unlink(folder / READY_MARKER)
            fsync_dir(parent)
        else:
            shutil.rmtree(staging, ignore_errors=True)


def list_backups(dest: Path, vault_id: str) -> list[Path]:
    """This vault's backup files in `dest`, oldest first."""
    if not dest.is_dir():
        return []
    return sorted(dest.glob(f"waypoint-backup-{vault_id[:8]}-*{BACKUP_SUFFIX}"))

