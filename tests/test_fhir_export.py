"""FHIR R4 export of one client: every demo client's bundle validates with fhir.resources' R4B
models, every reference resolves inside the bundle, the only LOINC codes are the verified ones
(each on the right instrument), note bodies stay out, and the file and the CLI behave like the
other exports (0600, audited with ids only, exit codes)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from app.models.notes import ContactType, NoteFields, NoteSection
from app.services import demo, instruments
from app.services.context import AppServices
from app.services.errors import NotFound
from app.services.fhir_export import export_fhir, write_fhir
from app.services.session import Session
from app.services.settings import Settings
from tests.conftest import PASSPHRASE, person
from tests.test_cli import cli_env

ROOT = Path(__file__).resolve().parent.parent
LOINC = "http://loinc.org"
# CASE_RECORD.md, "FHIR R4 export": the verified codes, written out here independently of the code.
TOTALS = {"phq9": "44261-6", "phq2": "55758-7", "gad7": "70274-6", "auditc": "75626-2", "dast10": "82667-7"}
PANELS = {"phq9": "44249-1", "phq2": "55757-9", "gad7": "69737-5"}
NOTE_CANARY = "Kestrel-canary told me about the eviction at Juniper Court"


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def walk(value: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key`, anywhere in the document."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key:
                yield v
            yield from walk(v, key)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)


def check_structure(bundle: dict[str, Any]) -> None:
    """Validates as R4B; fullUrls unique urn:uuids matching the ids; every reference resolves."""
    parsed = Bundle.model_validate(bundle)
    assert parsed.type == "collection"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    references = list(walk(bundle, "reference"))
    assert references and set(references) <= set(urls)
    canonicals = {f"{q['url']}|{q['version']}" for q in resources(bundle, "Questionnaire")}
    assert {r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")} <= canonicals


def codings(value: Any) -> Iterator[dict[str, Any]]:
    """Every object with a `system` (a Coding, or an Identifier), anywhere in the document."""
    if isinstance(value, dict):
        if "system" in value:
            yield value
        for v in value.values():
            yield from codings(v)
    elif isinstance(value, list):
        for v in value:
            yield from codings(v)


def loinc_codes(bundle: dict[str, Any]) -> set[str]:
    return {c["code"] for c in codings(bundle) if c["system"] == LOINC}


def instrument_of(bundle: dict[str, Any], observation: dict[str, Any]) -> str:
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    response = by_url[observation["derivedFrom"][0]["reference"]]
    return str(response["questionnaire"]).split("|")[0].rsplit(":", 1)[1]


@pytest.fixture
def demo_session(services: AppServices, vault_dir: Path) -> Iterator[Session]:
    created = services.vaults.create(vault_dir, PASSPHRASE, demo=True)
    demo.populate(created.session, 15, seed=6)
    yield created.session
    if created.session.is_open:
        created.session.close()


def test_every_demo_clients_bundle_validates_and_resolves(demo_session: Session) -> None:
    settings = Settings(case_manager_name="Robin Ashdown", case_manager_credentials="LCSW",
                        practice_name="Harbour Lane Case Management", practice_address="1 Harbour Lane")
    rows = demo_session.clients.roster(include_archived=True)
    assert len(rows) == 15
    seen: set[str] = set()
    for row in rows:
        bundle = export_fhir(demo_session, row.id, settings)
        check_structure(bundle)
        kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
        seen |= kinds
        [patient] = resources(bundle, "Patient")
        assert patient["identifier"] == [{"system": "urn:waypoint:client-code", "value": row.client_code}]
        assert any(n.get("family") == row.last_name for n in patient.get("name", []))
        [practitioner] = resources(bundle, "Practitioner")
        assert practitioner["name"] == [{"text": "Robin Ashdown"}]
        assert resources(bundle, "Organization")[0]["name"] == "Harbour Lane Case Management"
        history = demo_session.screening.history(row.id)
        assert len(resources(bundle, "QuestionnaireResponse")) == len(history)
        assert len(resources(bundle, "RiskAssessment")) == len(demo_session.risk.history(row.id))
        # Care plan: goals address the needs, the plan points at both.
        for plan in resources(bundle, "CarePlan"):
            assert plan["intent"] == "plan"
            conditions = {f"urn:uuid:{c['id']}" for c in resources(bundle, "Condition")}
            goals = resources(bundle, "Goal")
            assert {r["reference"] for r in plan.get("addresses", [])} == conditions
            assert {r["reference"] for r in plan.get("goal", [])} == {f"urn:uuid:{g['id']}" for g in goals}
            assert all(g["addresses"][0]["reference"] in conditions for g in goals)
    # The demo has every kind of record somewhere across its clients.
    assert seen >= {"Patient", "Practitioner", "Organization", "Questionnaire", "QuestionnaireResponse",
                    "Observation", "RiskAssessment", "Condition", "Goal", "CarePlan", "ServiceRequest",
                    "Appointment", "Encounter"}
    assert "Consent" not in seen  # not in the vault yet


def test_demo_bundles_carry_only_verified_loinc_codes(demo_session: Session) -> None:
    for row in demo_session.clients.roster(include_archived=True):
        bundle = export_fhir(demo_session, row.id)
        assert loinc_codes(bundle) <= set(TOTALS.values()) | set(PANELS.values())
        for obs in resources(bundle, "Observation"):
            instrument = instrument_of(bundle, obs)
            codes = [c["code"] for c in obs["code"].get("coding", [])]
            assert codes == ([TOTALS[instrument]] if instrument in TOTALS else []), instrument
            assert obs["code"]["text"]


def test_each_instrument_gets_its_verified_code_and_nothing_else(session: Session) -> None:
    client = session.clients.create(person())
    catalog = instruments.catalog()
    for instrument in catalog.values():
        answers = {item.id: max(item.values) for item in instrument.items}
        session.screening.record(client.id, instrument.id, answers, on=date(2026, 11, 20))
    tier = session.risk.record(client.id, session.risk.compute(client.id))
    bundle = export_fhir(session, client.id)
    check_structure(bundle)

    by_instrument = {instrument_of(bundle, o): o for o in resources(bundle, "Observation")}
    assert set(by_instrument) == set(catalog)  # every instrument scored (C-SSRS as its risk level)
    for instrument_id, obs in by_instrument.items():
        codes = {c["code"] for c in obs["code"].get("coding", []) if c["system"] == LOINC}
        assert codes == ({TOTALS[instrument_id]} if instrument_id in TOTALS else set()), instrument_id
        assert obs["category"][0]["coding"][0]["code"] == "survey"
        admin = session.screening.latest(client.id)[instrument_id]
        if admin.total is not None:
            assert obs["valueInteger"] == admin.total
            assert {"text": admin.band} in obs.get("interpretation", []) or admin.band is None
        else:
            assert obs["valueCodeableConcept"] == {"text": admin.risk}
    panels = {q["url"].rsplit(":", 1)[1]: [c["code"] for c in q.get("code", [])]
              for q in resources(bundle, "Questionnaire")}
    assert panels == {i: ([PANELS[i]] if i in PANELS else []) for i in catalog}
    assert loinc_codes(bundle) == set(TOTALS.values()) | set(PANELS.values())
    phq9 = next(q for q in resources(bundle, "Questionnaire") if q["url"].endswith(":phq9"))
    assert "Spitzer" in phq9["copyright"]

    [risk] = resources(bundle, "RiskAssessment")
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == tier.tier.value
    assert risk["method"]["text"] == tier.result.rule_version
    obs_urls = {f"urn:uuid:{o['id']}" for o in by_instrument.values()}
    basis = {b["reference"] for b in risk["basis"]}
    assert basis <= obs_urls and {instrument_of(bundle, o) for o in by_instrument.values()
                                  if f"urn:uuid:{o['id']}" in basis} >= {"phq9", "gad7", "cssrs_screener"}


def test_note_bodies_stay_out_and_contacts_become_encounters(session: Session) -> None:
    client = session.clients.create(person(first_name="Thandiwe", last_name="Okonkwo-Reyes"))
    fields = NoteFields(ContactType.HOME_VISIT, date(2026, 11, 25), start_time=time(14, 0), duration_min=45,
                        location="Juniper Court", sections={NoteSection.NOTE: NOTE_CANARY})
    note = session.notes.save_draft(client.id, fields)
    session.notes.sign(note.id)
    session.notes.save_draft(client.id, NoteFields(ContactType.PHONE, date(2026, 11, 26), start_time=time(9, 0),
                                                   sections={NoteSection.NOTE: "Draft " + NOTE_CANARY}))
    text = json.dumps(export_fhir(session, client.id), ensure_ascii=False)
    assert "Kestrel-canary" not in text and "Juniper" not in text
    bundle = json.loads(text)
    [encounter] = resources(bundle, "Encounter")  # the signed note only
    assert encounter["status"] == "finished" and encounter["class"]["code"] == "HH"
    assert encounter["period"] == {"start": "2026-11-25"} and encounter["length"]["value"] == 45


def test_upcoming_follow_ups_become_appointments(session: Session) -> None:
    from datetime import datetime

    from app.models.follow_ups import FollowUpFields, FollowUpType

    client = session.clients.create(person())
    start = datetime(2026, 12, 3, 10)
    session.follow_ups.schedule(client.id, FollowUpFields(FollowUpType.OFFICE, start, start + timedelta(hours=1),
                                                          "America/New_York", purpose="Talk about the lease"))
    bundle = export_fhir(session, client.id)
    check_structure(bundle)
    [appointment] = resources(bundle, "Appointment")
    assert appointment["status"] == "booked"
    assert appointment["start"] == "2026-12-03T10:00:00-05:00" and appointment["end"] == "2026-12-03T11:00:00-05:00"
    assert "lease" not in json.dumps(bundle)


def test_unknown_client_raises_not_found(session: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        export_fhir(session, "no-such-client")
    with pytest.raises(NotFound):
        write_fhir(session, "no-such-client", tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()


def test_write_is_private_atomic_and_audited_with_ids_only(session: Session, tmp_path: Path) -> None:
    client = session.clients.create(person(first_name="Marisol", last_name="Vantongeren"))
    session.screening.record(client.id, "phq9", dict.fromkeys(map(str, range(1, 10)), 1))
    path, count = write_fhir(session, client.id, tmp_path)
    assert path == tmp_path / "waypoint-fhir-export.json"  # neutral name, no client name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    bundle = json.loads(path.read_text("utf-8"))
    check_structure(bundle)
    assert count == len(bundle["entry"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left
    rows = session.connection.execute(
        "SELECT object_type, object_id, detail FROM audit WHERE action = 'export.fhir'").fetchall()
    assert rows == [("client", client.id, f"resources={count}")]
    everything = " ".join(" ".join(map(str, r)) for r in session.connection.execute("SELECT * FROM audit"))
    for secret in ("Marisol", "Vantongeren", client.client_code, "PHQ"):
        assert secret not in everything


def _waypoint(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=cli_env(home, PASSPHRASE),
                          capture_output=True, encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL, check=False)


def test_cli_export_fhir(services: AppServices, vault_dir: Path, home: Path, tmp_path: Path) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    client = created.session.clients.create(person(first_name="Ingrid", last_name="Sæterdal"))
    created.session.screening.record(client.id, "gad7", dict.fromkeys(map(str, range(1, 8)), 2))
    created.session.close()
    out = tmp_path / "exports" / "bundle.json"

    result = _waypoint(home, "export-fhir", vault_dir, "--client", client.id, out)
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout and "Ingrid" not in result.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    bundle = json.loads(out.read_text("utf-8"))
    check_structure(bundle)
    assert resources(bundle, "Patient")[0]["name"][0]["family"] == "Sæterdal"
    assert loinc_codes(bundle) == {"70274-6", "69737-5"}

    missing = _waypoint(home, "export-fhir", vault_dir, "--client", "no-such-client", tmp_path / "x.json")
    assert missing.returncode == 1 and "no client with the id no-such-client" in missing.stderr
    assert not (tmp_path / "x.json").exists()

    (tmp_path / "empty").mkdir()
    not_a_vault = _waypoint(home, "export-fhir", tmp_path / "empty", "--client", client.id, tmp_path / "y.json")
    assert not_a_vault.returncode == 1 and "There is no Waypoint vault in" in not_a_vault.stderr
    assert not (tmp_path / "y.json").exists()

    usage = _waypoint(home, "export-fhir", vault_dir, tmp_path / "z.json")  # --client is required
    assert usage.returncode == 2 and "--client" in usage.stderr

    env = cli_env(home, "not the passphrase of this vault")
    wrong = subprocess.run([sys.executable, "-m", "app", "export-fhir", str(vault_dir), "--client", client.id,
                            str(tmp_path / "w.json")], cwd=ROOT, env=env, capture_output=True, encoding="utf-8",
                           timeout=120, stdin=subprocess.DEVNULL, check=False)
    assert wrong.returncode == 3 and not (tmp_path / "w.json").exists()
