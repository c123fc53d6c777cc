"""Migrations (SECURITY.md test 17): an old vault is upgraded after a verified backup, a migration
killed mid-way leaves the old or the new version, and a vault from a newer Waypoint is refused
untouched.

The old vault is tests/fixtures/vault-v1, written at format version 1 by
tests/fixtures/make_old_vault.py (synthetic data; its passphrase is in that script).
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from app.services.context import AppServices
from app.store import db, migrations
from app.store.backup import read_manifest
from app.store.errors import VaultTooNew
from app.store.vault import UnlockedKey, Vault, derive_key
from tests.conftest import PASSPHRASE, person
from tests.fixtures.make_old_vault import (
    FIXTURE_AUDIT_ACTIONS,
    FIXTURE_DIR,
    FIXTURE_DRAFT,
    FIXTURE_DRAFT_FORM,
    FIXTURE_META,
    FIXTURE_PASSPHRASE,
    FIXTURE_VERSION,
    facts,
)
from tests.helpers.children import child_env, run_child, tree_state
from tests.helpers.crashers import EXTRA_ROWS, extra_steps
from tests.helpers.vaults import schema, stray_files


def _old_vault(dest: Path) -> Path:
    """A private copy of the committed format-1 fixture (git does not keep file modes)."""
    shutil.copytree(FIXTURE_DIR, dest)
    dest.chmod(0o700)
    for path in dest.iterdir():
        path.chmod(0o600)
    return dest


@pytest.fixture
def old_key(tmp_path: Path) -> UnlockedKey:
    return derive_key(_old_vault(tmp_path / "key-source"), passphrase=FIXTURE_PASSPHRASE)


def _meta(conn: db.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}


def test_old_vault_is_migrated_after_a_verified_backup_and_keeps_its_content(
    services: AppServices, tmp_path: Path
) -> None:
    folder = _old_vault(tmp_path / "vault")
    key = derive_key(folder, passphrase=FIXTURE_PASSPHRASE)
    version, old_schema = schema(folder / "vault.db", key.dek)
    assert version == FIXTURE_VERSION < migrations.LATEST
    assert "clients" not in {name for _, name, _ in old_schema}

    session = services.vaults.unlock(folder, passphrase=FIXTURE_PASSPHRASE)
    assert session.vault.version == migrations.LATEST

    # The backup was written before the migration: it holds the format-1 database, verified.
    backups = sorted(services.backups.folder().glob("*.wpbackup"))
    assert len(backups) == 1
    manifest = read_manifest(backups[0])
    assert manifest.user_version == FIXTURE_VERSION
    assert manifest.vault_id == facts()["vault_id"]
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    restored = tmp_path / "from-backup"
    services.backups.restore(backups[0], restored, passphrase=FIXTURE_PASSPHRASE)
    assert schema(restored / "vault.db", key.dek) == (FIXTURE_VERSION, old_schema)

    # What was in the old vault is still there, and the new tables work.
    draft = session.drafts.load(FIXTURE_DRAFT_FORM)
    assert draft is not None and draft.data == FIXTURE_DRAFT
    assert _meta(session.connection) == FIXTURE_META
    actions = [e.action for e in session.audit_repo().entries()]
    assert tuple(actions[: len(FIXTURE_AUDIT_ACTIONS)]) == FIXTURE_AUDIT_ACTIONS
    client = session.clients.create(person())
    assert session.clients.search_ids("quintero") == [client.id]
    report = services.vaults.check(session)
    assert report.ok and report.version == migrations.LATEST
    session.close()

    # Opening again migrates nothing and takes no further backup.
    again = services.vaults.unlock(folder, passphrase=FIXTURE_PASSPHRASE)
    assert again.vault.version == migrations.LATEST
    assert sorted(services.backups.folder().glob("*.wpbackup")) == backups
    again.close()


def test_old_vault_opens_with_its_recovery_key(services: AppServices, tmp_path: Path) -> None:
    folder = _old_vault(tmp_path / "vault")
    session = services.vaults.unlock(folder, recovery_key=str(facts()["recovery_key"]))
    assert session.vault.version == migrations.LATEST
    assert session.drafts.load(FIXTURE_DRAFT_FORM) is not None
    session.close()


def _kill_points(total: int) -> list[int]:
    return sorted({max(1, round(total * f)) for f in (0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97)})


def test_real_migration_killed_midway_leaves_the_old_version(
    services: AppServices, tmp_path: Path, old_key: UnlockedKey
) -> None:
    env = child_env(FIXTURE_PASSPHRASE)
    reference = {FIXTURE_VERSION: schema(_old_vault(tmp_path / "ref-old") / "vault.db", old_key.dek)[1]}
    for version in range(FIXTURE_VERSION + 1, migrations.LATEST):  # each whole step in between
        folder = _old_vault(tmp_path / f"ref-{version}")
        Vault.open(folder, old_key, steps=migrations.MIGRATIONS[:version]).close()
        reference[version] = schema(folder / "vault.db", old_key.dek)[1]

    full = _old_vault(tmp_path / "full")
    measured = run_child("migrate", ["--vault", str(full), "--every", "20"], env)
    assert measured.done, measured.describe()
    assert int(measured.value("DONE", "version")) == migrations.LATEST
    total = int(measured.value("DONE", "calls"))
    reference[migrations.LATEST] = schema(full / "vault.db", old_key.dek)[1]

    seen = []
    for k in _kill_points(total):
        folder = _old_vault(tmp_path / f"kill-{k}")
        result = run_child("migrate", ["--vault", str(folder), "--every", "20", "--kill-progress", str(k)], env)
        assert result.killed, result.describe()
        version, rows = schema(folder / "vault.db", old_key.dek)
        assert version in reference, f"kill at {k}: version {version}"
        assert rows == reference[version], f"kill at {k}: schema is neither version {version} nor complete"
        seen.append(version)
        # The next open finishes the job.
        session = services.vaults.open(folder, old_key)
        assert session.vault.version == migrations.LATEST
        assert session.drafts.load(FIXTURE_DRAFT_FORM) is not None
        assert services.vaults.check(session).ok
        session.close()
        assert stray_files(folder) == set()
    print(f"migration v1→v{migrations.LATEST}: {total} progress calls, kills at {_kill_points(total)} → {seen}")
    # Each step commits with its version bump: a kill leaves the schema of a whole version.
    assert FIXTURE_VERSION in seen and set(seen) <= set(reference)


@pytest.mark.usefixtures("home")
def test_multi_step_migration_killed_midway_stops_at_a_whole_step(tmp_path: Path, old_key: UnlockedKey) -> None:
    """Each step commits with its version bump: a kill leaves exactly the schema of some version."""
    env = child_env(FIXTURE_PASSPHRASE)
    steps = extra_steps()
    reference: dict[int, list[tuple[str, str, str]]] = {}
    reference[FIXTURE_VERSION] = schema(_old_vault(tmp_path / "ref-old") / "vault.db", old_key.dek)[1]
    for step in steps[FIXTURE_VERSION:]:
        folder = _old_vault(tmp_path / f"ref-{step.version}")
        vault = Vault.open(folder, old_key, steps=tuple(s for s in steps if s.version <= step.version))
        vault.close()
        reference[step.version] = schema(folder / "vault.db", old_key.dek)[1]

    full = _old_vault(tmp_path / "full")
    measured = run_child("migrate", ["--vault", str(full), "--extra-step", "--every", "20"], env)
    assert measured.done, measured.describe()
    assert int(measured.value("DONE", "version")) == steps[-1].version
    total = int(measured.value("DONE", "calls"))

    seen = []
    for k in _kill_points(total):
        folder = _old_vault(tmp_path / f"kill-{k}")
        result = run_child(
            "migrate", ["--vault", str(folder), "--extra-step", "--every", "20", "--kill-progress", str(k)], env
        )
        assert result.killed, result.describe()
        version, rows = schema(folder / "vault.db", old_key.dek)
        assert version in reference and version < steps[-1].version, f"kill at {k}: version {version}"
        assert rows == reference[version], f"kill at {k}: half a step is visible at version {version}"
        seen.append(version)
        # Finishing the migration from wherever it stopped gives the complete result.
        vault = Vault.open(folder, old_key, steps=steps)
        assert vault.version == steps[-1].version
        assert vault.connection.execute("SELECT count(*) FROM extra").fetchone()[0] == EXTRA_ROWS
        vault.close()
    print(f"multi-step migration: {total} progress calls, versions after kills {seen}")
    # The kills landed in both the first and the last step.
    assert {FIXTURE_VERSION, migrations.LATEST} <= set(seen)


def test_vault_from_a_newer_waypoint_is_refused_untouched(
    services: AppServices, tmp_path: Path, vault_dir: Path
) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    created.session.clients.create(person())
    dek = created.session.vault.dek
    created.session.close()
    conn = db.connect(vault_dir / "vault.db", dek)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    before = tree_state(vault_dir)
    backups_before = sorted(services.backups.folder().glob("*")) if services.backups.folder().exists() else []

    with pytest.raises(VaultTooNew) as caught:
        services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    assert str(migrations.LATEST + 1) in str(caught.value)
    assert tree_state(vault_dir) == before  # same files, bytes and mtimes; nothing added
    after = sorted(services.backups.folder().glob("*")) if services.backups.folder().exists() else []
    assert after == backups_before

    # The same through the store, with the key already unwrapped.
    with pytest.raises(VaultTooNew):
        Vault.open(vault_dir, derive_key(vault_dir, passphrase=PASSPHRASE))
    assert tree_state(vault_dir) == before

