"""Comprehensive assessment use cases (stage 2): start one (from the last completed version, or
empty), keep a draft while it is written, complete it as a new read-only version, read versions,
and hand the latest completed one's facts to risk stratification."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _, ngettext
from app.models.assessment import (
    Assessment,
    AssessmentDocument,
    AssessmentStatus,
    carry_forward,
    risk_inputs,
    validate,
)
from app.models.client import Stage
from app.models.risk import RiskInputs
from app.services.errors import NotFound, ValidationError
from app.store.assessment_repo import AssessmentRepository

if TYPE_CHECKING:
    from app.services.session import Session

_STAGE_ORDER = list(Stage)


class AssessmentService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> AssessmentRepository:
        return AssessmentRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- reading ---------------------------------------------------------------------------------

    def get(self, assessment_id: str) -> Assessment:
        assessment = self._repo.get(assessment_id)
        if assessment is None:
            raise NotFound(_("The assessment"))
        return assessment

    def versions(self, client_id: str) -> list[Assessment]:
        """The client's completed assessments, newest first."""
        return self._repo.versions(client_id)

    def latest(self, client_id: str) -> Assessment | None:
        """The latest completed assessment, or None."""
        return self._repo.latest_completed(client_id)

    def draft(self, client_id: str) -> Assessment | None:
        """The assessment being written (at most one per client), or None."""
        return self._repo.draft(client_id)

    def risk_facts(self, client_id: str) -> RiskInputs | None:
        """Housing, medication adherence, supports, psychosis/mania, alcohol harm and hospital/ED
        dates from the latest completed assessment, as of today; None without one."""
        latest = self.latest(client_id)
        return risk_inputs(latest.document, self._today()) if latest else None

    # -- writing ---------------------------------------------------------------------------------

    def start(self, client_id: str, on: date | None = None) -> Assessment:
        """The client's draft: the one in progress if there is one, else a new one that starts
        from the latest completed version (or empty), dated `on` (default today)."""
        self._session.clients.get(client_id)
        existing = self.draft(client_id)
        if existing is not None:
            return existing
        on = on or self._today()
        previous = self.latest(client_id)
        document = carry_forward(previous.document, on) if previous else AssessmentDocument(assessed_on=on)
        with self._session.write() as conn:
            repo = AssessmentRepository(conn)
            assessment = Assessment(
                id=str(uuid.uuid4()), client_id=client_id, version=repo.next_version(client_id),
                status=AssessmentStatus.DRAFT, document=document,
                supersedes=previous.id if previous else None, started_by=self._session.actor,
            )
            repo.add(assessment, self._session.clock.now())
            self._session.audit("assessment.start", "assessment", assessment.id,
                                f"version={assessment.version},from_previous={int(previous is not None)}")
        return self.get(assessment.id)

    def _draft_for_change(self, assessment_id: str) -> Assessment:
        assessment = self.get(assessment_id)
        if assessment.completed:
            message = _("This assessment was completed, so it can't be changed. Start a new assessment instead.")
            raise ValidationError({"status": message}, message)
        return assessment

    def save_draft(self, assessment_id: str, document: AssessmentDocument) -> Assessment:
        """Keep what has been written so far (repeatable; nothing needs to be complete yet)."""
        self._draft_for_change(assessment_id)
        document = document.normalised()
        problems = validate(document, self._today(), completing=False)
        if problems:
            raise ValidationError(problems)
        with self._session.write() as conn:
            AssessmentRepository(conn).save_document(assessment_id, document, self._session.clock.now())
        return self.get(assessment_id)

    def complete(self, assessment_id: str, document: AssessmentDocument | None = None) -> Assessment:
        """Validate and complete the draft (with `document` saved first, if given): it becomes
        the client's latest version and is read-only from then on. A client not yet at the
        assessing stage is moved there; nobody is moved backwards."""
        draft = self._draft_for_change(assessment_id)
        document = (document or draft.document).normalised()
        problems = validate(document, self._today())
        if problems:
            message = ngettext("{n} thing needs attention before the assessment can be completed.",
                               "{n} things need attention before the assessment can be completed.", len(problems))
            raise ValidationError(problems, message.format(n=len(problems)))
        client = self._session.clients.get(draft.client_id)
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = AssessmentRepository(conn)
            repo.save_document(assessment_id, document, now)
            repo.complete(assessment_id, self._session.actor, now)
            if _STAGE_ORDER.index(client.stage) < _STAGE_ORDER.index(Stage.ASSESSING):
                history = self._session.clients.stage_history(client.id)
                on = max([document.assessed_on, *(h.on for h in history[-1:])])
                self._session.clients.move_stage(conn, client.id, Stage.ASSESSING, on,
                                                 _("Comprehensive assessment completed"), same_stage_ok=True)
            self._session.audit("assessment.complete", "assessment", assessment_id, f"version={draft.version}")
        return self.get(assessment_id)

    def discard_draft(self, assessment_id: str) -> None:
        """Throw away a draft that will not be completed (completed versions are kept)."""
        self._draft_for_change(assessment_id)
        with self._session.write() as conn:
            AssessmentRepository(conn).delete_draft(assessment_id, self._session.clock.now())
            self._session.audit("assessment.discard", "assessment", assessment_id)
