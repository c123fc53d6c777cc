"""Screening records (stage 1) and the safety alerts they raise. Pure dataclasses and rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from app.i18n import _
from app.models.client import Stage
from app.models.instruments import Instrument, Score, score


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def label(self) -> str:
        return {Urgency.ROUTINE: _("Routine"), Urgency.URGENT: _("Urgent"), Urgency.EMERGENCY: _("Emergency")}[self]


class Decision(StrEnum):
    ENROL = "enrol"
    REFER_ELSEWHERE = "refer_elsewhere"
    WAIT_LIST = "wait_list"
    DECLINE = "decline"

    @property
    def label(self) -> str:
        return {Decision.ENROL: _("Enrol"), Decision.REFER_ELSEWHERE: _("Refer elsewhere"),
                Decision.WAIT_LIST: _("Wait-list"), Decision.DECLINE: _("Decline")}[self]

    @property
    def next_stage(self) -> Stage:
        """Where the decision moves the case: enrolment starts the assessment; a wait-list keeps
        the client in screening; referring elsewhere or declining closes the case."""
        return {Decision.ENROL: Stage.ASSESSING, Decision.WAIT_LIST: Stage.SCREENING,
                Decision.REFER_ELSEWHERE: Stage.CLOSED, Decision.DECLINE: Stage.CLOSED}[self]


@dataclass(frozen=True, slots=True)
class ReferralFields:
    received_on: date
    source: str = ""
    referrer_name: str = ""
    referrer_contact: str = ""
    reason: str = ""
    urgency: Urgency = Urgency.ROUTINE


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    client_id: str
    fields: ReferralFields
    decision: Decision | None = None
    decision_on: date | None = None
    decision_reason: str = ""


def validate_referral(fields: ReferralFields, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if fields.received_on > today:
        problems["received_on"] = _("The referral date is in the future. Check the date.")
    if not fields.reason.strip():
        problems["reason"] = _("Write the reason for the referral, in a few words.")
    return problems


def validate_decision(decision: Decision, reason: str, on: date, received_on: date, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = _("Give the reason for the decision.")
    if on > today:
        problems["on"] = _("The decision can't be dated in the future.")
    elif on < received_on:
        problems["on"] = _("The decision can't come before the referral was received.")
    return problems


@dataclass(frozen=True, slots=True)
class Administration:
    """One instrument given once: the answers as recorded and the score they produced."""

    id: str
    client_id: str
    instrument_id: str
    instrument_version: str
    administered_on: date
    answers: dict[str, int | None]
    declined: tuple[str, ...]
    valid: bool
    total: int | None
    percent: int | None
    band: str | None
    positive: bool | None
    risk: str | None
    prorated: bool
    flags: tuple[str, ...]
    sex_used: str = ""
    referral_id: str | None = None
    recorded_by: str = ""
    created_at: datetime | None = None

    def answer(self, item_id: str) -> int | None:
        return self.answers.get(item_id)


def administer(
    instrument: Instrument,
    client_id: str,
    answers: Mapping[str, int | None],
    *,
    new_id: str,
    on: date,
    declined: tuple[str, ...] = (),
    sex: str | None = None,
    referral_id: str | None = None,
    recorded_by: str = "",
    now: datetime | None = None,
) -> tuple[Administration, Score]:
    """Score one administration from its definition and shape it as it is kept.

    Declined items are kept as declined and scored as missing; a sex other than female or male
    counts as not recorded. ValueError (naming the item) for an answer the item doesn't offer."""
    given = {k: v for k, v in answers.items() if k not in declined}
    given.update(dict.fromkeys(declined))
    sex = sex if sex in ("female", "male") else None
    result = score(instrument, given, sex=sex)
    admin = Administration(
        id=new_id, client_id=client_id, instrument_id=instrument.id, instrument_version=instrument.version,
        administered_on=on, answers={item.id: given[item.id] for item in instrument.items if item.id in given},
        declined=declined, valid=result.valid, total=result.total, percent=result.percent, band=result.band,
        positive=result.positive, risk=result.risk, prorated=result.prorated, flags=result.flag_ids,
        sex_used=sex or "", referral_id=referral_id, recorded_by=recorded_by, created_at=now,
    )
    return admin, result


@dataclass(frozen=True, slots=True)
class ExternalScore:
    """A score from a tool whose items Waypoint can't show (LOCUS, DLA-20, ANSA, WHODAS …)."""

    id: str
    client_id: str
    tool: str
    scored_on: date
    total: str = ""
    level: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class SafetyAlert:
    """A suicide-risk signal that stays on the client and on Today until someone reviews it."""

    id: str
    client_id: str
    flag: str
    level: str
    raised_at: datetime
    administration_id: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str = ""
    review_note: str = ""
    instrument_id: str = field(default="", compare=False)

    @property
    def open(self) -> bool:
        return self.reviewed_at is None


def crisis_line(locale: str) -> str:
    """The crisis line to show with a safety alert, for the user's locale."""
    region = locale.split("_")[-1].upper() if "_" in locale else ""
    if region == "US":
        return _("988 Suicide & Crisis Lifeline — call or text 988")
    if region == "CA":
        return _("9-8-8 Suicide Crisis Helpline — call or text 988")
    return _("Call your local emergency number or crisis line now")
