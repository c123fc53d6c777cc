"""SECURITY.md tests 2, 3, 5, 6, 8, 9, 10 and 15 (the others live beside the code they test)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from app.services.context import AppServices
from app.services.device_keys import DeviceKeyError, DeviceKeyStore
from app.services.errors import ReadOnlyVault, VaultDamaged, WrongPassphrase, WrongRecoveryKey
from app.services.session import Session
from app.store.errors import KeyFileDamaged, VaultExists
from app.store.vault import Vault
from tests.conftest import PASSPHRASE, MemoryKeyring, person


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file below `folder`."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def closed_vault(services: AppServices, session: Session, vault_dir: Path) -> Path:
    for n in range(5):
        session.clients.create(person(first_name=f"Canary{n}", last_name="Testperson"))
    session.close()
    return vault_dir


# 2 ---------------------------------------------------------------------------------------------

def test_database_is_not_plain_sqlite(closed_vault: Path) -> None:
    db = closed_vault / "vault.db"
    assert not db.read_bytes().startswith(b"SQLite format 3")
    assert b"Canary" not in db.read_bytes()
    plain = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    plain.close()


# 3 ---------------------------------------------------------------------------------------------

def test_every_connection_keeps_temp_data_in_memory(session: Session, services: AppServices) -> None:
    assert session.connection.execute("PRAGMA temp_store").fetchone()[0] == 2
    backup = services.backups.backup_now(session)
    assert backup.path.exists()
    session.close()
    reopened = services.vaults.unlock(session.vault.folder, passphrase=PASSPHRASE)
    assert reopened.connection.execute("PRAGMA temp_store").fetchone()[0] == 2
    reopened.close()


_SORT_SCRIPT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from app.store import db
    dek = bytes(range(32))
    path = Path(sys.argv[1]) / "big.db"
    conn = db.connect(path, dek, create=True)
    db.configure(conn)
    if sys.argv[2] == "file":
        conn.execute("PRAGMA temp_store = FILE")  # the control: proves the probe can see temp files
    conn.execute("CREATE TABLE t (name TEXT)")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?)", ((f"Canary person {i:07d} " * 8,) for i in range(60000)))
    conn.execute("COMMIT")
    conn.execute("PRAGMA cache_size = -256")
    rows = conn.execute("SELECT name FROM t ORDER BY substr(name, 9) DESC, random()").fetchall()
    print(len(rows))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("mode, expect_temp_files", [("vault", False), ("file", True)])
def test_a_large_sort_opens_no_temp_file(tmp_path: Path, mode: str, expect_temp_files: bool) -> None:
    tmpdir = tmp_path / "sqlite-tmp"
    tmpdir.mkdir()
    before = tmpdir.stat().st_mtime_ns
    env = {**os.environ, "SQLITE_TMPDIR": str(tmpdir), "TMPDIR": str(tmpdir)}
    out = subprocess.run([sys.executable, "-c", _SORT_SCRIPT, str(tmp_path), mode], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "60000"
    # SQLite unlinks its temp files at once, but creating one changes the folder's mtime.
    assert (tmpdir.stat().st_mtime_ns != before) is expect_temp_files


# 5 ---------------------------------------------------------------------------------------------

def test_files_0600_and_folders_0700(services: AppServices, session: Session, vault_dir: Path, home: Path) -> None:
    session.clients.create(person())
    session.vault.change_passphrase("another long passphrase here", services.vaults.kdf_params())
    services.backups.backup_now(session)
    services.update_settings(services.settings)
    from app.services.logs import configure_logging

    configure_logging(services.paths.log_dir)
    import logging

    logging.getLogger("waypoint.test").info("permissions check")
    checked = 0
    for root in (vault_dir, home):
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"
            checked += 1
    names = {p.name for p in vault_dir.iterdir()}
    assert {"vault.db", "vault.db-wal", "vault.db-shm", "vault.key", "vault.key.prev"} <= names
    assert checked > 10


# 6 ---------------------------------------------------------------------------------------------

def test_wrong_passphrase_is_clear_and_changes_nothing(services: AppServices, closed_vault: Path) -> None:
    before = snapshot(closed_vault)
    with pytest.raises(WrongPassphrase) as caught:
        services.vaults.unlock(closed_vault, passphrase="not the right passphrase at all")
    assert "Caps Lock" in str(caught.value)
    assert snapshot(closed_vault) == before
    assert services.vaults.failed_attempts(closed_vault) == 1


def test_failed_unlocks_are_audited_at_the_next_unlock(services: AppServices, closed_vault: Path) -> None:
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            services.vaults.unlock(closed_vault, passphrase="wrong wrong wrong wrong")
    session = services.vaults.unlock(closed_vault, passphrase=PASSPHRASE)
    actions = [(e.action, e.detail) for e in session.audit_repo().latest(2)]
    assert actions == [("vault.unlock", "with=passphrase"), ("vault.unlock_failed", "count=3")]
    session.close()


# 8 ---------------------------------------------------------------------------------------------

def test_recovery_key_opens_the_vault_with_identical_content(services: AppServices, vault_dir: Path) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    for name in ("Zoë", "Ольга", "Nguyễn"):
        created.session.clients.create(person(first_name=name))
    roster = created.session.clients.roster()
    created.session.close()
    with pytest.raises(WrongRecoveryKey):
        services.vaults.unlock(vault_dir, recovery_key="ABCD-" * 7 + "ABCD")
    session = services.vaults.unlock(vault_dir, recovery_key=created.recovery_key.lower().replace("-", " "))
    assert session.clients.roster() == roster
    rotated = services.vaults.rotate_recovery_key(session)
    session.close()
    with pytest.raises(WrongRecoveryKey):
        services.vaults.unlock(vault_dir, recovery_key=created.recovery_key)
    services.vaults.unlock(vault_dir, recovery_key=rotated).close()


# 9 ---------------------------------------------------------------------------------------------

class PlaintextFileKeyring(KeyringBackend):
    """Stands in for keyrings.alt's plaintext file backend: what must never hold a key."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def get_password(self, service: str, username: str) -> str | None:
        return self.path.read_text() if self.path.exists() else None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(password)

    def delete_password(self, service: str, username: str) -> None:
        self.path.unlink(missing_ok=True)


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("credential store is not responding")


def test_insecure_credential_stores_are_refused_with_nothing_written(session: Session, tmp_path: Path) -> None:
    import keyring.backends.fail
    import keyring.backends.null

    store_file = tmp_path / "keyring.txt"
    for backend in (PlaintextFileKeyring(store_file), keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()):
        store = DeviceKeyStore(backend)
        assert store.unavailable_reason()
        with pytest.raises(DeviceKeyError, match="secure credential store"):
            store.remember(session.vault.vault_id, session.vault.dek)
        assert store.recall(session.vault.vault_id) is None
    assert not store_file.exists()


def test_this_machines_default_keyring_is_refused() -> None:
    # The machine has no Secret Service: keyring falls back to its fail backend (or a plaintext one).
    assert DeviceKeyStore().unavailable_reason()


def test_remembered_key_skips_the_prompt_and_a_failing_store_falls_back(
    services: AppServices, session: Session, vault_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    services.set_remembered(session, True)
    vault_id = session.vault.vault_id
    assert services.settings.remembers(vault_id)
    assert memory_keyring.items  # stored in the (stand-in) OS store, not in settings
    assert session.vault.dek.hex() not in services.paths.settings_file.read_text()
    session.close()
    dek = services.device_keys.recall(vault_id)
    assert dek is not None
    reopened = services.vaults.open(vault_dir, services.vaults.derive(vault_dir, remembered=dek), how="device")
    reopened.close()
    broken = DeviceKeyStore(BrokenKeyring(), frozenset({BrokenKeyring.__module__}))
    assert broken.recall(vault_id) is None  # → the app shows the passphrase prompt
    with pytest.raises(WrongPassphrase):
        services.vaults.derive(vault_dir, remembered=bytes(32))  # a stale key is never trusted


# 10 --------------------------------------------------------------------------------------------

def test_a_file_that_will_not_open_is_never_recreated_or_overwritten(services: AppServices, closed_vault: Path) -> None:
    db = closed_vault / "vault.db"
    db.write_bytes(os.urandom(8192))
    before = snapshot(closed_vault)
    with pytest.raises(VaultDamaged):
        services.vaults.unlock(closed_vault, passphrase=PASSPHRASE)
    assert snapshot(closed_vault) == before
    with pytest.raises(VaultExists):
        services.vaults.create(closed_vault, PASSPHRASE, PASSPHRASE)
    assert snapshot(closed_vault) == before


def test_a_damaged_key_file_is_reported_and_left_alone(services: AppServices, closed_vault: Path) -> None:
    key = closed_vault / "vault.key"
    key.write_text(key.read_text()[:-40])
    before = snapshot(closed_vault)
    with pytest.raises(KeyFileDamaged, match="Restore"):
        services.vaults.unlock(closed_vault, passphrase=PASSPHRASE)
    assert snapshot(closed_vault) == before


def test_a_missing_database_is_not_recreated(services: AppServices, closed_vault: Path) -> None:
    (closed_vault / "vault.db").unlink()
    with pytest.raises(VaultDamaged):
        services.vaults.unlock(closed_vault, passphrase=PASSPHRASE)
    assert not (closed_vault / "vault.db").exists()


# 15 --------------------------------------------------------------------------------------------

def test_a_flipped_byte_is_detected_named_and_writes_refused(services: AppServices, closed_vault: Path) -> None:
    db = closed_vault / "vault.db"
    data = bytearray(db.read_bytes())
    page = 3
    data[page * 4096 + 1000] ^= 0x5A
    db.write_bytes(bytes(data))
    session = services.vaults.unlock(closed_vault, passphrase=PASSPHRASE)
    try:
        assert session.read_only
        assert any(str(page + 1) in problem or "page" in problem.lower() for problem in session.problems)
        with pytest.raises(ReadOnlyVault, match="Restore"):
            session.clients.create(person())
        report = services.vaults.check(session)
        assert not report.ok and report.problems
    finally:
        session.close()


def test_vault_create_refuses_a_non_empty_folder(tmp_path: Path, services: AppServices) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(VaultExists):
        Vault.create(folder, PASSPHRASE, services.vaults.kdf_params(), actor="t")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
