"""Contact notes: typed, templated, signed, with addenda, searchable.

A note is kept as a draft until it is signed; signing locks it (a trigger keeps it read-only) and
decides whether it is a late entry. Anything added afterwards is an addendum with its own time
stamp and author. What is typed in the editor but not yet kept in a note is autosaved as a form
draft (DRAFT_FORM) and offered again by `unfinished()`, so a dead battery loses nothing.

Search uses the vault's full-text index: `search()` within one client (with an extract around
the words found), `clients_matching()` across every note (for the roster)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, format_date
from app.models.notes import (
    Addendum,
    ErrorMark,
    Note,
    NoteFields,
    NoteFormat,
    NoteQuery,
    Segments,
    is_late_entry,
    snippet,
    validate_addendum,
    validate_error_reason,
    validate_fields,
    validate_for_signing,
)
from app.services.drafts import Draft
from app.services.errors import NotFound, ValidationError
from app.store.notes_repo import NoteRepository

if TYPE_CHECKING:
    from app.services.session import Session

DRAFT_FORM = "contact_note"  # the editor's autosaved typing; object id: the note's id, or NEW_PREFIX + client id
ADDENDUM_FORM = "note_addendum"  # an addendum being typed; object id: the note's id
NEW_PREFIX = "new:"


@dataclass(frozen=True, slots=True)
class NoteHit:
    """A note that matches a search, and where: the part it matched in (a section's heading,
    "Addendum", "Participants" …) and an extract with the matching words marked."""

    note: Note
    where: str
    extract: Segments


def _changed_meanwhile() -> ValidationError:
    message = _("This note was signed or removed in the meantime. Close it and open the note again.")
    return ValidationError({"note": message}, message)


def _problem_message(problems: dict[str, str], intro: str) -> str:
    return intro.format(problem=next(iter(problems.values())))


class NoteService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> NoteRepository:
        return NoteRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- reading -------------------------------------------------------------------------------

    def notes(self, client_id: str) -> list[Note]:
        """The client's notes, newest contact first (each with its number of addenda)."""
        return self._repo.for_client(client_id)

    def attachment_targets(self, client_id: str) -> list[tuple[str, str]]:
        """(note id, "Home visit, Nov 26, 2026") for each note, for linking a document to it."""
        return [(n.id, _("{kind} note, {date}").format(kind=n.fields.kind.label, date=format_date(n.fields.contact_on)))
                for n in self.notes(client_id)]

    def get(self, note_id: str) -> Note:
        """One note with its addenda."""
        note = self._repo.get(note_id)
        if note is None:
            raise NotFound(_("The note"))
        return note

    def count(self) -> int:
        return self._repo.count()

    def default_format(self, client_id: str) -> NoteFormat:
        """The format of the last note written for the client (free text for a first note)."""
        return self._repo.latest_format(client_id) or NoteFormat.FREE

    def goal_choices(self, client_id: str) -> list[tuple[str, str]] | None:
        """(goal id, the goal in a few words) from the client's care plan, or None when care plans
        can't offer goals (the picker is then hidden)."""
        try:
            return list(self._session.care_plans.goal_choices(client_id))
        except NotImplementedError:
            return None

    def unfinished(self, client_id: str) -> list[Draft]:
        """Typing autosaved for this client's notes and not yet kept (a crash, a lock, a dead
        battery): in the note editor (DRAFT_FORM) or for an addendum (ADDENDUM_FORM), newest first."""
        found = [d for d in self._session.drafts.all()
                 if d.form in (DRAFT_FORM, ADDENDUM_FORM) and d.data.get("client_id") == client_id]
        return sorted(found, key=lambda d: d.saved_at, reverse=True)

    # -- writing -------------------------------------------------------------------------------

    def save_draft(self, client_id: str, fields: NoteFields, note_id: str | None = None) -> Note:
        """Keep the note as a draft: a new one (note_id None) or the given draft, replaced. Drafts
        may be incomplete; the checks for signing run when it is signed."""
        clean = fields.normalised()
        problems = validate_fields(clean, self._today())
        if problems:
            raise ValidationError(problems, _problem_message(problems, _("The note can't be saved: {problem}")))
        now = self._session.clock.now()
        if note_id is None:
            self._session.clients.get(client_id)
            note = Note(id=str(uuid.uuid4()), client_id=client_id, fields=clean, created_at=now,
                        created_by=self._session.actor, updated_at=now)
            with self._session.write() as conn:
                NoteRepository(conn).add(note, now)
                self._session.audit("note.create", "note", note.id,
                                    f"kind={clean.kind.value},format={clean.format.value}")
            return note
        with self._session.write() as conn:
            if not NoteRepository(conn).update_draft(note_id, client_id, clean, now):
                raise _changed_meanwhile()
            self._session.audit("note.save_draft", "note", note_id, f"format={clean.format.value}")
        return self.get(note_id)

    def signing_problems(self, fields: NoteFields) -> dict[str, str]:
        """What stops these fields from being signed today, keyed by field ('sections.plan' …)."""
        return validate_for_signing(fields.normalised(), self._today())

    def sign(self, note_id: str) -> Note:
        """Sign the draft as the current user: it is locked from now on. A late entry (started on
        a later day than the contact, or signed more than a day after it) is marked as such."""
        note = self.get(note_id)
        if note.signed:
            message = _("This note is already signed. Add an addendum to add to it.")
            raise ValidationError({"note": message}, message)
        problems = validate_for_signing(note.fields, self._today())
        if problems:
            raise ValidationError(problems, _problem_message(problems, _("The note can't be signed yet: {problem}")))
        now = self._session.clock.now()
        local_now = now.astimezone().replace(tzinfo=None)
        written_on = (note.created_at or now).astimezone().date()
        late = is_late_entry(note.fields.contact_on, note.fields.start_time, written_on, local_now)
        with self._session.write() as conn:
            if not NoteRepository(conn).sign(note_id, self._session.actor, late, now):
                raise _changed_meanwhile()
            self._session.audit("note.sign", "note", note_id, f"late={int(late)}")
        return self.get(note_id)

    def add_addendum(self, note_id: str, text: str) -> Note:
        """Add to a signed note; the addendum carries its own time stamp and author."""
        note = self._counting(note_id, _("Sign the note first, or change the draft itself."),
                              _("This note is marked entered in error. Write a new note instead."))
        problems = validate_addendum(text)
        if problems:
            raise ValidationError(problems, problems["text"])
        addendum = Addendum(str(uuid.uuid4()), note_id, text.strip(), self._session.clock.now(), self._session.actor)
        with self._session.write() as conn:
            NoteRepository(conn).add_addendum(addendum, note.client_id)
            self._session.audit("note.addendum", "note", note_id, f"addendum={addendum.id}")
        return self.get(note_id)

    def _counting(self, note_id: str, if_draft: str, if_in_error: str) -> Note:
        """The note, signed and not entered in error; otherwise ValidationError with the sentence."""
        note = self.get(note_id)
        if note.counts:
            return note
        problem = if_in_error if note.signed else if_draft
        raise ValidationError({"note": problem}, problem)

    def mark_entered_in_error(self, note_id: str, reason: str) -> Note:
        """Mark a signed note "entered in error", with the reason, the current user and the time.
        The note stays in the record unchanged; it no longer counts as a contact, and reports
        withhold its text. A draft is discarded instead; a mark can't be changed or undone."""
        self._counting(note_id, _("A draft isn't part of the record yet: discard it instead."),
                       _("This note is already marked entered in error."))
        problems = validate_error_reason(reason)
        if problems:
            raise ValidationError(problems, problems["reason"])
        mark = ErrorMark(reason.strip(), self._session.clock.now(), self._session.actor)
        with self._session.write() as conn:
            NoteRepository(conn).mark_error(note_id, mark)
            self._session.audit("note.entered_in_error", "note", note_id)  # ids only: the reason may name people
        return self.get(note_id)

    def discard_draft(self, note_id: str) -> None:
        """Remove a draft note (a signed note can't be removed)."""
        note = self.get(note_id)
        if note.signed:
            message = _("A signed note can't be removed.")
            raise ValidationError({"note": message}, message)
        with self._session.write() as conn:
            NoteRepository(conn).delete_draft(note_id, self._session.clock.now())
            self._session.audit("note.discard_draft", "note", note_id)

    # -- search --------------------------------------------------------------------------------

    def search(self, client_id: str, text: str, as_you_type: bool = True) -> list[NoteHit]:
        """The client's notes matching `text` (every word, "phrases" in quotes, accents and case
        ignored), newest contact first, each with an extract around the first match."""
        query = NoteQuery.parse(text, as_you_type)
        if query is None:
            return []
        repo = self._repo
        ids = repo.matching_notes(client_id, query.fts())
        return [_hit(note, query) for note in repo.get_many(ids)]

    def clients_matching(self, text: str, as_you_type: bool = True) -> dict[str, int]:
        """Every client with a note matching `text` → how many of their notes match."""
        query = NoteQuery.parse(text, as_you_type)
        if query is None:
            return {}
        return self._repo.matching_clients(query.fts())


def _hit(note: Note, query: NoteQuery) -> NoteHit:
    """Where the note matched, with an extract (the first part that has the words, in reading
    order; a note can also match across parts, then the first part with any of them)."""
    f = note.fields
    parts: list[tuple[str, str]] = [(s.heading if f.format is not NoteFormat.FREE else _("Note"), text)
                                    for s, text in f.body()]
    parts += [(_("Addendum"), a.text) for a in note.addenda]
    parts += [(_("Participants"), ", ".join(f.participants)), (_("Location"), f.location)]
    for where, text in parts:
        if query.matches(text):
            extract = snippet(text, query)
            if extract:
                return NoteHit(note, where, extract)
    for where, text in parts:
        extract = snippet(text, query)
        if extract:
            return NoteHit(note, where, extract)
    return NoteHit(note, "", ((f.preview(), False),))
