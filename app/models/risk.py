"""Risk stratification: seven domains, points 0–3 each with evidence, floors, a tier.

Transparent defaults from CASE_RECORD.md, not a validated tool: every result carries the rule
version, each domain's points with the evidence and date behind them, and the floors applied,
so the "Why this tier?" panel can show exactly how the tier came about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from app.i18n import _, format_date

RULE_VERSION = "waypoint-risk-1.0"
T = TypeVar("T")


class Tier(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRISIS = "crisis"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)

    @property
    def label(self) -> str:
        return {Tier.LOW: _("Low"), Tier.MODERATE: _("Moderate"), Tier.HIGH: _("High"), Tier.CRISIS: _("Crisis")}[self]


def tier_from_total(total: int) -> Tier:
    """0–4 Low · 5–9 Moderate · 10–14 High · 15 or more Crisis."""
    if total >= 15:
        return Tier.CRISIS
    if total >= 10:
        return Tier.HIGH
    if total >= 5:
        return Tier.MODERATE
    return Tier.LOW


class Domain(StrEnum):
    SUICIDE = "suicide"
    SYMPTOMS = "symptoms"
    ACUTE_CARE = "acute_care"
    HOUSING = "housing"
    SUBSTANCE = "substance"
    ADHERENCE = "adherence"
    SUPPORT = "support"

    @property
    def label(self) -> str:
        return {
            Domain.SUICIDE: _("Suicide / self-harm"), Domain.SYMPTOMS: _("Symptoms"),
            Domain.ACUTE_CARE: _("Acute care use"), Domain.HOUSING: _("Housing"),
            Domain.SUBSTANCE: _("Substance use"), Domain.ADHERENCE: _("Medication adherence"),
            Domain.SUPPORT: _("Social support"),
        }[self]


class Housing(StrEnum):
    STABLE = "stable"
    AT_RISK = "at_risk"  # arrears, notice
    SHELTER = "shelter"  # shelter or doubled-up
    UNSHELTERED = "unsheltered"


class Adherence(StrEnum):
    NOT_APPLICABLE = "not_applicable"
    AS_PRESCRIBED = "as_prescribed"
    OCCASIONAL_MISSES = "occasional_misses"
    FREQUENT_MISSES = "frequent_misses"  # or stopped one medication
    STOPPED_ALL = "stopped_all"  # or no supply


class Support(StrEnum):
    TWO_OR_MORE = "two_or_more"
    ONE = "one"
    LIMITED = "limited"  # limited or conflictual
    ISOLATED = "isolated"  # isolated or an unsafe relationship


@dataclass(frozen=True, slots=True)
class Observed(Generic[T]):
    """A value with the date it was recorded and where it came from (for the evidence)."""

    value: T
    on: date
    source: str = ""


@dataclass(frozen=True, slots=True)
class RiskInputs:
    as_of: date
    cssrs: Observed[str] | None = None  # None / Low / Moderate / High
    phq9_total: Observed[int] | None = None
    phq9_item9: Observed[int] | None = None
    gad7_total: Observed[int] | None = None
    k6_total: Observed[int] | None = None
    psychosis_or_mania: Observed[bool] | None = None
    ed_or_crisis_contacts: tuple[date, ...] = ()
    psychiatric_admissions: tuple[date, ...] = ()
    psychiatric_discharge: date | None = None
    housing: Observed[Housing] | None = None
    auditc_positive: Observed[bool] | None = None
    alcohol_harm: Observed[bool] | None = None
    dast10_total: Observed[int] | None = None
    overdose_or_withdrawal: tuple[date, ...] = ()
    adherence: Observed[Adherence] | None = None
    support: Observed[Support] | None = None


@dataclass(frozen=True, slots=True)
class DomainScore:
    domain: Domain
    points: int
    evidence: str
    on: date | None = None
    recorded: bool = True  # False: nothing on file for this domain (counts as 0)


@dataclass(frozen=True, slots=True)
class Floor:
    tier: Tier
    reason: str


@dataclass(frozen=True, slots=True)
class RiskResult:
    as_of: date
    domains: tuple[DomainScore, ...]
    total: int
    tier_from_total: Tier
    floors: tuple[Floor, ...]
    tier: Tier
    rule_version: str = RULE_VERSION

    @property
    def unrecorded(self) -> tuple[Domain, ...]:
        return tuple(d.domain for d in self.domains if not d.recorded)

    def points(self, domain: Domain) -> int:
        return next(d.points for d in self.domains if d.domain is domain)


def _when(on: date) -> str:
    return format_date(on, "medium")


def _observed(label: str, obs: Observed[Any]) -> str:
    source = f" ({obs.source})" if obs.source else ""
    return _("{what} on {date}{source}").format(what=label, date=_when(obs.on), source=source)


Candidate = tuple[int, str, date | None]  # points, evidence, date


def _from_candidates(domain: Domain, candidates: list[Candidate], nothing: str) -> DomainScore:
    """The highest-scoring finding; with none scoring, everything that was looked at."""
    if not candidates:
        return DomainScore(domain, 0, nothing, None, recorded=False)
    points, evidence, on = max(candidates, key=lambda c: c[0])
    if points == 0:
        evidence = "; ".join(c[1] for c in candidates)
        on = max((c[2] for c in candidates if c[2] is not None), default=None)
    return DomainScore(domain, points, evidence, on)


def _suicide(i: RiskInputs) -> DomainScore:
    c: list[Candidate] = []
    if i.cssrs is not None:
        points = {"High": 3, "Moderate": 2, "Low": 1}.get(i.cssrs.value, 0)
        c.append((points, _observed(_("C-SSRS screener {level}").format(level=i.cssrs.value), i.cssrs), i.cssrs.on))
    if i.phq9_item9 is not None:
        v = i.phq9_item9.value
        c.append((2 if v >= 2 else v, _observed(_("PHQ-9 item 9 = {v}").format(v=v), i.phq9_item9), i.phq9_item9.on))
    return _from_candidates(Domain.SUICIDE, c, _("No suicide-risk screen recorded"))


def _symptoms(i: RiskInputs) -> DomainScore:
    c: list[Candidate] = []
    if i.phq9_total is not None:
        v = i.phq9_total.value
        points = 3 if v >= 20 else 2 if v >= 15 else 1 if v >= 10 else 0
        c.append((points, _observed(_("PHQ-9 {v}").format(v=v), i.phq9_total), i.phq9_total.on))
    if i.gad7_total is not None:
        v = i.gad7_total.value
        points = 2 if v >= 15 else 1 if v >= 10 else 0
        c.append((points, _observed(_("GAD-7 {v}").format(v=v), i.gad7_total), i.gad7_total.on))
    if i.k6_total is not None:
        points = 2 if i.k6_total.value >= 13 else 0
        c.append((points, _observed(_("K6 {v}").format(v=i.k6_total.value), i.k6_total), i.k6_total.on))
    if i.psychosis_or_mania is not None:
        label = _("Psychosis or mania noted") if i.psychosis_or_mania.value else _("No psychosis or mania noted")
        c.append((3 if i.psychosis_or_mania.value else 0, _observed(label, i.psychosis_or_mania), i.psychosis_or_mania.on))
    return _from_candidates(Domain.SYMPTOMS, c, _("No symptom scores recorded"))


def _acute_care(i: RiskInputs) -> DomainScore:
    year_ago = i.as_of - timedelta(days=365)
    month_ago = i.as_of - timedelta(days=30)
    contacts = sorted(d for d in i.ed_or_crisis_contacts if year_ago <= d <= i.as_of)
    admissions = sorted(d for d in i.psychiatric_admissions if year_ago <= d <= i.as_of)
    recent = [d for d in (*contacts, *admissions) if d >= month_ago]
    if recent:
        last = max(recent)
        return DomainScore(Domain.ACUTE_CARE, 3, _("Admission or ED visit in the last 30 days ({date})").format(date=_when(last)), last)
    if len(contacts) >= 2 or admissions:
        last = max((*contacts, *admissions))
        return DomainScore(Domain.ACUTE_CARE, 2, _("{c} ED/crisis contact(s) and {a} psychiatric admission(s) in 12 months").format(
            c=len(contacts), a=len(admissions)), last)
    if contacts:
        return DomainScore(Domain.ACUTE_CARE, 1, _("1 ED/crisis contact in 12 months ({date})").format(date=_when(contacts[0])), contacts[0])
    return DomainScore(Domain.ACUTE_CARE, 0, _("No ED, crisis or inpatient care in 12 months"), None)


def _rated(domain: Domain, observed: Observed[Any] | None, table: Mapping[Any, tuple[int, str]],
           nothing: str) -> DomainScore:
    """A domain read from one recorded rating: its points and words from `table`."""
    if observed is None:
        return DomainScore(domain, 0, nothing, None, recorded=False)
    points, label = table[observed.value]
    return DomainScore(domain, points, _observed(label, observed), observed.on)


def _housing(i: RiskInputs) -> DomainScore:
    return _rated(Domain.HOUSING, i.housing, {
        Housing.STABLE: (0, _("Stable housing")), Housing.AT_RISK: (1, _("Housing at risk")),
        Housing.SHELTER: (2, _("In a shelter or doubled-up")), Housing.UNSHELTERED: (3, _("Unsheltered")),
    }, _("Housing not recorded"))


def _substance(i: RiskInputs) -> DomainScore:
    c: list[Candidate] = []
    quarter_ago = i.as_of - timedelta(days=90)
    recent = sorted(d for d in i.overdose_or_withdrawal if quarter_ago <= d <= i.as_of)
    if recent:
        c.append((3, _("Overdose or withdrawal in the last 90 days ({date})").format(date=_when(recent[-1])), recent[-1]))
    if i.dast10_total is not None:
        v = i.dast10_total.value
        points = 3 if v >= 6 else 2 if v >= 3 else 1 if v >= 1 else 0
        c.append((points, _observed(_("DAST-10 {v}").format(v=v), i.dast10_total), i.dast10_total.on))
    if i.auditc_positive is not None:
        harm = i.auditc_positive.value and i.alcohol_harm is not None and i.alcohol_harm.value
        if harm:
            label, points = _("AUDIT-C positive with alcohol-related harm"), 2
        elif i.auditc_positive.value:
            label, points = _("AUDIT-C positive"), 1
        else:
            label, points = _("AUDIT-C negative"), 0
        c.append((points, _observed(label, i.auditc_positive), i.auditc_positive.on))
    return _from_candidates(Domain.SUBSTANCE, c, _("Substance use not screened"))


def _adherence(i: RiskInputs) -> DomainScore:
    return _rated(Domain.ADHERENCE, i.adherence, {
        Adherence.NOT_APPLICABLE: (0, _("No medication (not applicable)")),
        Adherence.AS_PRESCRIBED: (0, _("Takes medication as prescribed")),
        Adherence.OCCASIONAL_MISSES: (1, _("Occasional missed doses")),
        Adherence.FREQUENT_MISSES: (2, _("Frequent misses, or stopped one medication")),
        Adherence.STOPPED_ALL: (3, _("Stopped all medication, or no supply")),
    }, _("Medication adherence not recorded"))


def _support(i: RiskInputs) -> DomainScore:
    return _rated(Domain.SUPPORT, i.support, {
        Support.TWO_OR_MORE: (0, _("Two or more reliable supports")), Support.ONE: (1, _("One reliable support")),
        Support.LIMITED: (2, _("Limited or conflictual support")),
        Support.ISOLATED: (3, _("Isolated, or an unsafe relationship")),
    }, _("Social support not recorded"))


def _floors(i: RiskInputs) -> tuple[Floor, ...]:
    floors: list[Floor] = []
    if i.cssrs is not None and i.cssrs.value == "High":
        floors.append(Floor(Tier.CRISIS, _("C-SSRS screener High ({date})").format(date=_when(i.cssrs.on))))
    if i.cssrs is not None and i.cssrs.value == "Moderate":
        floors.append(Floor(Tier.HIGH, _("C-SSRS screener Moderate ({date})").format(date=_when(i.cssrs.on))))
    discharge = i.psychiatric_discharge
    if discharge is not None and i.as_of - timedelta(days=30) <= discharge <= i.as_of:
        floors.append(Floor(Tier.HIGH, _("Psychiatric discharge in the last 30 days ({date})").format(date=_when(discharge))))
    item9 = i.phq9_item9
    if item9 is not None and item9.value >= 2 and (i.cssrs is None or i.cssrs.on < item9.on):
        floors.append(Floor(Tier.HIGH, _("PHQ-9 item 9 = {v} ({date}) with no C-SSRS since").format(v=item9.value, date=_when(item9.on))))
    if item9 is not None and item9.value == 1:
        floors.append(Floor(Tier.MODERATE, _("PHQ-9 item 9 = 1 ({date})").format(date=_when(item9.on))))
    if i.housing is not None and i.housing.value is Housing.UNSHELTERED:
        floors.append(Floor(Tier.MODERATE, _("Unsheltered ({date})").format(date=_when(i.housing.on))))
    return tuple(floors)


def stratify(inputs: RiskInputs) -> RiskResult:
    """Points per domain, the tier from the total, then the floors: the highest of them wins."""
    domains = (_suicide(inputs), _symptoms(inputs), _acute_care(inputs), _housing(inputs),
               _substance(inputs), _adherence(inputs), _support(inputs))
    total = sum(d.points for d in domains)
    from_total = tier_from_total(total)
    floors = _floors(inputs)
    tier = max([from_total, *(f.tier for f in floors)], key=lambda t: t.rank)
    return RiskResult(inputs.as_of, domains, total, from_total, floors, tier)


def override_problem(current: Tier, new: Tier, reason: str, reassessed_since_crisis: bool) -> str | None:
    """Why a clinician override can't be saved as entered, or None when it can."""
    if len(reason.strip()) < 10:
        return _("Write the reason for the override in a sentence (at least 10 characters).")
    if current is Tier.CRISIS and new.rank < Tier.CRISIS.rank and not reassessed_since_crisis:
        return _("Stepping down from Crisis needs a documented reassessment first (a new C-SSRS or risk review).")
    return None


@dataclass(frozen=True, slots=True)
class Cadence:
    """Default contact frequency for a tier (configurable later; the calendar uses it)."""

    contact_days: int
    rescreen: str
    rescreen_days: int | None
    retier_days: int
    note: str = ""


def cadences() -> dict[Tier, Cadence]:
    return {
        Tier.CRISIS: Cadence(1, _("C-SSRS at each contact"), None, 3,
                             _("Same day, then every 1–2 days; make or review the safety plan.")),
        Tier.HIGH: Cadence(7, _("PHQ-9/GAD-7 every 2 weeks"), 14, 30, _("At least one face-to-face contact a month.")),
        Tier.MODERATE: Cadence(14, _("Monthly"), 30, 60),
        Tier.LOW: Cadence(30, _("Quarterly"), 90, 90, _("Up to every 90 days in maintenance.")),
    }


@dataclass(frozen=True, slots=True)
class TierRecord:
    """A tier as recorded on the client: the computation, and any clinician override of it."""

    id: str
    client_id: str
    result: RiskResult
    tier: Tier
    override_reason: str = ""
    reassessment: bool = False
    cadence: Cadence | None = None
    recorded_by: str = ""

    @property
    def overridden(self) -> bool:
        return self.tier is not self.result.tier

    @property
    def assessed_on(self) -> date:
        return self.result.as_of
