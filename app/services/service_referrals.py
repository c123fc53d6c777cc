"""Referrals out to services and providers (stage 5): write one (a draft, or sent at once), change
what it says until it is final, move it through its statuses — each move dated, kept in its
history, and checked against the allowed transitions — and list the overdue ones for Today."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.service_referral import (
    ReferralStatus,
    ServiceReferral,
    ServiceReferralFields,
    StatusChange,
    default_due_on,
    validate_move,
    validate_referral_out,
)
from app.services.errors import NotFound, ValidationError
from app.store.service_referrals_repo import ServiceReferralRepository

if TYPE_CHECKING:
    from app.services.session import Session


def _changed_meanwhile() -> ValidationError:
    message = _("This referral was changed in the meantime. Close it and open it again.")
    return ValidationError({"status": message}, message)


class ServiceReferralService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> ServiceReferralRepository:
        return ServiceReferralRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- reading -------------------------------------------------------------------------------

    def for_client(self, client_id: str) -> list[ServiceReferral]:
        """Open referrals first (soonest due first), then the closed ones, newest first."""
        return self._repo.for_client(client_id)

    def attachment_targets(self, client_id: str) -> list[tuple[str, str]]:
        """(referral id, "Referral: outpatient psychiatry → Dr Lee") for linking a document to it."""
        return [(r.id, _("Referral: {service} → {to}").format(service=r.fields.service, to=r.to_text or "—"))
                for r in self.for_client(client_id)]

    def get(self, referral_id: str) -> ServiceReferral:
        referral = self._repo.get(referral_id)
        if referral is None:
            raise NotFound(_("The referral"))
        return referral

    def history(self, referral_id: str) -> list[StatusChange]:
        """Every status the referral has had, oldest first, with its date and note."""
        return self._repo.history(referral_id)

    def overdue(self, today: date | None = None) -> list[ServiceReferral]:
        """Referrals past their due date and not in a final status, most overdue first (archived
        and closed cases left out)."""
        return self._repo.overdue(today or self._today())

    # -- writing -------------------------------------------------------------------------------

    def create(self, client_id: str, fields: ServiceReferralFields, *, send_on: date | None = None,
               note: str = "") -> ServiceReferral:
        """Write a referral as a draft, or as sent on `send_on` (its due date then defaults from
        the urgency when none was given)."""
        self._session.clients.get(client_id)
        clean = self._validated(fields)
        if send_on is not None:
            problems = validate_move(ReferralStatus.DRAFT, ReferralStatus.SENT, send_on, self._today(), None)
            if problems:
                raise ValidationError(problems)
        now = self._session.clock.now()
        referral = ServiceReferral(str(uuid.uuid4()), client_id, clean, created_by=self._session.actor, created_at=now)
        with self._session.write() as conn:
            repo = ServiceReferralRepository(conn)
            repo.add(referral, now)
            events = [StatusChange(str(uuid.uuid4()), referral.id, None, ReferralStatus.DRAFT, send_on or self._today(),
                                   "" if send_on else note.strip(), self._session.actor)]
            self._session.audit("service_referral.create", "service_referral", referral.id,
                                f"urgency={clean.urgency.value}")
            if send_on is not None:
                due = clean.due_on or default_due_on(clean.urgency, send_on)
                stored = repo.get(referral.id)
                assert stored is not None
                repo.move(stored, ReferralStatus.SENT, sent_on=send_on, due_on=due, appointment_on=None,
                          outcome=clean.outcome, now=now)
                events.append(StatusChange(str(uuid.uuid4()), referral.id, ReferralStatus.DRAFT, ReferralStatus.SENT,
                                           send_on, note.strip(), self._session.actor))
                self._session.audit("service_referral.move", "service_referral", referral.id, "from=draft,to=sent")
            repo.add_events(events, now)
        return self.get(referral.id)

    def update(self, referral_id: str, fields: ServiceReferralFields) -> ServiceReferral:
        """Change what the referral says. Refused once it is final (completed, declined, no-show,
        cancelled). A due date already past may stay, but can't be newly set."""
        current = self.get(referral_id)
        if current.status.final:
            message = _("This referral is {status}, which is final, so it can't be changed.").format(
                status=current.status.label.lower())
            raise ValidationError({"status": message}, message)
        clean = self._validated(fields, due_changed=fields.due_on != current.fields.due_on)
        with self._session.write() as conn:
            if not ServiceReferralRepository(conn).update(referral_id, clean, self._session.clock.now()):
                raise _changed_meanwhile()
            self._session.audit("service_referral.update", "service_referral", referral_id,
                                f"urgency={clean.urgency.value}")
        return self.get(referral_id)

    def _validated(self, fields: ServiceReferralFields, *, due_changed: bool = True) -> ServiceReferralFields:
        problems = validate_referral_out(fields, self._today(), due_changed=due_changed)
        clean = fields.normalised()
        if "contact_id" not in problems:
            try:
                self._session.contacts.get(clean.contact_id)  # archived is fine: it may be an old referral
            except NotFound:
                problems["contact_id"] = _("That contact is no longer in the directory. Choose another.")
        if problems:
            raise ValidationError(problems)
        return clean

    def move(self, referral_id: str, to: ReferralStatus, *, on: date | None = None, note: str = "",
             appointment_on: date | None = None, outcome: str | None = None) -> ServiceReferral:
        """Move the referral to `to` on `on` (today by default), keeping the step in its history.

        Refused, with a sentence, if the transition isn't allowed (see
        app.models.service_referral.TRANSITIONS) or the date is in the future or before the last
        change. Sending sets the sent date (and a due date from the urgency if there was none);
        scheduling with an appointment date makes that the due date; `outcome`, when given, is
        kept on the referral."""
        current = self.get(referral_id)
        on = on or self._today()
        problems = validate_move(current.status, to, on, self._today(), self._repo.last_change_on(referral_id),
                                 appointment_on)
        if problems:
            raise ValidationError(problems, next(iter(problems.values())))
        sent_on = on if to is ReferralStatus.SENT else current.sent_on
        due_on = current.fields.due_on
        if to is ReferralStatus.SENT and due_on is None:
            due_on = default_due_on(current.fields.urgency, on)
        if to is ReferralStatus.SCHEDULED and appointment_on is not None:
            due_on = appointment_on
        appointment = appointment_on if appointment_on is not None else current.appointment_on
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = ServiceReferralRepository(conn)
            if not repo.move(current, to, sent_on=sent_on, due_on=due_on,
                             appointment_on=appointment,
                             outcome=(outcome if outcome is not None else current.fields.outcome).strip(), now=now):
                raise _changed_meanwhile()
            repo.add_events([StatusChange(str(uuid.uuid4()), referral_id, current.status, to, on, note.strip(),
                                          self._session.actor)], now)
            self._session.audit("service_referral.move", "service_referral", referral_id,
                                f"from={current.status.value},to={to.value}")
        return self.get(referral_id)
