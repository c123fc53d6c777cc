"""The safety plan: six steps a client can follow in a crisis, the one thing that matters most
to them, barriers and likelihood of use per step, a review date and signatures.

The steps follow the headings of the Stanley & Brown (2012) safety planning intervention; the
wording is Waypoint's own. The content is a versioned JSON document (`schema`); each signed
version is kept unchanged, and a newer signed version supersedes the previous one.
Pure: no Qt, no SQL — a PDF builder gets a SafetyPlan and draws it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.i18n import _
from app.models.signature import Signature, SignerRole, validate_signature

SCHEMA = 1
DEFAULT_REVIEW_DAYS = 30
MAX_REVIEW_DAYS = 366


class Section(StrEnum):
    """The six steps, in the order they are tried."""

    WARNING_SIGNS = "warning_signs"
    COPING = "coping"
    DISTRACTIONS = "distractions"
    HELPERS = "helpers"
    PROFESSIONALS = "professionals"
    MEANS = "means"

    @property
    def number(self) -> int:
        return list(Section).index(self) + 1

    @property
    def heading(self) -> str:
        return {
            Section.WARNING_SIGNS: _("Signs that a crisis may be building"),
            Section.COPING: _("Things I can do on my own to cope"),
            Section.DISTRACTIONS: _("People and places that take my mind off things"),
            Section.HELPERS: _("People I can ask for help"),
            Section.PROFESSIONALS: _("Professionals and services I can contact"),
            Section.MEANS: _("Making my surroundings safer"),
        }[self]

    @property
    def short_heading(self) -> str:
        """For the pocket card."""
        return {
            Section.WARNING_SIGNS: _("Warning signs"),
            Section.COPING: _("Coping on my own"),
            Section.DISTRACTIONS: _("People and places"),
            Section.HELPERS: _("Ask for help"),
            Section.PROFESSIONALS: _("Professionals and services"),
            Section.MEANS: _("A safer environment"),
        }[self]

    @property
    def hint(self) -> str:
        return {
            Section.WARNING_SIGNS: _("Thoughts, pictures in the mind, moods, situations or things I do that "
                                     "come before a crisis."),
            Section.COPING: _("Things that help me feel calmer or take my mind off it, without needing "
                              "anyone else."),
            Section.DISTRACTIONS: _("People to be around and places to go when I need company or a change "
                                    "of scene."),
            Section.HELPERS: _("People I trust and can tell that I am not OK."),
            Section.PROFESSIONALS: _("My clinicians and their out-of-hours numbers, the nearest emergency "
                                     "department, and the crisis line."),
            Section.MEANS: _("What will be put away, locked up or handed over, who will keep it, and by when."),
        }[self]


class Likelihood(StrEnum):
    """How likely the client thinks they are to use a step."""

    UNLIKELY = "unlikely"
    MAYBE = "maybe"
    LIKELY = "likely"
    VERY_LIKELY = "very_likely"

    @property
    def label(self) -> str:
        return {Likelihood.UNLIKELY: _("Unlikely"), Likelihood.MAYBE: _("Maybe"),
                Likelihood.LIKELY: _("Likely"), Likelihood.VERY_LIKELY: _("Very likely")}[self]


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {PlanStatus.DRAFT: _("Draft"), PlanStatus.ACTIVE: _("Active"),
                PlanStatus.SUPERSEDED: _("Superseded")}[self]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Contact:
    """A person or a place (sections 3 and 4): `place` is used in section 3 only."""

    name: str = ""
    phone: str = ""
    place: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.phone.strip() or self.place.strip())

    def stripped(self) -> Contact:
        return Contact(self.name.strip(), self.phone.strip(), self.place.strip())

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "place": self.place}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
        return cls(_text(data.get("name")), _text(data.get("phone")), _text(data.get("place")))


@dataclass(frozen=True, slots=True)
class Professional:
    """A clinician or agency (section 5): who, their role or service, day and after-hours numbers."""

    name: str = ""
    role: str = ""
    phone: str = ""
    after_hours: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.role.strip() or self.phone.strip() or self.after_hours.strip())

    def stripped(self) -> Professional:
        return Professional(self.name.strip(), self.role.strip(), self.phone.strip(), self.after_hours.strip())

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "phone": self.phone, "after_hours": self.after_hours}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Professional:
        return cls(_text(data.get("name")), _text(data.get("role")), _text(data.get("phone")),
                   _text(data.get("after_hours")))


@dataclass(frozen=True, slots=True)
class EmergencyDepartment:
    name: str = ""
    address: str = ""
    phone: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.address.strip() or self.phone.strip())

    def stripped(self) -> EmergencyDepartment:
        return EmergencyDepartment(self.name.strip(), self.address.strip(), self.phone.strip())

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "address": self.address, "phone": self.phone}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EmergencyDepartment:
        return cls(_text(data.get("name")), _text(data.get("address")), _text(data.get("phone")))


@dataclass(frozen=True, slots=True)
class MeansStep:
    """Section 6: what is made safer, who holds it, by when."""

    what: str = ""
    held_by: str = ""
    by_when: date | None = None

    @property
    def blank(self) -> bool:
        return not (self.what.strip() or self.held_by.strip() or self.by_when)

    def stripped(self) -> MeansStep:
        return MeansStep(self.what.strip(), self.held_by.strip(), self.by_when)

    def to_json(self) -> dict[str, str | None]:
        return {"what": self.what, "held_by": self.held_by,
                "by_when": self.by_when.isoformat() if self.by_when else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeansStep:
        when = data.get("by_when")
        return cls(_text(data.get("what")), _text(data.get("held_by")),
                   date.fromisoformat(str(when)) if when else None)


@dataclass(frozen=True, slots=True)
class StepNote:
    """What might get in the way of a step, and how likely the client is to use it."""

    barriers: str = ""
    likelihood: Likelihood | None = None

    @property
    def blank(self) -> bool:
        return not self.barriers.strip() and self.likelihood is None

    def to_json(self) -> dict[str, str | None]:
        return {"barriers": self.barriers, "likelihood": self.likelihood.value if self.likelihood else None}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepNote:
        value = data.get("likelihood")
        return cls(_text(data.get("barriers")), Likelihood(value) if value else None)


_SECTION_VALUES = frozenset(s.value for s in Section)


def _lines(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


@dataclass(frozen=True, slots=True)
class PlanContent:
    """What the plan says. Drafts may be incomplete; `normalised()` drops blank lines and rows."""

    worth_living_for: str = ""
    warning_signs: tuple[str, ...] = ()
    coping: tuple[str, ...] = ()
    distractions: tuple[Contact, ...] = ()
    helpers: tuple[Contact, ...] = ()
    professionals: tuple[Professional, ...] = ()
    emergency_department: EmergencyDepartment = field(default_factory=EmergencyDepartment)
    local_crisis_line: str = ""
    means: tuple[MeansStep, ...] = ()
    steps: Mapping[Section, StepNote] = field(default_factory=dict)

    def step(self, section: Section) -> StepNote:
        return self.steps.get(section, StepNote())

    def normalised(self) -> PlanContent:
        return PlanContent(
            worth_living_for=self.worth_living_for.strip(),
            warning_signs=_lines(self.warning_signs),
            coping=_lines(self.coping),
            distractions=tuple(c.stripped() for c in self.distractions if not c.blank),
            helpers=tuple(Contact(c.name.strip(), c.phone.strip()) for c in self.helpers if not c.blank),
            professionals=tuple(p.stripped() for p in self.professionals if not p.blank),
            emergency_department=self.emergency_department.stripped(),
            local_crisis_line=self.local_crisis_line.strip(),
            means=tuple(m.stripped() for m in self.means if not m.blank),
            steps={s: StepNote(n.barriers.strip(), n.likelihood) for s, n in self.steps.items() if not n.blank},
        )

    @property
    def is_empty(self) -> bool:
        return self.normalised() == PlanContent()

    def to_json(self) -> dict[str, Any]:
        """The stored document: plain JSON types, with the schema number."""
        return {
            "schema": SCHEMA,
            "worth_living_for": self.worth_living_for,
            "warning_signs": list(self.warning_signs),
            "coping": list(self.coping),
            "distractions": [c.to_json() for c in self.distractions],
            "helpers": [{"name": c.name, "phone": c.phone} for c in self.helpers],
            "professionals": [p.to_json() for p in self.professionals],
            "emergency_department": self.emergency_department.to_json(),
            "local_crisis_line": self.local_crisis_line,
            "means": [m.to_json() for m in self.means],
            "steps": {s.value: self.steps[s].to_json() for s in Section if s in self.steps},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanContent:
        """Read a stored document. ValueError for a schema newer than this version understands."""
        schema = int(data.get("schema", SCHEMA))
        if schema > SCHEMA:
            raise ValueError(_("This safety plan was written by a newer version of Waypoint. Update Waypoint "
                               "to open it."))
        steps = data.get("steps") or {}
        return cls(
            worth_living_for=_text(data.get("worth_living_for")),
            warning_signs=tuple(_text(v) for v in data.get("warning_signs") or ()),
            coping=tuple(_text(v) for v in data.get("coping") or ()),
            distractions=tuple(Contact.from_json(c) for c in data.get("distractions") or ()),
            helpers=tuple(Contact.from_json(c) for c in data.get("helpers") or ()),
            professionals=tuple(Professional.from_json(p) for p in data.get("professionals") or ()),
            emergency_department=EmergencyDepartment.from_json(data.get("emergency_department") or {}),
            local_crisis_line=_text(data.get("local_crisis_line")),
            means=tuple(MeansStep.from_json(m) for m in data.get("means") or ()),
            steps={Section(k): StepNote.from_json(v) for k, v in steps.items() if k in _SECTION_VALUES},
        )


@dataclass(frozen=True, slots=True)
class SafetyPlan:
    """One version of a client's safety plan. Only a draft can change; an active (signed) version
    is read-only until a newer signed version supersedes it."""

    id: str
    client_id: str
    version: int
    status: PlanStatus
    content: PlanContent
    review_on: date | None = None
    signatures: tuple[Signature, ...] = ()
    activated_at: datetime | None = None
    superseded_at: datetime | None = None
    copy_given_on: date | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def read_only(self) -> bool:
        return self.status is not PlanStatus.DRAFT

    def signature(self, role: SignerRole) -> Signature | None:
        return next((s for s in self.signatures if s.role is role), None)

    def due_for_review(self, today: date) -> bool:
        """An active plan whose review date has come."""
        return self.status is PlanStatus.ACTIVE and self.review_on is not None and self.review_on <= today

    def with_content(self, content: PlanContent, review_on: date | None) -> SafetyPlan:
        return replace(self, content=content, review_on=review_on)


def default_review_on(today: date) -> date:
    return today + timedelta(days=DEFAULT_REVIEW_DAYS)


def _people_count(content: PlanContent) -> int:
    named = [c for c in (*content.distractions, *content.helpers) if c.name.strip()]
    pros = [p for p in content.professionals if p.name.strip() or p.role.strip()]
    return len(named) + len(pros) + (0 if not content.emergency_department.name.strip() else 1)


def validate_content(content: PlanContent) -> dict[str, str]:
    """Problems with the plan's rows, keyed by field path ('means.0.what', 'helpers.2.name' …).

    Indexes count the rows as given (blank rows included), so an editor can put each sentence
    next to its row."""
    problems: dict[str, str] = {}
    for i, c in enumerate(content.distractions):
        if c.phone.strip() and not (c.name.strip() or c.place.strip()):
            problems[f"distractions.{i}.name"] = _("Whose number is this? Add a name or a place.")
    for i, c in enumerate(content.helpers):
        if c.phone.strip() and not c.name.strip():
            problems[f"helpers.{i}.name"] = _("Whose number is this? Add a name.")
    for i, p in enumerate(content.professionals):
        if (p.phone.strip() or p.after_hours.strip()) and not (p.name.strip() or p.role.strip()):
            problems[f"professionals.{i}.name"] = _("Whose number is this? Add a name or a service.")
    for i, m in enumerate(content.means):
        if not m.blank and not m.what.strip():
            problems[f"means.{i}.what"] = _("Say what is being made safer, for example medicines or a car key.")
    return problems


def validate_for_activation(content: PlanContent, review_on: date | None, today: date) -> dict[str, str]:
    """Everything that must be true before a plan can be signed and become the active plan."""
    problems = validate_content(content)
    if not _lines(content.warning_signs):
        problems["warning_signs"] = _("Write at least one warning sign, in the client's words.")
    if _people_count(content) == 0:
        problems["people"] = _("Add at least one person to contact or one professional or service.")
    if review_on is None:
        problems["review_on"] = _("Choose a date to review the plan together.")
    elif review_on < today:
        problems["review_on"] = _("The review date is in the past. Choose today or a later date.")
    elif review_on > today + timedelta(days=MAX_REVIEW_DAYS):
        problems["review_on"] = _("Review the plan within a year. Choose an earlier date.")
    return problems


def validate_signatures(signatures: Iterable[Signature]) -> dict[str, str]:
    """A client's signature (drawn, or a verbal agreement with its reason) and the case manager's
    are needed. Problems are keyed '<role>.<field>', e.g. 'client.strokes'."""
    given = list(signatures)
    problems: dict[str, str] = {}
    for role in (SignerRole.CLIENT, SignerRole.CASE_MANAGER):
        if not any(s.role is role for s in given):
            problems[f"{role.value}.strokes"] = (
                _("The client needs to sign, or agree verbally with the reason recorded.")
                if role is SignerRole.CLIENT else _("The case manager needs to sign.")
            )
    for signature in given:
        for name, message in validate_signature(signature).items():
            problems.setdefault(f"{signature.role.value}.{name}", message)
    return problems
