"""The contacts directory and care teams: CRUD, NPI checks, archive-not-delete, the quiet-days rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models.client import Stage
from app.models.contacts import (
    Contact,
    ContactFields,
    ContactKind,
    MemberFields,
    Release,
    TeamMember,
    luhn_valid,
    npi_check_digit,
    npi_problem,
    search_words,
    validate_contact,
)
from app.services.errors import NotFound, ValidationError
from app.services.session import Session
from tests.conftest import person

TODAY = date(2026, 11, 26)


def psychiatrist(**overrides: object) -> ContactFields:
    values: dict[str, object] = {
        "kind": ContactKind.PROFESSIONAL, "name": "Dr Amara Okafor", "role": "Psychiatrist",
        "organisation": "Riverside Community Mental Health", "phone": "(555) 300-1200", "fax": "(555) 300-1299",
        "email": "a.okafor@example.org", "npi": "1234567893",
    }
    values.update(overrides)
    return ContactFields(**values)  # type: ignore[arg-type]


# -- NPI ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("npi", ["1234567893", "1987654328", "1111111112", "2000000002"])
def test_well_formed_npis_pass(npi: str) -> None:
    assert npi_problem(npi) is None


def test_the_check_digit_uses_the_80840_prefix() -> None:
    assert npi_check_digit("123456789") == "3"
    assert luhn_valid("80840" + "1234567893")
    assert not luhn_valid("1234567893")  # without the prefix the same number fails: the prefix matters


@pytest.mark.parametrize(("npi", "words"), [
    ("1234567890", "check digit doesn't match"),
    ("1234567839", "check digit doesn't match"),  # two digits swapped
    ("123456789", "has 10 digits; this one has 9"),
    ("12345678930", "this one has 11"),
    ("12345A7893", "no letters"),
    ("3234567893", "starts with 1 (a person) or 2"),
])
def test_malformed_npis_get_a_clear_sentence(npi: str, words: str) -> None:
    problem = npi_problem(npi)
    assert problem is not None and words in problem


def test_an_npi_typed_with_spaces_is_kept_as_digits(session: Session) -> None:
    contact = session.contacts.create(psychiatrist(npi="123 456 7893"))
    assert contact.fields.npi == "1234567893"


def test_no_npi_is_fine() -> None:
    assert validate_contact(psychiatrist(npi="")) == {}


# -- the directory ------------------------------------------------------------------------------


def test_create_read_update_and_list(session: Session) -> None:
    contact = session.contacts.create(psychiatrist(name="  Dr Amara Okafor "))
    assert contact.name == "Dr Amara Okafor" and contact.summary == "Psychiatrist · Riverside Community Mental Health"
    assert session.contacts.get(contact.id) == contact
    changed = session.contacts.update(contact.id, psychiatrist(phone="(555) 300-1300", notes="Prefers fax"))
    assert changed.fields.phone == "(555) 300-1300" and changed.fields.notes == "Prefers fax"
    clinic = session.contacts.create(ContactFields(ContactKind.ORGANISATION, "Harbor Housing Services",
                                                   role="Supported housing", address_line1="12 Pier Road",
                                                   city="Springfield", region="IL", postal_code="62701"))
    assert clinic.fields.address == "12 Pier Road\nSpringfield, IL 62701"
    assert {c.id for c in session.contacts.directory()} == {contact.id, clinic.id}
    actions = [e.action for e in session.audit_repo().entries()]
    assert actions.count("contact.create") == 2 and "contact.update" in actions


def test_bad_input_names_each_field(session: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        session.contacts.create(ContactFields(ContactKind.NATURAL_SUPPORT, "", phone="12", email="nope",
                                              fax="call me", npi="1234567890"))
    problems = caught.value.problems
    assert set(problems) == {"name", "role", "phone", "email", "fax", "npi"}
    assert "related to the client" in problems["role"]
    assert session.contacts.directory() == []


def test_search_matches_name_role_organisation_and_phone_digits(session: Session) -> None:
    contact = session.contacts.create(psychiatrist(name="Dr Zoë Ødegård"))
    session.contacts.create(ContactFields(ContactKind.ORGANISATION, "County Food Bank", role="Food pantry"))
    found = [c for c in session.contacts.directory() if c.matches(search_words("odegard riverside"))]
    assert [c.id for c in found] == [contact.id]
    assert [c.id for c in session.contacts.directory() if c.matches(search_words("300-1200"))] == [contact.id]
    assert [c.name for c in session.contacts.directory() if c.matches(search_words("pantry"))] == ["County Food Bank"]


def test_an_unused_contact_is_deleted_a_used_one_only_archived(session: Session) -> None:
    client = session.clients.create(person())
    unused = session.contacts.create(psychiatrist(name="Dr Unused", npi=""))
    session.contacts.delete(unused.id)
    with pytest.raises(NotFound):
        session.contacts.get(unused.id)

    used = session.contacts.create(psychiatrist())
    session.contacts.add_member(client.id, used.id, MemberFields("Psychiatrist"))
    assert session.contacts.usage(used.id).teams == ((client.id, "Psychiatrist"),)
    with pytest.raises(ValidationError) as caught:
        session.contacts.delete(used.id)
    assert "Archive it instead" in str(caught.value) and "1 care team" in str(caught.value)
    archived = session.contacts.archive(used.id)
    assert archived.archived
    assert used.id not in {c.id for c in session.contacts.directory()}
    assert used.id in {c.id for c in session.contacts.directory(include_archived=True)}
    assert session.contacts.team(client.id)[0].contact.id == used.id  # still on the team
    assert not session.contacts.unarchive(used.id).archived


# -- the care team ------------------------------------------------------------------------------


def test_a_contact_joins_a_team_once_with_role_release_and_last_contact(session: Session) -> None:
    client = session.clients.create(person())
    contact = session.contacts.create(psychiatrist())
    member = session.contacts.add_member(client.id, contact.id, MemberFields("", Release.YES, TODAY - timedelta(days=3)))
    assert member.role == "Psychiatrist"  # the contact's own role when none is given for this team
    assert member.fields.release is Release.YES and member.added_on == TODAY
    with pytest.raises(ValidationError, match="already on this care team"):
        session.contacts.add_member(client.id, contact.id, MemberFields())
    changed = session.contacts.update_member(member.id, MemberFields("Prescriber", Release.NO, TODAY))
    assert changed.role == "Prescriber" and changed.fields.last_contact_on == TODAY
    with pytest.raises(ValidationError) as caught:
        session.contacts.update_member(member.id, MemberFields("Prescriber", Release.NO, TODAY + timedelta(days=1)))
    assert "future" in caught.value.problems["last_contact_on"]
    session.contacts.remove_member(member.id)
    assert session.contacts.team(client.id) == []
    again = session.contacts.add_member(client.id, contact.id, MemberFields())  # back on the team later
    assert again.id != member.id
    audit = [e for e in session.audit_repo().entries() if e.action.startswith("care_team.")]
    assert [e.action for e in audit] == ["care_team.add", "care_team.update", "care_team.remove", "care_team.add"]
    assert all("Okafor" not in e.detail for e in audit)


def _member(last: date | None, added: date = TODAY - timedelta(days=100)) -> TeamMember:
    contact = Contact("c", ContactFields(name="Someone", role="GP"))
    return TeamMember("m", "k", contact, MemberFields(last_contact_on=last), added)


@pytest.mark.parametrize(("days_ago", "quiet"), [(0, False), (29, False), (30, True), (31, True), (200, True)])
def test_a_member_is_out_of_touch_from_the_thirtieth_day(days_ago: int, quiet: bool) -> None:
    member = _member(TODAY - timedelta(days=days_ago))
    assert member.out_of_touch(TODAY) is quiet
    assert member.days_quiet(TODAY) == days_ago


def test_with_no_contact_recorded_the_days_count_from_joining_the_team() -> None:
    assert not _member(None, added=TODAY - timedelta(days=10)).out_of_touch(TODAY)
    assert _member(None, added=TODAY - timedelta(days=45)).out_of_touch(TODAY)
    assert _member(None, added=TODAY - timedelta(days=45)).out_of_touch(TODAY, days=60) is False


def test_out_of_touch_across_the_caseload_follows_the_setting(session: Session) -> None:
    ana = session.clients.create(person())
    ben = session.clients.create(person(first_name="Ben", last_name="Ortiz"))
    closed = session.clients.create(person(first_name="Cy", last_name="Pham"))
    gp = session.contacts.create(ContactFields(name="Dr Lee", role="GP"))
    sister = session.contacts.create(ContactFields(ContactKind.NATURAL_SUPPORT, "Rosa", role="Sister"))
    quiet = session.contacts.add_member(ana.id, gp.id, MemberFields(last_contact_on=TODAY - timedelta(days=40)))
    session.contacts.add_member(ana.id, sister.id, MemberFields(last_contact_on=TODAY - timedelta(days=5)))
    quieter = session.contacts.add_member(ben.id, sister.id, MemberFields(last_contact_on=TODAY - timedelta(days=90)))
    session.contacts.add_member(closed.id, gp.id, MemberFields(last_contact_on=TODAY - timedelta(days=90)))
    session.clients.change_stage(closed.id, Stage.CLOSED)

    found = session.contacts.out_of_touch(30)
    assert [q.member_id for q in found] == [quieter.id, quiet.id]  # longest quiet first; closed case left out
    assert found[0].days_quiet(TODAY) == 90 and found[0].role == "Sister"
    assert [q.member_id for q in session.contacts.out_of_touch(60)] == [quieter.id]
    assert [q.member_id for q in session.contacts.out_of_touch(30, client_id=ana.id)] == [quiet.id]
    session.contacts.mark_in_touch(quiet.id)
    assert [q.member_id for q in session.contacts.out_of_touch(30)] == [quieter.id]
    session.clients.archive(ben.id)
    assert session.contacts.out_of_touch(30) == []


def test_a_note_can_move_last_contact_forward_but_never_back(session: Session) -> None:
    client = session.clients.create(person())
    gp = session.contacts.create(ContactFields(name="Dr Lee", role="GP"))
    member = session.contacts.add_member(client.id, gp.id, MemberFields(last_contact_on=TODAY - timedelta(days=2)))
    with session.write() as conn:
        assert session.contacts.record_contact(conn, client.id, [gp.id], TODAY - timedelta(days=9)) == 0
        assert session.contacts.record_contact(conn, client.id, [gp.id], TODAY) == 1
    assert session.contacts.member(member.id).fields.last_contact_on == TODAY
