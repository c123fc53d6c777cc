"""Demo vaults of synthetic clients (faker): reproducible with a seed, realistic histories.

Everything here is invented. No real person's details are ever used.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from app.models.assessment import (
    AboutPerson,
    Assessment,
    AssessmentDocument,
    AssessmentStatus,
    Diagnosis,
    DomainRating,
    EventKind,
    HospitalEvent,
    LifeDomain,
    Medication,
    RiskFacts,
)
from app.models.assessment import risk_inputs as assessment_risk_inputs
from app.models.client import CODE_ALPHABET, Client, ClientFields, Stage, StageChange
from app.models.instruments import Instrument
from app.models.risk import (
    Adherence,
    Housing,
    Support,
    Tier,
    TierRecord,
    cadences,
    stratify,
)
from app.models.screening import (
    Administration,
    Decision,
    Referral,
    ReferralFields,
    SafetyAlert,
    Urgency,
    administer,
)
from app.services import instruments
from app.services.demo_attachments import store_demo_attachments
from app.services.demo_care_plans import add_demo_care_plans
from app.services.demo_consents import demo_consents
from app.services.demo_follow_ups import demo_follow_ups
from app.services.demo_notes import DEFAULT_PER_CLIENT, demo_notes
from app.services.demo_safety_plans import demo_safety_plan, store_demo_safety_plans
from app.services.demo_team import demo_care_teams
from app.services.demo_transitions import demo_transitions
from app.services.risk import inputs_from_latest
from app.store.assessment_repo import AssessmentRepository
from app.store.clients_repo import ClientRepository
from app.store.db import Connection
from app.store.risk_repo import RiskRepository
from app.store.screening_repo import ScreeningRepository

if TYPE_CHECKING:
    from pathlib import Path

    from faker import Faker

    from app.services.session import Session
    from app.services.vault_service import VaultService

_LANGUAGES = [("English", 70), ("Spanish", 14), ("Vietnamese", 4), ("Russian", 3), ("Somali", 2),
              ("Haitian Creole", 2), ("Arabic", 2), ("Mandarin", 2), ("ASL", 1)]
_PRONOUNS = [("she/her", 45), ("he/him", 45), ("they/them", 8), ("", 2)]
_RELATIONSHIPS = ["Mother", "Father", "Sister", "Brother", "Partner", "Friend", "Daughter", "Son", "Aunt", "Neighbour"]
# How far along the nine stages the caseload is, roughly as a real caseload spreads.
_STAGE_WEIGHTS = [
    (Stage.REFERRED, 6), (Stage.SCREENING, 6), (Stage.ASSESSING, 8), (Stage.STRATIFYING, 5),
    (Stage.PLANNING, 9), (Stage.IMPLEMENTING, 22), (Stage.FOLLOWING_UP, 18), (Stage.TRANSITIONING, 6),
    (Stage.POST_TRANSITION, 6), (Stage.EVALUATING, 5), (Stage.CLOSED, 9),
]
_NOTES = {
    Stage.SCREENING: "Screens given at first visit",
    Stage.ASSESSING: "Enrolled; assessment started",
    Stage.STRATIFYING: "Assessment complete",
    Stage.PLANNING: "Tier set; planning with client",
    Stage.IMPLEMENTING: "Care plan signed",
    Stage.FOLLOWING_UP: "Services in place",
    Stage.TRANSITIONING: "Stepping down to maintenance",
    Stage.POST_TRANSITION: "Handed off to new provider",
    Stage.EVALUATING: "Reviewing outcomes",
    Stage.CLOSED: "Goals met; case closed",
}


def _weighted(rng: random.Random, options: list[tuple[object, int]]) -> object:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


@dataclass
class _Generator:
    rng: random.Random
    fake_en: Faker
    fake_es: Faker
    fake_vi: Faker
    today: date

    def person(self) -> ClientFields:
        language = str(_weighted(self.rng, _LANGUAGES))  # type: ignore[arg-type]
        fake = {"Spanish": self.fake_es, "Vietnamese": self.fake_vi}.get(language, self.fake_en)
        pronouns = str(_weighted(self.rng, _PRONOUNS))  # type: ignore[arg-type]
        if pronouns == "she/her":
            first = fake.first_name_female()
        elif pronouns == "he/him":
            first = fake.first_name_male()
        else:
            first = fake.first_name()
        last = fake.last_name()
        if self.rng.random() < 0.04:
            last = f"{last}-{self.fake_en.last_name()}"  # long, hyphenated names exist
        preferred = ""
        if self.rng.random() < 0.18:
            preferred = self.fake_en.first_name() if self.rng.random() < 0.5 else first[:3]
        born = self.today - timedelta(days=self.rng.randint(18 * 365, 82 * 365))
        usual = {"she/her": "female", "he/him": "male"}.get(pronouns)
        if usual and self.rng.random() < 0.93:
            sex = usual
        else:
            sex = str(_weighted(self.rng, [("female", 40), ("male", 40), ("intersex", 2), ("", 12), ("declined", 6)]))
        gender = {"she/her": "Woman", "he/him": "Man", "they/them": "Non-binary"}.get(pronouns, "")
        phone = self.fake_en.numerify("(###) 555-####")
        email = ""
        if self.rng.random() < 0.6:
            email = f"{first[:1].lower()}{self.rng.randint(10, 9999)}@example.org"
        referral = self.today - timedelta(days=self.rng.randint(3, 720))
        return ClientFields(
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            pronouns=pronouns,
            date_of_birth=born,
            sex_at_birth=sex,
            gender_identity=gender,
            language=language,
            interpreter_needed=language not in ("English",) and self.rng.random() < 0.6,
            phone=phone,
            phone_alt=self.fake_en.numerify("(###) 555-####") if self.rng.random() < 0.25 else "",
            email=email,
            address_line1=self.fake_en.street_address(),
            address_line2=self.fake_en.secondary_address() if self.rng.random() < 0.2 else "",
            city=self.fake_en.city(),
            region=self.fake_en.state_abbr(),
            postal_code=self.fake_en.postcode(),
            emergency_name=self.fake_en.name() if self.rng.random() < 0.8 else "",
            emergency_relationship=self.rng.choice(_RELATIONSHIPS),
            emergency_phone=self.fake_en.numerify("(###) 555-####"),
            insurance_id=f"MC{self.rng.randint(10**8, 10**9 - 1)}" if self.rng.random() < 0.7 else "",
            referral_date=referral,
        )

    def history(self, client_id: str, referral: date, stage: Stage) -> list[StageChange]:
        order = list(Stage)
        path = order[: order.index(stage) + 1]
        span = max(1, (self.today - referral).days)
        days = sorted(self.rng.randint(0, span) for _ in path[1:])
        changes = [StageChange(self._uuid(), client_id, referral, None, Stage.REFERRED, "Referral received")]
        previous = Stage.REFERRED
        for step, offset in zip(path[1:], days, strict=True):
            on = referral + timedelta(days=offset)
            changes.append(StageChange(self._uuid(), client_id, on, previous, step, _NOTES.get(step, "")))
            previous = step
        return changes

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def code(self, taken: set[str]) -> str:
        while True:
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(6))
            if code not in taken:
                taken.add(code)
                return code


def populate(session: Session, clients: int, seed: int | None = None) -> int:
    """Add `clients` synthetic clients with stage histories; returns how many were added."""
    from faker import Faker

    rng = random.Random(seed)
    fakers = []
    for locale in ("en_US", "es_MX", "vi_VN"):
        fake = Faker(locale)
        fake.seed_instance(rng.getrandbits(32))
        fakers.append(fake)
    gen = _Generator(rng, fakers[0], fakers[1], fakers[2], today=session.clock.today())
    now = session.clock.now()
    taken: set[str] = set()
    made: list[Client] = []
    with session.write() as conn:
        repo = ClientRepository(conn)
        for _index in range(clients):
            fields = gen.person()
            stage = Stage(_weighted(rng, _STAGE_WEIGHTS))  # type: ignore[arg-type]
            client_id = gen._uuid()
            archived = now if stage is Stage.CLOSED and rng.random() < 0.5 else None
            client = Client(client_id, gen.code(taken), fields, stage, archived_at=archived)
            repo.insert(client, now)
            assert fields.referral_date is not None
            changes = gen.history(client_id, fields.referral_date, stage)
            for change in changes:
                repo.add_stage_change(change, now)
            _screening_history(session, conn, gen, client, changes, now)
            session.audit("client.create", "client", client_id, "source=demo")
            made.append(client)
        # Stage 4–5 records for the whole caseload: care teams and referrals out, plans, documents, notes, follow-ups.
        demo_care_teams(conn, rng, gen.fake_en, made, gen.today, gen._uuid, actor=session.actor, now=now)
        add_demo_care_plans(conn, rng, gen.fake_en, made, gen.today, gen._uuid, case_manager=session.actor)
        store_demo_attachments(conn, rng, gen.fake_en, made, gen.today, gen._uuid)
        demo_notes(conn, rng, gen.fake_en, made, gen.today, gen._uuid, actor=session.actor,
                   total=min(len(made) * DEFAULT_PER_CLIENT, 200_000))
        demo_follow_ups(conn, rng, gen.fake_en, made, gen.today, gen._uuid, now=now, actor=session.actor)
        demo_transitions(conn, rng, gen.fake_en, made, gen.today, gen._uuid, now=now, actor=session.actor)
        demo_consents(conn, rng, gen.fake_en, made, gen.today, gen._uuid, now=now, actor=session.actor)
        # A few recently viewed clients, so the Today page has something to show.
        roster = repo.roster()
        viewed = [r.id for r in rng.sample(roster, min(5, len(roster)))]
        for client_id in viewed:
            session.audit("client.view", "client", client_id)
    return clients


_REFERRAL_SOURCES = ["Primary care", "Emergency department", "Self-referral", "Family member", "Housing agency",
                     "Inpatient unit discharge", "School counsellor", "Court liaison"]
_REFERRAL_REASONS = ["Low mood and missed work", "Anxiety, not leaving the house", "Recent ED visit after an overdose",
                     "Housing insecurity and stress", "Isolated since a bereavement", "Follow-up after a hospital stay",
                     "Struggling to manage medication", "Alcohol use affecting family life"]


def _answers_for(instrument: Instrument, total: int, rng: random.Random) -> dict[str, int | None]:
    """Item answers adding up to `total`, spread at random across the scored items."""
    items = list(instrument.scored_items)
    answers = {item.id: min(item.values) for item in items}
    remaining = total - sum(answers.values())
    while remaining > 0:
        item = rng.choice([i for i in items if answers[i.id] < max(i.values)])
        answers[item.id] += 1
        remaining -= 1
    return dict(answers)


def _screening_history(session: Session, conn: Connection, gen: _Generator, client: Client,
                       changes: list[StageChange], now: datetime) -> None:
    """A referral, first screens, then PHQ-9/GAD-7 over time (improving, worsening or fluctuating),
    safety alerts where item 9 is above 0, and a risk tier with its evidence."""
    order = list(Stage)
    reached = {c.to_stage: c.on for c in changes}
    if order.index(client.stage) < order.index(Stage.SCREENING):
        return
    rng, catalog = gen.rng, instruments.catalog()
    repo = ScreeningRepository(conn)
    referral_on = client.fields.referral_date or gen.today
    referral = Referral(gen._uuid(), client.id, ReferralFields(
        referral_on, rng.choice(_REFERRAL_SOURCES), gen.fake_en.name(), gen.fake_en.numerify("(###) 555-####"),
        rng.choice(_REFERRAL_REASONS), Urgency(rng.choices(list(Urgency), weights=(70, 25, 5))[0])))
    repo.add_referral(referral, now)
    screen_on = reached.get(Stage.SCREENING, referral_on)
    severity = rng.random()  # how unwell this client is at the start

    def give(instrument_id: str, on: date, total: int = 0, item9: int | None = None,
             answers: dict[str, int | None] | None = None) -> Administration:
        instrument = catalog[instrument_id]
        if answers is None:
            answers = _answers_for(instrument, total, rng)
        if item9 is not None and "9" in answers:
            answers["9"] = item9
        admin, result = administer(instrument, client.id, answers, new_id=gen._uuid(), on=on,
                                   sex=client.fields.sex_at_birth, referral_id=referral.id,
                                   recorded_by=session.actor, now=now)
        repo.add_administration(admin, now)
        for flag in result.flags:
            alert = SafetyAlert(gen._uuid(), client.id, flag.id, result.risk or "",
                                datetime.combine(on, datetime.min.time(), UTC), admin.id)
            repo.raise_alert(alert, now)
            if on < gen.today - timedelta(days=30) or rng.random() < 0.4:
                repo.review_alert(alert.id, session.actor, "C-SSRS asked; safety plan reviewed with the client.", now)
        return admin

    latest: dict[str, Administration] = {}
    for instrument_id in ("phq2", "gad2"):
        brief = max(0, min(6, round(severity * 6 + rng.uniform(-1, 1))))
        latest[instrument_id] = give(instrument_id, screen_on, brief)
    if rng.random() < 0.6:
        latest["auditc"] = give("auditc", screen_on, min(12, int(rng.expovariate(0.5))))
    if Stage.ASSESSING in reached:
        repo.decide(referral.id, Decision.ENROL, reached[Stage.ASSESSING], "Meets criteria; wants support", now)
    elif client.stage is Stage.CLOSED:
        repo.decide(referral.id, Decision.REFER_ELSEWHERE, screen_on, "Better served by a specialist service", now)
    if Stage.STRATIFYING not in reached:
        return
    start = reached.get(Stage.ASSESSING, screen_on)
    span = max(1, (gen.today - start).days)
    visits = max(1, min(8, span // 30))
    trend = rng.choice(("improving", "improving", "worsening", "fluctuating"))
    phq, gad = 8 + severity * 17, 6 + severity * 13
    for n in range(visits):
        on = start + timedelta(days=round(span * n / visits))
        drift = {"improving": -2.5 * n, "worsening": 1.5 * n, "fluctuating": rng.uniform(-4, 4)}[trend]
        phq_total = max(0, min(27, round(phq + drift + rng.uniform(-2, 2))))
        item9 = (1 if rng.random() < 0.7 else 2) if phq_total >= 15 and rng.random() < 0.25 else 0
        latest["phq9"] = give("phq9", on, phq_total, item9)
        latest["gad7"] = give("gad7", on, max(0, min(21, round(gad + drift * 0.8 + rng.uniform(-2, 2)))))
        if item9:
            high = item9 >= 2 and rng.random() < 0.3
            cssrs: dict[str, int | None] = {"q1": 1, "q2": 1 if high or rng.random() < 0.4 else 0, "q6": 0}
            if cssrs["q2"]:
                cssrs.update({"q3": int(high), "q4": int(high), "q5": 0})
            latest["cssrs_screener"] = give("cssrs_screener", on, answers=cssrs)
    assessed_on = reached.get(Stage.STRATIFYING, start)
    auditc = latest.get("auditc")
    document = _assessment_document(rng, assessed_on, severity, bool(auditc and auditc.positive))
    AssessmentRepository(conn).add(Assessment(
        gen._uuid(), client.id, 1, AssessmentStatus.COMPLETED, document, started_by=session.actor,
        completed_by=session.actor, completed_at=datetime.combine(assessed_on, datetime.min.time(), UTC)), now)
    facts = assessment_risk_inputs(document, gen.today)
    result = stratify(inputs_from_latest(latest, gen.today, facts))
    record = TierRecord(gen._uuid(), client.id, result, result.tier, cadence=cadences()[result.tier],
                        recorded_by=session.actor)
    RiskRepository(conn).add(record, now)
    at_risk = result.tier in (Tier.HIGH, Tier.CRISIS) or any(
        a.flags for a in latest.values() if a.instrument_id in ("phq9", "cssrs_screener"))
    if at_risk:
        store_demo_safety_plans(conn, demo_safety_plan(rng, gen.fake_en, client.id, gen.today, gen._uuid,
                                                       client_name=client.display_name, case_manager=session.actor))


# -- a synthetic comprehensive assessment -------------------------------------------------------

_DOMAIN_NOTES: dict[LifeDomain, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # (said when there is no need, said when there is one)
    LifeDomain.HOUSING: (("Rents a one-bedroom flat; rent paid up.", "Lives with a parent; stable."),
                         ("Two months behind on rent; landlord has sent a notice.", "Staying on a friend's couch since May.",
                          "Sleeping in the car some nights.")),
    LifeDomain.EMPLOYMENT: (("Works part time at a grocery store.", "Retired; not looking for work."),
                            ("Lost warehouse job in the spring; wants to work again.", "Off work on sick leave; worried about losing the job.")),
    LifeDomain.EDUCATION: (("Finished high school; no current plans.",),
                           ("Wants to finish the GED.", "Reading is hard; avoids forms.")),
    LifeDomain.INCOME: (("Income covers the basics.",),
                        ("Benefits stopped after a missed review.", "Runs out of money a week before payday.")),
    LifeDomain.PHYSICAL_HEALTH: (("No physical health concerns reported.",),
                                 ("Diabetes, not checked in a year.", "Back pain limits walking.", "No primary care doctor.")),
    LifeDomain.MENTAL_HEALTH: (("Mood steady lately.",),
                               ("Low mood most days; sleeping badly.", "Panic in crowded places; avoids the shops.",
                                "Hearing voices when stressed.")),
    LifeDomain.SUBSTANCE_USE: (("Does not drink or use drugs.", "An occasional beer; no concerns."),
                               ("Drinking most evenings to sleep.", "Using cannabis daily; wants to cut down.")),
    LifeDomain.SOCIAL_SUPPORTS: (("Close to a sister and two friends.",),
                                 ("Sees nobody most weeks.", "Falling out with family since the move.")),
    LifeDomain.FAMILY: (("No children; on good terms with family.",),
                        ("Children in care; supervised visits monthly.", "Caring for an elderly parent alone.")),
    LifeDomain.LEGAL: (("No legal issues.",), ("Court date next month for a shoplifting charge.", "On probation.")),
    LifeDomain.DAILY_LIVING: (("Manages cooking, cleaning and shopping.",),
                              ("Struggles to keep up with laundry and dishes.", "Forgets appointments.")),
    LifeDomain.TRANSPORTATION: (("Has a bus pass.", "Drives own car."),
                                ("No car; the bus does not run on Sundays.", "Cannot afford bus fare this month.")),
    LifeDomain.FOOD: (("Enough food at home.",), ("Uses the food bank every week.", "Skips meals at the end of the month.")),
    LifeDomain.SAFETY: (("Feels safe at home.",), ("Ex-partner keeps turning up at the door.", "Neighbourhood feels unsafe at night.")),
    LifeDomain.LEISURE: (("Enjoys gardening and walks.",), ("Stopped going to the football club.", "Nothing to do most days.")),
    LifeDomain.SPIRITUALITY: (("Goes to church on Sundays.", "Not religious; no concerns."),
                              ("Misses the mosque since the move.", "Wants to reconnect with the community centre.")),
}
_WHAT_MATTERS = ("Getting my kids back on weekends.", "Keeping my flat.", "Feeling like myself again.",
                 "Going back to work, any work.", "Being there for my mum.", "Staying out of hospital this year.")
_PREFERENCES = ("Texts, not calls. Mornings are best.", "Spanish, please. My daughter can come to visits.",
                "Home visits, not the office.", "Call after 2 pm. Don't leave messages about me at work.")
_STRENGTHS = ("I'm a good cook.", "I don't give up.", "I'm good with my hands; I fix bikes.",
              "I got sober once before.", "People say I'm a good listener.")
_SUPPORTS = ("My sister, the church food bank.", "My neighbour Rosa; the library.", "My AA sponsor; my dog.",
             "My son; the drop-in centre on Tuesdays.")
_BARRIERS = ("No money for the bus.", "I forget things when I'm low.", "My phone gets cut off.",
             "Forms. I can't face the forms.", "Nobody believes me.")
_DIAGNOSES = (("Major depressive disorder, recurrent, moderate", "F33.1", ("Sertraline", "100 mg daily")),
              ("Generalised anxiety disorder", "F41.1", ("Escitalopram", "10 mg daily")),
              ("Post-traumatic stress disorder", "F43.10", ("Prazosin", "2 mg at night")),
              ("Bipolar disorder, current episode depressed", "F31.3", ("Lithium", "600 mg twice daily")),
              ("Schizophrenia", "F20.9", ("Aripiprazole", "15 mg daily")),
              ("Alcohol use disorder, moderate", "F10.20", ("Naltrexone", "50 mg daily")))
_PLACES = ("County General ED", "St. Example's Hospital", "Riverside psychiatric unit", "Mobile crisis team")
_RATINGS = (0, 1, 2, 3)
_PRESCRIBERS = ("Dr. A. Sample (psychiatry)", "Dr. J. Placeholder (primary care)", "NP R. Fictional")


def _assessment_document(rng: random.Random, on: date, severity: float, auditc_positive: bool) -> AssessmentDocument:
    """A plausible completed assessment dated `on`: ratings that fit the risk facts, narratives,
    the client's own words, diagnoses and medications, and sometimes hospital or ED history."""
    housing = Housing(rng.choices(list(Housing), weights=(60, 20, 14, 6))[0])
    support = Support(rng.choices(list(Support), weights=(40, 30, 20, 10))[0])
    adherence = Adherence(rng.choices(list(Adherence), weights=(25, 40, 20, 10, 5))[0])
    needs = {LifeDomain.HOUSING: list(Housing).index(housing), LifeDomain.SOCIAL_SUPPORTS: list(Support).index(support),
             LifeDomain.MENTAL_HEALTH: min(3, 1 + round(severity * 2))}
    domains: dict[LifeDomain, DomainRating] = {}
    for domain in LifeDomain:
        need = needs.get(domain, rng.choices(_RATINGS, cum_weights=(45, 75, 93, 100))[0])
        fine, concerns = _DOMAIN_NOTES[domain]
        domains[domain] = DomainRating(need, rng.choices(_RATINGS, cum_weights=(15, 50, 85, 100))[0],
                                       rng.choice(concerns if need else fine))
    picked = rng.sample(_DIAGNOSES, 2 if rng.random() < 0.4 else 1)
    medications: tuple[Medication, ...] = ()
    if adherence is not Adherence.NOT_APPLICABLE:
        medications = tuple(Medication(name, dose, rng.choice(_PRESCRIBERS), adherence) for _t, _c, (name, dose) in picked)
    events: list[HospitalEvent] = []

    def back(days: int) -> date:
        return on - timedelta(days=rng.randint(1, days))

    for _n in range(int(rng.random() < 0.15 + severity * 0.35) + int(rng.random() < severity * 0.3)):
        kind = EventKind.ED_VISIT if rng.random() < 0.7 else EventKind.CRISIS_CONTACT
        events.append(HospitalEvent(kind, back(400), rng.choice(_PLACES[:2] if kind is EventKind.ED_VISIT else _PLACES[3:])))
    if rng.random() < severity * 0.25:
        admitted = back(540)
        stay = timedelta(days=rng.randint(4, 21))
        events.append(HospitalEvent(EventKind.PSYCHIATRIC_ADMISSION, admitted, _PLACES[2]))
        if admitted + stay <= on:
            events.append(HospitalEvent(EventKind.PSYCHIATRIC_DISCHARGE, admitted + stay, _PLACES[2]))
    if rng.random() < 0.06:
        events.append(HospitalEvent(rng.choice((EventKind.OVERDOSE, EventKind.WITHDRAWAL)), back(300), _PLACES[0]))
    psychosis = any(code.startswith(("F20", "F31")) for _t, code, _m in picked) and rng.random() < 0.4
    return AssessmentDocument(
        assessed_on=on,
        domains=domains,
        about=AboutPerson(rng.choice(_WHAT_MATTERS), rng.choice(_PREFERENCES), rng.choice(_STRENGTHS),
                          rng.choice(_SUPPORTS), rng.choice(_BARRIERS)),
        diagnoses=tuple(Diagnosis(text, code) for text, code, _m in picked),
        medications=medications,
        events=tuple(sorted(events, key=lambda e: e.on or on)),
        facts=RiskFacts(housing, adherence, support, psychosis, auditc_positive and rng.random() < 0.4),
    )


def prepare_demo_vault(vaults: VaultService, folder: Path, passphrase: str, clients: int) -> None:
    """Replace the demo vault in `folder` with a fresh one. Refuses to touch a real vault."""
    from app.i18n import _
    from app.store.errors import VaultError
    from app.store.keyfile import read_keyfile
    from app.store.vault import is_vault, remove_vault_files

    if is_vault(folder):
        if not read_keyfile(folder).demo:
            raise VaultError(_("{folder} holds a real vault, so no demo was made there.").format(folder=folder))
        remove_vault_files(folder)
    created = vaults.create(folder, passphrase, demo=True)
    try:
        populate(created.session, clients)
    finally:
        created.session.close()
