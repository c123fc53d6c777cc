"""Referrals out (stage 5): a client referred to a contact or organisation for a service, and the
status it moves through. Pure dataclasses and rules.

    draft → sent → accepted / scheduled → completed
                 ↘ declined · no-show (after scheduled) · cancelled

Completed, declined, no-show and cancelled are final. A referral whose due date has passed and
that is not final is overdue. (Referrals *in*, which start a case, are app.models.screening.Referral.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from app.i18n import _, format_date
from app.models.client import MAX_TEXT
from app.models.screening import Urgency

MAX_LONG_TEXT = 2000


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            ReferralStatus.DRAFT: _("Draft"), ReferralStatus.SENT: _("Sent"), ReferralStatus.ACCEPTED: _("Accepted"),
            ReferralStatus.SCHEDULED: _("Scheduled"), ReferralStatus.COMPLETED: _("Completed"),
            ReferralStatus.DECLINED: _("Declined"), ReferralStatus.NO_SHOW: _("No-show"),
            ReferralStatus.CANCELLED: _("Cancelled"),
        }[self]

    @property
    def final(self) -> bool:
        return self in FINAL

    @property
    def next(self) -> tuple[ReferralStatus, ...]:
        """The statuses this one may move to, in the order a form offers them."""
        return TRANSITIONS[self]


FINAL = frozenset({ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.NO_SHOW,
                   ReferralStatus.CANCELLED})

_S = ReferralStatus
TRANSITIONS: dict[ReferralStatus, tuple[ReferralStatus, ...]] = {
    _S.DRAFT: (_S.SENT, _S.CANCELLED),
    _S.SENT: (_S.ACCEPTED, _S.SCHEDULED, _S.DECLINED, _S.CANCELLED),
    _S.ACCEPTED: (_S.SCHEDULED, _S.COMPLETED, _S.DECLINED, _S.CANCELLED),
    _S.SCHEDULED: (_S.COMPLETED, _S.NO_SHOW, _S.CANCELLED),
    _S.COMPLETED: (),
    _S.DECLINED: (),
    _S.NO_SHOW: (),
    _S.CANCELLED: (),
}


def transition_problem(current: ReferralStatus, to: ReferralStatus) -> str | None:
    """None if a referral may move from `current` to `to`; otherwise the sentence that says why
    not and what to do instead."""
    if to in TRANSITIONS[current]:
        return None
    if to is current:
        return _("The referral is already {status}.").format(status=current.label.lower())
    if current.final:
        return _("This referral is {status}, which is final: its status can't change. If the client still needs "
                 "the service, make a new referral.").format(status=current.label.lower())
    if current is _S.DRAFT:
        return _("This referral is still a draft. Mark it sent first; a draft can only be sent or cancelled.")
    if to is _S.DRAFT:
        return _("A referral that has been sent can't go back to being a draft. Cancel it and make a new one "
                 "if it was sent by mistake.")
    if to is _S.NO_SHOW:
        return _("A no-show is a missed appointment: mark the referral scheduled first.")
    if to is _S.COMPLETED:
        return _("The service hasn't accepted or scheduled the referral yet. Mark it accepted or scheduled first.")
    if to is _S.SENT:
        return _("The referral was sent already; it is now {status}.").format(status=current.label.lower())
    allowed = ", ".join(s.label.lower() for s in TRANSITIONS[current])
    return _("A referral that is {status} can't be marked {to}. It can be marked: {allowed}.").format(
        status=current.label.lower(), to=to.label.lower(), allowed=allowed)


def default_due_on(urgency: Urgency, sent_on: date) -> date:
    """When to expect an answer if none was set: routine 14 days, urgent 3, emergency the next day."""
    days = {Urgency.ROUTINE: 14, Urgency.URGENT: 3, Urgency.EMERGENCY: 1}[urgency]
    return sent_on + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class ServiceReferralFields:
    """What the case manager writes about a referral out."""

    contact_id: str = ""
    service: str = ""
    reason: str = ""
    urgency: Urgency = Urgency.ROUTINE
    due_on: date | None = None
    intervention_id: str | None = None
    outcome: str = ""

    def normalised(self) -> ServiceReferralFields:
        return ServiceReferralFields(self.contact_id.strip(), self.service.strip(), self.reason.strip(),
                                     self.urgency, self.due_on, self.intervention_id or None, self.outcome.strip())


@dataclass(frozen=True, slots=True)
class ServiceReferral:
    id: str
    client_id: str
    fields: ServiceReferralFields
    status: ReferralStatus = ReferralStatus.DRAFT
    sent_on: date | None = None
    appointment_on: date | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # From the directory, for lists (not part of the referral itself).
    to_name: str = field(default="", compare=False)
    to_organisation: str = field(default="", compare=False)

    @property
    def to_text(self) -> str:
        """Who it went to, in a few words ("Dr Lee · Riverside CMHC")."""
        return " · ".join(p for p in (self.to_name, self.to_organisation) if p and p != self.to_name) or self.to_name

    def overdue(self, today: date) -> bool:
        due = self.fields.due_on
        return due is not None and due < today and not self.status.final

    def days_overdue(self, today: date) -> int:
        due = self.fields.due_on
        return (today - due).days if due is not None and self.overdue(today) else 0


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a referral's status history."""

    id: str
    referral_id: str
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    on: date
    note: str = ""
    recorded_by: str = ""
    created_at: datetime | None = None


def validate_referral_out(values: ServiceReferralFields, today: date, *, due_changed: bool = True) -> dict[str, str]:
    """Problems keyed by field name. A due date in the past is refused only when it is being set
    (an overdue referral can still be edited)."""
    v = values.normalised()
    problems: dict[str, str] = {}
    if not v.contact_id:
        problems["contact_id"] = _("Choose who the referral is to. Add them to the directory first if they aren't there.")
    if not v.service:
        problems["service"] = _("Name the service, for example outpatient psychiatry or supported housing.")
    if not v.reason:
        problems["reason"] = _("Write the reason for the referral, in a few words.")
    if due_changed and v.due_on is not None and v.due_on < today:
        problems["due_on"] = _("The due date has already passed. Choose today or a later date.")
    for name in ("service",):
        if name not in problems and len(getattr(v, name)) > MAX_TEXT:
            problems[name] = _("This can be at most {n} characters.").format(n=MAX_TEXT)
    for name in ("reason", "outcome"):
        if len(getattr(v, name)) > MAX_LONG_TEXT:
            problems[name] = _("This can be at most {n} characters.").format(n=MAX_LONG_TEXT)
    return problems


def validate_move(current: ReferralStatus, to: ReferralStatus, on: date, today: date,
                  last_change_on: date | None, appointment_on: date | None = None) -> dict[str, str]:
    """What stops a status change, keyed by field ("status", "on", "appointment_on")."""
    problems: dict[str, str] = {}
    problem = transition_problem(current, to)
    if problem:
        problems["status"] = problem
    if on > today:
        problems["on"] = _("A status change can't be dated in the future.")
    elif last_change_on is not None and on < last_change_on:
        problems["on"] = _("It can't be dated before the last change, which was on {date}.").format(
            date=format_date(last_change_on))
    if appointment_on is not None and to is not ReferralStatus.SCHEDULED:
        problems["appointment_on"] = _("An appointment date goes with marking the referral scheduled.")
    return problems
