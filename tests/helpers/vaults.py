"""What the crash and backup tests look at inside a vault after the fact."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.services.context import AppServices
from app.services.session import Session
from app.store import db
from app.store.vault import UnlockedKey

VAULT_FILES = {"vault.db", "vault.key", "vault.key.prev", "vault.db-wal", "vault.db-shm"}


@dataclass(frozen=True)
class VaultContents:
    clients: set[str]
    with_history: set[str]
    created_in_audit: set[str]
    imports: int

    def assert_consistent(self) -> None:
        """Every client has its stage history and its audit entry, and nothing points nowhere."""
        assert self.with_history == self.clients, "stage_history and clients disagree"
        assert self.created_in_audit == self.clients, "audit client.create entries and clients disagree"


def contents(session: Session) -> VaultContents:
    conn = session.connection
    clients = {r[0] for r in conn.execute("SELECT id FROM clients")}
    with_history = {r[0] for r in conn.execute("SELECT DISTINCT client_id FROM stage_history")}
    created = {
        r[0] for r in conn.execute("SELECT object_id FROM audit WHERE action = 'client.create'")
    }
    imports = int(conn.execute("SELECT count(*) FROM audit WHERE action = 'client.import'").fetchone()[0])
    return VaultContents(clients, with_history, created, imports)


def open_checked(services: AppServices, folder: Path, key: UnlockedKey) -> tuple[Session, VaultContents]:
    """Open through the service (as the app does), run the full check, return what is inside."""
    session = services.vaults.open(folder, key)
    assert not session.read_only, session.problems
    report = services.vaults.check(session)
    assert report.problems == [], report.problems
    assert report.chain.ok, report.chain
    found = contents(session)
    found.assert_consistent()
    return session, found


def schema(path: Path, dek: bytes) -> tuple[int, list[tuple[str, str, str]]]:
    """(user_version, sqlite_schema rows) read straight through the connection factory."""
    conn = db.connect(path, dek)
    try:
        version = db.user_version(conn)
        rows = [
            (str(r[0]), str(r[1]), str(r[2]))
            for r in conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name")
        ]
        problems = db.integrity_problems(conn, full=True)
        assert problems == [], problems
        return version, rows
    finally:
        conn.close()


def stray_files(folder: Path) -> set[str]:
    """Files in a vault folder that are not part of a vault."""
    return {p.name for p in folder.iterdir()} - VAULT_FILES
