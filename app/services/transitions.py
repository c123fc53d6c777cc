"""Transitions (stage 7) and post-transition check-ins (stage 8).

Recording
- `starting_fields(client_id)` → TransitionFields to open the editor with: the current level of
  care, pending appointments (scheduled follow-ups, booked referral appointments) and referrals
  (open referrals out) as editable lines, and the crisis contacts of the signed safety plan.
- `record(client_id, fields, check_in_days=(3, 7, 30, 90))` → Transition: validated (ValidationError
  with a sentence per field), stored, the case moved to *transitioning*, and check-ins planned at
  each offset with the client and (when there is one) the receiving provider. A transition still
  open is marked superseded by the new one.
- `record_check_in(check_in_id, outcome, next_step=NextStep.NONE, reason="")` → CheckIn: the
  structured outcome; the first one moves the case from *transitioning* to *post-transition*.
  `next_step` re-engages or closes in the same transaction.
- `reengage(transition_id, note)`: the case reopens at *stratifying* so it is re-tiered.
- `close(transition_id, reason)`: the transition and the case close with the reason;
  `close_case(client_id, reason)` closes whatever is open, or records a closure on its own.

Reading
- `for_client(client_id)` (newest first), `get`, `open_for`, `current_level(client_id)`,
  `check_ins(transition_id)` (each with the follow-up it was scheduled as, if accepted),
  `due_check_ins(today, days)` caseload-wide for Today and the calendar.

Proposals: pending check-ins of an open transition appear as follow-up proposals
(ProposalSource.TRANSITION, type post_transition, link "transition" → the transition id, key
"transition:<check-in id>:<due date>") that the case manager accepts into the calendar.

Audit entries carry ids, kinds and counts — never a reason, a name, a place or a note.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from app.i18n import _, current_locale, format_date, format_time
from app.models.client import Stage
from app.models.follow_ups import FollowUpType, Proposal, ProposalSource, Status
from app.models.screening import crisis_line
from app.models.service_referral import ReferralStatus
from app.models.transitions import (
    DEFAULT_CHECK_IN_DAYS,
    MAX_TEXT,
    CheckIn,
    CheckInOutcome,
    DueCheckIn,
    NextStep,
    Party,
    Transition,
    TransitionFields,
    TransitionKind,
    TransitionStatus,
    check_in_days_problem,
    check_in_schedule,
    validate_outcome,
    validate_transition,
)
from app.services.errors import NotFound, ValidationError
from app.services.follow_ups import register_proposal_source
from app.store.db import Connection
from app.store.transitions_repo import TransitionRepository

if TYPE_CHECKING:
    from app.services.session import Session

PROPOSAL_HORIZON_DAYS = 60
PREFILL_DAYS = 90
_PREFILL_LINES = 10


def _problem(field: str, message: str) -> ValidationError:
    return ValidationError({field: message}, message)


class TransitionService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> TransitionRepository:
        return TransitionRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    def _now(self) -> datetime:
        return self._session.clock.now()

    # -- reading -------------------------------------------------------------------------------

    def get(self, transition_id: str) -> Transition:
        found = self._repo.get(transition_id)
        if found is None:
            raise NotFound(_("The transition"))
        return found

    def for_client(self, client_id: str) -> list[Transition]:
        """Every transition of the client, newest first."""
        return self._repo.for_client(client_id)

    def open_for(self, client_id: str) -> Transition | None:
        """The transition whose check-ins are under way, if any."""
        return self._repo.open_for(client_id)

    def current_level(self, client_id: str) -> str | None:
        """The level of care the latest transition moved the client to (None before any)."""
        for transition in self._repo.for_client(client_id):
            if transition.fields.kind is not TransitionKind.CLOSURE and transition.fields.to_level:
                return transition.fields.to_level
        return None

    def check_in(self, check_in_id: str) -> CheckIn:
        found = self._repo.check_in(check_in_id)
        if found is None:
            raise NotFound(_("The check-in"))
        return found

    def check_ins(self, transition_id: str) -> list[CheckIn]:
        """The transition's check-ins in due order, each with the follow-up it was scheduled as
        (an accepted proposal) and when that follow-up starts."""
        found = self._repo.check_ins(transition_id)
        if not found:
            return found
        scheduled: dict[str, tuple[str, datetime]] = {}
        for fu in self._session.follow_ups.for_client(found[0].client_id):
            source, _sep, rest = fu.proposal_key.partition(":")
            if source == ProposalSource.TRANSITION.value:
                scheduled[rest.partition(":")[0]] = (fu.id, fu.fields.start)
        out = []
        for k in found:
            linked = scheduled.get(k.id)
            if linked is not None:
                k = replace(k, follow_up_id=k.follow_up_id or linked[0], scheduled_for=linked[1])
            out.append(k)
        return out

    def due_check_ins(self, today: date | None = None, days: int = 7) -> list[DueCheckIn]:
        """Check-ins not done and due within `days` from `today` (overdue ones included), on
        open transitions of clients on the caseload; by client code only."""
        today = today or self._today()
        return [DueCheckIn(k, code) for k, code in self._repo.due(today + timedelta(days=max(0, days)))]

    def starting_fields(self, client_id: str) -> TransitionFields:
        """What the transition editor opens with; every line is the user's to change."""
        session = self._session
        today = self._today()
        appointments: list[str] = []
        series: set[str] = set()
        for o in session.follow_ups.occurrences(today, today + timedelta(days=PREFILL_DAYS), client_id):
            if o.status is not Status.SCHEDULED or o.kind is FollowUpType.POST_TRANSITION or o.follow_up_id in series:
                continue
            series.add(o.follow_up_id)  # a repeating follow-up once: its next occurrence
            when = format_date(o.start.date(), "medium") if o.all_day else _("{date} at {time}").format(
                date=format_date(o.start.date(), "medium"), time=format_time(o.start))
            line = " — ".join(p for p in (when, o.kind.label, o.purpose) if p)
            appointments.append(_("{line} (repeats)").format(line=line) if o.recurring else line)
        referrals: list[str] = []
        for r in session.service_referrals.for_client(client_id):
            if r.status.final:
                continue
            who = " · ".join(dict.fromkeys(p for p in (r.to_name, r.to_organisation) if p))
            if r.status is ReferralStatus.SCHEDULED and r.appointment_on is not None:
                appointments.append(_("{date} — {service} with {who}").format(
                    date=format_date(r.appointment_on, "medium"), service=r.fields.service, who=who))
            else:
                referrals.append(_("{service} — {who} ({status})").format(
                    service=r.fields.service, who=who, status=r.status.label.lower()))
        crisis = ""
        plan = session.safety_plans.current(client_id)
        if plan is not None:
            content = plan.content
            lines = []
            for p in content.professionals:
                numbers = ", ".join(n for n in (p.phone, _("after hours {phone}").format(phone=p.after_hours)
                                                if p.after_hours else "") if n)
                lines.append(" — ".join(x for x in (p.name, p.role, numbers) if x))
            if content.local_crisis_line:
                lines.append(content.local_crisis_line)
            ed = content.emergency_department
            if not ed.blank:
                lines.append(_("Emergency department: {where}").format(
                    where=", ".join(x for x in (ed.name, ed.address, ed.phone) if x)))
            lines.append(crisis_line(current_locale()))
            crisis = "\n".join(lines)
        current = self.current_level(client_id) or ""
        return TransitionFields(
            kind=TransitionKind.LEVEL_OF_CARE, from_level=current, to_level="", on=today, reason="",
            pending_appointments=tuple(appointments[:_PREFILL_LINES]),
            pending_referrals=tuple(referrals[:_PREFILL_LINES]), crisis_plan=crisis,
        )

    # -- recording -----------------------------------------------------------------------------

    def record(self, client_id: str, fields: TransitionFields,
               check_in_days: tuple[int, ...] = DEFAULT_CHECK_IN_DAYS) -> Transition:
        """Store a level-of-care change or a discharge, move the case to transitioning and plan
        the check-ins. Closing a case without a transition is `close_case`."""
        session = self._session
        session.clients.get(client_id)
        fields = fields.normalised()
        problems = validate_transition(fields, self._today())
        if fields.kind is TransitionKind.CLOSURE:
            problems["kind"] = _("To close the case without a transition of care, use “Close the case”.")
        days_problem = check_in_days_problem(list(check_in_days))
        if days_problem:
            problems["check_in_days"] = _("The check-in days in Settings can't be used: {why}").format(why=days_problem)
        if fields.receiving_contact_id and "receiving_contact_id" not in problems:
            try:
                session.contacts.get(fields.receiving_contact_id)
            except NotFound:
                problems["receiving_contact_id"] = _("That provider is no longer in the directory. Choose another.")
        if problems:
            raise ValidationError(problems)
        assert fields.on is not None
        now = self._now()
        transition = Transition(str(uuid.uuid4()), client_id, fields, created_by=session.actor)
        plan = check_in_schedule(fields.on, check_in_days, fields.receiving_contact_id is not None)
        check_ins = [CheckIn(str(uuid.uuid4()), transition.id, client_id, due, offset, party)
                     for due, offset, party in plan]
        with session.write() as conn:
            repo = TransitionRepository(conn)
            previous = repo.open_for(client_id)
            if previous is not None:
                repo.end(previous.id, TransitionStatus.SUPERSEDED, max(fields.on, previous.on), now,
                         from_statuses=(TransitionStatus.OPEN,))
                session.audit("transition.supersede", "transition", previous.id, f"by={transition.id}")
            repo.insert(transition, now)
            repo.add_check_ins(check_ins, now)
            self._move(conn, client_id, Stage.TRANSITIONING, fields.on, _("Transition: {what}").format(
                what=transition.headline), field="on")
            session.audit("transition.record", "transition", transition.id,
                          f"client={client_id},kind={fields.kind.value},check_ins={len(check_ins)}")
        return self.get(transition.id)

    def record_check_in(self, check_in_id: str, outcome: CheckInOutcome, *, next_step: NextStep = NextStep.NONE,
                        reason: str = "") -> CheckIn:
        """Store what the check-in found (again, to correct it). The first outcome moves the case
        from transitioning to post-transition; `next_step` then re-engages or closes the case
        (closing needs `reason`)."""
        session = self._session
        check_in = self.check_in(check_in_id)
        transition = self.get(check_in.transition_id)
        if not transition.open:
            message = _("This transition is no longer open, so its check-ins can't be recorded.")
            raise _problem("check_in", message)
        outcome = outcome.normalised()
        today = self._today()
        problems = validate_outcome(outcome, transition.on, today)
        reason = reason.strip()
        if next_step is NextStep.CLOSE:
            problems.update(self._reason_problems(reason))
        if problems:
            raise ValidationError(problems)
        assert outcome.done_on is not None
        now = self._now()
        with session.write() as conn:
            repo = TransitionRepository(conn)
            repo.record_outcome(check_in_id, outcome, session.actor, now)
            session.audit("transition.check_in", "transition_check_in", check_in_id,
                          f"transition={transition.id},reached={int(outcome.reached)},next={next_step.value}")
            if session.clients.get(transition.client_id).stage is Stage.TRANSITIONING:
                self._move(conn, transition.client_id, Stage.POST_TRANSITION, outcome.done_on,
                           _("First check-in after the transition"), field="done_on")
            if next_step is NextStep.REENGAGE:
                self._reengage(conn, transition, reason, today)
            elif next_step is NextStep.CLOSE:
                self._close(conn, transition, reason, today)
        return self.check_in(check_in_id)

    def reengage(self, transition_id: str, note: str = "", on: date | None = None) -> Transition:
        """Reopen the case after a transition (open, or closed): the transition ends re-engaged and
        the case goes back to stratifying, so the risk tier is worked out again."""
        transition = self.get(transition_id)
        on = on or self._today()
        note = note.strip()
        latest = self._repo.for_client(transition.client_id)[0]
        if latest.id != transition.id or transition.status not in (TransitionStatus.OPEN, TransitionStatus.CLOSED):
            raise _problem("transition", _("Only the latest transition, open or closed, can be re-engaged."))
        problems = self._date_problems(on, transition)
        if len(note) > MAX_TEXT:
            problems["note"] = _("Keep the note under {n} characters.").format(n=f"{MAX_TEXT:,}")
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            self._reengage(conn, transition, note, on)
        return self.get(transition_id)

    def close(self, transition_id: str, reason: str, on: date | None = None) -> Transition:
        """Close the open transition and the case, with the reason."""
        transition = self.get(transition_id)
        if not transition.open:
            raise _problem("transition", _("This transition is already finished."))
        on = on or self._today()
        reason = reason.strip()
        problems = {**self._reason_problems(reason), **self._date_problems(on, transition)}
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            self._close(conn, transition, reason, on)
        return self.get(transition_id)

    def close_case(self, client_id: str, reason: str, on: date | None = None) -> Transition:
        """Close the case with a reason: the open transition closes with it, or — when none is
        open — a closure is recorded on its own (from the current level of care)."""
        client = self._session.clients.get(client_id)
        open_one = self._repo.open_for(client_id)
        if open_one is not None:
            return self.close(open_one.id, reason, on)
        if client.stage is Stage.CLOSED:
            raise _problem("reason", _("The case is already closed. Re-engage it first to reopen it."))
        on = on or self._today()
        reason = reason.strip()
        problems = {**self._reason_problems(reason), **self._date_problems(on, None)}
        if problems:
            raise ValidationError(problems)
        fields = TransitionFields(TransitionKind.CLOSURE, self.current_level(client_id) or "", "", on, reason)
        closure = Transition(str(uuid.uuid4()), client_id, fields, TransitionStatus.CLOSED, on, reason,
                             created_by=self._session.actor)
        with self._session.write() as conn:
            TransitionRepository(conn).insert(closure, self._now())
            self._move(conn, client_id, Stage.CLOSED, on, _("Case closed"), field="on")
            self._session.audit("transition.close_case", "transition", closure.id, f"client={client_id}")
        return self.get(closure.id)

    # -- inside a transaction --------------------------------------------------------------------

    def _move(self, conn: Connection, client_id: str, to: Stage, on: date, note: str, *, field: str) -> None:
        """Move the case (kept in date order: a back-dated entry is dated at the last stage change
        instead of before it); a refusal is reported under `field`."""
        history = self._session.clients.stage_history(client_id)
        if history and on < history[-1].on:
            on = history[-1].on
        try:
            self._session.clients.move_stage(conn, client_id, to, on, note, same_stage_ok=True)
        except ValidationError as exc:
            message = next(iter(exc.problems.values()), str(exc))
            raise _problem(field, message) from None

    def _reengage(self, conn: Connection, transition: Transition, note: str, on: date) -> None:
        on = max(on, transition.on)
        TransitionRepository(conn).end(transition.id, TransitionStatus.REENGAGED, on, self._now(),
                                       from_statuses=(TransitionStatus.OPEN, TransitionStatus.CLOSED),
                                       reengage_note=note)
        self._move(conn, transition.client_id, Stage.STRATIFYING, on, _("Re-engaged after a transition: re-tier"),
                   field="on")
        self._session.audit("transition.reengage", "transition", transition.id, f"client={transition.client_id}")

    def _close(self, conn: Connection, transition: Transition, reason: str, on: date) -> None:
        on = max(on, transition.on)
        TransitionRepository(conn).end(transition.id, TransitionStatus.CLOSED, on, self._now(),
                                       from_statuses=(TransitionStatus.OPEN,), closure_reason=reason)
        self._move(conn, transition.client_id, Stage.CLOSED, on, _("Case closed after the transition"), field="on")
        self._session.audit("transition.close", "transition", transition.id, f"client={transition.client_id}")

    @staticmethod
    def _reason_problems(reason: str) -> dict[str, str]:
        if not reason:
            return {"reason": _("Say why the case is closing.")}
        if len(reason) > MAX_TEXT:
            return {"reason": _("Keep the reason under {n} characters.").format(n=f"{MAX_TEXT:,}")}
        return {}

    def _date_problems(self, on: date, transition: Transition | None) -> dict[str, str]:
        if on > self._today():
            return {"on": _("This date is in the future. Give today's date or an earlier one.")}
        if transition is not None and on < transition.on:
            return {"on": _("This is before the transition on {date}. Check the date.").format(
                date=format_date(transition.on, "long"))}
        return {}

    # -- proposals -----------------------------------------------------------------------------

    def proposals(self, client_id: str, today: date | None = None) -> list[Proposal]:
        """Pending check-ins of the open transition due within the proposal horizon (overdue ones
        included), as follow-ups to accept into the calendar."""
        today = today or self._today()
        pending = self._repo.pending_for_client(client_id)
        if not pending:
            return []
        transition = self.get(pending[0].transition_id)
        out = []
        for k in pending:
            if k.due_on > today + timedelta(days=PROPOSAL_HORIZON_DAYS):
                continue
            reason = (_("Check in with the client, {n} days after the transition on {date} ({what}).")
                      if k.party is Party.CLIENT else
                      _("Check in with the receiving provider, {n} days after the transition on {date} ({what})."))
            out.append(Proposal(client_id, ProposalSource.TRANSITION, FollowUpType.POST_TRANSITION, k.due_on,
                                reason.format(n=k.offset_days, date=format_date(transition.on, "medium"),
                                              what=transition.headline),
                                source_id=k.id, link_type="transition", link_id=transition.id))
        return out


def _check_in_proposals(session: Session, client_id: str, today: date) -> list[Proposal]:
    return session.transitions.proposals(client_id, today)


register_proposal_source(_check_in_proposals)
