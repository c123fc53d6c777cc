"""`waypoint contacts` run as a user runs it (a subprocess): the directory, and one client's care
team with each member's role and release status (none, valid, expired, revoked)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from app.models.contacts import ContactFields, ContactKind, MemberFields
from app.services.context import AppServices
from tests.conftest import PASSPHRASE, person
from tests.test_cli_agenda import waypoint
from tests.test_consents import release


def test_contacts_directory_and_a_care_team_with_release_status(services: AppServices, vault_dir: Path,
                                                                home: Path) -> None:
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    session = created.session
    today = session.clock.today()
    client = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    made = {}
    for name, org in (("Dr Ольга Петрова", "Riverside CMHC"), ("Nguyễn Thị Ánh", "Harbor Housing"),
                      ("Sam Ortiz", "Peer Support Collective"), ("Lee Park", "Eastside Clinic")):
        made[name] = session.contacts.create(ContactFields(ContactKind.PROFESSIONAL, name, role="Therapist",
                                                           organisation=org)).id
    session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Food Bank North"))
    for name, role in (("Dr Ольга Петрова", "Psychiatrist"), ("Nguyễn Thị Ánh", ""), ("Sam Ortiz", "Peer"),
                       ("Lee Park", "GP")):
        session.contacts.add_member(client.id, made[name], MemberFields(role=role))
    session.consents.create(client.id, release(made["Dr Ольга Петрова"], signed_on=today - timedelta(days=30),
                                               expires_on=today + timedelta(days=3000)))
    session.consents.create(client.id, release(made["Nguyễn Thị Ánh"], signed_on=today - timedelta(days=400),
                                               expires_on=today - timedelta(days=1)))
    revoked = session.consents.create(client.id, release(made["Sam Ortiz"], signed_on=today - timedelta(days=30),
                                                         expires_on=today + timedelta(days=3000)))
    session.consents.revoke(revoked.id, today, "In writing, handed to the case manager")
    session.close()

    result = waypoint(home, "contacts", vault_dir, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["name"] for r in rows} == {*made, "Food Bank North"}
    assert all({"id", "name", "organization"} <= r.keys() for r in rows)
    assert next(r for r in rows if r["name"] == "Nguyễn Thị Ánh")["organization"] == "Harbor Housing"

    result = waypoint(home, "contacts", vault_dir, "--client", client.id, "--json")
    assert result.returncode == 0, result.stderr
    team = {r["name"]: (r["role"], r["release"]) for r in json.loads(result.stdout)}
    assert team == {"Dr Ольга Петрова": ("Psychiatrist", "valid"), "Nguyễn Thị Ánh": ("Therapist", "expired"),
                    "Sam Ortiz": ("Peer", "revoked"), "Lee Park": ("GP", "none")}

    text = waypoint(home, "contacts", vault_dir, "--client", client.id)
    assert text.returncode == 0 and "release: valid" in text.stdout and "4 contacts" in text.stdout

    missing = waypoint(home, "contacts", vault_dir, "--client", "no-such-client")
    assert missing.returncode == 1 and "no client with the id" in missing.stderr
