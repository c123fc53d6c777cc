"""`waypoint report` run as a user runs it (a subprocess): the consent check decides what may go
to a recipient (exit 1 naming what isn't covered, nothing written), an override reason is
recorded, every export to a recipient is in the accounting of disclosures, the PDF is private and
optionally password-protected, and mistakes in the options are sentences with exit 2."""

from __future__ import annotations

import io
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.models.consent import InfoType
from app.models.contacts import ContactFields, ContactKind
from app.services import reporting
from app.services.context import AppServices
from tests.conftest import PASSPHRASE, person
from tests.test_cli_agenda import waypoint
from tests.test_consents import release

T = InfoType
NAME = ("Nguyễn Thị", "Ánh")


@pytest.fixture
def vault(services: AppServices, vault_dir: Path) -> dict[str, str]:
    """A vault with one client and three recipients: valid (demographics + care plan), expired, none."""
    session = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE).session
    today = session.clock.today()
    client = session.clients.create(person(first_name=NAME[0], last_name=NAME[1]))
    ids = {"client": client.id}
    for key, name in (("valid", "Dr Ольга Петрова"), ("expired", "Zoë Ødegård"), ("none", "Harbor Housing")):
        ids[key] = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, name,
                                                         organisation="Riverside CMHC")).id
    session.consents.create(client.id, release(ids["valid"], information=(T.DEMOGRAPHICS, T.CARE_PLAN)))
    session.consents.create(client.id, release(ids["expired"], signed_on=today - timedelta(days=400),
                                               expires_on=today - timedelta(days=2)))
    session.close()
    return ids


def label(section: str) -> str:
    return reporting.kind("summary").section_labels()[section]


def disclosures(services: AppServices, vault_dir: Path, client_id: str) -> list:  # type: ignore[type-arg]
    session = services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    try:
        return session.consents.disclosures(client_id)
    finally:
        session.close()


def test_a_report_without_a_recipient(home: Path, vault_dir: Path, vault: dict[str, str], tmp_path: Path,
                                      services: AppServices) -> None:
    out = tmp_path / "summary.pdf"
    result = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "summary", out)
    assert result.returncode == 0, result.stderr
    n = len(reporting.kind("summary").default_sections)
    assert result.stdout.strip() == f"Wrote {out} ({n} sections)"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "Ánh" in text and "Prepared for" not in text
    assert NAME[1] not in result.stdout + result.stderr
    assert disclosures(services, vault_dir, vault["client"]) == []


def test_a_recipient_without_a_covering_release_stops_with_exit_1(home: Path, vault_dir: Path,
                                                                  vault: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    result = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "summary", out,
                      "--recipient", vault["valid"])
    assert result.returncode == 1
    for uncovered in ("scores", "trends", "safety_plan"):
        assert label(uncovered) in result.stderr
    assert "(valid)" in result.stderr and "Nothing was written" in result.stderr
    assert not out.exists() and list(out.parent.glob(".*tmp*")) == []
    expired = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "summary", out,
                       "--recipient", vault["expired"])
    assert expired.returncode == 1 and "release: expired" in expired.stderr and not out.exists()
    none = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "safety-plan", out,
                    "--recipient", vault["none"])
    assert none.returncode == 1 and "release: no release" in none.stderr and not out.exists()


def test_covered_sections_go_out_and_are_recorded(home: Path, vault_dir: Path, vault: dict[str, str],
                                                  tmp_path: Path, services: AppServices) -> None:
    result = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "summary", tmp_path,
                      "--recipient", vault["valid"], "--sections", "identity,goals,team")
    assert result.returncode == 0, result.stderr
    written = [p for p in tmp_path.glob("waypoint-summary-*.pdf")]
    assert len(written) == 1 and "Ánh" not in written[0].name
    assert result.stdout.splitlines() == [f"Wrote {written[0]} (3 sections)",
                                          "Recorded 1 disclosure in the accounting of disclosures."]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(written[0].read_bytes())).pages)
    assert "Prepared for Dr Ольга Петрова · Riverside CMHC" in text
    [entry] = disclosures(services, vault_dir, vault["client"])
    assert entry.consent_valid and entry.method == "saved" and entry.purpose == "Coordination of care"
    assert entry.sections == (T.DEMOGRAPHICS, T.CARE_PLAN) and entry.contact_id == vault["valid"]


def test_an_override_reason_sends_everything_and_is_recorded(home: Path, vault_dir: Path, vault: dict[str, str],
                                                             tmp_path: Path, services: AppServices) -> None:
    out = tmp_path / "summary.pdf"
    pw = tmp_path / "pw.txt"
    pw.write_text("otter meadow 19\n", encoding="utf-8")
    result = waypoint(home, "report", vault_dir, "--client", vault["client"], "--kind", "summary", out,
                      "--recipient", vault["expired"], "--override-reason", "Court order 2026-114",
                      "--purpose", "Court-ordered disclosure", "--password-file", pw,
                      "--sections", ",".join(reporting.kind("summary").sections))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.is_encrypted and reader.decrypt("otter meadow 19") != 0
    assert "Ánh" in reader.pages[0].extract_text()
    [entry] = disclosures(services, vault_dir, vault["client"])
    assert entry.overridden_reason == "Court order 2026-114" and not entry.consent_valid
    assert entry.method == "saved, password-protected" and entry.purpose == "Court-ordered disclosure"
    assert entry.part2 and entry.notice_version == "1"  # the substance-use section went out on the override


def test_reports_about_no_client_and_periods(home: Path, vault_dir: Path, vault: dict[str, str],
                                             tmp_path: Path) -> None:
    out = tmp_path / "mileage.pdf"
    result = waypoint(home, "report", vault_dir, "--kind", "mileage", out, "--from", "2026-10-01", "--to",
                      "2026-10-31")
    assert result.returncode == 0, result.stderr
    assert out.exists()
    notes = tmp_path / "notes.pdf"
    result = waypoint(home, "report", vault_dir, "--kind", "notes", "--client", vault["client"], notes,
                      "--from", "2026-01-01", "--to", "2026-11-30", "--deidentify")
    assert result.returncode == 0, result.stderr
    assert "Ánh" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(notes.read_bytes())).pages)


@pytest.mark.parametrize(("options", "message"), [
    (("--kind", "horoscope", "--client", "x"), "There is no report called horoscope. Choose from: summary"),
    (("--kind", "summary", "--client", "x", "--sections", "identity,astrology"),
     "Unknown report section astrology. Choose from: identity"),
    (("--kind", "summary"), "add --client ID"),
    (("--kind", "mileage", "--recipient", "x"), "not sent to a recipient"),
    (("--kind", "summary", "--client", "x", "--from", "2026-01-01"), "has no period"),
    (("--kind", "notes", "--client", "x", "--from", "01/02/2026"), "--from needs a date as YYYY-MM-DD"),
    (("--kind", "notes", "--client", "x", "--from", "2026-02-01", "--to", "2026-01-01"), "starts after it ends"),
])
def test_usage_mistakes_are_sentences_with_exit_2(home: Path, vault_dir: Path, vault: dict[str, str],
                                                  tmp_path: Path, options: tuple[str, ...], message: str) -> None:
    out = tmp_path / "x.pdf"
    result = waypoint(home, "report", vault_dir, out, *options)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_an_unknown_client_or_recipient_is_exit_1(home: Path, vault_dir: Path, vault: dict[str, str],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    result = waypoint(home, "report", vault_dir, out, "--kind", "summary", "--client", "no-such-client")
    assert result.returncode == 1 and "could not be found" in result.stderr and not out.exists()
    result = waypoint(home, "report", vault_dir, out, "--kind", "summary", "--client", vault["client"],
                      "--recipient", "no-such-contact")
    assert result.returncode == 1 and "could not be found" in result.stderr and not out.exists()


def test_the_caseload_report_needs_no_client_and_can_be_deidentified(
        services: AppServices, vault_dir: Path, home: Path, tmp_path: Path) -> None:
    from app.services import demo

    session = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE).session
    demo.populate(session, 4, seed=11)
    names = [r.last_name for r in session.clients.roster(include_archived=True)]
    session.close()
    out = tmp_path / "caseload.pdf"
    result = waypoint(home, "report", vault_dir, out, "--kind", "caseload", "--deidentify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {out} (")
    assert " clients" not in result.stderr  # the counter is for a terminal, not a pipe or a log
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert text and not [n for n in names if n in text]
    assert not [n for n in names if n in result.stdout + result.stderr]
