"""FHIR R4 export of one client: a Bundle (type "collection") a receiving provider can read.

What goes in (CASE_RECORD.md, "FHIR R4 export"):

- Patient (demographics, language, emergency contact), Practitioner (the case manager: the name
  from Settings when given, the account name as identifier), Organization (the practice).
- One Questionnaire per instrument used (items, attribution in `copyright`, the LOINC panel code
  where verified) and one QuestionnaireResponse per administration.
- One Observation (category `survey`) per scored administration: the total, with the verified LOINC
  code where there is one (others as `code.text` only), the band in `interpretation`, positive /
  negative as v3 POS / NEG, `derivedFrom` the response.
- One RiskAssessment per tier recorded: `prediction.qualitativeRisk` = the tier, `basis` the latest
  observation of each instrument on or before the day it was assessed, `method` = the rule version.
- From the latest signed care plan: a Condition per need (the client's words in `note`), a Goal per
  goal (its objectives as targets; an instrument target carries the verified LOINC total code and
  the comparator), and the CarePlan with an activity per intervention.
- ServiceRequest per referral out, Appointment per scheduled follow-up in the coming year, and an
  Encounter per signed contact note.

- One Consent per release of information (scope patient-privacy, category LOINC 64292-6; status
  active / inactive / rejected for valid / expired / revoked; a permit provision with the period,
  the recipient as actor, the purposes and the kinds of information; security label 42CFRPart2 for
  a Part 2 consent). To a recipient, only the releases to that recipient go (the others would tell
  them who else the client deals with).
- A DocumentReference per prepared PDF handed in (`documents`): LOINC 18842-5 for the transition /
  discharge summary, the kind's name otherwise; the attachment's size and SHA-1 (base64), the PDF
  itself only when asked to inline it.

Substance-use screens (AUDIT-C, DAST-10) are Part 2 information: their responses and observations
carry the 42CFRPart2 security label and the re-disclosure notice.

Minimum necessary: note bodies, addenda, locations and purposes of visits, assessment narratives,
safety plans, attachments and draft work are left out. `write_fhir` to a recipient checks the
releases (what the bundle holds must be covered, or overridden with a reason) and records the
disclosure.

Every reference is a `urn:uuid:` fullUrl of an entry in the same bundle; resource ids are derived
(uuid5) from the record ids, so exporting the same record twice gives the same ids. Only LOINC
codes in `VERIFIED_LOINC` are ever emitted. Plain dicts: no Qt, no SQL, no FHIR library at run time
(the tests validate the result with fhir.resources' R4B models)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.i18n import _
from app.models.care_plan import (
    CarePlan,
    Comparison,
    Goal,
    Need,
    Objective,
    PlanStatus,
    Responsible,
)
from app.models.client import Client
from app.models.consent import InfoType, Release, ReleaseStatus
from app.models.contacts import Contact, ContactKind
from app.models.follow_ups import Occurrence, Status
from app.models.instruments import Instrument
from app.models.notes import ContactType, Note
from app.models.risk import TierRecord
from app.models.screening import Administration, Urgency
from app.models.service_referral import ReferralStatus, ServiceReferral
from app.services import instruments
from app.services.errors import ValidationError
from app.store.files import atomic_write, ensure_private_dir

if TYPE_CHECKING:
    from app.services.report_export import PreparedReport
    from app.services.session import Session
    from app.services.settings import Settings

Resource = dict[str, Any]

LOINC = "http://loinc.org"
# The LOINC codes CASE_RECORD.md marks verified: instrument panels (Questionnaire.code) and totals
# (Observation.code). No other LOINC code is written, whatever an instrument definition says.
VERIFIED_PANELS: Mapping[str, str] = {"phq9": "44249-1", "phq2": "55757-9", "gad7": "69737-5"}
VERIFIED_TOTALS: Mapping[str, str] = {
    "phq9": "44261-6", "phq2": "55758-7", "gad7": "70274-6", "auditc": "75626-2", "dast10": "82667-7",
}
RELEASE_OF_INFORMATION = "64292-6"  # Consent.category ✅
DISCHARGE_SUMMARY = "18842-5"  # DocumentReference.type of the transition / discharge summary ✅
VERIFIED_LOINC = frozenset({*VERIFIED_PANELS.values(), *VERIFIED_TOTALS.values(), RELEASE_OF_INFORMATION,
                            DISCHARGE_SUMMARY})
DOCUMENT_TYPES: Mapping[str, str] = {"transition": DISCHARGE_SUMMARY}  # report kind → verified LOINC
PART2_INSTRUMENTS = frozenset({"auditc", "dast10"})  # substance-use screens: 42 CFR Part 2 information

APPOINTMENT_DAYS = 365  # scheduled follow-ups exported: from today, this many days ahead
DEFAULT_NAME = "waypoint-fhir-export.json"

_NS = uuid.UUID("5f0c3a52-8a9e-4d2b-9d55-6b1f0f3e7a10")  # namespace of the derived resource ids
_OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_UCUM = "http://unitsofmeasure.org"
_INTERPRETER = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
_CLIENT_CODE = "urn:waypoint:client-code"
_USER = "urn:waypoint:user"
_VAULT = "urn:waypoint:vault"
_TIER = "urn:waypoint:risk-tier"
_RISK_RULE = "urn:waypoint:risk-rule"
_QUESTIONNAIRE = "urn:waypoint:questionnaire:"
_INFO_TYPE = "urn:waypoint:information-type"
_CONTACT = "urn:waypoint:contact"
_NPI = "http://hl7.org/fhir/sid/us-npi"
_CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
_PART2_LABEL = {"system": _ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}
_HIPAA_AUTH = "https://www.ecfr.gov/current/title-45/section-164.508"
_PART2_RULE = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"
_CONSENT_STATUS = {ReleaseStatus.VALID: "active", ReleaseStatus.EXPIRED: "inactive",
                   ReleaseStatus.REVOKED: "rejected", ReleaseStatus.NONE: "proposed"}

_GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
_PLAN_STATUS = {
    PlanStatus.DRAFT: "draft", PlanStatus.ACTIVE: "active", PlanStatus.ON_HOLD: "on-hold",
    PlanStatus.COMPLETED: "completed", PlanStatus.REVOKED: "revoked", PlanStatus.SUPERSEDED: "revoked",
}
_CONDITION_STATUS = {PlanStatus.ACTIVE: "active", PlanStatus.ON_HOLD: "active", PlanStatus.COMPLETED: "resolved"}
_REFERRAL_STATUS = {
    ReferralStatus.DRAFT: "draft", ReferralStatus.SENT: "active", ReferralStatus.ACCEPTED: "active",
    ReferralStatus.SCHEDULED: "active", ReferralStatus.COMPLETED: "completed", ReferralStatus.DECLINED: "revoked",
    ReferralStatus.NO_SHOW: "revoked", ReferralStatus.CANCELLED: "revoked",
}
_PRIORITY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent", Urgency.EMERGENCY: "stat"}
_ENCOUNTER_CLASS = {
    ContactType.HOME_VISIT: ("HH", "home health"), ContactType.PHONE: ("VR", "virtual"),
    ContactType.TELEHEALTH: ("VR", "virtual"), ContactType.OFFICE: ("AMB", "ambulatory"),
    ContactType.COLLATERAL: ("AMB", "ambulatory"), ContactType.ATTEMPTED: ("AMB", "ambulatory"),
}
_COMPARATOR = {Comparison.BELOW: "<", Comparison.AT_MOST: "<=", Comparison.AT_LEAST: ">=", Comparison.ABOVE: ">"}
# Instruments the risk engine reads (app.services.risk.inputs_from_latest): a tier's basis.
_RISK_INSTRUMENTS = ("phq9", "gad7", "k6", "dast10", "auditc", "cssrs_screener")


def resource_id(kind: str, key: str) -> str:
    """The stable id of the `kind` resource made from the record `key`."""
    return str(uuid.uuid5(_NS, f"{kind}:{key}"))


def _ref(rid: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{rid}"}


def _day(value: date) -> str:
    return value.isoformat()


def _instant(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _text(value: str) -> dict[str, str]:
    return {"text": value}


@dataclass
class _Bundle:
    entries: list[Resource] = field(default_factory=list)

    def add(self, resource: Resource) -> str:
        rid: str = resource["id"]
        self.entries.append({"fullUrl": f"urn:uuid:{rid}", "resource": resource})
        return rid


# -- who ---------------------------------------------------------------------------------------


def _patient(client: Client, practitioner: str, organization: str) -> Resource:
    f = client.fields
    name: list[dict[str, Any]] = []
    if f.first_name or f.last_name:
        official: dict[str, Any] = {"use": "official", "text": client.legal_name}
        if f.last_name:
            official["family"] = f.last_name
        if f.first_name:
            official["given"] = [f.first_name]
        name.append(official)
    if f.preferred_name and f.preferred_name != f.first_name:
        name.append({"use": "usual", "given": [f.preferred_name], "text": client.display_name})
    patient: Resource = {
        "resourceType": "Patient", "id": resource_id("Patient", client.id),
        "identifier": [{"system": _CLIENT_CODE, "value": client.client_code}],
        "active": not client.archived,
        "generalPractitioner": [_ref(practitioner)], "managingOrganization": _ref(organization),
    }
    if name:
        patient["name"] = name
    telecom = [{"system": "phone", "value": v, "use": use} for v, use in ((f.phone, "mobile"), (f.phone_alt, "home")) if v]
    if f.email:
        telecom.append({"system": "email", "value": f.email})
    if telecom:
        patient["telecom"] = telecom
    if f.sex_at_birth in _GENDER:
        patient["gender"] = _GENDER[f.sex_at_birth]
    if f.date_of_birth:
        patient["birthDate"] = _day(f.date_of_birth)
    address: dict[str, Any] = {k: v for k, v in (("city", f.city), ("state", f.region),
                                                 ("postalCode", f.postal_code)) if v}
    lines = [line for line in (f.address_line1, f.address_line2) if line]
    if lines:
        address["line"] = lines
    if address:
        patient["address"] = [{"use": "home", **address}]
    if f.emergency_name or f.emergency_phone:
        contact: dict[str, Any] = {}
        if f.emergency_relationship:
            contact["relationship"] = [_text(f.emergency_relationship)]
        if f.emergency_name:
            contact["name"] = {"text": f.emergency_name}
        if f.emergency_phone:
            contact["telecom"] = [{"system": "phone", "value": f.emergency_phone}]
        patient["contact"] = [contact]
    if f.language:
        patient["communication"] = [{"language": _text(f.language), "preferred": True}]
    if f.interpreter_needed:
        patient["extension"] = [{"url": _INTERPRETER, "valueBoolean": True}]
    return patient


def _practitioner(actor: str, settings: Settings | None) -> Resource:
    practitioner: Resource = {
        "resourceType": "Practitioner", "id": resource_id("Practitioner", actor),
        "identifier": [{"system": _USER, "value": actor}],
    }
    if settings is not None and settings.case_manager_name.strip():
        practitioner["name"] = [{"text": settings.case_manager_name.strip()}]
    if settings is not None and settings.case_manager_credentials.strip():
        practitioner["qualification"] = [{"code": _text(settings.case_manager_credentials.strip())}]
    return practitioner


def _organization(vault_id: str, settings: Settings | None) -> Resource:
    organization: Resource = {
        "resourceType": "Organization", "id": resource_id("Organization", vault_id),
        "identifier": [{"system": _VAULT, "value": vault_id}], "active": True,
    }
    if settings is not None and settings.practice_name.strip():
        organization["name"] = settings.practice_name.strip()
    if settings is not None and settings.practice_address.strip():
        organization["address"] = [{"text": settings.practice_address.strip()}]
    return organization


# -- screening ---------------------------------------------------------------------------------


def _questionnaire_url(instrument: Instrument) -> str:
    return f"{_QUESTIONNAIRE}{instrument.id}"


def _answer_coding(instrument: Instrument, item_id: str, value: int) -> dict[str, str]:
    coding = {"code": str(value)}
    try:
        label = next((o.label for o in instrument.item(item_id).options if o.value == value), "")
    except KeyError:
        label = ""
    if label:
        coding["display"] = label
    return coding


def _questionnaire(instrument: Instrument) -> Resource:
    items = []
    for item in instrument.items:
        items.append({
            "linkId": item.id, "text": item.text, "type": "choice",
            "answerOption": [{"valueCoding": _answer_coding(instrument, item.id, o.value)} for o in item.options],
        })
    questionnaire: Resource = {
        "resourceType": "Questionnaire", "id": resource_id("Questionnaire", f"{instrument.id}|{instrument.version}"),
        "url": _questionnaire_url(instrument), "version": instrument.version,
        "name": instrument.id.upper(), "title": instrument.name, "status": "active",
        "subjectType": ["Patient"], "item": items,
    }
    copyright_ = " ".join(p for p in (instrument.attribution, instrument.licence) if p)
    if copyright_:
        questionnaire["copyright"] = copyright_
    panel = VERIFIED_PANELS.get(instrument.id)
    if panel:
        questionnaire["code"] = [{"system": LOINC, "code": panel, "display": instrument.name}]
    return questionnaire


def _response(admin: Administration, instrument: Instrument, patient: str, author: str) -> Resource:
    items = []
    for item in instrument.items:
        value = admin.answers.get(item.id)
        if value is None:
            continue  # missing or declined: no answer to give
        items.append({"linkId": item.id, "text": item.text,
                      "answer": [{"valueCoding": _answer_coding(instrument, item.id, value)}]})
    response: Resource = {
        "resourceType": "QuestionnaireResponse", "id": resource_id("QuestionnaireResponse", admin.id),
        "questionnaire": f"{_questionnaire_url(instrument)}|{admin.instrument_version}",
        "status": "completed", "subject": _ref(patient), "authored": _day(admin.administered_on),
        "author": _ref(author),
    }
    if items:
        response["item"] = items
    return response


def _observation(admin: Administration, instrument: Instrument, patient: str, performer: str,
                 response: str) -> Resource | None:
    if admin.valid and admin.total is not None:
        code: dict[str, Any] = {"text": f"{instrument.short_name} total score"}
        loinc = VERIFIED_TOTALS.get(instrument.id)
        if loinc:
            code["coding"] = [{"system": LOINC, "code": loinc, "display": f"{instrument.short_name} total score"}]
        value: dict[str, Any] = {"valueInteger": admin.total}
    elif admin.risk:
        code = {"text": f"{instrument.short_name} risk level"}
        value = {"valueCodeableConcept": _text(admin.risk)}
    else:
        return None
    observation: Resource = {
        "resourceType": "Observation", "id": resource_id("Observation", admin.id), "status": "final",
        "category": [{"coding": [{"system": _OBS_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": code, "subject": _ref(patient), "effectiveDateTime": _day(admin.administered_on),
        "performer": [_ref(performer)], **value, "derivedFrom": [_ref(response)],
    }
    interpretation: list[dict[str, Any]] = []
    if admin.positive is not None:
        flag = ("POS", "Positive") if admin.positive else ("NEG", "Negative")
        interpretation.append({"coding": [{"system": _INTERPRETATION, "code": flag[0], "display": flag[1]}]})
    if admin.band:
        interpretation.append(_text(admin.band))
    if interpretation:
        observation["interpretation"] = interpretation
    notes = []
    if admin.percent is not None:
        notes.append({"text": f"Percentage score: {admin.percent}"})
    if admin.prorated:
        notes.append({"text": "Total prorated for unanswered items."})
    if notes:
        observation["note"] = notes
    return observation


# -- risk --------------------------------------------------------------------------------------


def _risk_assessment(record: TierRecord, patient: str, performer: str, basis: list[str]) -> Resource:
    result = record.result
    rationale = "; ".join(f"{d.domain.label}: {d.points}" for d in result.domains)
    risk: Resource = {
        "resourceType": "RiskAssessment", "id": resource_id("RiskAssessment", record.id), "status": "final",
        "method": {"coding": [{"system": _RISK_RULE, "code": result.rule_version}], "text": result.rule_version},
        "subject": _ref(patient), "occurrenceDateTime": _day(result.as_of), "performer": _ref(performer),
        "prediction": [{
            "qualitativeRisk": {"coding": [{"system": _TIER, "code": record.tier.value, "display": record.tier.label}],
                                "text": record.tier.label},
            "rationale": f"Total {result.total} ({rationale})" if rationale else f"Total {result.total}",
        }],
    }
    if basis:
        risk["basis"] = [_ref(b) for b in basis]
    if record.overridden:
        note = f"Clinician override of the computed tier ({result.tier.label})."
        if record.override_reason:
            note += f" Reason: {record.override_reason}"
        risk["note"] = [{"text": note}]
    return risk


# -- care plan ---------------------------------------------------------------------------------


def _condition(need: Need, plan: CarePlan, patient: str, recorder: str) -> Resource:
    label = need.summary or (need.domain.label if need.domain else "") or need.client_words or "Need"
    condition: Resource = {
        "resourceType": "Condition", "id": resource_id("Condition", need.id),
        "category": [{"coding": [{"system": _CONDITION_CATEGORY, "code": "health-concern",
                                  "display": "Health Concern"}]}],
        "code": _text(label), "subject": _ref(patient), "recorder": _ref(recorder),
    }
    status = _CONDITION_STATUS.get(plan.status, "inactive")
    condition["clinicalStatus"] = {"coding": [{"system": _CONDITION_CLINICAL, "code": status}]}
    if plan.start_on:
        condition["recordedDate"] = _day(plan.start_on)
    if need.client_words:
        condition["note"] = [{"text": need.client_words}]
    return condition


def _target(objective: Objective) -> dict[str, Any]:
    target: dict[str, Any] = {}
    if objective.instrument is not None:
        try:
            short = instruments.get(objective.instrument.instrument_id).short_name
        except KeyError:
            short = objective.instrument.instrument_id
        measure: dict[str, Any] = {"text": f"{short} total score"}
        loinc = VERIFIED_TOTALS.get(objective.instrument.instrument_id)
        if loinc:
            measure["coding"] = [{"system": LOINC, "code": loinc}]
        target["measure"] = measure
        target["detailQuantity"] = {"value": objective.instrument.value,
                                    "comparator": _COMPARATOR[objective.instrument.comparison]}
    elif objective.measure or objective.step:
        target["measure"] = _text(objective.measure or objective.step)
        if objective.target:
            target["detailString"] = objective.target
    if objective.target_on:
        target["dueDate"] = _day(objective.target_on)
    return target


def _goal(goal: Goal, need: str, patient: str, author: str) -> Resource:
    resource: Resource = {
        "resourceType": "Goal", "id": resource_id("Goal", goal.id), "lifecycleStatus": goal.lifecycle.value,
        "description": _text(goal.smart or goal.client_words or "Goal"), "subject": _ref(patient),
        "expressedBy": _ref(patient), "addresses": [_ref(need)],
    }
    if goal.achievement is not None:
        resource["achievementStatus"] = {"coding": [{"system": _GOAL_ACHIEVEMENT, "code": goal.achievement.value,
                                                     "display": goal.achievement.label}]}
    targets = [t for t in (_target(o) for o in goal.objectives) if t]
    if not targets and goal.target_on:
        targets = [{"dueDate": _day(goal.target_on)}]
    if targets:
        resource["target"] = targets
    if goal.smart and goal.client_words:
        resource["note"] = [{"text": goal.client_words}]
    return resource


@dataclass
class _PlanOut:
    plan_id: str | None = None
    interventions: set[str] = field(default_factory=set)


def _care_plan(plan: CarePlan, bundle: _Bundle, patient: str, author: str) -> _PlanOut:
    conditions: list[str] = []
    goals: list[str] = []
    activities: list[dict[str, Any]] = []
    out = _PlanOut()
    for need in plan.document.needs:
        need_id = bundle.add(_condition(need, plan, patient, author))
        conditions.append(need_id)
        for goal in need.goals:
            goal_id = bundle.add(_goal(goal, need_id, patient, author))
            goals.append(goal_id)
            for objective in goal.objectives:
                for intervention in objective.interventions:
                    out.interventions.add(intervention.id)
                    detail: dict[str, Any] = {"status": intervention.status.value,
                                              "description": intervention.action or objective.step or "Intervention",
                                              "goal": [_ref(goal_id)]}
                    timing: dict[str, Any] = {}
                    if intervention.start_on or intervention.end_on:
                        period = {k: _day(v) for k, v in (("start", intervention.start_on),
                                                          ("end", intervention.end_on)) if v}
                        timing["repeat"] = {"boundsPeriod": period}
                    if intervention.frequency:
                        timing["code"] = _text(intervention.frequency)
                    if timing:
                        detail["scheduledTiming"] = timing
                    if intervention.responsible is Responsible.CASE_MANAGER:
                        detail["performer"] = [_ref(author)]
                    elif intervention.responsible is Responsible.CLIENT:
                        detail["performer"] = [_ref(patient)]
                    else:
                        detail["performer"] = [{"display": intervention.responsible_name
                                                or intervention.responsible.label}]
                    if intervention.modality is not None:
                        detail["code"] = _text(intervention.modality.label)
                    activities.append({"detail": detail})
    resource: Resource = {
        "resourceType": "CarePlan", "id": resource_id("CarePlan", plan.id), "status": _PLAN_STATUS[plan.status],
        "intent": "plan", "title": f"Care plan, version {plan.version}", "subject": _ref(patient),
        "author": _ref(author),
    }
    if plan.start_on or plan.review_on:
        resource["period"] = {k: _day(v) for k, v in (("start", plan.start_on), ("end", plan.review_on)) if v}
    if conditions:
        resource["addresses"] = [_ref(c) for c in conditions]
    if goals:
        resource["goal"] = [_ref(g) for g in goals]
    if activities:
        resource["activity"] = activities
    out.plan_id = bundle.add(resource)
    return out


# -- referrals, appointments, encounters -------------------------------------------------------


def _service_request(referral: ServiceReferral, patient: str, requester: str, plan: _PlanOut) -> Resource:
    f = referral.fields
    request: Resource = {
        "resourceType": "ServiceRequest", "id": resource_id("ServiceRequest", referral.id),
        "status": _REFERRAL_STATUS[referral.status], "intent": "order", "priority": _PRIORITY[f.urgency],
        "code": _text(f.service or "Referral"), "subject": _ref(patient), "requester": _ref(requester),
    }
    if referral.sent_on:
        request["authoredOn"] = _day(referral.sent_on)
    if referral.appointment_on:
        request["occurrenceDateTime"] = _day(referral.appointment_on)
    if referral.to_text:
        request["performer"] = [{"display": referral.to_text}]
    if f.reason:
        request["reasonCode"] = [_text(f.reason)]
    if plan.plan_id and f.intervention_id and f.intervention_id in plan.interventions:
        request["basedOn"] = [_ref(plan.plan_id)]
    return request


def _appointment(o: Occurrence, patient: str, practitioner: str) -> Resource:
    if o.all_day:
        start = datetime.combine(o.start.date(), time(0)).replace(tzinfo=o.starts_at.tzinfo)
        end = datetime.combine(o.end.date() + timedelta(days=1), time(0)).replace(tzinfo=o.starts_at.tzinfo)
    else:
        start, end = o.starts_at, o.ends_at
    if end <= start:
        end = start + timedelta(minutes=1)
    return {
        "resourceType": "Appointment", "id": resource_id("Appointment", f"{o.follow_up_id}|{o.original_start.isoformat()}"),
        "status": "booked", "description": o.kind.label, "start": _instant(start), "end": _instant(end),
        "participant": [{"actor": _ref(patient), "status": "accepted"},
                        {"actor": _ref(practitioner), "status": "accepted"}],
    }


def _encounter(note: Note, patient: str, practitioner: str, organization: str) -> Resource:
    f = note.fields
    code, display = _ENCOUNTER_CLASS[f.kind]
    encounter: Resource = {
        "resourceType": "Encounter", "id": resource_id("Encounter", note.id),
        "status": "cancelled" if f.kind is ContactType.ATTEMPTED else "finished",
        "class": {"system": _ACT_CODE, "code": code, "display": display},
        "type": [_text(f.kind.label)], "subject": _ref(patient),
        "participant": [{"individual": _ref(practitioner)}], "period": {"start": _day(f.contact_on)},
        "serviceProvider": _ref(organization),
    }
    if f.duration_min:
        encounter["length"] = {"value": f.duration_min, "unit": "min", "system": _UCUM, "code": "min"}
    return encounter


# -- the bundle --------------------------------------------------------------------------------


def _label_part2(response: Resource, observation: Resource | None, notice: str) -> None:
    """Substance-use screens are 42 CFR Part 2 information: labelled, and the observation carries
    the re-disclosure notice that must travel with it."""
    for resource in (response, observation):
        if resource is not None:
            resource["meta"] = {"security": [dict(_PART2_LABEL)]}
    if observation is not None:
        observation["note"] = [*observation.get("note", []), {"text": notice}]


# -- consent and documents ---------------------------------------------------------------------


def _recipient(contact: Contact, patient: str) -> Resource:
    """The recipient of releases: an Organization, a Practitioner, or a RelatedPerson (natural support)."""
    f = contact.fields
    identifier = [{"system": _CONTACT, "value": contact.id}]
    telecom = [{"system": "phone", "value": v} for v in (f.phone, f.phone_alt) if v]
    if f.fax:
        telecom.append({"system": "fax", "value": f.fax})
    if f.email:
        telecom.append({"system": "email", "value": f.email})
    address: dict[str, Any] = {k: v for k, v in (("city", f.city), ("state", f.region),
                                                 ("postalCode", f.postal_code)) if v}
    lines = [line for line in (f.address_line1, f.address_line2) if line]
    if lines:
        address["line"] = lines
    resource: Resource
    if contact.kind is ContactKind.ORGANISATION:
        resource = {"resourceType": "Organization", "id": resource_id("Organization", contact.id),
                    "identifier": identifier, "active": contact.archived_at is None, "name": contact.name}
    elif contact.kind is ContactKind.NATURAL_SUPPORT:
        resource = {"resourceType": "RelatedPerson", "id": resource_id("RelatedPerson", contact.id),
                    "identifier": identifier, "patient": _ref(patient), "name": [{"text": contact.name}]}
        if f.role:
            resource["relationship"] = [_text(f.role)]
    else:
        if f.npi:
            identifier.append({"system": _NPI, "value": f.npi})
        resource = {"resourceType": "Practitioner", "id": resource_id("Practitioner", contact.id),
                    "identifier": identifier, "name": [{"text": contact.name}]}
    if telecom:
        resource["telecom"] = telecom
    if address:
        resource["address"] = [address]
    return resource


def _consent(release: Release, today: date, patient: str, organization: str, recipient: str) -> Resource:
    """One release of information as a FHIR Consent (a permit to disclose to one recipient)."""
    f = release.fields
    period: dict[str, str] = {}
    if f.signed_on:
        period["start"] = _day(f.signed_on)
    ends = [d for d in (f.expires_on, release.revoked_on, release.event_occurred_on) if d is not None]
    if ends:
        period["end"] = _day(min(ends))
    provision: Resource = {
        "type": "permit",
        "actor": [{"role": {"coding": [{"system": _PARTICIPATION, "code": "IRCP",
                                        "display": "information recipient"}]},
                   "reference": _ref(recipient)}],
        "code": [{"coding": [{"system": _INFO_TYPE, "code": i.value, "display": i.label}]} for i in f.information],
    }
    if period:
        provision["period"] = period
    if f.purposes:
        provision["purpose"] = [{"display": p} for p in f.purposes]
    policy = [{"uri": _HIPAA_AUTH}]
    consent: Resource = {
        "resourceType": "Consent", "id": resource_id("Consent", release.id),
        "status": _CONSENT_STATUS[release.status(today)],
        "scope": {"coding": [{"system": _CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}]},
        "category": [{"coding": [{"system": LOINC, "code": RELEASE_OF_INFORMATION,
                                  "display": "Release of information consent"}]}],
        "patient": _ref(patient), "performer": [_ref(patient)], "organization": [_ref(organization)],
        "policyRule": {"coding": [{"system": _ACT_CODE, "code": "OPTIN", "display": "opt-in"}]},
    }
    if f.signed_on:
        consent["dateTime"] = _day(f.signed_on)
    if f.part2:
        consent = {"resourceType": "Consent", "id": consent["id"], "meta": {"security": [dict(_PART2_LABEL)]},
                   **consent}
        provision["securityLabel"] = [dict(_PART2_LABEL)]
        policy.append({"uri": _PART2_RULE})
    consent["policy"] = policy
    consent["provision"] = provision
    return consent


def document_reference(prepared: PreparedReport, patient: str, author: str, custodian: str, *,
                       inline: bool = False) -> Resource:
    """A prepared PDF as a DocumentReference: its kind (LOINC 18842-5 for the transition /
    discharge summary; the kind's name otherwise), size and SHA-1 (base64, as FHIR wants), and
    the PDF itself only when `inline`."""
    from app.services import reporting

    kind = reporting.kind(prepared.request.kind)
    doc_type: dict[str, Any] = {"text": kind.label}
    loinc = DOCUMENT_TYPES.get(kind.key)
    if loinc:
        doc_type["coding"] = [{"system": LOINC, "code": loinc, "display": "Discharge summary"}]
    attachment: dict[str, Any] = {
        "contentType": "application/pdf", "language": "en", "size": len(prepared.pdf),
        "hash": base64.b64encode(hashlib.sha1(prepared.pdf, usedforsecurity=False).digest()).decode("ascii"),
        "title": prepared.default_name, "creation": _instant(prepared.generated_at),
    }
    if inline:
        attachment["data"] = base64.b64encode(prepared.pdf).decode("ascii")
    document: Resource = {
        "resourceType": "DocumentReference", "id": resource_id("DocumentReference", prepared.sha256),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:sha256:{prepared.sha256}"}],
        "status": "current", "docStatus": "final", "type": doc_type, "subject": _ref(patient),
        "date": _instant(prepared.generated_at), "author": [_ref(author)], "custodian": _ref(custodian),
        "description": prepared.description(), "content": [{"attachment": attachment}],
    }
    if prepared.part2:
        document["securityLabel"] = [{"coding": [dict(_PART2_LABEL)]}]
    return document


def _latest_signed(plans: Iterable[CarePlan]) -> CarePlan | None:
    signed = [p for p in plans if p.status is not PlanStatus.DRAFT]
    in_force = [p for p in signed if p.in_force]
    return max(in_force or signed, key=lambda p: p.version, default=None)


def export_fhir(session: Session, client_id: str, settings: Settings | None = None, *,
                contact_id: str | None = None, documents: Sequence[PreparedReport] = (),
                inline_documents: bool = False) -> dict[str, Any]:
    """The client's record as a FHIR R4 Bundle (type "collection"), as a JSON-ready dict.

    NotFound for an unknown client. `settings` supply the case manager's and the practice's names
    (optional). For a recipient (`contact_id`) only the releases to them become Consents.
    `documents` (prepared PDFs) become DocumentReferences, with the PDF inlined only when
    `inline_documents`. Reads through the services; writes nothing, records nothing (see `write_fhir`)."""
    client = session.clients.get(client_id)
    bundle = _Bundle()
    practitioner = bundle.add(_practitioner(session.actor, settings))
    organization = bundle.add(_organization(session.vault.vault_id, settings))
    patient = bundle.add(_patient(client, practitioner, organization))

    # Screening: a questionnaire per instrument used, a response and an observation per administration.
    catalog = instruments.catalog()
    administrations = sorted(session.screening.history(client_id), key=lambda a: (a.administered_on, a.id))
    questionnaires: dict[str, str] = {}
    observed: list[tuple[Administration, str]] = []
    for admin in administrations:
        instrument = catalog.get(admin.instrument_id)
        if instrument is None:
            continue
        if instrument.id not in questionnaires:
            questionnaires[instrument.id] = bundle.add(_questionnaire(instrument))
        response_resource = _response(admin, instrument, patient, practitioner)
        observation = _observation(admin, instrument, patient, practitioner, response_resource["id"])
        if instrument.id in PART2_INSTRUMENTS:
            _label_part2(response_resource, observation, session.consents.redisclosure_notice()[1])
        bundle.add(response_resource)
        if observation is not None:
            observed.append((admin, bundle.add(observation)))

    # Risk tiers, each based on the latest observation of each instrument the engine reads.
    for record in session.risk.history(client_id):
        latest: dict[str, tuple[date, str]] = {}
        for admin, obs_id in observed:
            if admin.instrument_id in _RISK_INSTRUMENTS and admin.administered_on <= record.assessed_on:
                latest[admin.instrument_id] = (admin.administered_on, obs_id)
        bundle.add(_risk_assessment(record, patient, practitioner, [o for _d, o in latest.values()]))

    plan = _latest_signed(session.care_plans.versions(client_id))
    plan_out = _care_plan(plan, bundle, patient, practitioner) if plan is not None else _PlanOut()

    for referral in session.service_referrals.for_client(client_id):
        bundle.add(_service_request(referral, patient, practitioner, plan_out))

    today = session.clock.today()
    for occurrence in session.follow_ups.occurrences(today, today + timedelta(days=APPOINTMENT_DAYS), client_id):
        if occurrence.status is Status.SCHEDULED:
            bundle.add(_appointment(occurrence, patient, practitioner))

    for note in sorted(session.notes.notes(client_id), key=lambda n: (n.fields.contact_on, n.id)):
        if note.counts:  # signed, and not entered in error (then it is no contact with this client)
            bundle.add(_encounter(note, patient, practitioner, organization))

    recipients: dict[str, str] = {}
    releases = session.consents.for_client(client_id)
    for release in sorted(releases, key=lambda r: (r.fields.signed_on or date.min, r.id)):
        if contact_id is not None and release.fields.contact_id != contact_id:
            continue  # to a recipient: only their own releases
        to = release.fields.contact_id
        if to not in recipients:
            recipients[to] = bundle.add(_recipient(session.contacts.get(to), patient))
        bundle.add(_consent(release, today, patient, organization, recipients[to]))

    for document in documents:
        bundle.add(document_reference(document, patient, practitioner, organization, inline=inline_documents))

    return {
        "resourceType": "Bundle", "id": str(uuid.uuid4()),
        "meta": {"source": f"Waypoint {__version__}"},
        "type": "collection", "timestamp": _instant(session.clock.now()), "entry": bundle.entries,
    }


def to_json(bundle: Mapping[str, Any]) -> bytes:
    return (json.dumps(bundle, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_SCREENING = frozenset({"Questionnaire", "QuestionnaireResponse", "Observation", "RiskAssessment"})
_CARE = frozenset({"Condition", "Goal", "CarePlan", "ServiceRequest", "Appointment", "Encounter"})


def bundle_information(bundle: Mapping[str, Any], documents: Sequence[PreparedReport] = ()) -> tuple[InfoType, ...]:
    """The kinds of information a bundle discloses (for the consent check), in a fixed order:
    demographics (who, and the releases), screening results, substance-use screens (Part 2),
    care plan (needs, goals, referrals, appointments, contacts — never note bodies), and what
    the attached documents hold."""
    found: set[InfoType] = {InfoType.DEMOGRAPHICS}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        labels = resource.get("meta", {}).get("security", [])
        if kind in ("QuestionnaireResponse", "Observation") and any(
                label.get("code") == _PART2_LABEL["code"] for label in labels):
            found.add(InfoType.SUBSTANCE_USE)
        elif kind in _SCREENING and kind != "Questionnaire":
            found.add(InfoType.SCREENING_RESULTS)
        elif kind in _CARE:
            found.add(InfoType.CARE_PLAN)
    for document in documents:
        found.update(document.info_types)
    return tuple(i for i in InfoType if i in found)


def _covering_release(session: Session, client_id: str, contact_id: str, info: Sequence[InfoType],
                      used: Sequence[str]) -> Release | None:
    today = session.clock.today()
    mine = [r for r in session.consents.for_client(client_id) if r.fields.contact_id == contact_id]
    for release in mine:
        if release.status(today) is ReleaseStatus.VALID and all(release.covers(i) for i in info):
            return release
    return next((r for r in mine if r.id in used), None)


def write_fhir(session: Session, client_id: str, dest: Path, settings: Settings | None = None, *,
               contact_id: str | None = None, purpose: str = "", override_reason: str = "",
               legal_basis: str = "", documents: Sequence[PreparedReport] = ()) -> tuple[Path, int]:
    """Write the client's bundle to `dest` (a file, or a folder for the neutral default name),
    0600 and atomically, and record the export (ids and counts only). Returns the path and the
    number of resources. NotFound for an unknown client (nothing written).

    To a recipient (`contact_id`): a valid release must cover every kind of information in the
    bundle, or `override_reason` says why it goes anyway — otherwise ValueError with a sentence
    naming what isn't covered and the release status, and nothing is written. The disclosure is
    recorded (purpose defaulting to the release's purposes, hash of the bytes written)."""
    from app.services.report_export import (
        default_legal_basis,
        override_legal_basis,
        recipient_label,
    )

    bundle = export_fhir(session, client_id, settings, contact_id=contact_id, documents=documents)
    reason = override_reason.strip()
    disclosure: dict[str, Any] | None = None
    if contact_id is not None:
        recipient = recipient_label(session, contact_id)
        info = bundle_information(bundle, documents)
        cov = session.consents.coverage(client_id, contact_id, info)
        if not cov.complete and not reason:
            raise ValueError(_("No valid release to {recipient} covers everything in the FHIR record (release: "
                               "{status}). Not covered: {info}. Record a release, or give a reason to send it "
                               "anyway.").format(recipient=recipient, status=cov.status.label.lower(),
                                                 info=", ".join(i.label for i in cov.not_covered)))
        release = _covering_release(session, client_id, contact_id, info, cov.release_ids)
        purpose = purpose.strip() or ("; ".join(release.fields.purposes) if release is not None else "")
        if not legal_basis.strip():
            legal_basis = default_legal_basis() if cov.complete and release is not None else override_legal_basis()
        if not purpose:
            message = _("Write the purpose of the disclosure.")
            raise ValidationError({"purpose": message}, message)
        disclosure = {
            "contact_id": contact_id, "recipient": recipient, "purpose": purpose, "legal_basis": legal_basis.strip(),
            "consent_id": release.id if release is not None else None,
            "overridden_reason": reason if not cov.complete else None, "sections": info,
            "description": _("FHIR R4 record (JSON): {info}").format(info=", ".join(i.label for i in info)),
            "method": _("saved (FHIR JSON)"),
        }
    if dest.is_dir():
        dest = dest / DEFAULT_NAME
    if not dest.parent.exists():
        ensure_private_dir(dest.parent)
    data = to_json(bundle)
    atomic_write(dest, data)
    count = len(bundle["entry"])
    try:
        if disclosure is not None:
            entry = session.consents.record_disclosure(
                client_id, content_hash=hashlib.sha256(data).hexdigest(), **disclosure)
            session.record("export.fhir", "client", client_id,
                           f"resources={count},contact={contact_id},disclosure={entry.id}")
        else:
            session.record("export.fhir", "client", client_id, f"resources={count}")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(dest)
        raise
    return dest, count
