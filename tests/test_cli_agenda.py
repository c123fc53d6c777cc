"""`waypoint agenda` and `waypoint export-ics` run as a user runs them (a subprocess) on a vault
planned in-process: JSON fields, the overdue flag, usage errors, and a code-only ICS file."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from icalendar import Calendar

from app.models.follow_ups import FollowUpFields, FollowUpType, Status
from app.models.recurrence import Frequency, Recurrence
from app.services.context import AppServices
from tests.conftest import PASSPHRASE, person
from tests.test_cli import cli_env

ROOT = Path(__file__).resolve().parent.parent


def waypoint(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=cli_env(home, PASSPHRASE),
                          capture_output=True, encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_agenda_json_and_text_and_ics(services: AppServices, vault_dir: Path, home: Path, tmp_path: Path) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    session = created.session
    client = session.clients.create(person(first_name="Odalys"))
    start = datetime(2020, 3, 2, 9, 30)  # long past: its occurrences are overdue whatever today is
    past = session.follow_ups.schedule(client.id, FollowUpFields(
        FollowUpType.PHONE, start, start + timedelta(minutes=20), "America/Chicago",
        recurrence=Recurrence(Frequency.WEEKLY, count=3)))
    session.follow_ups.set_status(past.id, datetime(2020, 3, 9, 9, 30), Status.COMPLETED)
    future = datetime(2099, 1, 5, 14)
    session.follow_ups.schedule(client.id, FollowUpFields(FollowUpType.HOME_VISIT, future, future + timedelta(hours=1),
                                                          "America/Chicago", location="Odalys's flat"))
    code = client.client_code
    session.close()

    result = waypoint(home, "agenda", vault_dir, "--from", "2020-03-01", "--days", "21", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["start"], r["type"], r["status"], r["overdue"]) for r in rows] == [
        ("2020-03-02T09:30-06:00", "phone", "scheduled", True),
        ("2020-03-09T09:30-05:00", "phone", "completed", False),  # after the DST change: same wall time
        ("2020-03-16T09:30-05:00", "phone", "scheduled", True)]
    assert {r["id"] for r in rows} == {past.id} and {r["client_id"] for r in rows} == {client.id}
    assert {r["client_code"] for r in rows} == {code}

    text = waypoint(home, "agenda", vault_dir, "--from", "2099-01-01", "--days", "7")
    assert text.returncode == 0 and code in text.stdout and "Home visit" in text.stdout and "OVERDUE" not in text.stdout
    assert "Odalys" not in text.stdout

    bad = waypoint(home, "agenda", vault_dir, "--from", "next tuesday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr

    out = tmp_path / "cal" / "follow-ups.ics"
    exported = waypoint(home, "export-ics", vault_dir, out, "--days", "366")
    assert exported.returncode == 0, exported.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert events == [] or all(code in str(e["SUMMARY"]) for e in events)
    assert b"Odalys" not in out.read_bytes()


def test_agenda_piped_into_a_reader_that_stops_early_ends_quietly(services: AppServices, vault_dir: Path,
                                                                   home: Path) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    session = created.session
    client = session.clients.create(person(first_name="Odalys"))
    start = datetime(2099, 1, 5, 9)
    for hour in range(8):  # more lines than a pipe holds, so the writer is still writing when the reader goes
        at = start + timedelta(hours=hour)
        session.follow_ups.schedule(client.id, FollowUpFields(FollowUpType.PHONE, at, at + timedelta(minutes=20),
                                                              "UTC", recurrence=Recurrence(Frequency.DAILY)))
    session.close()
    proc = subprocess.Popen([sys.executable, "-m", "app", "agenda", str(vault_dir), "--from", "2099-01-05",
                             "--days", "366"], cwd=ROOT, env=cli_env(home, PASSPHRASE), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # like `| head -1`: read a line, then go away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert b"Phone call" in first and "Broken pipe" not in err and "Traceback" not in err
