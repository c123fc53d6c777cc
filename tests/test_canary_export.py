"""SECURITY: exporting reports (saved, password-protected, printed, FHIR, the CLI) leaves the client's
data nowhere but the chosen output files — not in the vault folder, the app's home (logs with debug
on, settings, temp), the system temp folder or the working folder — and a password-protected PDF
does not give it up without its password."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from app.models.consent import InfoType
from app.models.contacts import ContactFields, ContactKind
from app.reports.engine import Letterhead
from app.services import report_export
from app.services.context import AppServices
from app.services.fhir_export import write_fhir
from app.services.logs import configure_logging
from app.services.reporting import ReportRequest
from tests.conftest import PASSPHRASE, person
from tests.test_cli import cli_env
from tests.test_consents import release

CANARIES = ("Vexicanary", "Qorbcanäry", "Zimcanary Lane")
SECTIONS = ("identity", "status", "scores", "goals", "team", "follow_ups")
SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
ROOT = Path(__file__).resolve().parent.parent


def encodings(text: str) -> list[bytes]:
    forms = {unicodedata.normalize(f, text) for f in ("NFC", "NFD")}
    return [f.encode(e) for f in forms for e in ("utf-8", "utf-16-le", "utf-16-be")]


def files(root: Path, since: float | None) -> Iterator[Path]:
    """Every file under `root`. Under the system temp folder, pytest's own folders are left out:
    tests running at the same time keep their synthetic canaries there (each sweep scans its own
    tmp_path by name); the app's temporary files would be elsewhere in it."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS
                   and not (Path(folder).resolve() == temp_root and d.startswith("pytest-of-"))]
        for name in names:
            path = Path(folder) / name
            try:
                if path.is_symlink() or not path.is_file() or (since and path.stat().st_mtime < since):
                    continue
                if path.stat().st_size > 64 * 1024 * 1024:
                    continue
            except OSError:
                continue
            yield path


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = PdfReader(io.BytesIO(data), password=password)
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def hits(root: Path, allowed: set[Path], since: float | None = None,
         canaries: tuple[str, ...] = CANARIES) -> list[str]:
    """Every file under `root` but the allowed ones holding a canary — as bytes, or as PDF text
    (a PDF's text is encoded, so a stray unencrypted PDF is read as a reader would)."""
    needles = [e for canary in canaries for e in encodings(canary)]
    found = []
    for path in files(root, since):
        if path in allowed:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(n in data for n in needles):
            found.append(f"{path}: bytes")
        elif data.startswith(b"%PDF"):
            try:
                text = pdf_text(data)
            except Exception:  # an encrypted or broken PDF: nothing a reader could see
                continue
            if any(c in text for c in canaries):
                found.append(f"{path}: PDF text")
    return found


def test_exports_leave_client_data_only_in_the_chosen_files(services: AppServices, vault_dir: Path, home: Path,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.time() - 1
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    configure_logging(services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)

    session = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE).session
    client = session.clients.create(person(first_name=CANARIES[0], last_name=CANARIES[1],
                                           address_line1=CANARIES[2]))
    session.screening.record(client.id, "phq9", dict.fromkeys(map(str, range(1, 10)), 2))
    contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Imani Okafor",
                                                   organisation="Riverside Community Health")).id
    session.consents.create(client.id, release(contact, information=(
        InfoType.DEMOGRAPHICS, InfoType.SCREENING_RESULTS, InfoType.CARE_PLAN)))

    out = tmp_path / "chosen"
    out.mkdir()
    letterhead = Letterhead("Riverbend Community Mental Health")
    request = ReportRequest("summary", client.id, SECTIONS)
    prepared = report_export.prepare(session, request, letterhead, contact_id=contact)
    plain = report_export.save(session, prepared, out / "plain.pdf")
    locked = report_export.save(session, prepared, out / "locked.pdf", password="heron 77 lantern")
    assert report_export.record_print(session, prepared) is not None
    # a preview of another kind, built and thrown away without saving
    report_export.prepare(session, ReportRequest("notes", client.id), letterhead)
    bundle, _count = write_fhir(session, client.id, out / "bundle.json", contact_id=contact)
    session.close()

    cli_out = out / "cli.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "app", "--debug", "report", str(vault_dir), str(cli_out), "--kind", "summary",
         "--client", client.id, "--recipient", contact, "--sections", ",".join(SECTIONS)],
        cwd=work, env=cli_env(home, PASSPHRASE), capture_output=True, encoding="utf-8", timeout=120,
        stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, result.stderr
    assert not any(c in result.stdout + result.stderr for c in CANARIES)
    for handler in logging.getLogger().handlers:
        handler.flush()

    # The chosen files hold what was asked for ...
    assert CANARIES[0] in pdf_text(plain.read_bytes()) and CANARIES[0] in pdf_text(cli_out.read_bytes())
    assert CANARIES[1] in bundle.read_text("utf-8")
    # ... the password-protected one only behind its password ...
    data = locked.read_bytes()
    assert not any(n in data for c in CANARIES for n in encodings(c))
    with pytest.raises(FileNotDecryptedError):
        pdf_text(data)
    assert CANARIES[0] in pdf_text(data, "heron 77 lantern")
    # ... and nothing else anywhere does.
    allowed = {plain, cli_out, bundle}
    assert hits(tmp_path, allowed) == []  # the vault folder, the app's home (logs, settings, temp), cwd
    assert hits(vault_dir, allowed) == [] and hits(home, allowed) == [] and hits(work, allowed) == []
    assert hits(Path(tempfile.gettempdir()), allowed, since=started) == []
    assert hits(ROOT, allowed, since=started) == []
    assert any(services.paths.log_dir.iterdir())  # debug logging really was on and written
