"""Crash safety (SECURITY.md tests 7, 12 and 13): processes killed with SIGKILL at chosen points.

The killing happens in child processes (tests/helpers/crashers.py); the assertions are made here,
on what a user would see when they next open the vault.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from app.services.context import AppServices
from app.services.session import Session
from app.store import db
from app.store.errors import WrongPassphrase
from app.store.vault import UnlockedKey, derive_key
from tests.conftest import PASSPHRASE, person
from tests.helpers.children import LiveChild, child_env, copy_vault, file_digest, run_child
from tests.helpers.vaults import open_checked, stray_files

NEW_PASSPHRASE = "amber lantern over quiet harbour 42"
PAGE = 4096
MAX_STEPS = 60


def _fill(session: Session, n: int) -> set[str]:
    names = ("Ana", "Bruno", "Chiara", "Dmitri", "Elif")
    return {session.clients.create(person(first_name=names[i % 5], last_name=f"Case{chr(65 + i)}")).id for i in range(n)}


def _pages(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [data[i : i + PAGE] for i in range(0, len(data), PAGE)]


def _unlocks(folder: Path, passphrase: str) -> UnlockedKey | None:
    try:
        return derive_key(folder, passphrase=passphrase)
    except WrongPassphrase:
        return None


# -- test 7: passphrase change --------------------------------------------------------------------


def test_passphrase_change_rewraps_only_database_bytes_unchanged(
    services: AppServices, session: Session, vault_dir: Path
) -> None:
    ids = _fill(session, 3)
    db_file = vault_dir / "vault.db"
    db.checkpoint(session.connection)  # everything so far is in vault.db, the WAL is empty
    before = file_digest(db_file)

    session.vault.change_passphrase(NEW_PASSPHRASE, services.vaults.kdf_params())
    db.checkpoint(session.connection)  # a re-encryption would land in vault.db here
    assert file_digest(db_file) == before
    session.close()

    with pytest.raises(WrongPassphrase):
        derive_key(vault_dir, passphrase=PASSPHRASE)
    reopened = services.vaults.unlock(vault_dir, passphrase=NEW_PASSPHRASE)
    assert {r.id for r in reopened.clients.roster()} == ids
    reopened.close()


def test_passphrase_change_through_service_old_fails_new_works(
    services: AppServices, session: Session, vault_dir: Path
) -> None:
    ids = _fill(session, 12)
    db_file = vault_dir / "vault.db"
    db.checkpoint(session.connection)
    before_pages = _pages(db_file)
    before_hash = file_digest(db_file)

    services.vaults.change_passphrase(session, NEW_PASSPHRASE, NEW_PASSPHRASE)
    # The change itself rewrites nothing in the database file (its audit entry is in the WAL).
    assert file_digest(db_file) == before_hash
    session.close()  # checkpoints the audit entries of the change and of the lock
    after_pages = _pages(db_file)
    changed = sum(1 for a, b in zip(before_pages, after_pages, strict=False) if a != b)
    # Only the pages holding the new audit rows differ; a re-encryption would change them all.
    assert len(before_pages) >= 16
    print(f"passphrase change: {changed} of {len(before_pages)} pages differ after the checkpoint")
    assert changed <= 4, f"{changed} of {len(before_pages)} pages rewritten"

    with pytest.raises(WrongPassphrase):
        services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    reopened = services.vaults.unlock(vault_dir, passphrase=NEW_PASSPHRASE)
    assert {r.id for r in reopened.clients.roster()} == ids
    actions = [e.action for e in reopened.audit_repo().entries()]
    assert "key.passphrase_change" in actions
    assert services.vaults.check(reopened).ok
    reopened.close()


def test_passphrase_change_killed_at_every_step_exactly_one_passphrase_works(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    ids = _fill(session, 3)
    session.close()
    env = child_env(PASSPHRASE, NEW_PASSPHRASE)
    outcomes: list[str] = []
    for n in range(1, MAX_STEPS):
        run = copy_vault(vault_dir, tmp_path / f"kill-{n}")
        result = run_child("change-passphrase", ["--vault", str(run), "--kill-at", str(n)], env)
        old, new = _unlocks(run, PASSPHRASE), _unlocks(run, NEW_PASSPHRASE)
        if result.done:
            # Ran to the end without reaching the n-th call: the change is complete.
            assert int(result.value("DONE", "calls")) == n - 1
            assert old is None and new is not None
            break
        assert result.killed, result.describe()
        assert (old is None) != (new is None), f"kill {n}: old works={old is not None}, new works={new is not None}"
        key = old or new
        assert key is not None
        reopened, found = open_checked(services, run, key)
        assert found.clients == ids
        reopened.close()
        outcomes.append("old" if old else "new")
    else:
        pytest.fail(f"the change never completed within {MAX_STEPS} steps")
    print(f"passphrase change: {len(outcomes)} kill points, outcomes {outcomes}")
    # The switch happens once, at one point, and never goes back.
    assert outcomes[0] == "old"
    assert outcomes == sorted(outcomes, key=lambda o: o == "new")
    assert len(outcomes) >= 4


# -- test 12: kill -9 during writes --------------------------------------------------------------


def test_kill_during_writes_loses_no_acknowledged_commit(
    services: AppServices, session: Session, vault_dir: Path
) -> None:
    session.close()
    key = derive_key(vault_dir, passphrase=PASSPHRASE)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    acknowledged: list[str] = []
    env = child_env(PASSPHRASE)
    for round_no in range(5):
        child = LiveChild("writer", ["--vault", str(vault_dir), "--start", str(round_no * 1000)], env)
        try:
            child.wait_for_acks(rng.randint(1, 25))
            time.sleep(rng.uniform(0, 0.02))  # land anywhere inside the next create()
        finally:
            result = child.kill()
        assert result.killed, result.describe()
        acks = [line.split()[1] for line in result.lines if line.startswith("ACK ")]
        assert acks
        acknowledged.extend(acks)

        reopened, found = open_checked(services, vault_dir, key)
        missing = set(acknowledged) - found.clients
        # At most the one create in flight may have committed without being acknowledged.
        assert len(found.clients) - len(acknowledged) in range(0, round_no + 2)
        reopened.close()
        assert not missing, f"seed {seed}: {len(missing)} acknowledged clients lost"
    print(f"kill -9 during writes (seed {seed}): acknowledged={len(acknowledged)}, lost=0")
    assert stray_files(vault_dir) == set()


# -- test 13: a multi-row save killed mid-way -----------------------------------------------------


def test_create_many_killed_midway_is_all_or_none(
    services: AppServices, session: Session, vault_dir: Path, tmp_path: Path
) -> None:
    existing = _fill(session, 2)
    session.close()
    key = derive_key(vault_dir, passphrase=PASSPHRASE)
    env = child_env(PASSPHRASE)
    count, every = 10, 10

    # A full run on a copy: how many progress calls the whole save takes, and the "all" outcome.
    full = copy_vault(vault_dir, tmp_path / "full")
    measured = run_child("create-many", ["--vault", str(full), "--count", str(count), "--every", str(every)], env)
    assert measured.done, measured.describe()
    total = int(measured.value("DONE", "calls"))
    reopened, found = open_checked(services, full, key)
    assert found.clients - existing == set(measured.value("DONE", "ids").split(","))
    assert len(found.clients) == len(existing) + count and found.imports == 1
    reopened.close()

    kill_points = sorted({max(1, round(total * f)) for f in (0.0, 0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.97)})
    midway = 0
    for k in kill_points:
        run = copy_vault(vault_dir, tmp_path / f"kill-{k}")
        result = run_child(
            "create-many",
            ["--vault", str(run), "--count", str(count), "--every", str(every), "--kill-progress", str(k)],
            env,
        )
        reopened, found = open_checked(services, run, key)
        added = found.clients - existing
        reopened.close()
        if result.killed:
            inserted = int(result.value("KILL", "inserted"))
            midway += 0 < inserted < count
            # Killed before COMMIT finished: nothing of the save may be visible.
            assert added == set() and found.imports == 0, f"kill at {k} ({inserted} inserted): {len(added)} kept"
        else:
            assert result.done, result.describe()
            assert len(added) == count and found.imports == 1
        assert found.clients >= existing
    print(f"create_many: {total} progress calls, kill points {kill_points}, {midway} mid-way")
    assert midway >= 4, "the kills did not land in the middle of the save"

