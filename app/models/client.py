"""Clients and their case stage: the record, its validation and the stage list."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app.i18n import _
from app.models.risk import Tier


class Stage(StrEnum):
    """Where a client is in case management: referred, the nine stages, then closed."""

    REFERRED = "referred"
    SCREENING = "screening"
    ASSESSING = "assessing"
    STRATIFYING = "stratifying"
    PLANNING = "planning"
    IMPLEMENTING = "implementing"
    FOLLOWING_UP = "following_up"
    TRANSITIONING = "transitioning"
    POST_TRANSITION = "post_transition"
    EVALUATING = "evaluating"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return stage_labels()[self]

    @property
    def number(self) -> int | None:
        """1–9 for the nine stages of case management, None for referred and closed."""
        order = list(Stage)
        index = order.index(self)
        return index if 1 <= index <= 9 else None


def stage_labels() -> dict[Stage, str]:
    return {
        Stage.REFERRED: _("Referred"),
        Stage.SCREENING: _("Screening"),
        Stage.ASSESSING: _("Assessing"),
        Stage.STRATIFYING: _("Stratifying risk"),
        Stage.PLANNING: _("Planning"),
        Stage.IMPLEMENTING: _("Implementing"),
        Stage.FOLLOWING_UP: _("Following up"),
        Stage.TRANSITIONING: _("Transitioning"),
        Stage.POST_TRANSITION: _("Post-transition"),
        Stage.EVALUATING: _("Evaluating"),
        Stage.CLOSED: _("Closed"),
    }


SEX_AT_BIRTH = ("", "female", "male", "intersex", "unknown", "declined")


def sex_at_birth_labels() -> dict[str, str]:
    return {
        "": _("Not recorded"),
        "female": _("Female"),
        "male": _("Male"),
        "intersex": _("Intersex"),
        "unknown": _("Unknown"),
        "declined": _("Prefers not to say"),
    }


@dataclass(frozen=True, slots=True)
class ClientFields:
    """Everything a person types about a client. Strings are stripped; '' means not given."""

    first_name: str = ""
    last_name: str = ""
    preferred_name: str = ""
    pronouns: str = ""
    date_of_birth: date | None = None
    sex_at_birth: str = ""
    gender_identity: str = ""
    language: str = ""
    interpreter_needed: bool = False
    phone: str = ""
    phone_alt: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    emergency_name: str = ""
    emergency_relationship: str = ""
    emergency_phone: str = ""
    insurance_id: str = ""
    referral_date: date | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalised(self) -> ClientFields:
        """A copy with surrounding white space removed from every text field."""
        values: dict[str, Any] = {}
        for name in self.names():
            value = getattr(self, name)
            values[name] = value.strip() if isinstance(value, str) else value
        return ClientFields(**values)


@dataclass(frozen=True, slots=True)
class Client:
    """A client as stored: identity, fields, stage and bookkeeping."""

    id: str
    client_code: str
    fields: ClientFields
    stage: Stage = Stage.REFERRED
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        """Preferred first name (or first name) and last name."""
        first = self.fields.preferred_name or self.fields.first_name
        return f"{first} {self.fields.last_name}".strip()

    @property
    def legal_name(self) -> str:
        return f"{self.fields.first_name} {self.fields.last_name}".strip()

    @property
    def initials(self) -> str:
        parts = [self.fields.first_name, self.fields.last_name]
        return "".join(p[:1].upper() + "." for p in parts if p)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def age(self, today: date) -> int | None:
        return age_on(self.fields.date_of_birth, today)


@dataclass(frozen=True, slots=True)
class StageChange:
    """One row of a client's stage history."""

    id: str
    client_id: str
    on: date
    from_stage: Stage | None
    to_stage: Stage
    note: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RosterRow:
    """The few fields the roster shows, kept small so 10,000 of them load fast."""

    id: str
    client_code: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date | None
    stage: Stage
    phone: str
    archived: bool
    sort_name: str = field(default="", compare=False)
    tier: Tier | None = None

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{self.last_name}, {first}" if self.last_name else first

    @property
    def initials(self) -> str:
        return "".join(p[:1].upper() + "." for p in (self.first_name, self.last_name) if p)


_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D",
                          "ł": "l", "Ł": "L", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D"})


def fold(text: str) -> str:
    """Case- and accent-free form used to sort and search names: Ødegård → odegard, Zoë → zoe."""
    if text.isascii():  # the same result, fast: nothing to translate, decompose or strip
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_client_code() -> str:
    """A short random code (no name, no date) used wherever a name must not appear."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^[0-9+()\-.\s/x#ext]*$", re.IGNORECASE)
MAX_NAME = 100
MAX_TEXT = 200


def phone_digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def _phone_problem(number: str) -> str | None:
    if not number:
        return None
    digits = phone_digits(number)
    if not _PHONE_CHARS.match(number) or not 7 <= len(digits) <= 15:
        return _("Enter a phone number with 7 to 15 digits, for example (555) 201-3344.")
    return None


def validate_client(values: ClientFields, today: date) -> dict[str, str]:
    """Problems keyed by field name, each a sentence saying what to do. Empty when valid."""
    v = values.normalised()
    problems: dict[str, str] = {}
    if not v.first_name:
        problems["first_name"] = _("Enter the client's first name.")
    if not v.last_name:
        problems["last_name"] = _("Enter the client's last name.")
    for name in ("first_name", "last_name", "preferred_name"):
        if len(getattr(v, name)) > MAX_NAME:
            problems[name] = _("Names can be at most {n} characters.").format(n=MAX_NAME)
    if v.date_of_birth is None:
        problems["date_of_birth"] = _("Enter the date of birth.")
    elif v.date_of_birth > today:
        problems["date_of_birth"] = _("The date of birth is in the future. Check the year.")
    elif (age_on(v.date_of_birth, today) or 0) > 120:
        problems["date_of_birth"] = _("That makes the client older than 120. Check the year.")
    if v.referral_date is not None and v.referral_date > today:
        problems["referral_date"] = _("The referral date is in the future. Check the date.")
    if v.email and not _EMAIL.match(v.email):
        problems["email"] = _("Enter an email address like name@example.org, or leave it empty.")
    for name in ("phone", "phone_alt", "emergency_phone"):
        problem = _phone_problem(getattr(v, name))
        if problem:
            problems[name] = problem
    if v.sex_at_birth not in SEX_AT_BIRTH:
        problems["sex_at_birth"] = _("Choose one of the listed options.")
    for name in ClientFields.names():
        value = getattr(v, name)
        if name not in problems and isinstance(value, str) and len(value) > MAX_TEXT:
            problems[name] = _("This can be at most {n} characters.").format(n=MAX_TEXT)
    return problems


def validate_stage_change(on: date, today: date) -> str | None:
    if on > today:
        return _("A stage change can't be dated in the future.")
    return None
