"""The catalogue of reports: what each kind is called, its sections ("minimum necessary"), which
kind of information each section discloses (for the consent check), and how it is built from
the vault. The CLI, the export service and the report dialog all go through here.

A kind's sections and their information types live beside its builder in app/reports
(`SECTIONS`, `section_labels()`, `SECTION_INFO`); this module only gathers the data through the
session's services and hands it over. Building a report writes nothing: recording the export
(audit, disclosure) is `app.services.report_export`'s job.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.i18n import _
from app.models.consent import InfoType
from app.models.units import distance_unit
from app.reports.identity import Identify, Letterhead

if TYPE_CHECKING:
    from app.services.session import Session
    from app.services.settings import Settings

Progress = Callable[[int, int], None]
"""Called as work goes on with (done, total); the caseload report reports once per client."""


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What to build. `subject_id` picks one record where a kind reports on one (an assessment,
    a care-plan version, a transition, a referral); None means the latest/current one.
    `sections` None means the kind's default sections."""

    kind: str
    client_id: str | None = None
    sections: tuple[str, ...] | None = None
    start: date | None = None
    end: date | None = None
    identify: Identify = Identify.FULL
    subject_id: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportKind:
    """One kind of report. `module` is the app.reports module holding SECTIONS, section_labels()
    and SECTION_INFO (section → InfoType); `builder` is "module:function", called as
    function(session, request, letterhead, generated_at, progress) → PDF bytes."""

    key: str
    title: Callable[[], str]
    module: str
    builder: str
    needs_client: bool = True
    uses_period: bool = False
    can_deidentify: bool = False
    to_recipient: bool = True  # may be sent to a named recipient (consent-checked)
    sections_attr: str = "SECTIONS"
    labels_attr: str = "section_labels"
    default_attr: str = ""  # a tuple of default sections in `module`; '' = all

    @property
    def label(self) -> str:
        return self.title()

    def _module(self) -> Any:
        return importlib.import_module(self.module)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(getattr(self._module(), self.sections_attr))

    @property
    def default_sections(self) -> tuple[str, ...]:
        if self.default_attr:
            return tuple(getattr(self._module(), self.default_attr))
        return self.sections

    def section_labels(self) -> dict[str, str]:
        labels: dict[str, str] = getattr(self._module(), self.labels_attr)()
        return {key: labels.get(key, key) for key in self.sections}

    def info_types(self) -> dict[str, InfoType]:
        """Section → the kind of information it discloses."""
        info: dict[str, InfoType] = self._module().SECTION_INFO
        return {key: info[key] for key in self.sections}

    def info_for(self, sections: tuple[str, ...] | None) -> tuple[InfoType, ...]:
        """The information types the chosen sections disclose, in first-seen order."""
        info = self.info_types()
        chosen = self.default_sections if sections is None else sections
        return tuple(dict.fromkeys(info[s] for s in chosen if s in info))

    def build(self, session: Session, request: ReportRequest, letterhead: Letterhead,
              generated_at: datetime | None = None, progress: Progress | None = None) -> bytes:
        if request.sections is None:  # "minimum necessary": the kind's default sections
            request = replace(request, sections=self.default_sections)
        module_name, _sep, function = self.builder.partition(":")
        builder = getattr(importlib.import_module(module_name), function)
        return bytes(builder(session, request, letterhead, generated_at or session.clock.now(), progress))


def letterhead_from(settings: Settings | None) -> Letterhead:
    """The practice's letterhead from settings (name, address, logo, the case manager and
    credentials, the unit of the mileage log); a neutral one when nothing is set."""
    from pathlib import Path

    if settings is None:
        return Letterhead(practice_name=_("Case management"), distance_unit=distance_unit(""))
    logo = Path(settings.practice_logo).expanduser() if settings.practice_logo.strip() else None
    return Letterhead(
        practice_name=settings.practice_name.strip() or _("Case management"),
        address=settings.practice_address.strip(),
        phone=settings.practice_phone.strip(),
        logo_path=logo if logo is not None and logo.is_file() else None,
        case_manager=settings.case_manager_name.strip(),
        credentials=settings.case_manager_credentials.strip(),
        distance_unit=distance_unit(settings.distance_unit),
    )


# -- builders for the kinds whose data is gathered here ----------------------------------------------


def _client_id(request: ReportRequest) -> str:
    if not request.client_id:
        raise ValueError(_("Choose the client this report is about."))
    return request.client_id


def _period(session: Session, request: ReportRequest, default_days: int = 90) -> tuple[date, date]:
    end = request.end or session.clock.today()
    start = request.start or end - timedelta(days=default_days)
    if start > end:
        raise ValueError(_("The period starts after it ends. Put the start date first."))
    return start, end


def build_summary(session: Session, request: ReportRequest, letterhead: Letterhead,
                  generated_at: datetime, progress: Progress | None = None) -> bytes:
    from app.reports import client_summary
    from app.services.report_data import summary_data

    data = summary_data(session, _client_id(request))
    return client_summary.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                    identify=request.identify)


def _safety_plan(session: Session, request: ReportRequest) -> Any:
    from app.services.errors import NotFound

    client_id = _client_id(request)
    plan = (session.safety_plans.get(request.subject_id) if request.subject_id
            else session.safety_plans.current(client_id))
    if plan is None:
        raise NotFound(_("A safety plan for this client"))
    return plan


def build_safety_plan(session: Session, request: ReportRequest, letterhead: Letterhead,
                      generated_at: datetime, progress: Progress | None = None) -> bytes:
    from app.reports import safety_plan

    plan = _safety_plan(session, request)
    client = session.clients.get(_client_id(request))
    return safety_plan.build_plan_pdf(plan, client, letterhead, generated_at, sections=request.sections,
                                      identify=request.identify)


def build_safety_card(session: Session, request: ReportRequest, letterhead: Letterhead,
                      generated_at: datetime, progress: Progress | None = None) -> bytes:
    from app.reports import safety_plan

    plan = _safety_plan(session, request)
    client = session.clients.get(_client_id(request))
    return safety_plan.build_card_pdf(plan, client, letterhead, generated_at, sections=request.sections,
                                      show_name=request.identify is Identify.FULL)


def build_notes(session: Session, request: ReportRequest, letterhead: Letterhead,
                generated_at: datetime, progress: Progress | None = None) -> bytes:
    from app.reports import notes_report
    from app.services.report_data import notes_data

    start, end = _period(session, request)
    data = notes_data(session, _client_id(request), start, end)
    return notes_report.build_pdf(data, letterhead, generated_at, sections=request.sections,
                                  identify=request.identify)


def build_mileage(session: Session, request: ReportRequest, letterhead: Letterhead,
                  generated_at: datetime, progress: Progress | None = None) -> bytes:
    from app.reports import mileage_report
    from app.services.report_data import mileage_data

    start, end = _period(session, request, default_days=30)
    return mileage_report.build_pdf(mileage_data(session, start, end), letterhead, generated_at,
                                    sections=request.sections)


_HERE = "app.services.reporting"

KINDS: dict[str, ReportKind] = {kind.key: kind for kind in (
    ReportKind("summary", lambda: _("Client summary"), "app.reports.client_summary", f"{_HERE}:build_summary",
               default_attr="DEFAULT_SECTIONS"),
    ReportKind("assessment", lambda: _("Screening and assessment results"), "app.reports.assessment_report",
               "app.services.report_data_clinical:build_assessment", default_attr="DEFAULT_SECTIONS"),
    ReportKind("care-plan", lambda: _("Care plan"), "app.reports.care_plan_report",
               "app.services.report_data_clinical:build_care_plan", default_attr="DEFAULT_SECTIONS"),
    ReportKind("safety-plan", lambda: _("Safety plan"), "app.reports.safety_plan", f"{_HERE}:build_safety_plan"),
    ReportKind("safety-card", lambda: _("Safety plan pocket card"), "app.reports.safety_plan",
               f"{_HERE}:build_safety_card", sections_attr="CARD_SECTIONS", to_recipient=False),
    ReportKind("notes", lambda: _("Progress notes"), "app.reports.notes_report", f"{_HERE}:build_notes",
               uses_period=True, default_attr="DEFAULT_SECTIONS"),
    ReportKind("transition", lambda: _("Transition / discharge summary"), "app.reports.transition_report",
               "app.services.report_data_clinical:build_transition", default_attr="DEFAULT_SECTIONS"),
    ReportKind("referral", lambda: _("Referral letter"), "app.reports.referral_letter",
               "app.services.report_data_clinical:build_referral", default_attr="DEFAULT_SECTIONS"),
    ReportKind("outcomes", lambda: _("Outcomes"), "app.reports.outcomes_report",
               "app.services.evaluation:build_outcomes", uses_period=True,
               default_attr="DEFAULT_SECTIONS"),
    ReportKind("caseload", lambda: _("Caseload"), "app.reports.caseload_report",
               "app.services.evaluation:build_caseload", needs_client=False, uses_period=True,
               can_deidentify=True, to_recipient=False),
    ReportKind("disclosures", lambda: _("Accounting of disclosures"), "app.reports.disclosures_report",
               "app.services.accounting:build_disclosures", to_recipient=False,
               default_attr="DEFAULT_SECTIONS"),
    ReportKind("mileage", lambda: _("Mileage report"), "app.reports.mileage_report", f"{_HERE}:build_mileage",
               needs_client=False, uses_period=True, to_recipient=False),
)}


def subjects(session: Session, key: str, client_id: str) -> list[tuple[str, str]]:
    """(id, label) of the records a kind can report on for one client, newest first — the care
    plan's versions (the draft too, to print for signing), completed assessments, safety-plan
    versions, transitions, referrals out; [] for kinds that report on the whole record."""
    from app.i18n import format_date

    if key == "care-plan":
        return [(p.id, (_("Version {n} (draft)") if p.status.value == "draft" else _("Version {n}, {status}"))
                 .format(n=p.version, status=p.status.label.lower()))
                for p in session.care_plans.versions(client_id, include_draft=True)]
    if key == "assessment":
        return [(a.id, _("Assessment of {date} (version {n})").format(date=format_date(a.assessed_on), n=a.version))
                for a in session.assessments.versions(client_id)]
    if key in ("safety-plan", "safety-card"):
        return [(p.id, _("Version {n}, {status}").format(n=p.version, status=p.status.label.lower()))
                for p in session.safety_plans.versions(client_id)]
    if key == "transition":
        return [(t.id, _("{date} — {what}{to}").format(date=format_date(t.on), what=t.headline,
                                                        to=f" → {t.receiving_text}" if t.receiving_text else ""))
                for t in sorted(session.transitions.for_client(client_id), key=lambda t: t.on, reverse=True)]
    if key == "referral":
        return [(r.id, _("{service} — {to} ({status})").format(service=r.fields.service or _("Referral"),
                                                               to=r.to_text, status=r.status.label.lower()))
                for r in session.service_referrals.for_client(client_id)]
    return []


def kind(key: str) -> ReportKind:
    """The kind called `key`; ValueError with a sentence listing the kinds for an unknown one."""
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(_("There is no report called {kind}. Choose from: {kinds}.").format(
            kind=key, kinds=", ".join(KINDS))) from None
