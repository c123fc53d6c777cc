"""Care planning use cases (stage 4): write a draft (from the plan in force, or a new plan that
starts from the latest assessment), accept or dismiss suggested needs, sign it to put it in force
— superseding the previous version in the same transaction — change the status of the plan in
force, record reviews, compare versions, and follow objectives tied to instrument scores.

Signed versions never change their content; every change is a new draft that becomes a new
version when signed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from app.i18n import _
from app.models.care_plan import (
    DEFAULT_REVIEW_DAYS,
    STATUS_CHANGES,
    Agreement,
    CarePlan,
    GoalLifecycle,
    GoalProgress,
    InterventionStatus,
    ItemChange,
    PlanDocument,
    PlanStatus,
    Review,
    ReviewDue,
    ScorePoint,
    Suggestion,
    Tracking,
    diff_versions,
    open_suggestions,
    review_on_after,
    short,
    suggest_needs,
    track,
    validate_agreement,
    validate_document,
    validate_for_activation,
    validate_review,
)
from app.models.client import Stage
from app.models.signature import Signature, SignerRole
from app.services import instruments
from app.services.errors import NotFound, ValidationError
from app.store.care_plan_repo import CarePlanRepository

if TYPE_CHECKING:
    from app.services.session import Session

_STAGE_ORDER = list(Stage)


class _Keep:
    """Leave the value as it is."""


KEEP = _Keep()


def _changed_meanwhile() -> ValidationError:
    message = _("This draft was signed or removed in the meantime. Close it and open the plan again.")
    return ValidationError({"plan": message}, message)


def _problems(problems: dict[str, str], intro: str) -> ValidationError:
    return ValidationError(problems, intro.format(problem=next(iter(problems.values()))))


class CarePlanService:
    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _repo(self) -> CarePlanRepository:
        return CarePlanRepository(self._session.connection)

    def _today(self) -> date:
        return self._session.clock.today()

    # -- reading -------------------------------------------------------------------------------

    def current(self, client_id: str) -> CarePlan | None:
        """The version in force (active or on hold), if there is one."""
        return self._repo.in_force(client_id)

    def draft(self, client_id: str) -> CarePlan | None:
        """The draft being written, if there is one."""
        return self._repo.draft(client_id)

    def get(self, plan_id: str) -> CarePlan:
        plan = self._repo.get(plan_id)
        if plan is None:
            raise NotFound(_("The care plan"))
        return plan

    def versions(self, client_id: str, include_draft: bool = False) -> list[CarePlan]:
        """The signed versions, newest first; the draft too if asked."""
        return [p for p in self._repo.versions(client_id) if include_draft or p.status is not PlanStatus.DRAFT]

    def attachment_targets(self, client_id: str) -> list[tuple[str, str]]:
        """(plan id, "Care plan, version 2") for each version, for linking a document (a scanned
        signed page) to it."""
        return [(p.id, (_("Care plan, version {n} (draft)") if p.status is PlanStatus.DRAFT
                        else _("Care plan, version {n}")).format(n=p.version))
                for p in self.versions(client_id, include_draft=True)]

    def reviews(self, client_id: str) -> list[Review]:
        """The client's plan reviews, newest first."""
        return self._repo.reviews(client_id)

    def reviews_due(self, today: date | None = None) -> list[ReviewDue]:
        """Active plans whose review date is today or has passed, earliest first (archived
        clients left out) — for the Today page."""
        return self._repo.reviews_due(today or self._today())

    def suggestions(self, client_id: str, document: PlanDocument | None = None) -> list[Suggestion]:
        """Needs suggested by the latest completed assessment (domains rated 2–3) and the latest
        positive screens; with `document`, only those neither accepted into it nor dismissed."""
        latest = self._session.assessments.latest(client_id)
        screens = self._session.screening.latest(client_id)
        names = {i.id: i.short_name for i in instruments.catalog().values()}
        found = suggest_needs(latest.document if latest else None, screens, names)
        return open_suggestions(found, document) if document is not None else found

    def instrument_choices(self) -> list[tuple[str, str, bool]]:
        """(instrument id, short name, higher is better) for the instruments an objective can be
        tracked by: those with a total score."""
        return [(i.id, i.short_name, i.higher_is_better) for i in instruments.catalog().values()
                if i.method == "sum"]

    def scores(self, client_id: str, instrument_id: str) -> list[ScorePoint]:
        """The client's valid scores on one instrument, oldest first (the percent score where
        the instrument is read as a percentage, as WHO-5 is)."""
        try:
            percent = instruments.get(instrument_id).bands_on == "percent"
        except KeyError:
            return []
        points = []
        for admin in self._session.screening.history(client_id, instrument_id):
            value = admin.percent if percent else admin.total
            if admin.valid and value is not None:
                points.append(ScorePoint(admin.administered_on, value))
        return points

    def tracking(self, client_id: str, document: PlanDocument) -> dict[str, Tracking]:
        """How each objective tied to an instrument stands today, by objective id."""
        today = self._today()
        cache: dict[str, list[ScorePoint]] = {}
        found: dict[str, Tracking] = {}
        for objective in document.objectives():
            target = objective.instrument
            if target is None:
                continue
            if target.instrument_id not in cache:
                cache[target.instrument_id] = self.scores(client_id, target.instrument_id)
            found[objective.id] = track(target, cache[target.instrument_id], today, objective.target_on)
        return found

    def diff(self, old_plan_id: str, new_plan_id: str) -> list[ItemChange]:
        """What changed between two versions of a client's plan, field by field."""
        old, new = self.get(old_plan_id), self.get(new_plan_id)
        if old.client_id != new.client_id:
            message = _("These versions belong to different clients.")
            raise ValidationError({"plan": message}, message)
        return diff_versions(old, new)

    def activation_problems(self, plan: CarePlan) -> dict[str, str]:
        """What stops this draft from being signed, keyed by field ('<item id>.<field>' …)."""
        return validate_for_activation(plan.document, plan.start_on, plan.review_days)

    # The notes and referrals work links to these.
    def goal_choices(self, client_id: str) -> list[tuple[str, str]]:
        """(goal id, the goal in a few words) for the client's current plan's goals, for a
        note's "goals addressed". The current plan is the one in force, else the draft;
        cancelled goals are left out. Goal ids stay the same from version to version."""
        plan = self.current(client_id) or self.draft(client_id)
        if plan is None:
            return []
        return [(g.id, short(g.client_words or g.smart) or _("(goal without words yet)"))
                for g in plan.document.goals() if g.lifecycle is not GoalLifecycle.CANCELLED]

    def intervention_choices(self, client_id: str) -> list[tuple[str, str]]:
        """(intervention id, the action in a few words) for the client's current plan, for a
        referral's linked intervention. The current plan is the one in force, else the draft;
        cancelled interventions are left out."""
        plan = self.current(client_id) or self.draft(client_id)
        if plan is None:
            return []
        return [(i.id, short(i.action) or _("(action not written yet)"))
                for i in plan.document.interventions() if i.status is not InterventionStatus.CANCELLED]

    # -- drafts --------------------------------------------------------------------------------

    def start_draft(self, client_id: str) -> CarePlan:
        """The client's draft: the one in progress; else a new version copied from the plan in
        force (same start date); else a new plan whose "about the person" comes from the latest
        assessment (the suggested needs are offered, not added: see `suggestions`)."""
        existing = self.draft(client_id)
        if existing is not None:
            return existing
        self._session.clients.get(client_id)
        in_force = self.current(client_id)
        if in_force is not None:  # a revision of the same plan: its start date stays
            document, start_on, review_days = in_force.document, in_force.start_on, in_force.review_days
        else:
            latest = self._session.assessments.latest(client_id)
            document = PlanDocument(about=latest.document.about if latest else PlanDocument().about)
            start_on, review_days = None, DEFAULT_REVIEW_DAYS
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = CarePlanRepository(conn)
            plan = CarePlan(
                id=str(uuid.uuid4()), client_id=client_id, version=repo.next_version(client_id),
                status=PlanStatus.DRAFT, document=document, start_on=start_on, review_days=review_days,
                based_on=in_force.id if in_force else None, created_by=self._session.actor, created_at=now,
                updated_at=now,
            )
            repo.add(plan, now)
            source = f"from=v{in_force.version}" if in_force else "from=new"
            self._session.audit("care_plan.draft", "care_plan", plan.id, f"version={plan.version},{source}")
        return self.get(plan.id)

    def save_draft(self, plan_id: str, document: PlanDocument, start_on: date | None | _Keep = KEEP,
                   review_days: int | None = None) -> CarePlan:
        """Keep what the draft says now (blank items dropped); the start date (None: the day it
        is signed) and review interval stay as they are unless given. A draft may be incomplete:
        the checks for signing run when it is signed; only contradictions are refused here."""
        plan = self.get(plan_id)
        if plan.status is not PlanStatus.DRAFT:
            raise _changed_meanwhile()
        if isinstance(start_on, _Keep):
            start_on = plan.start_on
        review_days = plan.review_days if review_days is None else review_days
        clean = document.normalised()
        problems = validate_document(clean, start_on, review_days)
        if problems:
            raise _problems(problems, _("The draft can't be kept as it is: {problem}"))
        with self._session.write() as conn:
            if not CarePlanRepository(conn).update_draft(plan_id, clean, start_on, review_days,
                                                         self._session.clock.now()):
                raise _changed_meanwhile()
            self._session.audit("care_plan.save_draft", "care_plan", plan_id, f"version={plan.version}")
        return self.get(plan_id)

    def discard_draft(self, client_id: str) -> None:
        """Remove the draft; the plan in force, if any, stays as it is."""
        draft = self.draft(client_id)
        if draft is None:
            return
        with self._session.write() as conn:
            CarePlanRepository(conn).delete_draft(draft.id, self._session.clock.now())
            self._session.audit("care_plan.discard_draft", "care_plan", draft.id, f"version={draft.version}")

    # -- signing -------------------------------------------------------------------------------

    def activate(self, plan_id: str, agreement: Agreement, signatures: Iterable[Signature], *,
                 attachment_id: str | None = None) -> CarePlan:
        """Sign the draft: it is put in force and becomes read-only; the version in force before
        it is superseded, in the same transaction. The review is due `review_days` after today;
        the plan starts on its start date, or today if it has none. A client not yet at the
        implementing stage is moved there (nobody is moved backwards).

        Needs the plan's own checks, the client's agreement (signed on the pad, agreed verbally
        with the reason, or signed on paper — the scanned page's attachment id may come later)
        and the case manager's signature."""
        plan = self.get(plan_id)
        if plan.status is not PlanStatus.DRAFT:
            message = _("This version is already signed. Start a new version to change the plan.")
            raise ValidationError({"plan": message}, message)
        signed = tuple(signatures)
        if agreement is Agreement.SCANNED:  # the client signed the paper page
            signed = tuple(s for s in signed if s.role is not SignerRole.CLIENT)
        problems = self.activation_problems(plan)
        problems.update(validate_agreement(agreement, signed))
        if problems:
            raise _problems(problems, _("The plan can't be signed yet: {problem}"))
        today = self._today()
        now = self._session.clock.now()
        client = self._session.clients.get(plan.client_id)
        with self._session.write() as conn:
            repo = CarePlanRepository(conn)
            previous = repo.in_force(plan.client_id)
            if previous is not None:
                repo.supersede(previous.id, plan.id, now)
                self._session.audit("care_plan.supersede", "care_plan", previous.id,
                                    f"version={previous.version},by=v{plan.version}")
            start = plan.start_on or today
            if not repo.activate(plan.id, agreement, signed, attachment_id or None, start,
                                 review_on_after(today, plan.review_days), self._session.actor, now):
                raise _changed_meanwhile()
            if _STAGE_ORDER.index(client.stage) < _STAGE_ORDER.index(Stage.IMPLEMENTING):
                self._session.clients.move_stage(conn, client.id, Stage.IMPLEMENTING, today,
                                                 _("Care plan signed"), same_stage_ok=True)
            self._session.audit("care_plan.activate", "care_plan", plan.id,
                                f"version={plan.version},agreement={agreement.value}")
        return self.get(plan.id)

    def attach_scan(self, plan_id: str, attachment_id: str) -> CarePlan:
        """Link the scanned signed page (an attachment id) to a version signed on paper, once."""
        plan = self.get(plan_id)
        if plan.agreement is not Agreement.SCANNED:
            message = _("Only a plan signed on paper takes a scanned page.")
            raise ValidationError({"attachment_id": message}, message)
        if not attachment_id.strip():
            message = _("Choose the scanned page to link.")
            raise ValidationError({"attachment_id": message}, message)
        with self._session.write() as conn:
            if not CarePlanRepository(conn).set_attachment(plan.id, attachment_id.strip(), self._session.clock.now()):
                message = _("A scanned page is already linked to this version.")
                raise ValidationError({"attachment_id": message}, message)
            self._session.audit("care_plan.attach_scan", "care_plan", plan.id, f"version={plan.version}")
        return self.get(plan.id)

    def link_referral(self, client_id: str, intervention_id: str, referral_id: str | None) -> None:
        """Record (or, with None, remove) the referral that carries out an intervention, on the
        plan in force and on the draft — whichever hold the intervention. Signed content is not
        changed: the link is kept beside it."""
        plans = [p for p in (self.current(client_id), self.draft(client_id))
                 if p is not None and any(i.id == intervention_id for i in p.document.interventions())]
        if not plans:
            raise NotFound(_("The intervention"))
        now = self._session.clock.now()
        with self._session.write() as conn:
            repo = CarePlanRepository(conn)
            for plan in plans:
                links = repo.referral_links(plan.id)
                if referral_id:
                    links[intervention_id] = referral_id
                else:
                    links.pop(intervention_id, None)
                repo.set_referral_links(plan.id, links, now)
                self._session.audit("care_plan.link_referral", "care_plan", plan.id, f"version={plan.version}")

    # -- the plan in force ---------------------------------------------------------------------

    def set_status(self, plan_id: str, status: PlanStatus, reason: str = "") -> CarePlan:
        """Put the plan in force on hold, resume it, complete it or revoke it. Holding, completing
        and revoking need a reason."""
        plan = self.get(plan_id)
        allowed = STATUS_CHANGES.get(plan.status, frozenset())
        if status not in allowed:
            message = _("A plan that is {old} can't become {new}.").format(
                old=plan.status.label.lower(), new=status.label.lower())
            raise ValidationError({"status": message}, message)
        if status is not PlanStatus.ACTIVE and len(reason.strip()) < 3:
            message = _("Give the reason in a few words.")
            raise ValidationError({"reason": message}, message)
        with self._session.write() as conn:
            if not CarePlanRepository(conn).set_status(plan.id, plan.status, status, reason.strip(),
                                                       self._session.clock.now()):
                raise _changed_meanwhile()
            self._session.audit("care_plan.status", "care_plan", plan.id,
                                f"version={plan.version},from={plan.status.value},to={status.value}")
        return self.get(plan.id)

    def set_review_on(self, plan_id: str, on: date) -> CarePlan:
        """Move the next review of the plan in force to another day (today or later)."""
        plan = self.get(plan_id)
        if not plan.in_force:
            message = _("Only the plan in force has a review date to change.")
            raise ValidationError({"review_on": message}, message)
        if on < self._today():
            message = _("The review date is in the past. Choose today or a later date.")
            raise ValidationError({"review_on": message}, message)
        with self._session.write() as conn:
            CarePlanRepository(conn).set_review_on(plan.id, on, self._session.clock.now())
            self._session.audit("care_plan.review_date", "care_plan", plan.id, f"version={plan.version}")
        return self.get(plan.id)

    def record_review(self, plan_id: str, progress: Iterable[GoalProgress], *, attended: str, changes: str = "",
                      on: date | None = None, next_review_on: date | None = None) -> Review:
        """Record a review of the plan in force: progress per goal on the goal attainment scale
        (−2 … +2), what changes, who attended. The next review is due `next_review_on`, or the
        plan's review interval after this review."""
        plan = self.get(plan_id)
        if not plan.in_force:
            message = _("Only the plan in force can be reviewed.")
            raise ValidationError({"plan": message}, message)
        on = on or self._today()
        review = Review(
            id=str(uuid.uuid4()), plan_id=plan.id, client_id=plan.client_id, reviewed_on=on,
            progress=tuple(replace(p, note=p.note.strip()) for p in progress), changes=changes.strip(),
            attended=attended.strip(), next_review_on=next_review_on or review_on_after(on, plan.review_days),
            recorded_by=self._session.actor,
        )
        activated = plan.activated_at.date() if plan.activated_at else None
        problems = validate_review(review, [g.id for g in plan.document.goals()], self._today(), activated)
        if problems:
            raise _problems(problems, _("The review can't be recorded yet: {problem}"))
        now = self._session.clock.now()
        review = replace(review, created_at=now)
        with self._session.write() as conn:
            repo = CarePlanRepository(conn)
            repo.add_review(review, now)
            assert review.next_review_on is not None
            repo.set_review_on(plan.id, review.next_review_on, now)
            self._session.audit("care_plan.review", "care_plan", plan.id,
                                f"version={plan.version},goals_rated={sum(p.gas is not None for p in review.progress)}")
        return review
