"""Backups and restore (SECURITY.md test 16 and the backup design): what a user can see and rely on."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import stat
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.models.retention import RetentionPolicy, backups_to_keep
from app.services.clock import FixedClock
from app.services.context import AppServices
from app.services.session import Session
from app.store import migrations
from app.store.backup import BACKUP_SUFFIX, backup_name
from app.store.errors import BackupError, WrongPassphrase
from app.store.vault import derive_key
from tests.conftest import PASSPHRASE, person
from tests.helpers.children import LiveChild, child_env, copy_vault, run_child, tree_state
from tests.helpers.vaults import contents, open_checked, stray_files

CANARY_FIRST, CANARY_LAST = "Wilhelmina", "Canarysong"
MAX_STEPS = 60


def _fill(session: Session, n: int, start: int = 0) -> set[str]:
    return {
        session.clients.create(person(first_name="Ana", last_name=f"Case{chr(65 + start + i)}")).id
        for i in range(n)
    }


def _staging_leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".restore-new-" in p.name)


def _db_member_offset(backup: Path) -> tuple[int, int]:
    """Where the stored vault.db starts inside the zip file, and its size."""
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo("vault.db")
    with open(backup, "rb") as handle:
        handle.seek(info.header_offset + 26)
        name_len = int.from_bytes(handle.read(2), "little")
        extra_len = int.from_bytes(handle.read(2), "little")
    return info.header_offset + 30 + name_len + extra_len, info.file_size


def _rewrite_zip(backup: Path, dest: Path, *, db_flip_at: int | None, forge_checksum: bool) -> None:
    """Copy a backup with one byte of its stored vault.db flipped, as a valid zip (CRC matches)."""
    with zipfile.ZipFile(backup) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = bytearray(members["vault.db"])
    if db_flip_at is not None:
        data[db_flip_at] ^= 0x40
    members["vault.db"] = bytes(data)
    if forge_checksum:
        manifest = json.loads(members["manifest.json"])
        manifest["db_sha256"] = hashlib.sha256(data).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    dest.write_bytes(buffer.getvalue())


# -- test 16: backup during writes, restore killed mid-way ------------------------------------------


def test_backup_taken_during_writes_is_a_consistent_snapshot(
    services: AppServices, session: Session, tmp_path: Path, vault_dir: Path
) -> None:
    mine = _fill(session, 2)
    child = LiveChild("writer", ["--vault", str(vault_dir)], child_env(PASSPHRASE))
    taken: list[tuple[Path, set[str], int]] = []
    during = 0
    try:
        for i in range(4):
            child.wait_for_acks(8 * (i + 1))
            before = set(child.acks())
            result = services.backups.backup_now(session, tmp_path / f"backups-{i}")
            during += len(child.acks()) - len(before)
            taken.append((result.path, before, result.tables["clients"]))
    finally:
        writer = child.kill()
    session.close()
    acknowledged = {line.split()[1] for line in writer.lines if line.startswith("ACK ")}
    print(f"backups during writes: {len(acknowledged)} acknowledged, {during} during the 4 backups")

    counts = []
    for i, (path, acked_before, counted) in enumerate(taken):
        target = tmp_path / f"restored-{i}" / "vault"
        services.backups.restore(path, target, passphrase=PASSPHRASE)
        restored = services.vaults.unlock(target, passphrase=PASSPHRASE)
        report = services.vaults.check(restored)
        assert report.ok, (report.problems, report.chain)
        found = contents(restored)
        restored.close()
        found.assert_consistent()  # no client without its history row and audit entry
        assert len(found.clients) == counted
        assert mine | acked_before <= found.clients, "a commit acknowledged before the backup is missing"
        # Anything else in the snapshot came from the writer (at most one create not yet printed).
        assert len(found.clients - mine - acknowledged) <= 1
        counts.append(len(found.clients))
    assert counts == sorted(counts) and counts[0] < counts[-1], counts


def test_restore_killed_at_every_step_leaves_old_or_new_vault(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    new_ids = _fill(session, 3)
    backup = services.backups.backup_now(session, tmp_path / "backups").path
    old_ids = new_ids | _fill(session, 2, start=3)
    session.close()
    key = derive_key(vault_dir, passphrase=PASSPHRASE)
    env = child_env(PASSPHRASE)
    outcomes: list[str] = []
    for n in range(1, MAX_STEPS):
        parent = tmp_path / f"kill-{n}"
        target = copy_vault(vault_dir, parent / "vault")
        result = run_child("restore", ["--backup", str(backup), "--vault", str(target), "--kill-at", str(n)], env)
        # What the user finds: unlocking completes or discards what the restore left behind.
        reopened = services.vaults.unlock(target, passphrase=PASSPHRASE)
        report = services.vaults.check(reopened)
        found = contents(reopened)
        reopened.close()
        assert report.ok, (n, report.problems, report.chain)
        found.assert_consistent()
        assert found.clients in (old_ids, new_ids), f"kill {n}: neither the old nor the new vault"
        assert _staging_leftovers(parent) == []
        assert stray_files(target) == set(), f"kill {n}: left {stray_files(target)}"
        previous = sorted(parent.glob("vault.before-restore-*"))
        if found.clients == new_ids:
            assert len(previous) == 1, f"kill {n}: the previous vault was not kept"
            kept, kept_found = open_checked(services, previous[0], key)
            assert kept_found.clients == old_ids
            kept.close()
        else:
            assert previous == []
        if result.done:
            assert int(result.value("DONE", "calls")) == n - 1
            assert found.clients == new_ids
            break
        assert result.killed, result.describe()
        outcomes.append("new" if found.clients == new_ids else "old")
    else:
        pytest.fail(f"the restore never completed within {MAX_STEPS} steps")
    print(f"restore: {len(outcomes)} kill points, outcomes {outcomes}")
    assert outcomes[0] == "old" and "new" in outcomes
    assert outcomes == sorted(outcomes, key=lambda o: o == "new")


# -- the backup file ------------------------------------------------------------------------------


def test_backup_is_one_private_file_with_a_neutral_name_and_no_plaintext(
    services: AppServices, session: Session
) -> None:
    session.clients.create(person(first_name=CANARY_FIRST, last_name=CANARY_LAST))
    result = services.backups.backup_now(session)
    folder = services.backups.folder()
    assert sorted(folder.iterdir()) == [result.path]  # no temp or snapshot left beside it
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert re.fullmatch(r"waypoint-backup-[0-9a-f]{8}-\d{8}-\d{6}\.wpbackup", result.path.name)

    raw = result.path.read_bytes()
    for canary in (CANARY_FIRST, CANARY_LAST):
        assert canary.lower() not in result.path.name.lower()
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            assert canary.encode(encoding) not in raw
            assert canary.lower().encode(encoding) not in raw
    with zipfile.ZipFile(result.path) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "vault.db", "vault.key"]
        stored_db = archive.read("vault.db")
        manifest = json.loads(archive.read("manifest.json"))
    assert not stored_db.startswith(b"SQLite format 3")
    assert set(manifest) == {"format", "version", "vault_id", "created_at", "user_version", "db_sha256", "key_generation"}

    plain = session.vault.folder.parent / "extracted.db"
    plain.write_bytes(stored_db)
    conn = sqlite3.connect(plain)
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    finally:
        conn.close()
    assert session.audit_repo().latest(1)[0].action == "backup.create"


def test_backup_due_when_none_or_older_than_a_day(services: AppServices, session: Session, clock: FixedClock) -> None:
    vault_id = session.vault.vault_id
    assert services.backups.due(vault_id)
    services.backups.backup_now(session)
    assert not services.backups.due(vault_id)
    clock.advance(hours=23)
    assert not services.backups.due(vault_id)
    clock.advance(hours=2)
    assert services.backups.due(vault_id)
    services.backups.backup_now(session)
    assert not services.backups.due(vault_id)


# -- retention --------------------------------------------------------------------------------------


def _days(first: datetime, count: int) -> list[datetime]:
    return [first + timedelta(days=i) for i in range(count)]


def test_backups_to_keep_daily_weekly_monthly() -> None:
    # One backup a day at noon, 1 January to 31 March 2026 (31 March is a Tuesday).
    stamps = _days(datetime(2026, 1, 1, 12), 90)
    kept = backups_to_keep(stamps, RetentionPolicy(daily=7, weekly=4, monthly=12))

    def noon(month: int, day: int) -> datetime:
        return datetime(2026, month, day, 12)

    daily = {noon(3, d) for d in range(25, 32)}
    weekly = {noon(3, 31), noon(3, 29), noon(3, 22), noon(3, 15)}  # newest of each of 4 ISO weeks
    monthly = {noon(3, 31), noon(2, 28), noon(1, 31)}
    assert kept == daily | weekly | monthly
    assert len(kept) == 11


def test_backups_to_keep_the_newest_of_each_day() -> None:
    stamps = [datetime(2026, 5, d, h) for d in (1, 2, 3) for h in (8, 13, 21)]
    kept = backups_to_keep(stamps, RetentionPolicy(daily=2, weekly=0, monthly=0))
    assert kept == {datetime(2026, 5, 3, 21), datetime(2026, 5, 2, 21)}


def test_backups_to_keep_the_most_recent_whatever_their_day() -> None:
    stamps = [datetime(2026, 5, 1, hour) for hour in (8, 12, 16, 20)]
    kept = backups_to_keep(stamps, RetentionPolicy(daily=1, weekly=0, monthly=0, recent=3))
    assert kept == set(stamps[1:])


def test_backups_to_keep_always_keeps_the_newest() -> None:
    assert backups_to_keep([], RetentionPolicy()) == set()
    stamps = [datetime(2026, 5, 1, 8), datetime(2026, 5, 1, 9), datetime(2025, 1, 1)]
    assert backups_to_keep(stamps, RetentionPolicy(daily=0, weekly=0, monthly=0)) == {datetime(2026, 5, 1, 9)}
    assert backups_to_keep(stamps, RetentionPolicy(daily=1, weekly=0, monthly=2)) == {
        datetime(2026, 5, 1, 9),
        datetime(2025, 1, 1),
    }


def test_prune_removes_backups_outside_the_policy_and_nothing_else(
    services: AppServices, session: Session, tmp_path: Path
) -> None:
    services.update_settings(
        replace(services.settings, backup_keep_daily=2, backup_keep_weekly=2, backup_keep_monthly=2)
    )
    vault_id = session.vault.vault_id
    folder = tmp_path / "pruned"
    folder.mkdir()
    stamps = {
        "A": datetime(2026, 9, 15, 12),
        "B": datetime(2026, 10, 20, 12),
        "C": datetime(2026, 11, 10, 12),
        "D": datetime(2026, 11, 20, 9),  # Friday of ISO week 47
        "E": datetime(2026, 11, 24, 9),  # week 48 from here on
        "F": datetime(2026, 11, 25, 9),
        "G": datetime(2026, 11, 25, 18),
        "H": datetime(2026, 11, 26, 8),
    }
    files = {label: folder / backup_name(vault_id, when) for label, when in stamps.items()}
    for path in files.values():
        path.write_bytes(b"backup")
    other_vault = folder / backup_name("ffffffff-0000-4000-8000-000000000000", datetime(2020, 1, 1))
    unrelated = folder / "notes.txt"
    other_vault.write_bytes(b"other")
    unrelated.write_bytes(b"other")

    removed = services.backups.prune(vault_id, folder)
    # the 3 newest: H, G, F; daily: H, G; weekly: H (week 48), D (week 47); monthly: H (Nov), B (Oct)
    assert sorted(removed) == sorted(files[label] for label in "ACE")
    assert sorted(folder.iterdir()) == sorted([*(files[label] for label in "BDFGH"), other_vault, unrelated])


def test_backup_now_applies_retention_to_its_folder(services: AppServices, session: Session, clock: FixedClock) -> None:
    services.update_settings(
        replace(services.settings, backup_keep_daily=2, backup_keep_weekly=0, backup_keep_monthly=0)
    )
    paths = []
    for _ in range(5):
        paths.append(services.backups.backup_now(session).path)
        clock.advance(days=1)
    # The three newest are always kept (KEEP_RECENT); beyond them, two days' worth.
    assert sorted(services.backups.folder().iterdir()) == paths[-3:]


# -- restore ----------------------------------------------------------------------------------------


def test_restore_with_wrong_passphrase_changes_nothing(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    _fill(session, 2)
    backup = services.backups.backup_now(session).path
    session.close()
    before = tree_state(vault_dir)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(WrongPassphrase):
        services.backups.restore(backup, vault_dir, passphrase="not the passphrase of this vault")
    assert tree_state(vault_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings


def test_restore_with_the_recovery_key(services: AppServices, tmp_path: Path) -> None:
    created = services.vaults.create(tmp_path / "original", PASSPHRASE, PASSPHRASE)
    ids = _fill(created.session, 3)
    backup = services.backups.backup_now(created.session).path
    created.session.close()

    target = tmp_path / "elsewhere" / "vault"
    result = services.backups.restore(backup, target, recovery_key=created.recovery_key)
    assert result.folder == target and result.previous is None
    restored = services.vaults.unlock(target, recovery_key=created.recovery_key)
    assert {r.id for r in restored.clients.roster()} == ids
    assert services.vaults.check(restored).ok
    restored.close()
    # The restored key file is the backup's: the passphrase of the time opens it too.
    derive_key(target, passphrase=PASSPHRASE)


@pytest.mark.parametrize(
    "damage",
    ["bit rot in the file", "stored copy changed", "page changed, checksum forged", "first page changed, checksum forged"],
)
def test_damaged_backup_is_refused_and_nothing_changes(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path, damage: str
) -> None:
    _fill(session, 3)
    good = services.backups.backup_now(session, tmp_path / "backups").path
    session.close()
    bad = tmp_path / f"damaged{BACKUP_SUFFIX}"
    offset, size = _db_member_offset(good)
    if damage == "bit rot in the file":
        data = bytearray(good.read_bytes())
        data[offset + size // 2] ^= 0x01
        bad.write_bytes(bytes(data))
    elif damage == "stored copy changed":
        _rewrite_zip(good, bad, db_flip_at=size // 2, forge_checksum=False)
    elif damage == "page changed, checksum forged":
        _rewrite_zip(good, bad, db_flip_at=4096 + 200, forge_checksum=True)
    else:
        _rewrite_zip(good, bad, db_flip_at=100, forge_checksum=True)
    before = tree_state(vault_dir)
    siblings = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(BackupError):
        services.backups.restore(bad, vault_dir, passphrase=PASSPHRASE)
    assert tree_state(vault_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings

    # A fresh target folder is not left behind half-made either.
    with pytest.raises(BackupError):
        services.backups.restore(bad, tmp_path / "fresh" / "vault", passphrase=PASSPHRASE)
    assert not (tmp_path / "fresh" / "vault").exists()
    assert _staging_leftovers(tmp_path / "fresh") == []


def test_backup_from_a_newer_version_is_refused(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    good = services.backups.backup_now(session, tmp_path / "backups").path
    session.close()
    with zipfile.ZipFile(good) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["user_version"] = migrations.LATEST + 1
    members["manifest.json"] = json.dumps(manifest).encode()
    newer = tmp_path / f"newer{BACKUP_SUFFIX}"
    with zipfile.ZipFile(newer, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    before = tree_state(vault_dir)
    with pytest.raises(BackupError):
        services.backups.restore(newer, vault_dir, passphrase=PASSPHRASE)
    assert tree_state(vault_dir) == before


def test_restore_keeps_the_previous_vault_beside_it(
    services: AppServices, session: Session, vault_dir: Path, clock: FixedClock
) -> None:
    backed_up = _fill(session, 3)
    backup = services.backups.backup_now(session).path
    later = backed_up | _fill(session, 2, start=3)
    session.close()

    result = services.backups.restore(backup, vault_dir, passphrase=PASSPHRASE)
    stamp = clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
    assert result.folder == vault_dir.absolute()
    assert result.previous == vault_dir.with_name(f"vault.before-restore-{stamp}").absolute()
    assert stat.S_IMODE(vault_dir.stat().st_mode) == 0o700
    assert stray_files(vault_dir) == set()

    restored = services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    assert {r.id for r in restored.clients.roster()} == backed_up
    assert "backup.restore" in [e.action for e in restored.audit_repo().entries()]
    assert services.vaults.check(restored).ok
    restored.close()
    kept = services.vaults.unlock(result.previous, passphrase=PASSPHRASE)
    assert {r.id for r in kept.clients.roster()} == later
    kept.close()
