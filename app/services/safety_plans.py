"""Safety plan use cases: write a draft (from the active plan or from nothing), sign it to make it
the active plan — superseding the previous version in the same transaction — record the copy
given to the client, list and read versions, and find plans whose review date has come.

Signed versions never change; every change is a new draft that becomes a new version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.safety_plan import (
    PlanContent,
    PlanStatus,
    SafetyPlan,
    default_review_on,
    validate_for_activation,
    validate_signatures,
)
from app.models.signature import Signature
from app.services.errors import NotFound, ValidationError
from app.store.safety_plan_repo import SafetyPlanRepository

if TYPE_CHECKING:
    from app.services.session import Session


def _changed_meanwhile() -> ValidationError:
    message = _("This draft was signed or removed in the meantime. Close it and open the plan again.")
    return ValidationError({"plan": message}, message)


class SafetyPlanService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> SafetyPlanRepository:
        return SafetyPlanRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- reading -------------------------------------------------------------------------------

    def current(self, client_id: str) -> SafetyPlan | None:
        """The active (signed) plan, if there is one."""
        return self._repo.with_status(client_id, PlanStatus.ACTIVE)

    def draft(self, client_id: str) -> SafetyPlan | None:
        """The draft being written, if there is one."""
        return self._repo.with_status(client_id, PlanStatus.DRAFT)

    def get(self, plan_id: str) -> SafetyPlan:
        plan = self._repo.get(plan_id)
        if plan is None:
            raise NotFound(_("The safety plan"))
        return plan

    def versions(self, client_id: str, include_draft: bool = False) -> list[SafetyPlan]:
        """The signed versions (active and superseded), newest first; the draft too if asked."""
        return [p for p in self._repo.versions(client_id) if include_draft or p.status is not PlanStatus.DRAFT]

    def due_for_review(self, today: date | None = None) -> list[SafetyPlan]:
        """Active plans whose review date is today or has passed, earliest first (archived clients
        left out)."""
        return self._repo.due_for_review(today or self._today())

    def reviews_due(self, today: date | None = None) -> list[tuple[str, str, date]]:
        """(plan id, client id, review date) for the plans `due_for_review` lists, without their
        content — for the Today page's reminders."""
        return self._repo.reviews_due(today or self._today())

    def activation_problems(self, content: PlanContent, review_on: date | None) -> dict[str, str]:
        """What stops this content from being signed today, keyed by field path."""
        return validate_for_activation(content, review_on, self._today())

    # -- drafts --------------------------------------------------------------------------------

    def start_draft(self, client_id: str) -> SafetyPlan:
        """The client's draft: the one in progress, or a new one copied from the active plan
        (or empty when there is none) with a fresh review date."""
        existing = self.draft(client_id)
        if existing is not None:
            return existing
        self._session.clients.get(client_id)
        active = self.current(client_id)
        return self._new_draft(client_id, active.content if active else PlanContent(), None, active)

    def _new_draft(self, client_id: str, content: PlanContent, review_on: date | None,
                   active: SafetyPlan | None) -> SafetyPlan:
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = SafetyPlanRepository(conn)
            plan = SafetyPlan(
                id=str(uuid.uuid4()), client_id=client_id, version=repo.next_version(client_id),
                status=PlanStatus.DRAFT, content=content.normalised(),
                review_on=review_on or default_review_on(self._today()), created_by=self._session.actor,
                created_at=now, updated_at=now,
            )
            repo.add(plan, now)
            source = f"from=v{active.version}" if active else "from=empty"
            self._session.audit("safety_plan.draft", "safety_plan", plan.id, f"version={plan.version},{source}")
        return plan

    def save_draft(self, client_id: str, content: PlanContent, review_on: date | None) -> SafetyPlan:
        """Keep what the draft says now (blank lines and rows dropped); starts a draft if there is
        none. A draft may be incomplete: the checks run when it is signed."""
        draft = self.draft(client_id)
        if draft is None:
            self._session.clients.get(client_id)
            return self._new_draft(client_id, content, review_on, self.current(client_id))
        now = self._session.clock.now()
        clean = content.normalised()
        with self._session.write() as conn:
            if not SafetyPlanRepository(conn).update_draft(draft.id, clean, review_on, now):
                raise _changed_meanwhile()
            self._session.audit("safety_plan.save_draft", "safety_plan", draft.id, f"version={draft.version}")
        return self.get(draft.id)

    def discard_draft(self, client_id: str) -> None:
        """Remove the draft; the active plan, if any, stays as it is."""
        draft = self.draft(client_id)
        if draft is None:
            return
        with self._session.write() as conn:
            SafetyPlanRepository(conn).delete_draft(draft.id, self._session.clock.now())
            self._session.audit("safety_plan.discard_draft", "safety_plan", draft.id, f"version={draft.version}")

    # -- signing -------------------------------------------------------------------------------

    def activate(self, plan_id: str, signatures: Iterable[Signature], *,
                 copy_given_on: date | None = None) -> SafetyPlan:
        """Sign the draft: it becomes the active plan and read-only, and the previous active
        version is superseded, all in one transaction.

        Needs the plan's own checks (a warning sign, someone to contact, a review date from
        today) and signatures from the client (drawn, or agreed verbally with the reason) and
        the case manager."""
        plan = self.get(plan_id)
        if plan.status is not PlanStatus.DRAFT:
            message = _("This version is already signed. Start a new draft to change the plan.")
            raise ValidationError({"plan": message}, message)
        signed = tuple(signatures)
        problems = validate_for_activation(plan.content, plan.review_on, self._today())
        problems.update(validate_signatures(signed))
        if copy_given_on is not None and copy_given_on > self._today():
            problems["copy_given_on"] = _("The copy can't be given on a future date.")
        if problems:
            raise ValidationError(problems, _("The plan can't be signed yet: {problem}").format(
                problem=next(iter(problems.values()))))
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = SafetyPlanRepository(conn)
            previous = repo.with_status(plan.client_id, PlanStatus.ACTIVE)
            if previous is not None:
                repo.supersede(previous.id, plan.id, now)
                self._session.audit("safety_plan.supersede", "safety_plan", previous.id,
                                    f"version={previous.version},by=v{plan.version}")
            if not repo.activate(plan.id, signed, self._session.actor, now, copy_given_on):
                raise _changed_meanwhile()
            how = ",".join(f"{s.role.value}={'verbal' if s.verbal else 'drawn'}" for s in signed)
            self._session.audit("safety_plan.activate", "safety_plan", plan.id, f"version={plan.version},{how}")
            if copy_given_on is not None:
                self._session.audit("safety_plan.copy_given", "safety_plan", plan.id, f"version={plan.version}")
        return self.get(plan.id)

    def record_copy_given(self, plan_id: str, on: date | None = None) -> SafetyPlan:
        """Note the day the client was given a copy of a signed plan (today by default)."""
        plan = self.get(plan_id)
        on = on or self._today()
        if plan.status is PlanStatus.DRAFT:
            message = _("Sign the plan before giving the client a copy.")
            raise ValidationError({"plan": message}, message)
        if on > self._today():
            message = _("The copy can't be given on a future date.")
            raise ValidationError({"copy_given_on": message}, message)
        with self._session.write() as conn:
            SafetyPlanRepository(conn).set_copy_given(plan.id, on, self._session.clock.now())
            self._session.audit("safety_plan.copy_given", "safety_plan", plan.id, f"version={plan.version}")
        return self.get(plan.id)
