"""The practice's contacts directory and each client's care team (stage 5). Pure dataclasses and rules.

A contact is a professional (a person: psychiatrist, GP, housing worker …), an organisation
(clinic, agency, programme), or a natural support (family, friend, neighbour). A client's care
team is a list of members, each a contact with a role on this team, whether a release of
information is on file, and when they were last in touch. A member who has not been in touch for
`days` (a setting, 30 by default) is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.i18n import _
from app.models.client import _EMAIL, MAX_TEXT, _phone_problem, fold, phone_digits

DEFAULT_QUIET_DAYS = 30
QUIET_DAYS_MIN, QUIET_DAYS_MAX = 7, 180
NPI_PREFIX = "80840"  # the card-issuer prefix the NPI check digit is computed with (ISO 7812)
MAX_NOTES = 2000


class ContactKind(StrEnum):
    PROFESSIONAL = "professional"
    ORGANISATION = "organisation"
    NATURAL_SUPPORT = "natural_support"

    @property
    def label(self) -> str:
        return {ContactKind.PROFESSIONAL: _("Professional"), ContactKind.ORGANISATION: _("Organisation"),
                ContactKind.NATURAL_SUPPORT: _("Natural support")}[self]

    @property
    def plural(self) -> str:
        return {ContactKind.PROFESSIONAL: _("Professionals"), ContactKind.ORGANISATION: _("Organisations"),
                ContactKind.NATURAL_SUPPORT: _("Natural supports (family, friends)")}[self]

    @property
    def role_label(self) -> str:
        """What the role field means for this kind of contact."""
        return {ContactKind.PROFESSIONAL: _("Role or discipline"), ContactKind.ORGANISATION: _("Type of service"),
                ContactKind.NATURAL_SUPPORT: _("Relationship to the client")}[self]


class Release(StrEnum):
    """Whether a release of information covering this team member is on file."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {Release.YES: _("Release on file"), Release.NO: _("No release"),
                Release.UNKNOWN: _("Release not checked")}[self]


@dataclass(frozen=True, slots=True)
class ContactFields:
    """Everything typed about a contact. '' means not given."""

    kind: ContactKind = ContactKind.PROFESSIONAL
    name: str = ""
    role: str = ""
    organisation: str = ""
    phone: str = ""
    phone_alt: str = ""
    fax: str = ""
    email: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    npi: str = ""
    notes: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalised(self) -> ContactFields:
        """White space trimmed; an NPI kept as its digits when that is all it holds."""
        values: dict[str, Any] = {}
        for name in self.names():
            value = getattr(self, name)
            values[name] = value.strip() if isinstance(value, str) else value
        values["kind"] = ContactKind(self.kind)  # a StrEnum is a str too: strip() made it plain text
        npi = values["npi"]
        if npi and all(ch.isdigit() or ch in " -" for ch in npi):
            values["npi"] = phone_digits(npi)
        return ContactFields(**values)

    @property
    def address(self) -> str:
        """The address on one or more lines, as it would go on an envelope."""
        place = " ".join(p for p in (self.city + ("," if self.city and self.region else ""), self.region,
                                     self.postal_code) if p)
        return "\n".join(p for p in (self.address_line1, self.address_line2, place) if p)


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    fields: ContactFields
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    search_text: str = field(default="", compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.fields.name

    @property
    def kind(self) -> ContactKind:
        return self.fields.kind

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def summary(self) -> str:
        """Role and organisation in a few words ("Psychiatrist · Riverside CMHC")."""
        return " · ".join(p for p in (self.fields.role, self.fields.organisation) if p)

    def matches(self, words: list[str]) -> bool:
        """Whether every folded word appears in the name, role, organisation, email or phones."""
        haystack = self.search_text or search_text(self.fields)
        return all(w in haystack for w in words)


def search_text(f: ContactFields) -> str:
    """The folded text a directory search looks through (kept beside the row in the vault)."""
    phones = " ".join(phone_digits(p) for p in (f.phone, f.phone_alt, f.fax) if p)
    return fold(" ".join((f.name, f.role, f.organisation, f.email, f.city, phones)))


def search_words(text: str) -> list[str]:
    """A search box's text as folded words; a phone number typed with punctuation matches its digits."""
    words = []
    for word in fold(text).split():
        digits = phone_digits(word)
        words.append(digits if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in word) else word)
    return words


# -- validation ---------------------------------------------------------------------------------


def npi_problem(npi: str) -> str | None:
    """A sentence if `npi` is not a well-formed National Provider Identifier, else None.

    An NPI is 10 digits, starting with 1 (a person) or 2 (an organisation); the last digit is a
    Luhn check digit computed over the prefix 80840 and the first nine digits."""
    digits = npi.strip()
    if not digits:
        return None
    if not digits.isdigit():
        return _("An NPI is 10 digits with no letters, for example 1234567893.")
    if len(digits) != 10:
        return _("An NPI has 10 digits; this one has {n}. Check for a missing or extra digit.").format(n=len(digits))
    if digits[0] not in "12":
        return _("An NPI starts with 1 (a person) or 2 (an organisation). Check the first digit.")
    if not luhn_valid(NPI_PREFIX + digits):
        return _("This NPI's check digit doesn't match: one digit is probably mistyped. Check it against the "
                 "provider's letterhead or the NPI registry.")
    return None


def luhn_valid(number: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(number)):
        digit = int(ch)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def npi_check_digit(first_nine: str) -> str:
    """The tenth digit that makes `first_nine` a valid NPI."""
    for candidate in "0123456789":
        if luhn_valid(NPI_PREFIX + first_nine + candidate):
            return candidate
    raise ValueError(first_nine)  # pragma: no cover - one of ten digits always fits


def validate_contact(values: ContactFields) -> dict[str, str]:
    """Problems keyed by field name, each a sentence saying what to do. Empty when valid."""
    v = values.normalised()
    problems: dict[str, str] = {}
    if not v.name:
        problems["name"] = {
            ContactKind.ORGANISATION: _("Enter the organisation's name."),
            ContactKind.NATURAL_SUPPORT: _("Enter the person's name (a first name is enough)."),
        }.get(v.kind, _("Enter the person's name."))
    if v.kind is ContactKind.NATURAL_SUPPORT and not v.role:
        problems["role"] = _("Say how they are related to the client, for example sister, friend or neighbour.")
    for name in ("phone", "phone_alt", "fax"):
        problem = _phone_problem(getattr(v, name))
        if problem:
            problems[name] = problem
    if v.email and not _EMAIL.match(v.email):
        problems["email"] = _("Enter an email address like name@example.org, or leave it empty.")
    problem = npi_problem(v.npi)
    if problem:
        problems["npi"] = problem
    if len(v.notes) > MAX_NOTES:
        problems["notes"] = _("Notes can be at most {n} characters.").format(n=MAX_NOTES)
    for name in ContactFields.names():
        value = getattr(v, name)
        if name not in problems and name != "notes" and isinstance(value, str) and len(value) > MAX_TEXT:
            problems[name] = _("This can be at most {n} characters.").format(n=MAX_TEXT)
    return problems


# -- the care team ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberFields:
    """What the case manager sets about a contact's place on one client's team."""

    role: str = ""
    release: Release = Release.UNKNOWN
    last_contact_on: date | None = None


@dataclass(frozen=True, slots=True)
class TeamMember:
    id: str
    client_id: str
    contact: Contact
    fields: MemberFields
    added_on: date

    @property
    def role(self) -> str:
        """The role on this team, or the contact's own role when none was given."""
        return self.fields.role or self.contact.fields.role

    @property
    def in_touch_on(self) -> date:
        """The last day they were in touch; the day they joined the team if never recorded."""
        return self.fields.last_contact_on or self.added_on

    def days_quiet(self, today: date) -> int:
        return max(0, (today - self.in_touch_on).days)

    def out_of_touch(self, today: date, days: int = DEFAULT_QUIET_DAYS) -> bool:
        """True once `days` days have passed since they were last in touch."""
        return self.days_quiet(today) >= days


def quiet_since(today: date, days: int) -> date:
    """Members last in touch on or before this day are out of touch."""
    return today - timedelta(days=days)


def clamp_quiet_days(days: int) -> int:
    return max(QUIET_DAYS_MIN, min(QUIET_DAYS_MAX, int(days)))


def validate_member(values: MemberFields, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(values.role.strip()) > MAX_TEXT:
        problems["role"] = _("This can be at most {n} characters.").format(n=MAX_TEXT)
    last = values.last_contact_on
    if last is not None and last > today:
        problems["last_contact_on"] = _("The last contact can't be in the future. Check the date.")
    return problems


@dataclass(frozen=True, slots=True)
class QuietMember:
    """A care-team member out of touch, for Today: ids and the few words a list needs."""

    member_id: str
    client_id: str
    contact_name: str
    role: str
    in_touch_on: date
    last_contact_on: date | None

    def days_quiet(self, today: date) -> int:
        return max(0, (today - self.in_touch_on).days)


@dataclass(frozen=True, slots=True)
class ContactUsage:
    """Where a contact is used: on whose care team (client id, role), in how many referrals, and
    as the receiving provider of how many transitions."""

    teams: tuple[tuple[str, str], ...] = ()
    referrals: int = 0
    transitions: int = 0
    releases: int = 0

    @property
    def referenced(self) -> bool:
        return bool(self.teams) or self.referrals > 0 or self.transitions > 0 or self.releases > 0
