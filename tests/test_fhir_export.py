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
from dataclasses import replace as dataclass_replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from app.models.notes import ContactType, NoteFields, NoteSection
from app.services import demo, instruments
from app.services.context import AppServices
from app.services.errors import NotFound
from app.services.fhir_export import export_fhir, resource_id, write_fhir
from app.services.session import Session
from app.services.settings import Settings
from tests.conftest import PASSPHRASE, person
from tests.test_cli import cli_env

ROOT = Path(__file__).resolve().parent.parent
LOINC = "http://loinc.org"
# CASE_RECORD.md, "FHIR R4 export": the verified codes, written out here independently of the code.
TOTALS = {"phq9": "44261-6", "phq2": "55758-7", "gad7": "70274-6", "auditc": "75626-2", "dast10": "82667-7"}
PANELS = {"phq9": "44249-1", "phq2": "55757-9", "gad7": "69737-5"}
RELEASE_OF_INFORMATION = "64292-6"  # Consent.category
DISCHARGE_SUMMARY = "18842-5"  # DocumentReference.type of the transition / discharge summary
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
    # Consent.provision.actor.reference is itself a Reference: its string is found one level down.
    references = [r for r in walk(bundle, "reference") if isinstance(r, str)]
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
        [practitioner] = [p for p in resources(bundle, "Practitioner")  # the case manager; others receive releases
                          if p["identifier"][0]["system"] == "urn:waypoint:user"]
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
                    "Appointment", "Encounter", "Consent"}


def test_demo_bundles_carry_only_verified_loinc_codes(demo_session: Session) -> None:
    for row in demo_session.clients.roster(include_archived=True):
        bundle = export_fhir(demo_session, row.id)
        assert loinc_codes(bundle) <= {*TOTALS.values(), *PANELS.values(), RELEASE_OF_INFORMATION}
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
    # A signed note entered in error (say, written in this record by mistake) was no contact with this client.
    wrong = session.notes.save_draft(client.id, dataclass_replace(fields, contact_on=date(2026, 11, 24)))
    session.notes.sign(wrong.id)
    assert len(resources(export_fhir(session, client.id), "Encounter")) == 2
    session.notes.mark_entered_in_error(wrong.id, "Written in the wrong client's record")
    [still] = resources(export_fhir(session, client.id), "Encounter")
    assert still["period"] == {"start": "2026-11-25"}


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


# -- releases as Consent, prepared PDFs as DocumentReference, FHIR export to a recipient --------------

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PART2 = {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}


@pytest.fixture
def released(session: Session) -> dict[str, str]:
    """A client with an AUDIT-C and three releases: valid (Part 2, to a practitioner), expired (to an
    organisation), revoked (to a practitioner)."""
    from app.models.consent import InfoType
    from app.models.contacts import ContactFields, ContactKind
    from tests.test_consents import release

    today = session.clock.today()
    client = session.clients.create(person(first_name="Ольга", last_name="Петрова"))
    session.screening.record(client.id, "auditc", {"1": 3, "2": 2, "3": 2}, on=today - timedelta(days=3))
    session.screening.record(client.id, "phq9", dict.fromkeys(map(str, range(1, 10)), 1), on=today)
    ids = {"client": client.id}
    ids["valid"] = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Nguyễn Thị Ánh",
                                                         organisation="Harbor Recovery", npi="1234567893")).id
    ids["expired"] = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Food Bank North")).id
    ids["revoked"] = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Zoë Ødegård")).id
    info = (InfoType.DEMOGRAPHICS, InfoType.SCREENING_RESULTS, InfoType.SUBSTANCE_USE, InfoType.CARE_PLAN)
    ids["valid_release"] = session.consents.create(client.id, release(
        ids["valid"], information=info, part2=True, recipient_name="Dr Nguyễn Thị Ánh",
        purposes=("Coordination of care", "Treatment"))).id
    ids["expired_release"] = session.consents.create(client.id, release(
        ids["expired"], signed_on=today - timedelta(days=400), expires_on=today - timedelta(days=1))).id
    revoked = session.consents.create(client.id, release(ids["revoked"]))
    session.consents.revoke(revoked.id, today, "In writing")
    ids["revoked_release"] = revoked.id
    return ids


def test_releases_become_consents_with_status_period_actor_and_purpose(session: Session,
                                                                       released: dict[str, str]) -> None:
    bundle = export_fhir(session, released["client"])
    check_structure(bundle)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    consents = {c["id"]: c for c in resources(bundle, "Consent")}
    assert len(consents) == 3
    for consent in consents.values():
        assert consent["scope"]["coding"] == [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                               "code": "patient-privacy", "display": "Privacy Consent"}]
        assert [c["code"] for c in consent["category"][0]["coding"]] == [RELEASE_OF_INFORMATION]
        assert consent["category"][0]["coding"][0]["system"] == LOINC
        assert by_url[consent["patient"]["reference"]]["resourceType"] == "Patient"
        assert consent["provision"]["type"] == "permit"
        assert consent["provision"]["actor"][0]["role"]["coding"][0]["code"] == "IRCP"
    valid, expired, revoked = (next(c for c in consents.values() if c["id"] == resource_id("Consent", released[k]))
                               for k in ("valid_release", "expired_release", "revoked_release"))
    assert (valid["status"], expired["status"], revoked["status"]) == ("active", "inactive", "rejected")
    today = session.clock.today()
    assert valid["provision"]["period"] == {"start": (today - timedelta(days=30)).isoformat(),
                                            "end": (today + timedelta(days=335)).isoformat()}
    assert expired["provision"]["period"]["end"] == (today - timedelta(days=1)).isoformat()
    assert revoked["provision"]["period"]["end"] == today.isoformat()  # revoked today
    assert [p["display"] for p in valid["provision"]["purpose"]] == ["Coordination of care", "Treatment"]
    assert "substance_use" in {c["coding"][0]["code"] for c in valid["provision"]["code"]}
    # Part 2: labelled on the resource and in the provision; the others not.
    assert valid["meta"]["security"] == [PART2] and valid["provision"]["securityLabel"] == [PART2]
    assert "meta" not in expired and "securityLabel" not in revoked["provision"]
    # The actors: a practitioner with the NPI, an organisation, each resolving inside the bundle.
    actor = by_url[valid["provision"]["actor"][0]["reference"]["reference"]]
    assert actor["resourceType"] == "Practitioner" and actor["name"] == [{"text": "Dr Nguyễn Thị Ánh"}]
    assert {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"} in actor["identifier"]
    org = by_url[expired["provision"]["actor"][0]["reference"]["reference"]]
    assert org["resourceType"] == "Organization" and org["name"] == "Food Bank North"


def test_substance_use_screens_carry_the_part2_label_and_notice(session: Session, released: dict[str, str]) -> None:
    bundle = export_fhir(session, released["client"])
    notice = session.consents.redisclosure_notice()[1]
    observations = {instrument_of(bundle, o): o for o in resources(bundle, "Observation")}
    assert observations["auditc"]["meta"]["security"] == [PART2]
    assert {"text": notice} in observations["auditc"]["note"]
    assert "meta" not in observations["phq9"] and notice not in json.dumps(observations["phq9"])
    labelled = [r for r in resources(bundle, "QuestionnaireResponse") if "meta" in r]
    assert len(labelled) == 1 and labelled[0]["questionnaire"].startswith("urn:waypoint:questionnaire:auditc|")


def test_to_a_recipient_only_their_releases_go_and_the_disclosure_is_recorded(
        session: Session, released: dict[str, str], tmp_path: Path) -> None:
    import hashlib

    from app.models.consent import InfoType

    path, count = write_fhir(session, released["client"], tmp_path, contact_id=released["valid"])
    data = path.read_bytes()
    bundle = json.loads(data)
    check_structure(bundle)
    assert [c["id"] for c in resources(bundle, "Consent")] == [resource_id("Consent", released["valid_release"])]
    assert "Food Bank North" not in data.decode() and "Ødegård" not in data.decode()
    [entry] = session.consents.disclosures(released["client"])
    assert entry.contact_id == released["valid"] and entry.consent_id == released["valid_release"]
    assert entry.consent_valid and entry.overridden_reason == "" and entry.method == "saved (FHIR JSON)"
    assert entry.content_hash == hashlib.sha256(data).hexdigest()
    assert entry.sections == (InfoType.DEMOGRAPHICS, InfoType.SCREENING_RESULTS, InfoType.SUBSTANCE_USE)
    assert entry.part2 and entry.notice_version == "1"
    assert entry.purpose == "Coordination of care; Treatment"
    assert entry.legal_basis == "Client's authorization (release of information)"
    rows = session.connection.execute("SELECT detail FROM audit WHERE action = 'export.fhir'").fetchall()
    assert rows == [(f"resources={count},contact={released['valid']},disclosure={entry.id}",)]


def test_to_a_recipient_without_a_covering_release_nothing_is_written(session: Session, released: dict[str, str],
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    with pytest.raises(ValueError, match=r"Food Bank North covers everything in the FHIR record \(release: expired\). Not covered: Demographics"):
        write_fhir(session, released["client"], out, contact_id=released["expired"])
    with pytest.raises(ValueError, match="release: revoked"):
        write_fhir(session, released["client"], out, contact_id=released["revoked"])
    assert not out.exists() and session.consents.disclosures(released["client"]) == []
    path, _count = write_fhir(session, released["client"], out, contact_id=released["expired"],
                              override_reason="Court order 2026-114", purpose="Court-ordered disclosure")
    [entry] = session.consents.disclosures(released["client"])
    assert path == out and not entry.consent_valid and entry.overridden_reason == "Court order 2026-114"
    assert entry.purpose == "Court-ordered disclosure"


def test_a_prepared_pdf_becomes_a_document_reference(session: Session, released: dict[str, str]) -> None:
    import base64
    import hashlib

    from app.reports.engine import Letterhead
    from app.services import report_export
    from app.services.fhir_export import document_reference
    from app.services.reporting import ReportRequest

    letterhead = Letterhead("Harbour Lane Case Management")
    from app.services.reporting import kind

    everything = ReportRequest("summary", released["client"], kind("summary").sections)
    prepared = report_export.prepare(session, everything, letterhead)
    bundle = export_fhir(session, released["client"], documents=[prepared])
    check_structure(bundle)
    [doc] = resources(bundle, "DocumentReference")
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf" and attachment["size"] == len(prepared.pdf)
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(prepared.pdf).digest()).decode()
    assert "data" not in attachment and attachment["title"] == prepared.default_name
    assert doc["type"] == {"text": "Client summary"}  # no verified LOINC code for a face sheet
    assert doc["status"] == "current" and doc["subject"]["reference"] == f"urn:uuid:{resources(bundle, 'Patient')[0]['id']}"
    assert doc["securityLabel"] == [{"coding": [PART2]}]  # the face sheet's substance-use section went in
    inlined = export_fhir(session, released["client"], documents=[prepared], inline_documents=True)
    [doc] = resources(inlined, "DocumentReference")
    assert base64.b64decode(doc["content"][0]["attachment"]["data"]) == prepared.pdf
    # The transition / discharge summary is typed with its verified LOINC code.
    transition = dataclass_replace(prepared, request=ReportRequest("transition", released["client"]),
                                   included=("transition",))
    typed = document_reference(transition, "p", "a", "o")
    assert typed["type"]["coding"] == [{"system": LOINC, "code": DISCHARGE_SUMMARY, "display": "Discharge summary"}]
    assert "securityLabel" not in typed


def test_cli_export_fhir_to_a_recipient(services: AppServices, vault_dir: Path, home: Path, tmp_path: Path) -> None:
    from app.models.consent import InfoType
    from app.models.contacts import ContactFields, ContactKind
    from tests.test_consents import release

    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    session = created.session
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    session.screening.record(client.id, "phq9", dict.fromkeys(map(str, range(1, 10)), 1))
    covered = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, "Dr Ольга Петрова")).id
    partly = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing")).id
    session.consents.create(client.id, release(covered, information=(InfoType.DEMOGRAPHICS,
                                                                     InfoType.SCREENING_RESULTS)))
    session.consents.create(client.id, release(partly, information=(InfoType.DEMOGRAPHICS,)))
    session.close()

    out = tmp_path / "bundle.json"
    refused = _waypoint(home, "export-fhir", vault_dir, "--client", client.id, out, "--recipient", partly)
    assert refused.returncode == 1 and "Not covered: Screening results" in refused.stderr
    assert "release: valid" in refused.stderr and "Nothing was written" in refused.stderr and not out.exists()
    result = _waypoint(home, "export-fhir", vault_dir, "--client", client.id, out, "--recipient", covered,
                       "--purpose", "Referral for therapy")
    assert result.returncode == 0, result.stderr
    assert "Recorded 1 disclosure" in result.stdout and "Ødegård" not in result.stdout
    session = services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    try:
        [entry] = session.consents.disclosures(client.id)
    finally:
        session.close()
    assert entry.contact_id == covered and entry.purpose == "Referral for therapy" and entry.consent_valid
