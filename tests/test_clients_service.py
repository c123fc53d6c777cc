"""Client use cases through the service layer: what a caller sees."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.client import ClientFields, Stage
from app.services.errors import NotFound, ValidationError
from app.services.session import Session
from tests.conftest import person


def test_create_assigns_code_referred_stage_and_history(session: Session) -> None:
    client = session.clients.create(person(referral_date=date(2026, 11, 20)))
    assert len(client.client_code) == 6
    assert client.stage is Stage.REFERRED
    history = session.clients.stage_history(client.id)
    assert [(h.from_stage, h.to_stage, h.on) for h in history] == [(None, Stage.REFERRED, date(2026, 11, 20))]


def test_validation_names_each_field_with_a_sentence(session: Session) -> None:
    bad = ClientFields(first_name=" ", last_name="", date_of_birth=date(2030, 1, 1), email="nope", phone="12")
    with pytest.raises(ValidationError) as caught:
        session.clients.create(bad)
    problems = caught.value.problems
    assert set(problems) == {"first_name", "last_name", "date_of_birth", "email", "phone"}
    assert all(message.endswith(".") for message in problems.values())
    assert session.clients.count() == 0


def test_update_records_changed_field_names_not_values(session: Session) -> None:
    client = session.clients.create(person())
    session.clients.update(client.id, person(phone="(555) 867-5309", email="ana@example.org"))
    entry = session.audit_repo().latest(1)[0]
    assert entry.action == "client.update"
    assert entry.detail == "fields=phone,email"
    assert "867" not in entry.detail and "example" not in entry.detail


def test_update_without_changes_writes_nothing(session: Session) -> None:
    client = session.clients.create(person())
    before = session.audit_repo().latest(1)[0].seq
    session.clients.update(client.id, person())
    assert session.audit_repo().latest(1)[0].seq == before


@pytest.mark.parametrize(
    "query",
    ["zoe", "ZOË", "oDEga", "Zo Ød", "3344", "201-3344", "(555) 201", "K7"],
)
def test_search_matches_names_accents_phone_and_code(session: Session, query: str) -> None:
    target = session.clients.create(person(first_name="Zoë", last_name="Ødegård"))
    session.clients.create(person(first_name="Oliver", last_name="Petrov", phone="(555) 777-1212"))
    if query == "K7":
        query = target.client_code[:2]
    assert target.id in session.clients.search_ids(query)


def test_search_finds_preferred_name_and_ignores_punctuation(session: Session) -> None:
    target = session.clients.create(person(first_name="Margaret", preferred_name="Peggy"))
    assert session.clients.search_ids("peg") == [target.id]
    assert session.clients.search_ids('"*') == []
    assert session.clients.search_ids("   ") == []


def test_archived_clients_are_hidden_unless_asked_for(session: Session) -> None:
    kept = session.clients.create(person(first_name="Kept"))
    gone = session.clients.create(person(first_name="Gone"))
    session.clients.archive(gone.id)
    assert [r.id for r in session.clients.roster()] == [kept.id]
    assert {r.id for r in session.clients.roster(include_archived=True)} == {kept.id, gone.id}
    assert session.clients.search_ids("gone") == []
    assert session.clients.search_ids("gone", include_archived=True) == [gone.id]
    session.clients.unarchive(gone.id)
    assert len(session.clients.roster()) == 2


def test_stage_change_keeps_history_and_refuses_future_dates(session: Session) -> None:
    client = session.clients.create(person(referral_date=date(2026, 11, 2)))
    session.clients.change_stage(client.id, Stage.SCREENING, date(2026, 11, 21), "First visit")
    with pytest.raises(ValidationError):
        session.clients.change_stage(client.id, Stage.ASSESSING, date(2027, 1, 1))
    with pytest.raises(ValidationError) as earlier:
        session.clients.change_stage(client.id, Stage.ASSESSING, date(2026, 11, 20))
    assert "can't be earlier" in str(earlier.value)
    with pytest.raises(ValidationError):
        session.clients.change_stage(client.id, Stage.SCREENING)
    history = session.clients.stage_history(client.id)
    assert [(h.from_stage, h.to_stage, h.note) for h in history][-1] == (Stage.REFERRED, Stage.SCREENING, "First visit")
    assert session.clients.get(client.id).stage is Stage.SCREENING
    assert session.clients.stage_counts()[Stage.SCREENING] == 1


def test_roster_sorts_accented_names_with_their_letters(session: Session) -> None:
    for last in ("Zimmer", "Ødegård", "Nguyễn", "abbott"):
        session.clients.create(person(last_name=last))
    assert [r.last_name for r in session.clients.roster()] == ["abbott", "Nguyễn", "Ødegård", "Zimmer"]


def test_create_many_is_all_or_nothing(session: Session) -> None:
    with pytest.raises(ValidationError) as caught:
        session.clients.create_many([person(), person(last_name=""), person()])
    assert "1:last_name" in caught.value.problems
    assert session.clients.count() == 0
    ids = session.clients.create_many([person(), person(first_name="Bea")])
    assert len(ids) == 2 and session.clients.count() == 2


def test_open_record_audits_the_view_and_feeds_recently_viewed(session: Session) -> None:
    first = session.clients.create(person(first_name="First"))
    second = session.clients.create(person(first_name="Second"))
    session.clients.open_record(first.id)
    session.clients.open_record(second.id)
    session.clients.open_record(first.id)
    assert [r.id for r in session.clients.recently_viewed()] == [first.id, second.id]
    with pytest.raises(NotFound):
        session.clients.open_record("no-such-id")


def test_unlock_checks_in_the_background_and_writes_wait_for_them(services, session: Session) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PASSPHRASE

    session.clients.create(person(first_name="Early"))
    folder = session.vault.folder
    session.close()
    key = services.vaults.derive(folder, passphrase=PASSPHRASE)
    reopened = services.vaults.open(folder, key, background_checks=True)
    try:
        assert [r.first_name for r in reopened.clients.roster()] == ["Early"]  # readable at once
        reopened.clients.create(person(first_name="Later"))  # waits for the checks, then writes
        assert reopened.checks_done() and not reopened.read_only
        services.vaults.finish_unlock(reopened, "passphrase")
        assert reopened.audit_repo().latest(1)[0].action == "vault.unlock"
    finally:
        reopened.close()


def test_a_background_check_that_finds_damage_refuses_writes(services, session: Session) -> None:  # type: ignore[no-untyped-def]
    from app.services.errors import ReadOnlyVault
    from tests.conftest import PASSPHRASE

    for n in range(40):
        session.clients.create(person(first_name=f"Person{n}"))
    folder = session.vault.folder
    session.close()
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[len(data) - 3000] ^= 0x20  # the last page: not needed to show the first screen
    db.write_bytes(bytes(data))
    key = services.vaults.derive(folder, passphrase=PASSPHRASE)
    damaged = services.vaults.open(folder, key, background_checks=True)
    try:
        with pytest.raises(ReadOnlyVault):
            damaged.clients.create(person())
        assert damaged.read_only and damaged.problems
        services.vaults.finish_unlock(damaged, "passphrase")  # nothing recorded on a damaged vault
    finally:
        damaged.close()
