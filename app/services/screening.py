"""Screening use cases (stage 1): referrals and decisions, instruments given and scored, scores
from external tools, and the safety alerts a suicide-risk signal raises until reviewed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.client import Stage
from app.models.screening import (
    Administration,
    Decision,
    ExternalScore,
    Referral,
    ReferralFields,
    SafetyAlert,
    administer,
    validate_decision,
    validate_referral,
)
from app.services import instruments
from app.services.errors import NotFound, ValidationError
from app.store.screening_repo import ScreeningRepository

if TYPE_CHECKING:
    from app.services.session import Session


class ScreeningService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> ScreeningRepository:
        return ScreeningRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- referrals and the screening decision --------------------------------------------------

    def add_referral(self, client_id: str, fields: ReferralFields) -> Referral:
        problems = validate_referral(fields, self._today())
        if problems:
            raise ValidationError(problems)
        self._session.clients.get(client_id)
        referral = Referral(str(uuid.uuid4()), client_id, fields)
        with self._session.write() as conn:
            ScreeningRepository(conn).add_referral(referral, self._session.clock.now())
            self._session.clients.move_stage(conn, client_id, Stage.SCREENING, fields.received_on,
                                             _("Referral received"), same_stage_ok=True)
            self._session.audit("referral.create", "referral", referral.id, f"urgency={fields.urgency.value}")
        return referral

    def referrals(self, client_id: str) -> list[Referral]:
        return self._repo.referrals(client_id)

    def decide(self, referral_id: str, decision: Decision, reason: str, on: date | None = None) -> Referral:
        """Record the screening decision and move the case to the stage it leads to."""
        referral = self._repo.referral(referral_id)
        if referral is None:
            raise NotFound(_("The referral"))
        on = on or self._today()
        problems = validate_decision(decision, reason, on, referral.fields.received_on, self._today())
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            ScreeningRepository(conn).decide(referral_id, decision, on, reason.strip(), self._session.clock.now())
            note = _("Screening decision: {decision}").format(decision=decision.label)
            self._session.clients.move_stage(conn, referral.client_id, decision.next_stage, on, note,
                                             same_stage_ok=True)
            self._session.audit("referral.decide", "referral", referral_id, f"decision={decision.value}")
        decided = self._repo.referral(referral_id)
        assert decided is not None
        return decided

    # -- instruments ---------------------------------------------------------------------------

    def record(
        self,
        client_id: str,
        instrument_id: str,
        answers: Mapping[str, int | None],
        *,
        declined: Iterable[str] = (),
        on: date | None = None,
        sex: str | None = None,
        referral_id: str | None = None,
    ) -> Administration:
        """Score and keep one administration; raise a safety alert for each risk flag it carries.

        Declined items are kept as declined and scored as missing."""
        instrument = instruments.get(instrument_id)
        on = on or self._today()
        if on > self._today():
            message = _("An administration can't be dated in the future.")
            raise ValidationError({"on": message}, message)
        client = self._session.clients.get(client_id)
        now = self._session.clock.now()
        try:
            admin, result = administer(
                instrument, client_id, answers, new_id=str(uuid.uuid4()), on=on, declined=tuple(declined),
                sex=sex or client.fields.sex_at_birth, referral_id=referral_id, recorded_by=self._session.actor,
                now=now,
            )
        except ValueError as exc:
            raise ValidationError({"answers": str(exc)}, str(exc)) from None
        with self._session.write() as conn:
            repo = ScreeningRepository(conn)
            repo.add_administration(admin, now)
            for flag in result.flags:
                alert = SafetyAlert(str(uuid.uuid4()), client_id, flag.id, result.risk or "", now, admin.id)
                repo.raise_alert(alert, now)
                self._session.audit("alert.raise", "client", client_id, f"flag={flag.id}")
            self._session.audit("screening.record", "client", client_id, f"instrument={instrument.id}")
        return admin

    def history(self, client_id: str, instrument_id: str | None = None) -> list[Administration]:
        return self._repo.administrations(client_id, instrument_id)

    def latest(self, client_id: str) -> dict[str, Administration]:
        return self._repo.latest_by_instrument(client_id)

    def record_external(self, client_id: str, tool: str, on: date, total: str = "", level: str = "",
                        note: str = "") -> ExternalScore:
        problems: dict[str, str] = {}
        if not tool.strip():
            problems["tool"] = _("Name the tool, for example LOCUS or DLA-20.")
        if on > self._today():
            problems["on"] = _("The date is in the future. Check the date.")
        if not total.strip() and not level.strip():
            problems["total"] = _("Give the total, the level, or both.")
        if problems:
            raise ValidationError(problems)
        external = ExternalScore(str(uuid.uuid4()), client_id, tool.strip(), on, total.strip(), level.strip(), note.strip())
        with self._session.write() as conn:
            ScreeningRepository(conn).add_external(external, self._session.actor, self._session.clock.now())
            self._session.audit("screening.external", "client", client_id)
        return external

    def external_scores(self, client_id: str) -> list[ExternalScore]:
        return self._repo.external_scores(client_id)

    # -- safety alerts -------------------------------------------------------------------------

    def open_alerts(self, client_id: str | None = None) -> list[SafetyAlert]:
        return self._repo.alerts(client_id, open_only=True)

    def alerts(self, client_id: str) -> list[SafetyAlert]:
        return self._repo.alerts(client_id, open_only=False)

    def review_alert(self, alert_id: str, note: str) -> SafetyAlert:
        """Record who reviewed the alert and what was done; it then leaves the banners."""
        alert = self._repo.alert(alert_id)
        if alert is None:
            raise NotFound(_("The alert"))
        if len(note.strip()) < 10:
            message = _("Say what was done in a sentence (for example: C-SSRS asked, safety plan reviewed).")
            raise ValidationError({"note": message}, message)
        if alert.open:
            with self._session.write() as conn:
                ScreeningRepository(conn).review_alert(alert_id, self._session.actor, note.strip(), self._session.clock.now())
                self._session.audit("alert.review", "client", alert.client_id, f"flag={alert.flag}")
        reviewed = self._repo.alert(alert_id)
        assert reviewed is not None
        return reviewed
