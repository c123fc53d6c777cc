"""Transitions (stage 7) and post-transition check-ins (stage 8).

A **transition** is a change in the client's level of care (stepping up or down, an admission, a
transfer), a discharge, or a closure of the case. It keeps, each in its own field, what a
transition summary needs (CASE_RECORD.md, "Transition / discharge summary"): date and type, from
and to, reason, receiving provider, warm handoff (who, when, how), medications *as reported, not
reconciled*, pending appointments and referrals, crisis plan, client preferences, information
given, services provided, condition at transition, and a checklist of the summary's elements.

After a level-of-care change or a discharge, **check-ins** are planned at fixed offsets (by
default 3, 7, 30 and 90 days) with the client and with the receiving provider. Each records a
structured outcome: reached or not, engaged with the new provider, a visit attended within 7 and
within 30 days (HEDIS FUH after a psychiatric discharge), re-hospitalised or seen in an emergency
department, barriers and a note. Yes/no answers may be unknown (None). From there the case is
re-engaged (reopened and re-tiered) or closed with a reason.

Levels of care are the words of a configurable list; the defaults are keys translated for display
(`level_label`), any other word is shown as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.i18n import _, ngettext

DEFAULT_LEVELS: tuple[str, ...] = ("intensive", "standard", "maintenance", "inpatient", "transferred", "discharged")
DEFAULT_CHECK_IN_DAYS: tuple[int, ...] = (3, 7, 30, 90)
MAX_LEVELS = 20
MAX_LEVEL_LENGTH = 60
MAX_CHECK_INS = 8
MAX_OFFSET_DAYS = 365
MAX_TEXT = 4000
MAX_LINE = 500
MAX_LINES = 50
#: Levels that mean the client leaves this service (a transition to one of them is a discharge).
LEAVING_LEVELS = frozenset({"transferred", "discharged"})
#: A psychiatric stay: leaving it calls for contact within 72 hours and a visit within 7 days.
INPATIENT_LEVEL = "inpatient"


def level_label(level: str) -> str:
    """A level of care as shown: the defaults translated, any other word as written."""
    labels = {
        "intensive": _("Intensive"), "standard": _("Standard"), "maintenance": _("Maintenance"),
        "inpatient": _("Inpatient"), "transferred": _("Transferred"), "discharged": _("Discharged"),
    }
    return labels.get(level, level)


class TransitionKind(StrEnum):
    LEVEL_OF_CARE = "level_of_care"
    DISCHARGE = "discharge"
    CLOSURE = "closure"  # the case closed without a transition of care (moved away, declined …)

    @property
    def label(self) -> str:
        return {TransitionKind.LEVEL_OF_CARE: _("Level-of-care change"), TransitionKind.DISCHARGE: _("Discharge"),
                TransitionKind.CLOSURE: _("Case closed")}[self]


def kind_for(to_level: str) -> TransitionKind:
    """The kind a move to `to_level` usually is: leaving the service is a discharge."""
    return TransitionKind.DISCHARGE if to_level in LEAVING_LEVELS else TransitionKind.LEVEL_OF_CARE


class TransitionStatus(StrEnum):
    OPEN = "open"  # check-ins running
    REENGAGED = "re_engaged"  # the case was reopened and is being re-tiered
    CLOSED = "closed"
    SUPERSEDED = "superseded"  # a newer transition was recorded while this one was open

    @property
    def label(self) -> str:
        return {TransitionStatus.OPEN: _("Check-ins under way"), TransitionStatus.REENGAGED: _("Re-engaged"),
                TransitionStatus.CLOSED: _("Closed"), TransitionStatus.SUPERSEDED: _("Followed by a newer transition")
                }[self]


class HandoffMethod(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    WRITTEN = "written"

    @property
    def label(self) -> str:
        return {HandoffMethod.IN_PERSON: _("In person, together"), HandoffMethod.PHONE: _("Phone call, together"),
                HandoffMethod.VIDEO: _("Video call, together"), HandoffMethod.WRITTEN: _("In writing only")}[self]


class Party(StrEnum):
    CLIENT = "client"
    PROVIDER = "provider"

    @property
    def label(self) -> str:
        return {Party.CLIENT: _("Client"), Party.PROVIDER: _("Receiving provider")}[self]


class ChecklistItem(StrEnum):
    """The elements of a transition summary (CASE_RECORD.md), as things to have done or included."""

    REASON_FOR_SERVICES = "reason_for_services"
    SERVICES_PROVIDED = "services_provided"
    CONDITION = "condition"
    INFORMATION_GIVEN = "information_given"
    FOLLOW_UP_ARRANGEMENTS = "follow_up_arrangements"
    DATE_AND_TYPE = "date_and_type"
    RECEIVING_PROVIDER = "receiving_provider"
    TIER_AND_SCORES = "tier_and_scores"
    GOAL_STATUS = "goal_status"
    MEDICATIONS = "medications"
    SAFETY_PLAN = "safety_plan"
    PENDING = "pending"
    PREFERENCES = "preferences"
    RELEASE = "release"
    SIGNATURE = "signature"

    @property
    def label(self) -> str:
        return {
            ChecklistItem.REASON_FOR_SERVICES: _("Reason for services stated"),
            ChecklistItem.SERVICES_PROVIDED: _("Services provided summarised"),
            ChecklistItem.CONDITION: _("Condition and disposition at transition described"),
            ChecklistItem.INFORMATION_GIVEN: _("Information given to the client and family"),
            ChecklistItem.FOLLOW_UP_ARRANGEMENTS: _("Follow-up arrangements made"),
            ChecklistItem.DATE_AND_TYPE: _("Date and type of transition recorded"),
            ChecklistItem.RECEIVING_PROVIDER: _("Receiving provider confirmed"),
            ChecklistItem.TIER_AND_SCORES: _("Current risk tier and latest scores included"),
            ChecklistItem.GOAL_STATUS: _("Goal status reviewed"),
            ChecklistItem.MEDICATIONS: _("Medications listed as reported (not reconciled)"),
            ChecklistItem.SAFETY_PLAN: _("Safety plan and crisis contacts shared"),
            ChecklistItem.PENDING: _("Pending appointments and referrals listed"),
            ChecklistItem.PREFERENCES: _("Client preferences recorded"),
            ChecklistItem.RELEASE: _("Release of information on file for the receiving provider"),
            ChecklistItem.SIGNATURE: _("Summary signed"),
        }[self]


class Barrier(StrEnum):
    """Common reasons a client does not reach or keep the new care."""

    TRANSPORT = "transport"
    COST = "cost"
    WAIT_LIST = "wait_list"
    NO_PHONE = "no_phone"
    FORGOT = "forgot"
    UNWELL = "unwell"
    DECLINED = "declined"
    HOUSING = "housing"
    SUBSTANCE_USE = "substance_use"
    REFERRAL_LOST = "referral_lost"

    @property
    def label(self) -> str:
        return {
            Barrier.TRANSPORT: _("Transport"), Barrier.COST: _("Cost or insurance"),
            Barrier.WAIT_LIST: _("Waiting list"), Barrier.NO_PHONE: _("No phone or phone off"),
            Barrier.FORGOT: _("Forgot the appointment"), Barrier.UNWELL: _("Too unwell to go"),
            Barrier.DECLINED: _("Declined the service"), Barrier.HOUSING: _("Housing problems"),
            Barrier.SUBSTANCE_USE: _("Substance use"), Barrier.REFERRAL_LOST: _("Referral not received"),
        }[self]


class NextStep(StrEnum):
    """What follows a check-in."""

    NONE = "none"
    REENGAGE = "re_engage"
    CLOSE = "close"


# -- the transition ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Medication:
    """One medication as the client or the discharging service reported it — not reconciled."""

    name: str
    dose: str = ""  # dose and how often, as reported
    note: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.dose.strip() or self.note.strip())

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "dose": self.dose, "note": self.note}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Medication:
        return cls(str(data.get("name") or ""), str(data.get("dose") or ""), str(data.get("note") or ""))


@dataclass(frozen=True, slots=True)
class Handoff:
    """The warm handoff: with whom, when and how the client was introduced to the new care."""

    with_whom: str = ""
    on: date | None = None
    method: HandoffMethod | None = None
    note: str = ""

    @property
    def blank(self) -> bool:
        return not (self.with_whom.strip() or self.note.strip()) and self.on is None and self.method is None


@dataclass(frozen=True, slots=True)
class TransitionFields:
    """What the case manager records about a transition."""

    kind: TransitionKind
    from_level: str
    to_level: str
    on: date | None
    reason: str
    receiving_contact_id: str | None = None
    handoff: Handoff = field(default_factory=Handoff)
    medications: tuple[Medication, ...] = ()
    pending_appointments: tuple[str, ...] = ()
    pending_referrals: tuple[str, ...] = ()
    crisis_plan: str = ""
    preferences: str = ""
    information_given: str = ""
    services_provided: str = ""
    condition: str = ""
    checklist: frozenset[ChecklistItem] = frozenset()

    @property
    def after_inpatient(self) -> bool:
        """Leaving a psychiatric stay: a visit within 7 days is what counts (HEDIS FUH)."""
        return self.from_level == INPATIENT_LEVEL

    def normalised(self) -> TransitionFields:
        def lines(values: Iterable[str]) -> tuple[str, ...]:
            return tuple(v.strip() for v in values if v.strip())

        h = self.handoff
        return replace(
            self,
            from_level=self.from_level.strip(), to_level=self.to_level.strip(), reason=self.reason.strip(),
            receiving_contact_id=self.receiving_contact_id or None,
            handoff=Handoff(h.with_whom.strip(), h.on, h.method, h.note.strip()),
            medications=tuple(Medication(m.name.strip(), m.dose.strip(), m.note.strip())
                              for m in self.medications if not m.blank),
            pending_appointments=lines(self.pending_appointments),
            pending_referrals=lines(self.pending_referrals),
            crisis_plan=self.crisis_plan.strip(), preferences=self.preferences.strip(),
            information_given=self.information_given.strip(), services_provided=self.services_provided.strip(),
            condition=self.condition.strip(),
        )


@dataclass(frozen=True, slots=True)
class Transition:
    """A recorded transition and how it ended."""

    id: str
    client_id: str
    fields: TransitionFields
    status: TransitionStatus = TransitionStatus.OPEN
    ended_on: date | None = None
    closure_reason: str = ""
    reengage_note: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # From the directory, for display (not part of the transition itself).
    receiving_name: str = field(default="", compare=False)
    receiving_organisation: str = field(default="", compare=False)

    @property
    def on(self) -> date:
        assert self.fields.on is not None
        return self.fields.on

    @property
    def open(self) -> bool:
        return self.status is TransitionStatus.OPEN

    @property
    def receiving_text(self) -> str:
        """The receiving provider in a few words ("Dr Lee · Riverside CMHC")."""
        parts = [p for p in (self.receiving_name, self.receiving_organisation) if p]
        return " · ".join(dict.fromkeys(parts))

    @property
    def headline(self) -> str:
        """"Intensive → Maintenance", or the kind when no levels are recorded."""
        f = self.fields
        if f.kind is TransitionKind.CLOSURE or not f.to_level:
            return f.kind.label
        if not f.from_level:
            return level_label(f.to_level)
        return _("{before} → {after}").format(before=level_label(f.from_level), after=level_label(f.to_level))


def validate_transition(f: TransitionFields, today: date) -> dict[str, str]:
    """A sentence per field that can't be saved (fields as normalised)."""
    problems: dict[str, str] = {}
    if f.kind is not TransitionKind.CLOSURE:
        if not f.from_level:
            problems["from_level"] = _("Choose the level of care the client is leaving.")
        if not f.to_level:
            problems["to_level"] = _("Choose the level of care the client is moving to.")
        elif f.to_level == f.from_level:
            problems["to_level"] = _("The new level of care is the same as the old one. Choose another.")
    for name, level in (("from_level", f.from_level), ("to_level", f.to_level)):
        if len(level) > MAX_LEVEL_LENGTH and name not in problems:
            problems[name] = _("Keep the level of care under {n} characters.").format(n=MAX_LEVEL_LENGTH)
    if f.on is None:
        problems["on"] = _("Give the date of the transition.")
    elif f.on > today:
        problems["on"] = _("A transition is recorded on or after the day it happens; this date is in the future.")
    if not f.reason:
        problems["reason"] = (_("Say why the case is closing.") if f.kind is TransitionKind.CLOSURE
                              else _("Say why the client's care is changing, in a sentence or two."))
    h = f.handoff
    if h.on is not None and f.on is not None and h.on > f.on + timedelta(days=30):
        problems["handoff_on"] = _("The handoff is more than 30 days after the transition. Check the date.")
    if h.on is not None and h.on > today + timedelta(days=30):
        problems.setdefault("handoff_on", _("The handoff date is too far ahead. Check it."))
    if len(h.with_whom) > MAX_LINE:
        problems["handoff_with"] = _("Keep this under {n} characters.").format(n=MAX_LINE)
    texts = {"reason": f.reason, "handoff_note": h.note, "crisis_plan": f.crisis_plan, "preferences": f.preferences,
             "information_given": f.information_given, "services_provided": f.services_provided,
             "condition": f.condition}
    for name, text in texts.items():
        if len(text) > MAX_TEXT and name not in problems:
            problems[name] = _("Keep this under {n} characters.").format(n=f"{MAX_TEXT:,}")
    lists: dict[str, Sequence[str]] = {"pending_appointments": f.pending_appointments,
                                       "pending_referrals": f.pending_referrals}
    for name, values in lists.items():
        if len(values) > MAX_LINES:
            problems[name] = _("List up to {n} lines.").format(n=MAX_LINES)
        elif any(len(v) > MAX_LINE for v in values):
            problems[name] = _("Keep each line under {n} characters.").format(n=MAX_LINE)
    if len(f.medications) > MAX_LINES:
        problems["medications"] = _("List up to {n} medications.").format(n=MAX_LINES)
    else:
        for i, m in enumerate(f.medications):
            if not m.name:
                problems[f"medications.{i}.name"] = _("Name the medication, or clear the row.")
            elif max(len(m.name), len(m.dose), len(m.note)) > MAX_LINE:
                problems[f"medications.{i}.name"] = _("Keep each entry under {n} characters.").format(n=MAX_LINE)
    return problems


# -- check-ins -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckInOutcome:
    """What a check-in found. None = not known / not asked."""

    done_on: date | None
    reached: bool
    engaged: bool | None = None
    visit_7: bool | None = None
    visit_30: bool | None = None
    readmitted_or_ed: bool | None = None
    barriers: tuple[Barrier, ...] = ()
    barriers_other: str = ""
    note: str = ""

    def normalised(self) -> CheckInOutcome:
        ordered = tuple(b for b in Barrier if b in set(self.barriers))
        return replace(self, barriers=ordered, barriers_other=self.barriers_other.strip(), note=self.note.strip())

    @property
    def worrying(self) -> bool:
        """Something a case manager should act on: not engaged, no visit, back in hospital."""
        return self.readmitted_or_ed is True or self.engaged is False or self.visit_7 is False \
            or self.visit_30 is False


def validate_outcome(outcome: CheckInOutcome, transition_on: date, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if outcome.done_on is None:
        problems["done_on"] = _("Give the date of the check-in.")
    elif outcome.done_on > today:
        problems["done_on"] = _("A check-in is recorded once it has happened; this date is in the future.")
    elif outcome.done_on < transition_on:
        problems["done_on"] = _("The check-in can't be before the transition. Check the date.")
    if outcome.visit_7 is True and outcome.visit_30 is False:
        problems["visit_30"] = _("A visit within 7 days is also within 30 days: answer yes, or check the 7-day answer.")
    if len(outcome.barriers_other) > MAX_LINE:
        problems["barriers_other"] = _("Keep this under {n} characters.").format(n=MAX_LINE)
    if len(outcome.note) > MAX_TEXT:
        problems["note"] = _("Keep the note under {n} characters.").format(n=f"{MAX_TEXT:,}")
    return problems


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A planned check-in after a transition and, once done, its outcome."""

    id: str
    transition_id: str
    client_id: str
    due_on: date
    offset_days: int
    party: Party
    follow_up_id: str | None = None
    outcome: CheckInOutcome | None = None
    done_at: datetime | None = None
    recorded_by: str = ""
    scheduled_for: datetime | None = field(default=None, compare=False)  # the accepted follow-up's start

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def overdue(self, today: date) -> bool:
        """Due and not done by the day after (CASE_RECORD.md: overdue the day after it is due)."""
        return self.outcome is None and self.due_on < today

    def state_text(self, today: date, *, short: bool = False) -> str:
        """"Due today", "Overdue by 2 days", "Due in 5 days" or the outcome in a few words."""
        if self.outcome is not None:
            return outcome_summary(self.outcome, short=short)
        days = (self.due_on - today).days
        if days < 0:
            return "⚠ " + ngettext("Overdue by {n} day", "Overdue by {n} days", -days).format(n=-days)
        if days == 0:
            return _("Due today")
        return ngettext("Due in {n} day", "Due in {n} days", days).format(n=days)


def _answer(value: bool | None, yes: str, no: str) -> str | None:
    return None if value is None else (yes if value else no)


def outcome_summary(o: CheckInOutcome, *, short: bool = False) -> str:
    """An outcome in a few words, marks beside the worrying ones (never colour alone). `short`
    (for a table cell) leaves out what goes without saying: a 30-day visit after a 7-day one, and
    no hospital or ED."""
    parts = [_("✓ Reached") if o.reached else _("✗ Not reached")]
    if short:
        answers = (
            _answer(o.engaged, _("engaged"), _("⚠ not engaged")),
            _answer(o.visit_7, _("7-day visit"), _("⚠ no 7-day visit")),
            None if o.visit_7 else _answer(o.visit_30, _("30-day visit"), _("⚠ no 30-day visit")),
            _("⚠ hospital or ED") if o.readmitted_or_ed else None,
        )
    else:
        answers = (
            _answer(o.engaged, _("engaged with the new provider"), _("⚠ not engaged")),
            _answer(o.visit_7, _("visit within 7 days"), _("⚠ no visit within 7 days")),
            _answer(o.visit_30, _("visit within 30 days"), _("⚠ no visit within 30 days")),
            _answer(o.readmitted_or_ed, _("⚠ re-hospitalised or ED"), _("no hospital or ED")),
        )
    parts.extend(a for a in answers if a)
    return " · ".join(parts)


def check_in_schedule(on: date, days: Iterable[int], with_provider: bool) -> list[tuple[date, int, Party]]:
    """(due date, offset, party) for each planned check-in: the client at every offset and the
    receiving provider too when there is one."""
    parties = (Party.CLIENT, Party.PROVIDER) if with_provider else (Party.CLIENT,)
    return [(on + timedelta(days=d), d, p) for d in sorted(set(days)) for p in parties]


# -- settings ------------------------------------------------------------------------------------


def check_in_days_problem(days: Sequence[int]) -> str | None:
    """Why a list of check-in offsets can't be used (None when it can)."""
    if not days:
        return _("Give at least one day, e.g. 3, 7, 30, 90.")
    if len(days) > MAX_CHECK_INS:
        return _("Give up to {n} check-in days.").format(n=MAX_CHECK_INS)
    if any(not 1 <= d <= MAX_OFFSET_DAYS for d in days):
        return _("Each check-in day must be from 1 to {n} days after the transition.").format(n=MAX_OFFSET_DAYS)
    if len(set(days)) != len(days):
        return _("Each check-in day can appear once.")
    return None


def parse_check_in_days(text: str) -> tuple[int, ...]:
    """"3, 7, 30, 90" → (3, 7, 30, 90), sorted. ValueError with a sentence when it can't be read."""
    parts = [p.strip() for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        days = [int(p) for p in parts]
    except ValueError:
        raise ValueError(_("Write whole numbers of days separated by commas, e.g. 3, 7, 30, 90.")) from None
    problem = check_in_days_problem(days)
    if problem:
        raise ValueError(problem)
    return tuple(sorted(days))


def levels_problem(levels: Sequence[str]) -> str | None:
    """Why a list of levels of care can't be used (None when it can)."""
    cleaned = [level.strip() for level in levels if level.strip()]
    if len(cleaned) < 2:
        return _("List at least two levels of care.")
    if len(cleaned) > MAX_LEVELS:
        return _("List up to {n} levels of care.").format(n=MAX_LEVELS)
    if any(len(level) > MAX_LEVEL_LENGTH for level in cleaned):
        return _("Keep each level of care under {n} characters.").format(n=MAX_LEVEL_LENGTH)
    if len({level.casefold() for level in cleaned}) != len(cleaned):
        return _("Each level of care can appear once.")
    return None


@dataclass(frozen=True, slots=True)
class DueCheckIn:
    """A check-in on the caseload-wide list (Today, the calendar): named by client code only."""

    check_in: CheckIn
    client_code: str

    def overdue(self, today: date) -> bool:
        return self.check_in.overdue(today)
