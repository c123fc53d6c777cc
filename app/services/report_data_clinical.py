"""Gathering the clinical reports' data through the session's services (no SQL here) and
building them: screening and assessment results, the care plan, the transition / discharge
summary and the referral letter. Each `build_*` has the report catalogue's builder signature
(app.services.reporting.ReportKind.builder):

    build_x(session, request, letterhead, generated_at, progress) -> PDF bytes

`request.subject_id` picks the record (an assessment, a care-plan version, a transition, a
referral out); None means the latest or current one. An id that is not the client's raises
NotFound; a client with nothing to report raises `NothingToReport` (a NotFound) whose message
says what to do. Building writes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.assessment import Assessment
from app.models.care_plan import CarePlan, Intervention
from app.models.contacts import Contact
from app.models.risk import TierRecord
from app.reports import assessment_report, care_plan_report, referral_letter, transition_report
from app.reports.assessment_report import AssessmentReportData, ScreenResult
from app.reports.care_plan_report import CarePlanReportData
from app.reports.engine import Letterhead, day
from app.reports.referral_letter import ReferralLetterData
from app.reports.transition_report import TransitionReportData, recipient_text
from app.services import instruments
from app.services.errors import NotFound, VaultError

if TYPE_CHECKING:
    from app.services.reporting import Progress, ReportRequest
    from app.services.session import Session

FIRST_INSTRUMENTS = ("phq9", "gad7", "cssrs_screener", "phq2", "gad2", "auditc", "dast10")
UPCOMING_DAYS = 60


class NothingToReport(NotFound):
    """The client has no record of the kind the report is about. The message is the sentence
    to show: what is missing and what to do."""

    def __init__(self, sentence: str) -> None:
        VaultError.__init__(self, sentence)


def _client_id(request: ReportRequest) -> str:
    if not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    return request.client_id


def _own(record_client_id: str, client_id: str, what: str) -> None:
    """A subject id that belongs to another client is treated as not found."""
    if record_client_id != client_id:
        raise NotFound(what)


# -- shared gathering ---------------------------------------------------------------------------


def screens(session: Session, client_id: str) -> tuple[ScreenResult, ...]:
    """The latest administration of each instrument with the valid one before it; the common
    instruments first."""
    catalog = instruments.catalog()
    latest = session.screening.latest(client_id)
    order = [i for i in FIRST_INSTRUMENTS if i in latest] + sorted(i for i in latest if i not in FIRST_INSTRUMENTS)
    found = []
    for instrument_id in order:
        instrument = catalog.get(instrument_id)
        if instrument is None:
            continue
        now = latest[instrument_id]
        earlier = [a for a in session.screening.history(client_id, instrument_id)
                   if a.id != now.id and a.valid and (a.administered_on, a.created_at or datetime.min) <=
                   (now.administered_on, now.created_at or datetime.min)]
        found.append(ScreenResult(instrument, now, earlier[-1] if earlier else None))
    return tuple(found)


def _tier(session: Session, client_id: str) -> TierRecord | None:
    history = session.risk.history(client_id)
    return history[-1] if history else None


def _reasons_for_services(session: Session, client_id: str) -> tuple[str, ...]:
    return tuple(_("{reason} (referred {date})").format(reason=r.fields.reason, date=day(r.fields.received_on))
                 for r in session.screening.referrals(client_id) if r.fields.reason)


def _contact(session: Session, contact_id: str | None) -> Contact | None:
    if not contact_id:
        return None
    try:
        return session.contacts.get(contact_id)
    except NotFound:
        return None


# -- screening and assessment -------------------------------------------------------------------


def assessment_data(session: Session, client_id: str, assessment_id: str | None = None) -> AssessmentReportData:
    """The latest scores, the chosen assessment (the latest completed one by default) and the
    current tier. NotFound for an unknown client or assessment; NothingToReport when the
    client has neither scores nor a completed assessment."""
    client = session.clients.get(client_id)
    assessment: Assessment | None
    if assessment_id:
        assessment = session.assessments.get(assessment_id)
        _own(assessment.client_id, client_id, _("The assessment"))
    else:
        assessment = session.assessments.latest(client_id)
    results = screens(session, client_id)
    if assessment is None and not results:
        raise NothingToReport(_("This client has no screening results or completed assessment yet. Record a "
                                "screen or complete the assessment first."))
    return AssessmentReportData(client, session.clock.today(), assessment, results, _tier(session, client_id))


def build_assessment(session: Session, request: ReportRequest, letterhead: Letterhead,
                     generated_at: datetime, progress: Progress | None = None) -> bytes:
    data = assessment_data(session, _client_id(request), request.subject_id)
    return assessment_report.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                       identify=request.identify)


# -- care plan ----------------------------------------------------------------------------------


def _referral_texts(session: Session, client_id: str) -> dict[str, str]:
    return {r.id: " → ".join(p for p in (r.fields.service, recipient_text(r)) if p)
            for r in session.service_referrals.for_client(client_id)}


def care_plan_data(session: Session, client_id: str, plan_id: str | None = None) -> CarePlanReportData:
    """One version of the plan (the one in force by default) with the tracking of its
    instrument-linked objectives, the names of referrals its interventions link to and the
    reviews of this and earlier versions (oldest first)."""
    client = session.clients.get(client_id)
    plan: CarePlan | None
    if plan_id:
        plan = session.care_plans.get(plan_id)
        _own(plan.client_id, client_id, _("The care plan"))
    else:
        plan = session.care_plans.current(client_id)
    if plan is None:
        if session.care_plans.draft(client_id) is not None:
            raise NothingToReport(_("This client's care plan is still a draft. Sign it first, or choose the draft "
                                    "version to print it for signing."))
        raise NothingToReport(_("This client has no care plan yet. Write one on the Care plan tab first."))
    versions = {p.id: p.version for p in session.care_plans.versions(client_id, include_draft=True)}
    reviews = [r for r in session.care_plans.reviews(client_id) if versions.get(r.plan_id, 0) <= plan.version]
    reviews.sort(key=lambda r: (r.reviewed_on, r.created_at or datetime.min))
    names = {i.id: i.short_name for i in instruments.catalog().values()}
    return CarePlanReportData(
        client=client, as_of=session.clock.today(), plan=plan, reviews=tuple(reviews),
        tracking=session.care_plans.tracking(client_id, plan.document), instrument_names=names,
        referrals=_referral_texts(session, client_id),
    )


def build_care_plan(session: Session, request: ReportRequest, letterhead: Letterhead,
                    generated_at: datetime, progress: Progress | None = None) -> bytes:
    data = care_plan_data(session, _client_id(request), request.subject_id)
    return care_plan_report.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                      identify=request.identify)


# -- transition / discharge summary -------------------------------------------------------------


def transition_data(session: Session, client_id: str, transition_id: str | None = None) -> TransitionReportData:
    """One transition (the latest by default) and the record around it: the receiving provider
    from the directory and the releases to them, check-ins, tier and scores, the plan in force,
    the signed safety plan, open referrals and scheduled follow-ups."""
    client = session.clients.get(client_id)
    if transition_id:
        transition = session.transitions.get(transition_id)
        _own(transition.client_id, client_id, _("The transition"))
    else:
        found = session.transitions.for_client(client_id)
        if not found:
            raise NothingToReport(_("This client has no transition or discharge recorded yet. Record the "
                                    "transition first, then print its summary."))
        transition = found[0]
    today = session.clock.today()
    contact_id = transition.fields.receiving_contact_id
    releases = tuple(r for r in session.consents.for_client(client_id)
                     if contact_id and r.fields.contact_id == contact_id)
    open_referrals = tuple(r for r in session.service_referrals.for_client(client_id) if not r.status.final)
    upcoming = tuple(session.follow_ups.scheduled(today, today + timedelta(days=UPCOMING_DAYS), client_id))
    latest = session.assessments.latest(client_id)
    return TransitionReportData(
        client=client, as_of=today, transition=transition, receiving=_contact(session, contact_id),
        reasons_for_services=_reasons_for_services(session, client_id),
        check_ins=tuple(session.transitions.check_ins(transition.id)), tier=_tier(session, client_id),
        screens=screens(session, client_id), care_plan=session.care_plans.current(client_id),
        safety_plan=session.safety_plans.current(client_id), open_referrals=open_referrals, upcoming=upcoming,
        releases=releases, assessment=latest.document if latest is not None else None,
    )


def build_transition(session: Session, request: ReportRequest, letterhead: Letterhead,
                     generated_at: datetime, progress: Progress | None = None) -> bytes:
    data = transition_data(session, _client_id(request), request.subject_id)
    return transition_report.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                       identify=request.identify)


# -- referral letter ----------------------------------------------------------------------------


def _goal_for(plan: CarePlan | None, intervention_id: str | None) -> str:
    """The client's words of the goal an intervention sits under ('' when not found)."""
    if plan is None or not intervention_id:
        return ""
    for goal in plan.document.goals():
        for objective in goal.objectives:
            if any(isinstance(i, Intervention) and i.id == intervention_id for i in objective.interventions):
                return goal.client_words or goal.smart
    return ""


def referral_data(session: Session, client_id: str, referral_id: str | None = None) -> ReferralLetterData:
    """One referral out (the latest by default: the most recently sent, else the newest draft)
    with the recipient from the directory, the client's history, scores, tier and goals."""
    client = session.clients.get(client_id)
    if referral_id:
        referral = session.service_referrals.get(referral_id)
        _own(referral.client_id, client_id, _("The referral"))
    else:
        found = session.service_referrals.for_client(client_id)
        if not found:
            raise NothingToReport(_("This client has no referral out yet. Make the referral on the Team & referrals tab "
                                    "first, then print its letter."))
        referral = max(found, key=lambda r: (r.sent_on or date.min, r.created_at or datetime.min))
    plan = session.care_plans.current(client_id)
    latest = session.assessments.latest(client_id)
    return ReferralLetterData(
        client=client, as_of=session.clock.today(), referral=referral,
        recipient=_contact(session, referral.fields.contact_id),
        reasons_for_services=_reasons_for_services(session, client_id), tier=_tier(session, client_id),
        screens=screens(session, client_id), care_plan=plan,
        assessment=latest.document if latest is not None else None,
        supports_goal=_goal_for(plan, referral.fields.intervention_id),
    )


def build_referral(session: Session, request: ReportRequest, letterhead: Letterhead,
                   generated_at: datetime, progress: Progress | None = None) -> bytes:
    data = referral_data(session, _client_id(request), request.subject_id)
    return referral_letter.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                     identify=request.identify)
