"""Disk full and I/O errors (SECURITY.md test 14, across all features): a clear sentence, the
draft kept, nothing committed lost, and the same save works once space frees.

Two ways of running out of room:
- the database may not grow (`PRAGMA max_page_count` at its current size: SQLite's own
  "database or disk is full"), in this process, for every kind of save;
- the operating system refuses to write past a file size (RLIMIT_FSIZE, SIGXFSZ ignored: write()
  fails with EFBIG and SQLite reports "disk I/O error"), in a child process, as a real disk would.

Run as `python -m tests.reliability.test_disk_full VAULT`, this module is the child.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.context import AppServices
from app.services.errors import ReadOnlyVault
from app.services.session import Session
from app.store.errors import StorageError
from tests.conftest import PASSPHRASE
from tests.reliability.conftest import KINDS, PNG_1PX, SAVERS, context, is_present, table_state

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE_ENV = "WAYPOINT_RELIABILITY_PASSPHRASE"
TYPED = {"typed": "Zoë Ødegård said she will call back — half-typed when the disk filled"}
BIG = PNG_1PX + bytes(range(256)) * 12_000  # ~3 MB: needs new pages whatever is free


def _full(session: Session) -> None:
    conn = session.connection
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    conn.execute(f"PRAGMA max_page_count = {pages}")


@contextlib.contextmanager
def watched_transactions(session: Session) -> Iterator[list[dict[str, tuple[int, str]]]]:
    """The vault's state as each transaction begins, while the block runs."""
    starts: list[dict[str, tuple[int, str]]] = []
    vault = session.vault
    original = vault.transaction

    @contextlib.contextmanager
    def transaction() -> Iterator[object]:
        starts.append(table_state(session))
        with original() as conn:
            yield conn

    vault.transaction = transaction  # type: ignore[method-assign]
    try:
        yield starts
    finally:
        del vault.transaction  # the class's own again


def _space_frees(session: Session) -> None:
    session.connection.execute("PRAGMA max_page_count = 1073741823")


def test_disk_full_refuses_every_save_clearly_keeps_drafts_and_retry_works(
    services: AppServices, demo_session: Session
) -> None:
    session = demo_session
    ctx = context(session)
    kept = {kind: SAVERS[kind](session, ctx, 1, "Ánh") for kind in KINDS}  # committed before the disk fills
    session.drafts.save("reliability", "typed-before", TYPED)
    _full(session)
    refused: list[str] = []
    first = session.attachments.count(ctx.client_id)
    with pytest.raises(StorageError) as caught:
        session.attachments.add_bytes(ctx.client_id, BIG, "scan.png", title="Signed release")
    message = str(caught.value)
    assert "could not write to the disk" in message and "draft is kept" in message and "try again" in message
    assert "full" in message  # says why
    assert session.attachments.count(ctx.client_id) == first
    for n, kind in enumerate(KINDS, start=2):
        with watched_transactions(session) as starts:
            try:
                token = SAVERS[kind](session, ctx, n, "Ánh")
            except StorageError:
                refused.append(kind)
                # Some saves are steps a person takes one after another (start a draft, then sign it): the
                # steps already taken stay; the refused one leaves the vault as it was when it began.
                assert starts and table_state(session) == starts[-1], f"{kind}: a refused save left rows behind"
                continue
        assert is_present(session, kind, token)  # fitted in free space already in the file: whole
    print(f"disk full: refused {len(refused)} of {len(KINDS)} kinds of save: {refused}")
    assert len(refused) >= len(KINDS) // 2
    # Nothing committed is lost; the draft typed before is still there.
    assert all(is_present(session, kind, token) for kind, token in kept.items())
    draft = session.drafts.load("reliability", "typed-before")
    assert draft is not None and draft.data == TYPED

    _space_frees(session)
    for n, kind in enumerate(refused, start=100):
        assert is_present(session, kind, SAVERS[kind](session, ctx, n, "Ánh"))
    added = session.attachments.add_bytes(ctx.client_id, BIG, "scan.png", title="Signed release")
    assert session.attachments.read(added.id) == BIG
    report = services.vaults.check(session)
    assert report.problems == [] and report.chain.ok


@pytest.mark.slow
def test_io_error_from_the_os_is_a_clear_error_and_nothing_is_lost(services: AppServices, demo_vault: Path) -> None:
    env = {**os.environ, PASSPHRASE_ENV: PASSPHRASE, "WAYPOINT_KDF_TARGET_MS": "0", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "tests.reliability.test_disk_full", str(demo_vault)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert "could not write to the disk" in lines["REFUSED"] and "I/O" in lines["REFUSED"], lines
    assert "Zoë" not in result.stdout + result.stderr  # the error says what happened, never what was typed
    session = services.vaults.unlock(demo_vault, passphrase=PASSPHRASE)
    try:
        assert session.wait_checks() == []
        assert is_present(session, "note", lines["KEPT"])  # committed before the disk refused
        assert session.attachments.read(lines["RETRIED"]) == BIG  # the same save, once there was room
        draft = session.drafts.load("reliability", "typed-before")
        assert draft is not None and draft.data == TYPED
        report = services.vaults.check(session)
        assert report.problems == [] and report.chain.ok
    finally:
        session.close()


def _child(vault: Path) -> None:
    import resource
    import signal

    from app.services.paths import AppPaths
    from tests.reliability.conftest import save_note

    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=os.environ[PASSPHRASE_ENV])
    session.wait_checks()
    ctx = context(session)
    print("KEPT", save_note(session, ctx, 1, "Zoë"), flush=True)
    session.drafts.save("reliability", "typed-before", TYPED)
    wal = vault / "vault.db-wal"
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (wal.stat().st_size + 16 * 4096, hard))
    try:
        session.attachments.add_bytes(ctx.client_id, BIG, "scan.png", title="Signed release")
        print("SAVED anyway", flush=True)
    except StorageError as exc:
        print("REFUSED", str(exc).replace("\n", " "), flush=True)
    except ReadOnlyVault as exc:
        print("READONLY", exc, flush=True)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space frees
    print("RETRIED", session.attachments.add_bytes(ctx.client_id, BIG, "scan.png", title="Signed release").id,
          flush=True)
    session.close()


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
