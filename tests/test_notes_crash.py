"""Notes and a killed process (SECURITY.md tests 12 and 13): a note saved, signed and given an
addendum by a process SIGKILLed at points spread through those transactions is, next time, either
wholly there (row, full-text index, audit entry) or not there at all; what was typed and
autosaved before is intact; the vault checks out.

Run as `python -m tests.test_notes_crash VAULT CLIENT_ID KILL_AT EVERY` this module is the child."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date, time
from pathlib import Path

import pytest

from app.models.notes import ContactType, NoteFields, NoteFormat, NoteSection
from app.services.context import AppServices
from app.services.notes import DRAFT_FORM, NEW_PREFIX
from app.services.session import Session
from tests.conftest import PASSPHRASE, person
from tests.helpers.children import copy_vault

CHILD_PASSPHRASE = "WAYPOINT_NOTES_CRASH_PASSPHRASE"  # tests/conftest.py removes WAYPOINT_PASSPHRASE on import
REPO = Path(__file__).resolve().parents[1]
TYPED = {"client_id": "", "format": "free", "sections": {"note": "Typed before the crash: Ñandú"}}
FIELDS = NoteFields(ContactType.HOME_VISIT, date(2026, 11, 26), time(10, 30), 40, "Client's home", ("Client",), (),
                    NoteFormat.FREE, {NoteSection.NOTE: "Zanzibar marker: the note written when the power went."})


def _run(vault: Path, client_id: str, kill_at: int, every: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, CHILD_PASSPHRASE: PASSPHRASE, "WAYPOINT_KDF_TARGET_MS": "0", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "tests.test_notes_crash", str(vault), client_id, str(kill_at),
                           str(every)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_a_note_killed_mid_write_is_all_there_or_not_at_all(services: AppServices, session: Session,
                                                            vault_dir: Path, tmp_path: Path) -> None:
    client_id = session.clients.create(person(first_name="Zoë")).id
    session.close()
    measured = _run(copy_vault(vault_dir, tmp_path / "measure"), client_id, 0, 20)
    assert measured.returncode == 0 and "DONE" in measured.stdout, measured.stderr[-2000:]
    total = int(measured.stdout.split("calls=")[1].split()[0])
    points = sorted({max(1, round(total * f)) for f in (0.02, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.98)})
    outcomes = []
    for k in points:
        run = copy_vault(vault_dir, tmp_path / f"kill-{k}")
        result = _run(run, client_id, k, 20)
        assert result.returncode == -signal.SIGKILL, f"kill at {k}: rc={result.returncode} {result.stderr[-1500:]}"
        reopened = services.vaults.unlock(run, passphrase=PASSPHRASE)
        typed = reopened.drafts.load(DRAFT_FORM, NEW_PREFIX + client_id)
        assert typed is not None and typed.data["sections"]["note"] == TYPED["sections"]["note"]
        notes = reopened.notes.notes(client_id)
        assert len(notes) <= 1
        found = reopened.notes.clients_matching("zanzibar")
        addendum_found = reopened.notes.clients_matching("aftershock")
        actions = [e.action for e in reopened.audit_repo().entries() if e.object_type == "note"]
        if not notes:
            assert found == {} and addendum_found == {} and actions == []
            outcomes.append("none")
        else:
            note = reopened.notes.get(notes[0].id)
            assert found == {client_id: 1}
            assert [h.note.id for h in reopened.notes.search(client_id, "zanzibar")] == [note.id]
            assert actions == ["note.create", "note.sign", "note.addendum"][: len(actions)] and actions
            assert note.signed == ("note.sign" in actions)
            assert len(note.addenda) == actions.count("note.addendum")
            assert (addendum_found == {client_id: 1}) == bool(note.addenda)
            outcomes.append("addendum" if note.addenda else "signed" if note.signed else "draft")
        assert services.vaults.check(reopened).ok
        reopened.close()
    print(f"notes killed mid-write: {total} progress calls, kills at {points} → {outcomes}")
    assert "none" in outcomes and len(set(outcomes)) >= 3  # the kills landed in different transactions


def _child(vault: Path, client_id: str, kill_at: int, every: int) -> None:
    from app.services.paths import AppPaths
    from tests.helpers.crashers import ProgressKiller, say

    paths = AppPaths.default()
    paths.ensure()
    session = AppServices.build(paths).vaults.unlock(vault, passphrase=os.environ[CHILD_PASSPHRASE])
    session.drafts.save(DRAFT_FORM, NEW_PREFIX + client_id, {**TYPED, "client_id": client_id})  # the autosave
    killer = ProgressKiller(kill_at)
    say("READY")
    session.connection.set_progress_handler(killer, every)
    note = session.notes.save_draft(client_id, FIELDS)
    session.notes.sign(note.id)
    session.notes.add_addendum(note.id, "Aftershock marker: added later.")
    session.connection.set_progress_handler(None, 0)
    say(f"DONE calls={killer.calls}")
    session.close()


if __name__ == "__main__":
    _child(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
