"""The canary sweep across every feature (SECURITY.md tests 1, 4, 5 and 18).

One scripted session on a demo vault: canaries are written through every kind of record (client,
edit, screening, assessment, tier, safety plan, care plan, note, attachment, follow-up,
transition, release, disclosure, care team, service referral, mileage, draft) and into a
contact; the session searches and sorts, exports a report (plain and password-protected), a FHIR
bundle, a document, the calendar and the emergency kit to a chosen folder, takes a backup, locks,
unlocks and quits — with debug logging on. Afterwards:

- no canary (UTF-8, UTF-16, NFC and NFD; as bytes or as the text of an unencrypted PDF) is in
  any file but the chosen exports — not in the vault folder, the app's home (logs, settings,
  temp, backups), the system temp folder, the working folder or the repository;
- no passphrase, recovery key or data key is in any file but the emergency kit the user chose;
- every export has a neutral name, is 0600, was written atomically (a failed write leaves the
  old file and no temporary one) and is in the audit trail, whose entries hold no canary;
- every file is 0600 and every folder 0700.
(tests/gui/test_canary_sweep.py does the same through the widgets for the client form.)
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.models.contacts import ContactFields, ContactKind
from app.reports.engine import Letterhead
from app.services import demo, report_export
from app.services.calendar_export import export_ics
from app.services.context import AppServices
from app.services.exports import save_emergency_kit
from app.services.fhir_export import write_fhir
from app.services.logs import configure_logging
from app.services.reporting import ReportRequest
from app.services.session import Session
from tests.reliability.conftest import KINDS, SAVERS, context
from tests.test_canary_export import ROOT, encodings, hits, pdf_text

CANARIES = ("Xylokanary", "Quillkanäry", "Ødekanarya")  # used by no other test
PASSPHRASE = "canary sweep: \"quartz\" \\ otter 🦦 lamp Ánh"
NEUTRAL = ("waypoint-",)


def _modes(root: Path) -> list[str]:
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != (0o700 if path.is_dir() else 0o600):
            wrong.append(f"{path}: {oct(mode)}")
    return wrong


def _audit(session: Session) -> list[tuple[str, str, str, str]]:
    return [(e.action, e.object_type, e.object_id, e.detail) for e in session.audit_repo().entries()]


@pytest.mark.slow
def test_every_feature_leaves_client_data_only_in_the_vault_and_the_chosen_exports(
    services: AppServices, vault_dir: Path, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.time() - 1
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    log_file = configure_logging(services.paths.log_dir, debug=True)
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("waypoint.reliability").debug("canary sweep: debug logging on")

    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    recovery_key, dek, session = created.recovery_key, created.session.vault.dek, created.session
    demo.populate(session, 6, seed=3)
    ctx = context(session)
    contact = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, f"Dr {CANARIES[2]}",
                                                    organisation=f"{CANARIES[2]} Clinic"))
    ctx.contact_id = contact.id
    # Write: every kind of record, with each canary.
    tokens: dict[str, list[str]] = {}
    for n, canary in enumerate(CANARIES[:2]):
        for kind in KINDS:
            tokens.setdefault(kind, []).append(SAVERS[kind](session, ctx, n, canary))
    canary_client = tokens["client"][0]
    from tests.test_consents import release

    session.consents.create(canary_client, release(contact.id))
    # Search and sort.
    assert canary_client in session.clients.search_ids(CANARIES[0].lower())
    assert session.notes.clients_matching(CANARIES[1]) == {ctx.client_id: 1}
    assert session.notes.search(ctx.client_id, CANARIES[0])
    assert sorted(session.clients.roster(), key=lambda r: r.sort_name)

    # Export to a chosen folder: reports, FHIR, a document, the calendar, the emergency kit.
    chosen = tmp_path / "chosen"
    chosen.mkdir(mode=0o700)
    letterhead = Letterhead("Riverbend Community Mental Health")
    prepared = report_export.prepare(session, ReportRequest("summary", canary_client,
                                                            ("identity", "status", "team", "follow_ups")),
                                     letterhead, contact_id=contact.id)
    plain = report_export.save(session, prepared, chosen)
    locked = report_export.save(session, prepared, chosen / "locked.pdf", password="heron 77 lantern")
    notes_pdf = report_export.save(session, report_export.prepare(session, ReportRequest("notes", ctx.client_id),
                                                                  letterhead), chosen)
    bundle, _count = write_fhir(session, canary_client, chosen)
    document = session.attachments.export(tokens["attachment"][0], chosen)
    calendar, events = export_ics(session, chosen)
    kit = save_emergency_kit(session, recovery_key, chosen)
    exports = [plain, notes_pdf, bundle, document, calendar, kit]
    assert events >= 1 and len({p.name for p in exports}) == len(exports)

    # Atomic: a write that fails leaves the old file and no temporary one, and is not audited.
    failing: list[tuple[str, Callable[[], object]]] = [
        ("report", lambda: report_export.save(session, prepared, plain)),
        ("fhir", lambda: write_fhir(session, canary_client, bundle)),
        ("calendar", lambda: export_ics(session, calendar)),
    ]
    for what, export in failing:
        target = {"report": plain, "fhir": bundle, "calendar": calendar}[what]
        previous = target.read_bytes()
        audited = len(_audit(session))
        names = sorted(p.name for p in chosen.iterdir())

        def refuse(src: object, dst: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", refuse)
        with pytest.raises((OSError, ValueError)):
            export()
        monkeypatch.undo()
        monkeypatch.chdir(work)
        assert target.read_bytes() == previous, f"{what}: the old file was damaged"
        assert sorted(p.name for p in chosen.iterdir()) == names, f"{what}: a temporary file was left"
        assert len(_audit(session)) == audited, f"{what}: a failed export was recorded"

    backup = services.backups.backup_now(session).path
    entries = _audit(session)
    session.close()  # lock
    services.vaults.unlock(vault_dir, passphrase=PASSPHRASE).close()  # unlock, quit
    for handler in logging.getLogger().handlers:
        handler.flush()

    # 18: neutral names, 0600, audited (ids and counts only).
    for path in [*exports, locked, backup]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert not any(c.lower() in path.name.lower() for c in CANARIES)
    assert all(p.name.startswith(NEUTRAL) for p in exports), [p.name for p in exports]
    actions = [a for a, *_rest in entries]
    for action, count in (("report.export", 3), ("export.fhir", 1), ("attachment.export", 1), ("export.ics", 1),
                          ("export.emergency_kit", 1), ("backup.create", 1)):
        assert actions.count(action) == count, (action, actions.count(action))
    needles = [c.lower() for c in CANARIES] + [f.lower() for f in ("Riverbend", "heron")]
    leaked = [e for e in entries if any(n in " ".join(e).lower() for n in needles)]
    assert leaked == []

    # 1 and 4: canaries only in the chosen exports; secrets only in the kit.
    allowed = set(exports)
    assert hits(tmp_path, allowed, canaries=CANARIES) == []  # vault, home (logs, settings, temp, backups), cwd
    assert hits(Path(tempfile.gettempdir()), allowed, since=started, canaries=CANARIES) == []
    assert hits(ROOT, allowed, since=started, canaries=CANARIES) == []
    secrets = [e for s in (PASSPHRASE, recovery_key, recovery_key.replace("-", ""), dek.hex()) for e in encodings(s)]
    for path in [*tmp_path.rglob("*")]:
        if path.is_file() and path != kit:
            data = path.read_bytes()
            assert not any(s in data for s in secrets), f"a secret is in {path}"
    # The chosen files do hold what was asked for (so the sweep could have seen it).
    assert CANARIES[0] in pdf_text(plain.read_bytes()) and CANARIES[0] in bundle.read_text("utf-8")
    assert CANARIES[1] in pdf_text(notes_pdf.read_bytes())
    assert CANARIES[0] not in locked.read_bytes().decode("latin-1")
    assert "DEBUG waypoint.reliability" in log_file.read_text()  # debug logging really was on and written

    # 5: every file 0600, every folder 0700.
    assert _modes(vault_dir) == [] and _modes(home) == [] and _modes(chosen) == []
