"""Contact notes: templates, drafts, signing (read-only in the database), addenda, late entries,
and full-text search (accents, several words, phrases) within a client and across all notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.models.notes import (
    ContactType,
    NoteFields,
    NoteFormat,
    NoteQuery,
    NoteSection,
    NoteStatus,
    convert_sections,
    is_late_entry,
    parse_time,
    snippet,
    split_participants,
    validate_for_signing,
)
from app.services.clock import FixedClock
from app.services.errors import ValidationError
from app.services.notes import DRAFT_FORM, NEW_PREFIX
from app.services.session import Session
from app.store.db import DatabaseError
from tests.conftest import person

TODAY = date(2026, 11, 26)  # the clock fixture: 2026-11-26 15:00 UTC


def soap(**overrides: object) -> NoteFields:
    values: dict[str, object] = {
        "kind": ContactType.HOME_VISIT, "contact_on": TODAY, "start_time": time(10, 30), "duration_min": 45,
        "location": "Client's home", "participants": ("Client", "Inés (sister)"), "format": NoteFormat.SOAP,
        "sections": {NoteSection.SUBJECTIVE: "Says she slept better; café with Zoë on Tuesday.",
                     NoteSection.OBJECTIVE: "Kitchen clean. Eviction notice seen on the table.",
                     NoteSection.ASSESSMENT: "Mood improving; tenancy at risk.",
                     NoteSection.PLAN: "Call the landlord about the arrears. Food bank referral on Friday."},
    }
    values.update(overrides)
    return NoteFields(**values)  # type: ignore[arg-type]


@pytest.fixture
def client_id(session: Session) -> str:
    return session.clients.create(person(first_name="Zoë", last_name="Ødegård")).id


# -- the model -----------------------------------------------------------------------------------


def test_each_format_has_headed_sections() -> None:
    assert [s.heading for s in NoteFormat.SOAP.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert [s.heading for s in NoteFormat.DAP.sections] == ["Data", "Assessment", "Plan"]
    assert [s.heading for s in NoteFormat.BIRP.sections] == ["Behaviour", "Intervention", "Response", "Plan"]
    assert NoteFormat.FREE.sections == (NoteSection.NOTE,)
    text = soap().plain_text()
    assert text.startswith("Subjective\nSays she slept better") and "\n\nPlan\nCall the landlord" in text


def test_changing_format_loses_no_text() -> None:
    sections = soap().sections
    dap = convert_sections(sections, NoteFormat.SOAP, NoteFormat.DAP)
    assert dap[NoteSection.DATA] == ("Subjective: Says she slept better; café with Zoë on Tuesday.\n\n"
                                     "Objective: Kitchen clean. Eviction notice seen on the table.")
    assert dap[NoteSection.PLAN] == sections[NoteSection.PLAN]
    free = convert_sections(dap, NoteFormat.DAP, NoteFormat.FREE)
    assert all(text.split(":")[-1].strip()[:10] in free[NoteSection.NOTE] for text in dap.values())
    back = convert_sections(free, NoteFormat.FREE, NoteFormat.BIRP)
    assert back[NoteSection.BEHAVIOUR] == free[NoteSection.NOTE] and back[NoteSection.PLAN] == ""


@pytest.mark.parametrize(("typed", "expected"), [
    ("14:30", time(14, 30)), ("2:30 pm", time(14, 30)), ("2.30pm", time(14, 30)), ("1430", time(14, 30)),
    ("9h05", time(9, 5)), ("9", time(9, 0)), ("12 a.m.", time(0, 0)), ("12pm", time(12, 0)), (" 07:45 ", time(7, 45)),
])
def test_times_are_read_as_people_type_them(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "13pm", "half past", "10:75", ""])
def test_a_time_that_cant_be_read_says_how_to_type_it(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_time(typed)


def test_participants_split_on_commas_and_semicolons() -> None:
    assert split_participants("Client, Inés (sister);  landlord ,") == ("Client", "Inés (sister)", "landlord")


def test_signing_needs_a_time_a_length_and_every_section() -> None:
    fields = soap(start_time=None, duration_min=None, sections={NoteSection.SUBJECTIVE: "Fine."})
    problems = validate_for_signing(fields, TODAY)
    assert set(problems) == {"start_time", "duration_min", "sections.objective", "sections.assessment",
                             "sections.plan"}
    assert problems["sections.plan"] == "Write the Plan section, even briefly."
    attempted = soap(kind=ContactType.ATTEMPTED, duration_min=None, format=NoteFormat.FREE,
                     sections={NoteSection.NOTE: "No answer at the door; left a card."})
    assert validate_for_signing(attempted, TODAY) == {}  # a no-show has no length
    assert "contact_on" in validate_for_signing(soap(contact_on=TODAY + timedelta(days=1)), TODAY)


def test_late_entry_rule() -> None:
    contact = date(2026, 11, 20)
    on_time = datetime(2026, 11, 21, 10, 0)  # within 24 h of 10:30 the day before
    assert not is_late_entry(contact, time(10, 30), contact, on_time)
    assert is_late_entry(contact, time(10, 30), contact, datetime(2026, 11, 21, 10, 31))
    assert is_late_entry(contact, time(10, 30), date(2026, 11, 21), on_time)  # started the next day
    # Without a start time the contact counts from the end of its day.
    assert not is_late_entry(contact, None, contact, datetime(2026, 11, 21, 23, 0))


def test_query_words_phrases_and_accents() -> None:
    query = NoteQuery.parse('Ødegård "food bank" evic')
    assert query is not None
    assert query.fts() == '"odegard"* AND "food bank" AND "evic"*'
    assert NoteQuery.parse("zo") is None  # too short to search while typing
    assert NoteQuery.parse("food b") == NoteQuery.parse("food")  # a last word still being typed waits
    unfinished = NoteQuery.parse('"food ba')
    assert unfinished is not None and unfinished.fts() == '"food ba"'  # not a prefix yet: too short
    assert NoteQuery.parse('"food ban') is not None and NoteQuery.parse('"food ban').fts() == '"food ban"*'


def test_highlights_and_snippets_find_the_words_in_the_text() -> None:
    query = NoteQuery.parse("zoe evict")
    assert query is not None
    text = "Says she slept better; café with Zoë on Tuesday. Eviction notice seen."
    spans = query.highlights(text)
    assert [text[a:b] for a, b in spans] == ["Zoë", "Eviction"]
    long_text = ("Lorem ipsum dolor sit amet " * 8) + "the eviction notice came " + ("and more words " * 20)
    pieces = snippet(long_text, query)
    assert pieces is not None
    assert pieces[0] == ("…", False) and pieces[-1] == ("…", False)
    assert ("eviction", True) in pieces
    assert snippet("nothing here", query) is None


# -- the service: drafts, signing, addenda ------------------------------------------------------------


def test_a_draft_is_kept_changed_and_signed(session: Session, client_id: str) -> None:
    draft = session.notes.save_draft(client_id, soap(sections={NoteSection.SUBJECTIVE: "  Half written  "}))
    assert draft.status is NoteStatus.DRAFT and not draft.read_only
    assert draft.fields.sections == {NoteSection.SUBJECTIVE: "Half written", NoteSection.OBJECTIVE: "",
                                     NoteSection.ASSESSMENT: "", NoteSection.PLAN: ""}
    with pytest.raises(ValidationError) as caught:
        session.notes.sign(draft.id)
    assert "sections.plan" in caught.value.problems
    changed = session.notes.save_draft(client_id, soap(), draft.id)
    assert changed.id == draft.id and changed.fields == soap().normalised()
    signed = session.notes.sign(draft.id)
    assert signed.status is NoteStatus.SIGNED and signed.signed_by == session.actor
    assert signed.signed_at == session.clock.now() and not signed.late_entry
    assert [n.id for n in session.notes.notes(client_id)] == [draft.id]
    actions = [e.action for e in session.audit_repo().entries() if e.object_type == "note"]
    assert actions == ["note.create", "note.save_draft", "note.sign"]
    assert all("Zoë" not in e.detail and "slept" not in e.detail for e in session.audit_repo().entries())


def test_any_number_of_notes_a_day_newest_first(session: Session, client_id: str) -> None:
    morning = session.notes.save_draft(client_id, soap(start_time=time(9, 0)))
    evening = session.notes.save_draft(client_id, soap(start_time=time(17, 15), kind=ContactType.PHONE))
    no_time = session.notes.save_draft(client_id, soap(start_time=None))
    yesterday = session.notes.save_draft(client_id, soap(contact_on=TODAY - timedelta(days=1)))
    assert [n.id for n in session.notes.notes(client_id)] == [evening.id, morning.id, no_time.id, yesterday.id]


def test_a_signed_note_is_read_only_and_changes_are_addenda(session: Session, client_id: str,
                                                               clock: FixedClock) -> None:
    note = session.notes.sign(session.notes.save_draft(client_id, soap()).id)
    with pytest.raises(ValidationError):
        session.notes.save_draft(client_id, soap(location="Elsewhere"), note.id)
    with pytest.raises(ValidationError):
        session.notes.discard_draft(note.id)
    with pytest.raises(ValidationError, match="Write what you are adding"):
        session.notes.add_addendum(note.id, "   ")
    clock.advance(hours=20)
    first = session.notes.add_addendum(note.id, "Landlord called back: payment plan agreed.")
    clock.advance(days=2)
    second = session.notes.add_addendum(note.id, "Food bank visit done.")
    assert [a.text for a in second.addenda] == ["Landlord called back: payment plan agreed.", "Food bank visit done."]
    assert second.addenda[0].written_at == first.addenda[0].written_at < second.addenda[1].written_at
    assert {a.written_by for a in second.addenda} == {session.actor}
    assert second.fields == note.fields and second.signed_at == note.signed_at
    assert session.notes.notes(client_id)[0].addenda_count == 2
    draft = session.notes.save_draft(client_id, soap())
    with pytest.raises(ValidationError, match="Sign the note first"):
        session.notes.add_addendum(draft.id, "Too early")


def test_the_database_itself_refuses_to_change_a_signed_note(session: Session, client_id: str) -> None:
    note = session.notes.sign(session.notes.save_draft(client_id, soap()).id)
    added = session.notes.add_addendum(note.id, "Something to add.")
    conn = session.connection
    for statement, params in (
        ("UPDATE notes SET sections = '{}' WHERE id = ?", (note.id,)),
        ("UPDATE notes SET status = 'draft', signed_at = NULL WHERE id = ?", (note.id,)),
        ("UPDATE notes SET deleted_at = '2026-11-27' WHERE id = ?", (note.id,)),
        ("UPDATE notes SET late_entry = 1 WHERE id = ?", (note.id,)),
        ("DELETE FROM notes WHERE id = ?", (note.id,)),
        ("UPDATE note_addenda SET text = 'rewritten' WHERE id = ?", (added.addenda[0].id,)),
        ("DELETE FROM note_addenda WHERE id = ?", (added.addenda[0].id,)),
    ):
        with pytest.raises(DatabaseError, match="signed note|addendum"):
            conn.execute(statement, params)
    draft = session.notes.save_draft(client_id, soap())
    with pytest.raises(DatabaseError, match="signed notes only"):
        conn.execute("INSERT INTO note_addenda (id, doc, note_id, text, created_at, updated_at) "
                     "VALUES ('x', 99, ?, 'text', 'now', 'now')", (draft.id,))
    assert session.notes.get(note.id) == added


def test_a_signed_note_is_marked_entered_in_error_once_with_a_reason(session: Session, client_id: str,
                                                                      clock: FixedClock) -> None:
    from app.store.follow_ups_repo import FollowUpRepository

    earlier = session.notes.sign(session.notes.save_draft(client_id, soap(contact_on=TODAY - timedelta(days=9))).id)
    note = session.notes.sign(session.notes.save_draft(client_id, soap()).id)
    repo = FollowUpRepository(session.connection)
    assert repo.last_note_on(client_id) == TODAY
    draft = session.notes.save_draft(client_id, soap())
    with pytest.raises(ValidationError, match="discard it instead"):
        session.notes.mark_entered_in_error(draft.id, "Wrong client")
    session.notes.discard_draft(draft.id)
    with pytest.raises(ValidationError, match="Say why the note was entered in error"):
        session.notes.mark_entered_in_error(note.id, "  ")
    with pytest.raises(ValidationError, match="at most 200 characters"):
        session.notes.mark_entered_in_error(note.id, "x" * 201)
    assert not session.notes.get(note.id).entered_in_error  # nothing marked by a refused attempt

    clock.advance(hours=3)
    marked = session.notes.mark_entered_in_error(note.id, "  Written in the wrong client's record ")
    assert marked.error is not None and marked.entered_in_error and not marked.counts
    assert marked.error.reason == "Written in the wrong client's record"
    assert marked.error.marked_by == session.actor and marked.error.marked_at == clock.now()
    assert marked.fields == note.fields and marked.signed and marked.signed_at == note.signed_at  # kept as signed
    listed = {n.id: n for n in session.notes.notes(client_id)}
    assert listed[note.id].entered_in_error and not listed[earlier.id].entered_in_error
    assert session.notes.search(client_id, "landlord")  # still in the record, still found
    # It no longer counts as the last contact (what the contact cadence is measured from).
    assert repo.last_note_on(client_id) == TODAY - timedelta(days=9)
    with pytest.raises(ValidationError, match="already marked"):
        session.notes.mark_entered_in_error(note.id, "Again")
    with pytest.raises(ValidationError, match="Write a new note instead"):
        session.notes.add_addendum(note.id, "More")
    entry = session.audit_repo().latest(1)[0]
    assert (entry.action, entry.object_id) == ("note.entered_in_error", note.id)
    assert "wrong" not in repr(entry).lower()  # the reason stays out of the audit trail


def test_the_database_keeps_an_error_mark_as_made(session: Session, client_id: str) -> None:
    note = session.notes.sign(session.notes.save_draft(client_id, soap()).id)
    session.notes.mark_entered_in_error(note.id, "A duplicate of another note")
    conn = session.connection
    for statement in ("UPDATE note_errors SET reason = 'changed' WHERE note_id = ?",
                      "UPDATE note_errors SET deleted_at = '2026-11-27' WHERE note_id = ?",
                      "DELETE FROM note_errors WHERE note_id = ?"):
        with pytest.raises(DatabaseError, match="stays marked"):
            conn.execute(statement, (note.id,))
    draft = session.notes.save_draft(client_id, soap())
    with pytest.raises(DatabaseError, match="only a signed note"):
        conn.execute("INSERT INTO note_errors (note_id, reason, marked_at, created_at, updated_at) "
                     "VALUES (?, 'r', 'now', 'now', 'now')", (draft.id,))
    assert session.notes.get(note.id).error.reason == "A duplicate of another note"  # type: ignore[union-attr]


def test_late_entries_are_marked_when_signed(session: Session, client_id: str, clock: FixedClock) -> None:
    same_day = session.notes.sign(session.notes.save_draft(client_id, soap(start_time=time(10, 0))).id)
    assert not same_day.late_entry
    # Written today about a visit three days ago: late, whenever it is signed.
    backdated = session.notes.save_draft(client_id, soap(contact_on=TODAY - timedelta(days=3)))
    assert session.notes.sign(backdated.id).late_entry
    # Started on the day, signed more than 24 hours after the contact: late.
    slow = session.notes.save_draft(client_id, soap(start_time=time(9, 0)))
    clock.advance(hours=30)
    late = session.notes.sign(slow.id)
    assert late.late_entry and late.created_at is not None and late.signed_at is not None
    assert late.signed_at - late.created_at == timedelta(hours=30)
    assert [e.detail for e in session.audit_repo().entries() if e.action == "note.sign"] == ["late=0", "late=1", "late=1"]


def test_discarding_a_draft_removes_it_from_the_list_and_the_search(session: Session, client_id: str) -> None:
    draft = session.notes.save_draft(client_id, soap())
    assert session.notes.search(client_id, "eviction")
    session.notes.discard_draft(draft.id)
    assert session.notes.notes(client_id) == []
    assert session.notes.search(client_id, "eviction") == []
    assert session.notes.clients_matching("eviction") == {}


def test_drafts_of_typing_survive_a_lock(services, session: Session, client_id: str, vault_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import PASSPHRASE

    session.drafts.save(DRAFT_FORM, NEW_PREFIX + client_id, {"client_id": client_id, "sections": {"note": "Batter"}})
    other = session.clients.create(person(first_name="Ana")).id
    session.drafts.save(DRAFT_FORM, NEW_PREFIX + other, {"client_id": other})
    session.close()
    reopened = services.vaults.unlock(vault_dir, passphrase=PASSPHRASE)
    unfinished = reopened.notes.unfinished(client_id)
    assert [d.data["sections"]["note"] for d in unfinished] == ["Batter"]
    reopened.close()


# -- the service: search ---------------------------------------------------------------------------


@pytest.fixture
def searchable(session: Session, client_id: str) -> dict[str, str]:
    other = session.clients.create(person(first_name="Bruno", last_name="Okafor")).id
    ids = {
        "soap": session.notes.sign(session.notes.save_draft(client_id, soap()).id).id,
        "free": session.notes.save_draft(client_id, soap(
            format=NoteFormat.FREE, participants=("Client", "Ødegård senior"), location="Café Mañana",
            sections={NoteSection.NOTE: "Bank holiday: the food parcel came from the church, not the bank."}),
        ).id,
        "other": session.notes.save_draft(other, soap(format=NoteFormat.DAP, participants=(), sections={
            NoteSection.DATA: "Talked about the food bank and a bus pass.", NoteSection.PLAN: "Eviction hearing."})).id,
    }
    ids["other_client"] = other
    return ids


def test_search_ignores_accents_and_case(session: Session, client_id: str, searchable: dict[str, str]) -> None:
    def found(text: str) -> set[str]:
        return {h.note.id for h in session.notes.search(client_id, text)}

    assert found("zoe") == found("ZOË") == {searchable["soap"]}
    assert found("cafe") == {searchable["soap"], searchable["free"]}  # in a section, and as the location
    assert found("manana") == found("Mañana") == {searchable["free"]}
    assert found("odegard") == found("Ødegård") == {searchable["free"]}  # a participant; ø folds to o


def test_search_with_several_words_needs_all_of_them(session: Session, client_id: str,
                                                     searchable: dict[str, str]) -> None:
    hits = session.notes.search(client_id, "landlord arrears")
    assert [h.note.id for h in hits] == [searchable["soap"]]
    assert hits[0].where == "Plan"
    assert [text for text, marked in hits[0].extract if marked] == ["landlord", "arrears"]
    assert session.notes.search(client_id, "landlord church") == []  # in different notes


def test_search_for_a_phrase_needs_the_words_in_a_row(session: Session, client_id: str,
                                                      searchable: dict[str, str]) -> None:
    assert {h.note.id for h in session.notes.search(client_id, "food bank")} == {searchable["soap"], searchable["free"]}
    phrase = session.notes.search(client_id, '"food bank"')
    assert [h.note.id for h in phrase] == [searchable["soap"]]
    assert ("Food bank", True) in phrase[0].extract
    assert session.notes.search(client_id, '"bank food"') == []


def test_search_finds_addenda_and_follows_draft_changes(session: Session, client_id: str,
                                                         searchable: dict[str, str]) -> None:
    session.notes.add_addendum(searchable["soap"], "Psychiatrist confirmed the lithium dose.")
    hits = session.notes.search(client_id, "lithium")
    assert [(h.note.id, h.where) for h in hits] == [(searchable["soap"], "Addendum")]
    session.notes.save_draft(client_id, soap(format=NoteFormat.FREE, sections={NoteSection.NOTE: "Rewritten."}),
                             searchable["free"])
    assert session.notes.search(client_id, "church") == []
    assert [h.note.id for h in session.notes.search(client_id, "rewritten")] == [searchable["free"]]


def test_search_across_every_note_names_the_clients(session: Session, client_id: str,
                                                    searchable: dict[str, str]) -> None:
    other = searchable["other_client"]
    assert session.notes.clients_matching("eviction") == {client_id: 1, other: 1}
    assert session.notes.clients_matching("food bank") == {client_id: 2, other: 1}
    assert session.notes.clients_matching('"food bank"') == {client_id: 1, other: 1}
    assert session.notes.clients_matching("bus pass") == {other: 1}
    assert session.notes.clients_matching("zz") == {}
    session.notes.add_addendum(searchable["soap"], "Bus pass renewed.")
    assert session.notes.clients_matching("bus pass") == {other: 1, client_id: 1}
    # Within a client, only that client's notes.
    assert [h.note.id for h in session.notes.search(other, "eviction")] == [searchable["other"]]


def test_a_note_needs_an_existing_client_and_a_past_date(session: Session, client_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        session.notes.save_draft(client_id, soap(contact_on=TODAY + timedelta(days=2)))
    assert "contact_on" in caught.value.problems
    with pytest.raises(Exception, match="could not be found"):
        session.notes.save_draft("no-such-client", soap())
    assert session.notes.notes(client_id) == []


def test_goal_choices_are_hidden_until_care_plans_offer_them(session: Session, client_id: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def not_yet(_client_id: str) -> list[tuple[str, str]]:
        raise NotImplementedError

    monkeypatch.setattr(session.care_plans, "goal_choices", not_yet)
    assert session.notes.goal_choices(client_id) is None
    monkeypatch.setattr(session.care_plans, "goal_choices", lambda _c: [("g1", "Keep my flat")])
    assert session.notes.goal_choices(client_id) == [("g1", "Keep my flat")]
    note = session.notes.save_draft(client_id, soap(goal_ids=("g1", "g1")))
    assert note.fields.goal_ids == ("g1",)


def test_demo_notes_cover_every_kind_and_format_and_are_searchable(session: Session) -> None:
    import random
    import uuid

    from faker import Faker

    from app.services.demo_notes import demo_notes

    clients = [session.clients.get(session.clients.create(person(first_name=f"Demo{i}", last_name="Case")).id)
               for i in range(5)]

    def build(seed: int) -> int:
        rng = random.Random(seed)
        fake = Faker()
        fake.seed_instance(seed)
        with session.write() as conn:
            return demo_notes(conn, rng, fake, clients, TODAY, lambda: str(uuid.UUID(int=rng.getrandbits(128))),
                              total=300)

    assert build(3) == 300
    assert session.notes.count() == 300
    notes = [n for c in clients for n in session.notes.notes(c.id)]
    assert {n.fields.kind for n in notes} == set(ContactType)
    assert {n.fields.format for n in notes} == set(NoteFormat)
    assert all(n.fields.contact_on <= TODAY for n in notes)
    assert sum(n.signed for n in notes) > 250 and any(n.late_entry for n in notes)
    assert sum(session.notes.clients_matching("landlord").values()) > 0
    # Signed demo notes are as locked as any other.
    signed = next(n for n in notes if n.signed)
    with pytest.raises(DatabaseError):
        session.connection.execute("UPDATE notes SET location = 'x' WHERE id = ?", (signed.id,))


def test_clock_fixture_is_what_the_tests_assume(clock: FixedClock) -> None:
    assert clock.now() == datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed", ['foo" OR "bar', "NEAR(a b)", "a*", '"', '""', "-x", "col:umn", "^start", "🙂 ok",
                                   "AND OR NOT", "'; DROP TABLE notes; --", "a" * 300])
def test_anything_typed_in_a_search_is_safe(session: Session, client_id: str, typed: str) -> None:
    session.notes.save_draft(client_id, soap())
    assert isinstance(session.notes.search(client_id, typed), list)
    assert isinstance(session.notes.clients_matching(typed), dict)
    assert session.notes.notes(client_id)
