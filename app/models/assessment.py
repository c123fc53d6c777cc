"""The comprehensive assessment (stage 2): pure dataclasses, validation and the risk facts.

One assessment is a document: per life domain a need rating and a strength rating (0–3) with a
narrative; "about the person" in the client's own words; diagnoses; medications; hospital and ED
history; and the facts the risk engine reads (housing, medication adherence, supports, psychosis or
mania, alcohol-related harm). Documents are kept as versioned JSON: `schema` in the JSON says which
shape it has, so a later Waypoint can read what an earlier one wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app.i18n import _
from app.models.risk import Adherence, Housing, Observed, RiskInputs, Support

SCHEMA_VERSION = 1
RATING_RANGE = range(0, 4)


class LifeDomain(StrEnum):
    """The sixteen life domains of the person-centred care plan (CASE_RECORD.md)."""

    HOUSING = "housing"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    INCOME = "income_benefits"
    PHYSICAL_HEALTH = "physical_health"
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    SOCIAL_SUPPORTS = "social_supports"
    FAMILY = "family_parenting"
    LEGAL = "legal"
    DAILY_LIVING = "daily_living"
    TRANSPORTATION = "transportation"
    FOOD = "food"
    SAFETY = "safety"
    LEISURE = "leisure"
    SPIRITUALITY = "spirituality_culture"

    @property
    def label(self) -> str:
        return life_domain_labels()[self]

    @property
    def recovery_dimension(self) -> RecoveryDimension:
        """The optional roll-up to SAMHSA's four dimensions of recovery."""
        return _DIMENSIONS[self]


class RecoveryDimension(StrEnum):
    HEALTH = "health"
    HOME = "home"
    PURPOSE = "purpose"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return {RecoveryDimension.HEALTH: _("Health"), RecoveryDimension.HOME: _("Home"),
                RecoveryDimension.PURPOSE: _("Purpose"), RecoveryDimension.COMMUNITY: _("Community")}[self]


_DIMENSIONS = {
    LifeDomain.HOUSING: RecoveryDimension.HOME, LifeDomain.EMPLOYMENT: RecoveryDimension.PURPOSE,
    LifeDomain.EDUCATION: RecoveryDimension.PURPOSE, LifeDomain.INCOME: RecoveryDimension.HOME,
    LifeDomain.PHYSICAL_HEALTH: RecoveryDimension.HEALTH, LifeDomain.MENTAL_HEALTH: RecoveryDimension.HEALTH,
    LifeDomain.SUBSTANCE_USE: RecoveryDimension.HEALTH, LifeDomain.SOCIAL_SUPPORTS: RecoveryDimension.COMMUNITY,
    LifeDomain.FAMILY: RecoveryDimension.COMMUNITY, LifeDomain.LEGAL: RecoveryDimension.PURPOSE,
    LifeDomain.DAILY_LIVING: RecoveryDimension.HOME, LifeDomain.TRANSPORTATION: RecoveryDimension.HOME,
    LifeDomain.FOOD: RecoveryDimension.HOME, LifeDomain.SAFETY: RecoveryDimension.HOME,
    LifeDomain.LEISURE: RecoveryDimension.PURPOSE, LifeDomain.SPIRITUALITY: RecoveryDimension.COMMUNITY,
}


def life_domain_labels() -> dict[LifeDomain, str]:
    return {
        LifeDomain.HOUSING: _("Housing"),
        LifeDomain.EMPLOYMENT: _("Employment"),
        LifeDomain.EDUCATION: _("Education"),
        LifeDomain.INCOME: _("Income and benefits"),
        LifeDomain.PHYSICAL_HEALTH: _("Physical health"),
        LifeDomain.MENTAL_HEALTH: _("Mental health"),
        LifeDomain.SUBSTANCE_USE: _("Substance use"),
        LifeDomain.SOCIAL_SUPPORTS: _("Social supports"),
        LifeDomain.FAMILY: _("Family and parenting"),
        LifeDomain.LEGAL: _("Legal"),
        LifeDomain.DAILY_LIVING: _("Daily living"),
        LifeDomain.TRANSPORTATION: _("Transportation"),
        LifeDomain.FOOD: _("Food"),
        LifeDomain.SAFETY: _("Safety"),
        LifeDomain.LEISURE: _("Leisure"),
        LifeDomain.SPIRITUALITY: _("Spirituality and culture"),
    }


def need_labels() -> dict[int, str]:
    """Need: how much help the person needs in a domain now (higher = more need)."""
    return {0: _("No need"), 1: _("Mild need"), 2: _("Moderate need"), 3: _("Severe need")}


def need_hints() -> dict[int, str]:
    return {0: _("Nothing to act on"), 1: _("Watch, or prevent it getting worse"),
            2: _("Needs action"), 3: _("Needs action now")}


def strength_labels() -> dict[int, str]:
    """Strength: what the person already has going for them in a domain (higher = stronger)."""
    return {0: _("None identified"), 1: _("Emerging strength"), 2: _("Useful strength"), 3: _("Core strength")}


def strength_hints() -> dict[int, str]:
    return {0: _("No strength found yet"), 1: _("There, but needs building"),
            2: _("Can be used in the plan"), 3: _("A cornerstone of the plan")}


def rating_text(value: int | None, labels: Mapping[int, str]) -> str:
    """A rating as a number and words ("2 · Moderate need"), or "Not rated"."""
    if value is None:
        return _("Not rated")
    return _("{n} · {label}").format(n=value, label=labels.get(value, "?"))


def housing_labels() -> dict[Housing, str]:
    return {
        Housing.STABLE: _("Stable"),
        Housing.AT_RISK: _("At risk (arrears, or a notice to leave)"),
        Housing.SHELTER: _("In a shelter or staying with others (doubled-up)"),
        Housing.UNSHELTERED: _("Unsheltered (street, car, or a place not meant for living)"),
    }


def adherence_labels() -> dict[Adherence, str]:
    return {
        Adherence.NOT_APPLICABLE: _("No medication (not applicable)"),
        Adherence.AS_PRESCRIBED: _("Takes it as prescribed"),
        Adherence.OCCASIONAL_MISSES: _("Misses a dose now and then"),
        Adherence.FREQUENT_MISSES: _("Misses often, or stopped one medication"),
        Adherence.STOPPED_ALL: _("Stopped all, or has no supply"),
    }


def support_labels() -> dict[Support, str]:
    return {
        Support.TWO_OR_MORE: _("Two or more people they can rely on"),
        Support.ONE: _("One person they can rely on"),
        Support.LIMITED: _("Limited or conflictual support"),
        Support.ISOLATED: _("Isolated, or in an unsafe relationship"),
    }


class EventKind(StrEnum):
    ED_VISIT = "ed_visit"
    CRISIS_CONTACT = "crisis_contact"
    PSYCHIATRIC_ADMISSION = "psychiatric_admission"
    PSYCHIATRIC_DISCHARGE = "psychiatric_discharge"
    OVERDOSE = "overdose"
    WITHDRAWAL = "withdrawal"

    @property
    def label(self) -> str:
        return event_kind_labels()[self]


def event_kind_labels() -> dict[EventKind, str]:
    return {
        EventKind.ED_VISIT: _("Emergency department visit"),
        EventKind.CRISIS_CONTACT: _("Crisis team or crisis line contact"),
        EventKind.PSYCHIATRIC_ADMISSION: _("Psychiatric admission"),
        EventKind.PSYCHIATRIC_DISCHARGE: _("Psychiatric discharge"),
        EventKind.OVERDOSE: _("Overdose"),
        EventKind.WITHDRAWAL: _("Withdrawal"),
    }


@dataclass(frozen=True, slots=True)
class DomainRating:
    need: int | None = None
    strength: int | None = None
    narrative: str = ""

    @property
    def empty(self) -> bool:
        return self.need is None and self.strength is None and not self.narrative.strip()


@dataclass(frozen=True, slots=True)
class AboutPerson:
    """In the client's own words."""

    what_matters: str = ""  # hopes and values
    preferences: str = ""  # language, contact method and times, culture/faith, who to involve
    strengths: str = ""
    supports: str = ""  # people, places, activities
    barriers: str = ""

    @staticmethod
    def names() -> tuple[str, ...]:
        return ("what_matters", "preferences", "strengths", "supports", "barriers")


def about_labels() -> dict[str, str]:
    return {
        "what_matters": _("What matters to me"),
        "preferences": _("My preferences"),
        "strengths": _("My strengths"),
        "supports": _("My supports"),
        "barriers": _("What gets in the way"),
    }


def about_hints() -> dict[str, str]:
    return {
        "what_matters": _("Hopes and values, in the client's own words"),
        "preferences": _("Language, how and when to get in touch, culture or faith, who to involve"),
        "strengths": _("What they are good at, what has helped before"),
        "supports": _("People, places and activities that help"),
        "barriers": _("What makes things harder"),
    }


@dataclass(frozen=True, slots=True)
class Diagnosis:
    text: str
    icd10: str = ""  # optional; normalised upper case, e.g. F32.1


@dataclass(frozen=True, slots=True)
class Medication:
    name: str
    dose: str = ""
    prescriber: str = ""
    adherence: Adherence | None = None  # how this one is taken, if asked


@dataclass(frozen=True, slots=True)
class HospitalEvent:
    kind: EventKind
    on: date | None
    where: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """What the risk engine reads from the assessment. None = not recorded / not asked."""

    housing: Housing | None = None
    adherence: Adherence | None = None  # overall; NOT_APPLICABLE when no medication
    support: Support | None = None
    psychosis_or_mania: bool | None = None
    alcohol_harm: bool | None = None


@dataclass(frozen=True, slots=True)
class AssessmentDocument:
    """Everything recorded in one assessment."""

    assessed_on: date
    domains: Mapping[LifeDomain, DomainRating] = field(default_factory=dict)
    about: AboutPerson = AboutPerson()
    diagnoses: tuple[Diagnosis, ...] = ()
    medications: tuple[Medication, ...] = ()
    events: tuple[HospitalEvent, ...] = ()
    facts: RiskFacts = RiskFacts()

    def domain(self, domain: LifeDomain) -> DomainRating:
        return self.domains.get(domain, DomainRating())

    # -- JSON ------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        f = self.facts
        return {
            "schema": SCHEMA_VERSION,
            "assessed_on": self.assessed_on.isoformat(),
            "domains": {
                d.value: {"need": r.need, "strength": r.strength, "narrative": r.narrative}
                for d in LifeDomain if not (r := self.domain(d)).empty
            },
            "about": {name: getattr(self.about, name) for name in AboutPerson.names()},
            "diagnoses": [{"text": d.text, "icd10": d.icd10} for d in self.diagnoses],
            "medications": [
                {"name": m.name, "dose": m.dose, "prescriber": m.prescriber,
                 "adherence": m.adherence.value if m.adherence else None}
                for m in self.medications
            ],
            "events": [
                {"kind": e.kind.value, "on": e.on.isoformat() if e.on else None, "where": e.where, "note": e.note}
                for e in self.events
            ],
            "risk_facts": {
                "housing": f.housing.value if f.housing else None,
                "adherence": f.adherence.value if f.adherence else None,
                "support": f.support.value if f.support else None,
                "psychosis_or_mania": f.psychosis_or_mania,
                "alcohol_harm": f.alcohol_harm,
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> AssessmentDocument:
        """Read a document of this schema or an earlier one. ValueError for one written by a
        newer Waypoint (its fields could be lost) or one that is not an assessment."""
        schema = data.get("schema")
        if not isinstance(schema, int) or schema < 1:
            raise ValueError(_("This is not an assessment document Waypoint can read."))
        if schema > SCHEMA_VERSION:
            raise ValueError(_("This assessment was written by a newer version of Waypoint. Update Waypoint to open it."))
        domains: dict[LifeDomain, DomainRating] = {}
        for key, value in (data.get("domains") or {}).items():
            domains[LifeDomain(key)] = DomainRating(value.get("need"), value.get("strength"), value.get("narrative", ""))
        about = data.get("about") or {}
        facts = data.get("risk_facts") or {}
        return AssessmentDocument(
            assessed_on=date.fromisoformat(data["assessed_on"]),
            domains=domains,
            about=AboutPerson(**{name: str(about.get(name, "")) for name in AboutPerson.names()}),
            diagnoses=tuple(Diagnosis(d.get("text", ""), d.get("icd10", "")) for d in data.get("diagnoses", ())),
            medications=tuple(
                Medication(m.get("name", ""), m.get("dose", ""), m.get("prescriber", ""),
                           Adherence(m["adherence"]) if m.get("adherence") else None)
                for m in data.get("medications", ())
            ),
            events=tuple(
                HospitalEvent(EventKind(e["kind"]), date.fromisoformat(e["on"]) if e.get("on") else None,
                              e.get("where", ""), e.get("note", ""))
                for e in data.get("events", ())
            ),
            facts=RiskFacts(
                housing=Housing(facts["housing"]) if facts.get("housing") else None,
                adherence=Adherence(facts["adherence"]) if facts.get("adherence") else None,
                support=Support(facts["support"]) if facts.get("support") else None,
                psychosis_or_mania=facts.get("psychosis_or_mania"),
                alcohol_harm=facts.get("alcohol_harm"),
            ),
        )

    @staticmethod
    def from_json(text: str) -> AssessmentDocument:
        return AssessmentDocument.from_dict(json.loads(text))

    def normalised(self) -> AssessmentDocument:
        """Text stripped, ICD-10 codes upper case, empty table rows dropped."""
        return replace(
            self,
            domains={d: replace(r, narrative=r.narrative.strip()) for d, r in self.domains.items()},
            about=AboutPerson(**{n: getattr(self.about, n).strip() for n in AboutPerson.names()}),
            diagnoses=tuple(Diagnosis(d.text.strip(), d.icd10.strip().upper()) for d in self.diagnoses
                            if d.text.strip() or d.icd10.strip()),
            medications=tuple(Medication(m.name.strip(), m.dose.strip(), m.prescriber.strip(), m.adherence)
                              for m in self.medications
                              if m.name.strip() or m.dose.strip() or m.prescriber.strip() or m.adherence),
            events=tuple(HospitalEvent(e.kind, e.on, e.where.strip(), e.note.strip()) for e in self.events),
        )


def carry_forward(previous: AssessmentDocument, on: date) -> AssessmentDocument:
    """A new assessment starts from the last one: everything carried over, dated `on`."""
    return replace(previous, assessed_on=on)


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {AssessmentStatus.DRAFT: _("Draft"), AssessmentStatus.COMPLETED: _("Completed")}[self]


@dataclass(frozen=True, slots=True)
class Assessment:
    """One version of a client's assessment. Completed versions are read-only."""

    id: str
    client_id: str
    version: int
    status: AssessmentStatus
    document: AssessmentDocument
    supersedes: str | None = None
    started_by: str = ""
    completed_by: str = ""
    completed_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def assessed_on(self) -> date:
        return self.document.assessed_on

    @property
    def completed(self) -> bool:
        return self.status is AssessmentStatus.COMPLETED


# -- validation --------------------------------------------------------------------------------

_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_ICD10_NO_DOT = re.compile(r"^([A-Z][0-9][0-9A-Z])([0-9A-Z]{1,4})$")


def icd10_problem(code: str) -> str | None:
    """Why `code` is not an ICD-10 code as written (F32.1, F41.9, Z59.0 …), or None if it is
    (or is empty: the code is optional)."""
    cleaned = code.strip().upper()
    if not cleaned or _ICD10.match(cleaned):
        return None
    missing_dot = _ICD10_NO_DOT.match(cleaned)
    if missing_dot:
        return _("Write the code with a dot after the third character: {code}.").format(
            code=f"{missing_dot.group(1)}.{missing_dot.group(2)}")
    return _("“{code}” is not an ICD-10 code. Codes look like F32.1 or F41.9: a letter, two digits, "
             "then a dot and up to four more characters. Leave it empty if you don't know it.").format(code=code.strip())


def field_key(*parts: object) -> str:
    """The name of a field in a problems dict: "domains.housing.need", "diagnoses.0.icd10" …"""
    return ".".join(str(p) for p in parts)


def validate(document: AssessmentDocument, today: date, *, completing: bool = True) -> dict[str, str]:
    """{field: sentence} for everything that stops the assessment being completed.

    With `completing` False (a draft) only what can't be kept at all is reported: ratings out of
    range. Field names are those of `field_key`."""
    problems: dict[str, str] = {}
    for domain in LifeDomain:
        rating = document.domain(domain)
        for kind, value in (("need", rating.need), ("strength", rating.strength)):
            if value is not None and value not in RATING_RANGE:
                problems[field_key("domains", domain.value, kind)] = _(
                    "{domain}: a rating goes from 0 to 3, not {value}.").format(domain=domain.label, value=value)
    if not completing:
        return problems
    if document.assessed_on > today:
        problems["assessed_on"] = _("The assessment date is in the future. Check the date.")
    unrated = [d for d in LifeDomain if document.domain(d).need is None]
    for domain in unrated:
        problems.setdefault(field_key("domains", domain.value, "need"), _(
            "Rate the need for {domain} (0 means no need).").format(domain=domain.label))
    for index, diagnosis in enumerate(document.diagnoses):
        if not diagnosis.text.strip():
            problems[field_key("diagnoses", index, "text")] = _(
                "Describe the diagnosis in words, not only its code.")
        problem = icd10_problem(diagnosis.icd10)
        if problem:
            problems[field_key("diagnoses", index, "icd10")] = problem
    for index, medication in enumerate(document.medications):
        if not medication.name.strip():
            problems[field_key("medications", index, "name")] = _("Name the medication, or remove the row.")
    if document.medications and document.facts.adherence is Adherence.NOT_APPLICABLE:
        problems["facts.adherence"] = _(
            "Medications are listed, so adherence can't be “not applicable”. Say how they are taken.")
    for index, event in enumerate(document.events):
        key = field_key("events", index, "on")
        if event.on is None:
            problems[key] = _("Give the date of the {event}, even if approximate.").format(event=event.kind.label.lower())
        elif event.on > today:
            problems[key] = _("This date is in the future. Check the date.")
        elif event.on > document.assessed_on:
            problems[key] = _("This date is after the assessment date. Check both dates.")
    return problems


# -- risk facts --------------------------------------------------------------------------------

_ADHERENCE_ORDER = (Adherence.NOT_APPLICABLE, Adherence.AS_PRESCRIBED, Adherence.OCCASIONAL_MISSES,
                    Adherence.FREQUENT_MISSES, Adherence.STOPPED_ALL)


def overall_adherence(document: AssessmentDocument) -> Adherence | None:
    """The overall rating when given; otherwise the worst of the medications' own ratings."""
    if document.facts.adherence is not None:
        return document.facts.adherence
    rated = [m.adherence for m in document.medications if m.adherence is not None]
    return max(rated, key=_ADHERENCE_ORDER.index) if rated else None


def risk_inputs(document: AssessmentDocument, as_of: date) -> RiskInputs:
    """The facts of this assessment as the risk engine's inputs, dated the assessment day.

    Hospital and ED history goes over as dates; which of them count (12 months, 30 or 90 days)
    is the engine's decision. Instrument scores are not part of an assessment."""
    on, source = document.assessed_on, _("Assessment")
    f = document.facts

    def observed(value: Any) -> Observed[Any] | None:
        return None if value is None else Observed(value, on, source)

    def dates(*kinds: EventKind) -> tuple[date, ...]:
        return tuple(sorted(e.on for e in document.events if e.kind in kinds and e.on is not None))

    discharges = [d for d in dates(EventKind.PSYCHIATRIC_DISCHARGE) if d <= as_of]
    return RiskInputs(
        as_of=as_of,
        psychosis_or_mania=observed(f.psychosis_or_mania),
        ed_or_crisis_contacts=dates(EventKind.ED_VISIT, EventKind.CRISIS_CONTACT),
        psychiatric_admissions=dates(EventKind.PSYCHIATRIC_ADMISSION),
        psychiatric_discharge=max(discharges) if discharges else None,
        housing=observed(f.housing),
        alcohol_harm=observed(f.alcohol_harm),
        overdose_or_withdrawal=dates(EventKind.OVERDOSE, EventKind.WITHDRAWAL),
        adherence=observed(overall_adherence(document)),
        support=observed(f.support),
    )
