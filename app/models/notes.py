"""Contact notes: what happened at each contact with a client, written as free text or in a
template with headed sections (DAP, SOAP, BIRP), signed to lock it, with addenda for anything
added later, and searched by the words in them.

Any number of notes a day. A signed note never changes; an addendum carries its own time stamp and
author. A note is a late entry when it was started on a later day than the contact, or signed
more than LATE_ENTRY_AFTER after the contact's date and start time.

Search: `NoteQuery.parse()` turns what someone types into an FTS5 query over folded text (case and
accents removed, as client names are), and `highlights()` / `snippet()` find the same words again
in a note's own text to show where it matched. Pure: no Qt, no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.i18n import _
from app.models.client import fold

LATE_ENTRY_AFTER = timedelta(hours=24)
MAX_DURATION_MIN = 12 * 60
MAX_SECTION_CHARS = 20_000
MAX_ADDENDUM_CHARS = 10_000
MAX_SHORT_TEXT = 200
MAX_PARTICIPANTS = 20
MIN_SEARCH_CHARS = 3  # shorter words are matched whole, not as the start of longer words
MAX_SEARCH_TERMS = 8


class ContactType(StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    OFFICE = "office"
    TELEHEALTH = "telehealth"
    COLLATERAL = "collateral"
    ATTEMPTED = "attempted"

    @property
    def label(self) -> str:
        return {
            ContactType.HOME_VISIT: _("Home visit"),
            ContactType.PHONE: _("Phone call"),
            ContactType.OFFICE: _("Office visit"),
            ContactType.TELEHEALTH: _("Telehealth (video)"),
            ContactType.COLLATERAL: _("Collateral contact"),
            ContactType.ATTEMPTED: _("Attempted contact / no-show"),
        }[self]

    @property
    def hint(self) -> str:
        return {
            ContactType.HOME_VISIT: _("Met the client where they live."),
            ContactType.PHONE: _("Spoke with the client by phone."),
            ContactType.OFFICE: _("The client came to the office."),
            ContactType.TELEHEALTH: _("A video call with the client."),
            ContactType.COLLATERAL: _("Contact with someone else about the client: family, a provider, a landlord."),
            ContactType.ATTEMPTED: _("Tried to reach the client, or they did not come."),
        }[self]


class NoteSection(StrEnum):
    NOTE = "note"
    DATA = "data"
    SUBJECTIVE = "subjective"
    OBJECTIVE = "objective"
    BEHAVIOUR = "behaviour"
    INTERVENTION = "intervention"
    RESPONSE = "response"
    ASSESSMENT = "assessment"
    PLAN = "plan"

    @property
    def heading(self) -> str:
        return {
            NoteSection.NOTE: _("Note"),
            NoteSection.DATA: _("Data"),
            NoteSection.SUBJECTIVE: _("Subjective"),
            NoteSection.OBJECTIVE: _("Objective"),
            NoteSection.BEHAVIOUR: _("Behaviour"),
            NoteSection.INTERVENTION: _("Intervention"),
            NoteSection.RESPONSE: _("Response"),
            NoteSection.ASSESSMENT: _("Assessment"),
            NoteSection.PLAN: _("Plan"),
        }[self]

    @property
    def hint(self) -> str:
        return {
            NoteSection.NOTE: _("What happened, what was agreed, and what comes next."),
            NoteSection.DATA: _("What was seen and heard: what the client said, in their words, and what you observed."),
            NoteSection.SUBJECTIVE: _("What the client said, in their words: how they are and what has happened."),
            NoteSection.OBJECTIVE: _("What you observed, and facts such as scores, documents or appointments."),
            NoteSection.BEHAVIOUR: _("How the client presented: mood, behaviour, what they said."),
            NoteSection.INTERVENTION: _("What you did: support, skills practised, referrals, calls made."),
            NoteSection.RESPONSE: _("How the client responded to what you did."),
            NoteSection.ASSESSMENT: _("What it means: progress toward goals, risks, what has changed."),
            NoteSection.PLAN: _("What happens next, who does it, and when you will next be in touch."),
        }[self]


class NoteFormat(StrEnum):
    FREE = "free"
    DAP = "dap"
    SOAP = "soap"
    BIRP = "birp"

    @property
    def label(self) -> str:
        return {NoteFormat.FREE: _("Free text"), NoteFormat.DAP: _("DAP"), NoteFormat.SOAP: _("SOAP"),
                NoteFormat.BIRP: _("BIRP")}[self]

    @property
    def description(self) -> str:
        return {
            NoteFormat.FREE: _("One text, written as you like"),
            NoteFormat.DAP: _("Data · Assessment · Plan"),
            NoteFormat.SOAP: _("Subjective · Objective · Assessment · Plan"),
            NoteFormat.BIRP: _("Behaviour · Intervention · Response · Plan"),
        }[self]

    @property
    def sections(self) -> tuple[NoteSection, ...]:
        return _FORMAT_SECTIONS[self]


_FORMAT_SECTIONS: dict[NoteFormat, tuple[NoteSection, ...]] = {
    NoteFormat.FREE: (NoteSection.NOTE,),
    NoteFormat.DAP: (NoteSection.DATA, NoteSection.ASSESSMENT, NoteSection.PLAN),
    NoteFormat.SOAP: (NoteSection.SUBJECTIVE, NoteSection.OBJECTIVE, NoteSection.ASSESSMENT, NoteSection.PLAN),
    NoteFormat.BIRP: (NoteSection.BEHAVIOUR, NoteSection.INTERVENTION, NoteSection.RESPONSE, NoteSection.PLAN),
}


class NoteStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"

    @property
    def label(self) -> str:
        return {NoteStatus.DRAFT: _("Draft"), NoteStatus.SIGNED: _("Signed")}[self]


@dataclass(frozen=True, slots=True)
class NoteFields:
    """Everything written about one contact. `sections` holds the text of each section of the
    format (keys outside the format are ignored when the note is kept)."""

    kind: ContactType
    contact_on: date
    start_time: time | None = None
    duration_min: int | None = None
    location: str = ""
    participants: tuple[str, ...] = ()
    goal_ids: tuple[str, ...] = ()
    format: NoteFormat = NoteFormat.FREE
    sections: Mapping[NoteSection, str] = field(default_factory=dict)

    def section(self, section: NoteSection) -> str:
        return self.sections.get(section, "")

    def body(self) -> tuple[tuple[NoteSection, str], ...]:
        """The format's sections in order, with their text (empty ones included)."""
        return tuple((s, self.sections.get(s, "")) for s in self.format.sections)

    def normalised(self) -> NoteFields:
        """Text trimmed (each section keeps its inner line breaks), blank participants dropped,
        goals listed once, and only the format's own sections kept."""
        participants: list[str] = []
        for person in self.participants:
            if person.strip() and person.strip() not in participants:
                participants.append(person.strip())
        return replace(
            self,
            start_time=self.start_time.replace(second=0, microsecond=0) if self.start_time else None,
            location=self.location.strip(),
            participants=tuple(participants),
            goal_ids=tuple(dict.fromkeys(g for g in self.goal_ids if g)),
            sections={s: self.sections.get(s, "").strip() for s in self.format.sections},
        )

    @property
    def is_empty(self) -> bool:
        """Nothing written yet: no text, place or people (the type and date always have a value)."""
        return not (any(t.strip() for t in self.sections.values()) or self.location.strip()
                    or any(p.strip() for p in self.participants))

    def plain_text(self) -> str:
        """The body as plain text, each section under its heading (a free-text note as written)."""
        if self.format is NoteFormat.FREE:
            return self.section(NoteSection.NOTE).strip()
        return "\n\n".join(f"{s.heading}\n{text.strip()}" for s, text in self.body() if text.strip())

    def preview(self, limit: int = 160) -> str:
        """The start of the note on one line, for lists."""
        parts = []
        for s, text in self.body():
            if text.strip():
                line = " ".join(text.split())
                parts.append(line if self.format is NoteFormat.FREE else f"{s.heading[:1]}: {line}")
        joined = "  ".join(parts)
        return joined if len(joined) <= limit else joined[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Addendum:
    """Something added to a signed note later, with its own time stamp and author."""

    id: str
    note_id: str
    text: str
    written_at: datetime
    written_by: str = ""


@dataclass(frozen=True, slots=True)
class ErrorMark:
    """A signed note marked "entered in error": written in the wrong client's record, about a
    contact that did not happen, or twice. The note stays in the record as signed, with this mark
    (why, who, when) beside it; the mark itself never changes and is never removed."""

    reason: str
    marked_at: datetime
    marked_by: str = ""


def error_reasons() -> tuple[str, ...]:
    """The usual reasons, offered first; any other can be typed."""
    return (_("Written in the wrong client's record"), _("The contact did not take place"),
            _("A duplicate of another note"))


def validate_error_reason(text: str) -> dict[str, str]:
    if not text.strip():
        return {"reason": _("Say why the note was entered in error, e.g. “{example}”.").format(
            example=error_reasons()[0])}
    if len(text) > MAX_SHORT_TEXT:
        return {"reason": _("The reason can be at most {n} characters.").format(n=MAX_SHORT_TEXT)}
    return {}


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    client_id: str
    fields: NoteFields
    status: NoteStatus = NoteStatus.DRAFT
    late_entry: bool = False
    created_at: datetime | None = None
    created_by: str = ""
    updated_at: datetime | None = None
    signed_at: datetime | None = None
    signed_by: str = ""
    addenda: tuple[Addendum, ...] = ()
    addenda_count: int = 0  # lists count the addenda without reading them
    error: ErrorMark | None = None  # marked "entered in error" (signed notes only)

    @property
    def read_only(self) -> bool:
        return self.status is NoteStatus.SIGNED

    @property
    def signed(self) -> bool:
        return self.status is NoteStatus.SIGNED

    @property
    def entered_in_error(self) -> bool:
        return self.error is not None

    @property
    def counts(self) -> bool:
        """A signed record of a contact: what counts as work done (not a draft, not in error)."""
        return self.signed and self.error is None

    def with_addenda(self, addenda: Sequence[Addendum]) -> Note:
        return replace(self, addenda=tuple(addenda), addenda_count=len(addenda))


# -- times -------------------------------------------------------------------------------------

def contact_moment(contact_on: date, start_time: time | None) -> datetime:
    """When the contact happened, in local wall-clock time (the end of the day when no start
    time was recorded, so a note is never called late for a missing time)."""
    return datetime.combine(contact_on, start_time or time(23, 59, 59))


def is_late_entry(contact_on: date, start_time: time | None, written_on: date, signed_at: datetime) -> bool:
    """Late: started on a later day than the contact, or signed more than LATE_ENTRY_AFTER after
    it. `written_on` and `signed_at` are local (signed_at naive, wall-clock)."""
    if written_on > contact_on:
        return True
    return signed_at - contact_moment(contact_on, start_time) > LATE_ENTRY_AFTER


_TIME = re.compile(r"^(\d{1,2})(?:[:.h]?(\d{2}))?(am|pm|a|p)?$")


def parse_time(text: str) -> time:
    """A typed time: 14:30, 2:30 pm, 2.30pm, 1430, 9h30, 9. ValueError with a sentence otherwise."""
    cleaned = re.sub(r"[\s.]+(?=[ap])|\s+", "", text.strip().lower()).replace("a.m", "am").replace("p.m", "pm")
    cleaned = cleaned.rstrip(".")
    match = _TIME.match(cleaned)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        half = match.group(3)
        if half:
            if 1 <= hour <= 12:
                hour = hour % 12 + (12 if half.startswith("p") else 0)
            else:
                hour = 99
        if hour <= 23 and minute <= 59:
            return time(hour, minute)
    raise ValueError(_("“{text}” is not a time. Type it like 14:30 or 2:30 pm.").format(text=text.strip()))


def split_participants(text: str) -> tuple[str, ...]:
    """Participants typed on one line, separated by commas or semicolons."""
    return tuple(p.strip() for p in re.split(r"[;,\n]", text) if p.strip())


# -- rules -------------------------------------------------------------------------------------

def validate_fields(fields: NoteFields, today: date) -> dict[str, str]:
    """What stops a note from being kept at all (drafts may otherwise be incomplete)."""
    problems: dict[str, str] = {}
    if fields.contact_on > today:
        problems["contact_on"] = _("A note can't be dated in the future. Check the date.")
    elif fields.contact_on < date(1990, 1, 1):
        problems["contact_on"] = _("That date is too long ago. Check the year.")
    if fields.duration_min is not None and not 0 <= fields.duration_min <= MAX_DURATION_MIN:
        problems["duration_min"] = _("Give the length in minutes, up to {n}.").format(n=MAX_DURATION_MIN)
    if len(fields.location.strip()) > MAX_SHORT_TEXT:
        problems["location"] = _("This can be at most {n} characters.").format(n=MAX_SHORT_TEXT)
    if len(fields.participants) > MAX_PARTICIPANTS or any(len(p) > MAX_SHORT_TEXT for p in fields.participants):
        problems["participants"] = _("List at most {n} people, each in at most {m} characters.").format(
            n=MAX_PARTICIPANTS, m=MAX_SHORT_TEXT)
    for section in fields.format.sections:
        if len(fields.section(section)) > MAX_SECTION_CHARS:
            problems[f"sections.{section.value}"] = _("This section can be at most {n} characters. Split it, or "
                                                      "keep the rest for an addendum.").format(n=MAX_SECTION_CHARS)
    return problems


def validate_for_signing(fields: NoteFields, today: date) -> dict[str, str]:
    """Everything that must be true before a note is signed and locked."""
    problems = validate_fields(fields, today)
    if fields.start_time is None:
        problems["start_time"] = _("Give the time the contact started.")
    if fields.duration_min in (None, 0) and fields.kind is not ContactType.ATTEMPTED and "duration_min" not in problems:
        problems["duration_min"] = _("Give how long the contact lasted, in minutes.")
    for section in fields.format.sections:
        key = f"sections.{section.value}"
        if key not in problems and not fields.section(section).strip():
            if fields.format is NoteFormat.FREE:
                problems[key] = _("Write the note before signing it.")
            else:
                problems[key] = _("Write the {section} section, even briefly.").format(section=section.heading)
    return problems


def validate_addendum(text: str) -> dict[str, str]:
    if not text.strip():
        return {"text": _("Write what you are adding to the note.")}
    if len(text) > MAX_ADDENDUM_CHARS:
        return {"text": _("An addendum can be at most {n} characters.").format(n=MAX_ADDENDUM_CHARS)}
    return {}


def convert_sections(sections: Mapping[NoteSection, str], source: NoteFormat,
                     target: NoteFormat) -> dict[NoteSection, str]:
    """The text of one format's sections carried into another's, losing nothing: a section the
    target also has keeps its text; any other text goes, under its heading, into the target's
    first section (all of it, headed, when the target is free text)."""
    result: dict[NoteSection, str] = {s: "" for s in target.sections}
    spill: list[str] = []
    for section in source.sections:
        text = sections.get(section, "").strip()
        if not text:
            continue
        if section in result:
            result[section] = text
        elif source is NoteFormat.FREE:
            spill.append(text)
        else:
            spill.append(f"{section.heading}: {text}")
    if spill:
        first = target.sections[0]
        result[first] = "\n\n".join([*spill, result[first]] if result[first] else spill)
    return result


# -- search ------------------------------------------------------------------------------------

_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One word, or a phrase of words in a row; folded. `prefix`: the last word may be the
    start of a longer word."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True, slots=True)
class NoteQuery:
    """Every term must appear in a note (its text, participants, location or an addendum)."""

    terms: tuple[SearchTerm, ...]

    @classmethod
    def parse(cls, text: str, as_you_type: bool = True) -> NoteQuery | None:
        """Words (each the start of a word, from MIN_SEARCH_CHARS letters) and "quoted phrases".
        While typing, a last word still too short to search by is left out. None when nothing is
        searchable."""
        terms: list[SearchTerm] = []
        trailing_short = False
        for match in re.finditer(r'"([^"]*)("?)|([^"\s]+)', text):
            phrase, closed, bare = match.group(1), match.group(2), match.group(3)
            if bare is not None:
                for word in _WORD.findall(bare):
                    folded = fold(word)
                    terms.append(SearchTerm((folded,), prefix=len(folded) >= MIN_SEARCH_CHARS))
                    trailing_short = len(folded) < MIN_SEARCH_CHARS
            else:
                words = tuple(fold(w) for w in _WORD.findall(phrase))
                if words:
                    open_end = not closed and as_you_type
                    terms.append(SearchTerm(words, prefix=open_end and len(words[-1]) >= MIN_SEARCH_CHARS))
                trailing_short = False
        if as_you_type and trailing_short and not text.endswith((" ", '"')):
            terms.pop()
        terms = [t for t in terms if t.words]
        if not terms or all(len(t.words) == 1 and len(t.words[0]) < MIN_SEARCH_CHARS for t in terms):
            return None
        return cls(tuple(terms[:MAX_SEARCH_TERMS]))

    def fts(self) -> str:
        return " AND ".join(t.fts() for t in self.terms)

    def highlights(self, text: str) -> list[tuple[int, int]]:
        """Where the terms appear in `text`: (start, end) character spans, in order."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
        spans: list[tuple[int, int]] = []
        for term in self.terms:
            n = len(term.words)
            for i in range(len(tokens) - n + 1):
                if _term_at(term, tokens, i):
                    spans.append((tokens[i][0], tokens[i + n - 1][1]))
        return _merged(spans)

    def matches(self, text: str) -> bool:
        """Whether every term appears in `text` (as the search would find it)."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
        return all(any(_term_at(t, tokens, i) for i in range(len(tokens) - len(t.words) + 1)) for t in self.terms)


def _term_at(term: SearchTerm, tokens: Sequence[tuple[int, int, str]], i: int) -> bool:
    last = len(term.words) - 1
    for k, word in enumerate(term.words):
        token = tokens[i + k][2]
        if token != word and not (k == last and term.prefix and token.startswith(word)):
            return False
    return True


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


Segments = tuple[tuple[str, bool], ...]


def segments(text: str, spans: Sequence[tuple[int, int]]) -> Segments:
    """`text` cut into (piece, highlighted) pairs at the spans."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return tuple(pieces)


def snippet(text: str, query: NoteQuery, before: int = 50, length: int = 180) -> Segments | None:
    """A short extract of `text` on one line around the first place the query matches, with the
    matching words marked; None when nothing in it matches."""
    flat = " ".join(text.split())
    spans = query.highlights(flat)
    if not spans:
        return None
    start = max(0, spans[0][0] - before)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(flat), start + length)
    if end < len(flat):
        space = flat.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    window = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    pieces = list(segments(flat[start:end], window))
    if start:
        pieces.insert(0, ("…", False))
    if end < len(flat):
        pieces.append(("…", False))
    return tuple(pieces)
