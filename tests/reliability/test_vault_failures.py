"""What goes wrong with the vault as a whole, on a demo vault holding every kind of record:
SECURITY.md tests 6 (wrong passphrase), 15 (tamper), 16 (backup under load, restore killed
mid-way) and 17 (migration killed mid-way, a newer vault refused untouched)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from app.services.context import AppServices
from app.services.errors import DataReadError, ReadOnlyVault, WrongPassphrase, WrongRecoveryKey
from app.services.session import Session
from app.store import db, migrations
from app.store.errors import VaultTooNew
from app.store.vault import Vault
from tests.conftest import PASSPHRASE
from tests.helpers.children import child_env, run_child, tree_state
from tests.helpers.crashers import EXTRA_ROWS, extra_steps
from tests.helpers.vaults import schema, stray_files
from tests.reliability.conftest import (
    KINDS,
    SAVERS,
    context,
    copy_closed_vault,
    is_present,
    table_state,
)
from tests.reliability.test_kill_saves import SaverChild


def _client_ids(session: Session) -> set[str]:
    return {r.id for r in session.clients.roster(include_archived=True)}


def _record_state(session: Session) -> dict[str, tuple[int, str]]:
    """Every table but the audit trail (which records each unlock and lock) and drafts."""
    return {t: v for t, v in table_state(session).items() if t not in {"audit", "drafts"}}


# -- 6 -----------------------------------------------------------------------------------------


def test_wrong_passphrase_or_recovery_key_changes_no_file(services: AppServices, demo_vault: Path) -> None:
    before = tree_state(demo_vault)
    with pytest.raises(WrongPassphrase, match="Caps Lock"):
        services.vaults.unlock(demo_vault, passphrase="Zoë Ødegård's wrong passphrase 🦦")
    with pytest.raises(WrongRecoveryKey):
        services.vaults.unlock(demo_vault, recovery_key="ABCD-" * 7 + "ABCD")
    assert tree_state(demo_vault) == before  # every file's bytes and mtime, and no new file


# -- 15 ----------------------------------------------------------------------------------------


def test_a_flipped_byte_is_named_every_save_refused_and_the_backup_restores(
    services: AppServices, demo_session: Session, demo_vault: Path, tmp_path: Path
) -> None:
    ctx = context(demo_session)
    backup = services.backups.backup_now(demo_session, tmp_path / "backups").path
    clients, records = _client_ids(demo_session), _record_state(demo_session)
    demo_session.close()
    data = bytearray((demo_vault / "vault.db").read_bytes())
    pages = len(data) // 4096
    page = random.Random(pages).randrange(pages // 3, pages - 1)  # a page of records, not the header
    data[page * 4096 + 777] ^= 0x10
    (demo_vault / "vault.db").write_bytes(bytes(data))

    session = services.vaults.unlock(demo_vault, passphrase=PASSPHRASE)
    try:
        session.wait_checks()
        assert session.read_only
        assert any(str(page + 1) in problem for problem in session.problems), (page + 1, session.problems)
        damaged = tree_state(demo_vault)
        raw: list[str] = []
        for n, kind in enumerate(KINDS):
            try:
                SAVERS[kind](session, ctx, n, "Ольга")
            except ReadOnlyVault as exc:
                assert "Restore" in str(exc)
            except DataReadError:
                raw.append(kind)  # the save's first read landed on the damaged page itself
            else:
                pytest.fail(f"{kind} was saved into a damaged vault")
        # A read that touches the damaged page fails (DataReadError: the workspace shows the damage
        # and offers a restore); every other save is refused with the restore sentence.
        print(f"damaged page {page + 1}: saves stopped by a failed read: {raw}")
        assert len(raw) <= len(KINDS) // 3
        assert tree_state(demo_vault) == damaged  # refused before touching the file
        assert not services.vaults.check(session).ok
    finally:
        session.close()

    restored = services.backups.restore(backup, demo_vault, passphrase=PASSPHRASE)
    assert restored is not None
    session = services.vaults.unlock(demo_vault, passphrase=PASSPHRASE)
    try:
        assert not session.read_only and session.wait_checks() == []
        assert _client_ids(session) == clients and _record_state(session) == records
        assert services.vaults.check(session).ok
    finally:
        session.close()
    kept = sorted(demo_vault.parent.glob("vault.before-restore-*"))
    assert len(kept) == 1  # the damaged vault is kept beside it, never deleted


# -- 16: backup while every kind of save goes on ----------------------------------------------


@pytest.mark.slow
def test_backups_taken_during_writes_are_consistent_snapshots(
    services: AppServices, demo_session: Session, demo_vault: Path, tmp_path: Path
) -> None:
    home = os.environ["WAYPOINT_HOME"]
    writers = {kind: SaverChild(kind, demo_vault, i * 10_000, home)
               for i, kind in enumerate(("note", "attachment", "care_plan"))}
    taken: list[tuple[Path, dict[str, list[str]]]] = []
    try:
        for round_no in range(3):
            for child in writers.values():
                child.wait_for_acks(2 * (round_no + 1))
            acked = {kind: [token for _at, token in child.acks] for kind, child in writers.items()}
            taken.append((services.backups.backup_now(demo_session, tmp_path / f"backups-{round_no}").path, acked))
    finally:
        final = {kind: child.kill() for kind, child in writers.items()}
    for kind, child in writers.items():
        assert child.proc.returncode == -9, f"{kind} writer ended by itself: {child.stderr[-2000:]}"
    sizes = []
    for i, (path, acked) in enumerate(taken):
        target = tmp_path / f"restored-{i}" / "vault"
        services.backups.restore(path, target, passphrase=PASSPHRASE)
        session = services.vaults.unlock(target, passphrase=PASSPHRASE)
        try:
            assert session.wait_checks() == []
            report = services.vaults.check(session)
            assert report.ok, (report.problems, report.chain)
            for kind, tokens in acked.items():
                missing = [t for t in tokens if not is_present(session, kind, t)]
                assert not missing, f"backup {i}: {kind} saves acknowledged before it are missing"
            # How many of the saves acknowledged before the last backup this one holds.
            sizes.append(sum(is_present(session, kind, t) for kind, tokens in taken[-1][1].items()
                             for t in tokens))
        finally:
            session.close()
    print(f"backups during writes: {sum(len(v) for v in final.values())} saves acknowledged, saves in backups {sizes}")
    # Each backup is a later snapshot: at least two more saves per writer were acknowledged between
    # one backup and the next, and at most one per writer can be in flight while it is taken.
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]


# -- 16: restore killed mid-way ----------------------------------------------------------------


@pytest.mark.slow
def test_restore_killed_midway_leaves_the_old_or_the_new_vault(
    services: AppServices, demo_session: Session, demo_vault: Path, tmp_path: Path
) -> None:
    backup = services.backups.backup_now(demo_session, tmp_path / "backups").path
    new_clients = _client_ids(demo_session)
    ctx = context(demo_session)
    for n, kind in enumerate(KINDS):
        SAVERS[kind](demo_session, ctx, n, "Ánh")  # the vault moves on after the backup
    old_clients = _client_ids(demo_session)
    demo_session.close()
    assert old_clients > new_clients
    env = child_env(PASSPHRASE)
    measured = run_child("restore", ["--backup", str(backup), "--vault",
                                     str(copy_closed_vault(demo_vault, tmp_path / "measure" / "vault")), "--kill-at",
                                     "0"], env)
    assert measured.done, measured.describe()
    total = int(measured.value("DONE", "calls"))
    points = sorted({1, 2, *(max(1, round(total * f)) for f in (0.25, 0.5, 0.7, 0.85, 0.95)), total})
    outcomes = []
    for k in points:
        parent = tmp_path / f"kill-{k}"
        target = copy_closed_vault(demo_vault, parent / "vault")
        result = run_child("restore", ["--backup", str(backup), "--vault", str(target), "--kill-at", str(k)], env)
        assert result.killed, result.describe()
        session = services.vaults.unlock(target, passphrase=PASSPHRASE)
        try:
            report = services.vaults.check(session)
            assert report.ok, (k, report.problems)
            found = _client_ids(session)
        finally:
            session.close()
        assert found in (old_clients, new_clients), f"kill at {k}: neither the old nor the new vault"
        assert stray_files(target) == set() and not [p for p in parent.iterdir() if ".restore-new-" in p.name]
        outcomes.append("new" if found == new_clients else "old")
    print(f"restore of a demo vault: {total} file operations, kills at {points} → {outcomes}")
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=lambda o: o == "new")


# -- 17 ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_migration_killed_midway_leaves_the_old_or_the_new_version(
    services: AppServices, demo_vault: Path, tmp_path: Path
) -> None:
    key = services.vaults.derive(demo_vault, passphrase=PASSPHRASE)
    steps = extra_steps()
    reference = {migrations.LATEST: schema(demo_vault / "vault.db", key.dek)[1]}
    done = copy_closed_vault(demo_vault, tmp_path / "reference" / "vault")
    Vault.open(done, key, steps=steps).close()
    reference[steps[-1].version] = schema(done / "vault.db", key.dek)[1]
    records = _records_in(demo_vault, key.dek)

    env = child_env(PASSPHRASE)
    measured = run_child("migrate", ["--vault", str(copy_closed_vault(demo_vault, tmp_path / "m" / "vault")),
                                     "--extra-step", "--every", "20"], env)
    assert measured.done, measured.describe()
    total = int(measured.value("DONE", "calls"))
    seen = []
    for k in sorted({max(1, round(total * f)) for f in (0.05, 0.3, 0.6, 0.9, 0.99)}):
        folder = copy_closed_vault(demo_vault, tmp_path / f"kill-{k}" / "vault")
        result = run_child("migrate", ["--vault", str(folder), "--extra-step", "--every", "20",
                                       "--kill-progress", str(k)], env)
        assert result.killed, result.describe()
        version, rows = schema(folder / "vault.db", key.dek)  # (also runs the full integrity check)
        assert rows == reference[version], f"kill at {k}: half a migration step is visible at version {version}"
        assert _records_in(folder, key.dek) == records, f"kill at {k}: records changed"
        seen.append(version)
        vault = Vault.open(folder, key, steps=steps)  # the next start finishes it
        assert vault.connection.execute("SELECT count(*) FROM extra").fetchone()[0] == EXTRA_ROWS
        vault.close()
    print(f"migration of a demo vault: {total} progress calls, versions after kills {seen}")
    assert seen and set(seen) <= set(reference)


def _records_in(folder: Path, dek: bytes) -> dict[str, int]:
    conn = db.connect(folder / "vault.db", dek)
    try:
        names = [str(r[0]) for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'extra'")]
        return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}
    finally:
        conn.close()


def test_a_vault_from_a_newer_waypoint_is_refused_untouched(services: AppServices, demo_vault: Path) -> None:
    key = services.vaults.derive(demo_vault, passphrase=PASSPHRASE)
    conn = db.connect(demo_vault / "vault.db", key.dek)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    db.checkpoint(conn)
    conn.close()
    before = tree_state(demo_vault)
    backups = services.backups.folder()
    had = sorted(backups.glob("*")) if backups.exists() else []
    with pytest.raises(VaultTooNew, match="newer version of Waypoint"):
        services.vaults.unlock(demo_vault, passphrase=PASSPHRASE)
    assert tree_state(demo_vault) == before
    assert (sorted(backups.glob("*")) if backups.exists() else []) == had
