"""Risk stratification use cases (stage 3): compute a tier from the record, record it (or a
clinician's override with its reason), and keep the tier history and the current tier."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.models.client import Stage
from app.models.risk import (
    Observed,
    RiskInputs,
    RiskResult,
    Tier,
    TierRecord,
    cadences,
    override_problem,
    stratify,
)
from app.models.screening import Administration
from app.services.errors import ValidationError
from app.store.risk_repo import RiskRepository

if TYPE_CHECKING:
    from app.services.session import Session


_BEFORE_STRATIFYING = (Stage.REFERRED, Stage.SCREENING, Stage.ASSESSING)


def _total(admin: Administration | None, label: str) -> Observed[int] | None:
    if admin is None or not admin.valid or admin.total is None:
        return None
    return Observed(admin.total, admin.administered_on, label)


def inputs_from_latest(
    latest: Mapping[str, Administration], today: date, facts: RiskInputs | None = None
) -> RiskInputs:
    """RiskInputs from each instrument's latest administration; `facts` fill the rest (and win)."""
    base = replace(facts, as_of=today) if facts is not None else RiskInputs(as_of=today)
    phq9 = latest.get("phq9")
    item9 = phq9.answer("9") if phq9 is not None else None
    cssrs = latest.get("cssrs_screener")
    auditc = latest.get("auditc")
    found: dict[str, Any] = {
        "phq9_total": _total(phq9, "PHQ-9"),
        "phq9_item9": Observed(item9, phq9.administered_on, "PHQ-9") if phq9 is not None and item9 is not None else None,
        "gad7_total": _total(latest.get("gad7"), "GAD-7"),
        "k6_total": _total(latest.get("k6"), "K6"),
        "dast10_total": _total(latest.get("dast10"), "DAST-10"),
        "cssrs": Observed(cssrs.risk, cssrs.administered_on, "C-SSRS") if cssrs is not None and cssrs.risk else None,
        "auditc_positive": (Observed(bool(auditc.positive), auditc.administered_on, "AUDIT-C")
                            if auditc is not None and auditc.valid else None),
    }
    return replace(base, **{k: v for k, v in found.items() if v is not None and getattr(base, k) is None})


class RiskService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> RiskRepository:
        return RiskRepository(self._session.connection)

    def inputs(self, client_id: str, facts: RiskInputs | None = None) -> RiskInputs:
        """The engine's inputs: the latest score of each instrument, plus facts from the
        assessment (housing, medication, supports, hospital and ED history …) when given."""
        if facts is None:
            facts = self._session.assessments.risk_facts(client_id)
        return inputs_from_latest(self._session.screening.latest(client_id), self._session.clock.today(), facts)

    def compute(self, client_id: str, facts: RiskInputs | None = None) -> RiskResult:
        return stratify(self.inputs(client_id, facts))

    def current(self, client_id: str) -> Tier | None:
        return self._repo.current(client_id)

    def history(self, client_id: str) -> list[TierRecord]:
        return self._repo.history(client_id)

    def _reassessed_since_crisis(self, client_id: str) -> bool:
        """A C-SSRS recorded on or after the day the client was last put at Crisis."""
        crisis_days = [r.assessed_on for r in self.history(client_id) if r.tier is Tier.CRISIS]
        if not crisis_days:
            return True
        cssrs = self._session.screening.latest(client_id).get("cssrs_screener")
        return cssrs is not None and cssrs.administered_on >= max(crisis_days)

    def record(
        self,
        client_id: str,
        result: RiskResult,
        *,
        override: Tier | None = None,
        reason: str = "",
        reassessment: bool = False,
    ) -> TierRecord:
        """Record the computed tier, or a clinician's override of it with a written reason.

        Stepping down from Crisis needs a documented reassessment: `reassessment`, or a C-SSRS
        recorded since the Crisis tier was set."""
        final = override or result.tier
        current = self.current(client_id)
        reassessed = reassessment or self._reassessed_since_crisis(client_id)
        if override is not None and override is not result.tier:
            problem = override_problem(current or result.tier, override, reason, reassessed)
            if problem:
                field = "reason" if len(reason.strip()) < 10 else "reassessment"
                raise ValidationError({field: problem}, problem)
        if current is Tier.CRISIS and final.rank < Tier.CRISIS.rank and not reassessed:
            message = _("Stepping down from Crisis needs a documented reassessment first (a new C-SSRS or risk review).")
            raise ValidationError({"reassessment": message}, message)
        record = TierRecord(
            id=str(uuid.uuid4()), client_id=client_id, result=result, tier=final,
            override_reason=reason.strip() if override is not None else "", reassessment=reassessment,
            cadence=cadences()[final], recorded_by=self._session.actor,
        )
        client = self._session.clients.get(client_id)
        with self._session.write() as conn:
            RiskRepository(conn).add(record, self._session.clock.now())
            if client.stage in _BEFORE_STRATIFYING:  # a first tier takes the case on to stage 3
                self._session.clients.move_stage(conn, client_id, Stage.STRATIFYING, self._session.clock.today(),
                                                 _("Risk tier recorded"), same_stage_ok=True)
            detail = f"tier={final.value},computed={result.tier.value}" + (",override" if record.overridden else "")
            self._session.audit("risk.record", "client", client_id, detail)
        return record

    def counts(self) -> dict[Tier | None, int]:
        return self._repo.counts()

