"""The seven-domain risk engine of CASE_RECORD.md: every domain rule, tier edge, floor and override rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.i18n import set_locale
from app.models.risk import (
    RULE_VERSION,
    Adherence,
    Domain,
    Housing,
    Observed,
    RiskInputs,
    Support,
    Tier,
    cadences,
    override_problem,
    stratify,
    tier_from_total,
)

TODAY = date(2026, 11, 26)
EARLIER = TODAY - timedelta(days=10)


def setup_module() -> None:
    set_locale("en_US")


def obs(value, days_ago: int = 10, source: str = ""):  # type: ignore[no-untyped-def]
    return Observed(value, TODAY - timedelta(days=days_ago), source)


def points(domain: Domain, **inputs: object) -> int:
    return stratify(RiskInputs(as_of=TODAY, **inputs)).points(domain)  # type: ignore[arg-type]


@pytest.mark.parametrize("total, tier", [(0, Tier.LOW), (4, Tier.LOW), (5, Tier.MODERATE), (9, Tier.MODERATE),
                                         (10, Tier.HIGH), (14, Tier.HIGH), (15, Tier.CRISIS), (21, Tier.CRISIS)])
def test_tier_from_total(total: int, tier: Tier) -> None:
    assert tier_from_total(total) is tier


@pytest.mark.parametrize("cssrs, item9, expected", [
    ("None", None, 0), ("Low", None, 1), ("Moderate", None, 2), ("High", None, 3),
    (None, 0, 0), (None, 1, 1), (None, 2, 2), (None, 3, 2), ("Low", 2, 2), ("High", 1, 3),
])
def test_suicide_domain(cssrs: str | None, item9: int | None, expected: int) -> None:
    inputs = {}
    if cssrs is not None:
        inputs["cssrs"] = obs(cssrs)
    if item9 is not None:
        inputs["phq9_item9"] = obs(item9)
    assert points(Domain.SUICIDE, **inputs) == expected


@pytest.mark.parametrize("phq9, gad7, k6, psychosis, expected", [
    (9, None, None, None, 0), (10, None, None, None, 1), (14, None, None, None, 1), (15, None, None, None, 2),
    (19, None, None, None, 2), (20, None, None, None, 3), (None, 9, None, None, 0), (None, 10, None, None, 1),
    (None, 14, None, None, 1), (None, 15, None, None, 2), (None, None, 12, None, 0), (None, None, 13, None, 2),
    (5, 4, 3, True, 3), (5, 4, 3, False, 0), (12, 16, None, None, 2),
])
def test_symptoms_domain(phq9, gad7, k6, psychosis, expected) -> None:  # type: ignore[no-untyped-def]
    inputs = {k: obs(v) for k, v in (("phq9_total", phq9), ("gad7_total", gad7), ("k6_total", k6),
                                      ("psychosis_or_mania", psychosis)) if v is not None}
    assert points(Domain.SYMPTOMS, **inputs) == expected


def ago(*days: int) -> tuple[date, ...]:
    return tuple(TODAY - timedelta(days=d) for d in days)


@pytest.mark.parametrize("contacts, admissions, expected", [
    ((), (), 0), (ago(100), (), 1), (ago(100, 200), (), 2), ((), ago(200), 2), (ago(10), (), 3),
    ((), ago(30), 3), (ago(31), (), 1), (ago(400), (), 0), (ago(400, 500), ago(366), 0),
])
def test_acute_care_domain(contacts: tuple[date, ...], admissions: tuple[date, ...], expected: int) -> None:
    assert points(Domain.ACUTE_CARE, ed_or_crisis_contacts=contacts, psychiatric_admissions=admissions) == expected


@pytest.mark.parametrize("housing, expected", [(Housing.STABLE, 0), (Housing.AT_RISK, 1), (Housing.SHELTER, 2),
                                               (Housing.UNSHELTERED, 3)])
def test_housing_domain(housing: Housing, expected: int) -> None:
    assert points(Domain.HOUSING, housing=obs(housing)) == expected


@pytest.mark.parametrize("auditc, harm, dast, overdose, expected", [
    (False, None, 0, (), 0), (True, None, None, (), 1), (None, None, 1, (), 1), (None, None, 2, (), 1),
    (None, None, 3, (), 2), (None, None, 5, (), 2), (True, True, None, (), 2), (False, True, None, (), 0),
    (None, None, 6, (), 3), (None, None, 0, ago(89), 3), (None, None, 0, ago(91), 0), (True, None, 4, (), 2),
])
def test_substance_domain(auditc, harm, dast, overdose, expected) -> None:  # type: ignore[no-untyped-def]
    inputs: dict[str, object] = {"overdose_or_withdrawal": overdose}
    if auditc is not None:
        inputs["auditc_positive"] = obs(auditc)
    if harm is not None:
        inputs["alcohol_harm"] = obs(harm)
    if dast is not None:
        inputs["dast10_total"] = obs(dast)
    assert points(Domain.SUBSTANCE, **inputs) == expected


@pytest.mark.parametrize("adherence, expected", [(Adherence.NOT_APPLICABLE, 0), (Adherence.AS_PRESCRIBED, 0),
                                                 (Adherence.OCCASIONAL_MISSES, 1), (Adherence.FREQUENT_MISSES, 2),
                                                 (Adherence.STOPPED_ALL, 3)])
def test_adherence_domain(adherence: Adherence, expected: int) -> None:
    assert points(Domain.ADHERENCE, adherence=obs(adherence)) == expected


@pytest.mark.parametrize("support, expected", [(Support.TWO_OR_MORE, 0), (Support.ONE, 1), (Support.LIMITED, 2),
                                               (Support.ISOLATED, 3)])
def test_support_domain(support: Support, expected: int) -> None:
    assert points(Domain.SUPPORT, support=obs(support)) == expected


def test_total_tier_and_evidence_with_dates() -> None:
    result = stratify(RiskInputs(
        as_of=TODAY, phq9_total=obs(16, 3, "PHQ-9 on a home visit"), housing=obs(Housing.SHELTER, 20),
        support=obs(Support.ONE), adherence=obs(Adherence.OCCASIONAL_MISSES), ed_or_crisis_contacts=ago(50),
    ))
    assert result.total == 2 + 2 + 1 + 1 + 1
    assert result.tier is Tier.MODERATE and result.floors == ()
    assert result.rule_version == RULE_VERSION
    symptoms = next(d for d in result.domains if d.domain is Domain.SYMPTOMS)
    assert symptoms.evidence == "PHQ-9 16 on Nov 23, 2026 (PHQ-9 on a home visit)"
    assert symptoms.on == TODAY - timedelta(days=3)
    assert set(result.unrecorded) == {Domain.SUICIDE, Domain.SUBSTANCE}


def test_unrecorded_domains_are_named_and_count_zero() -> None:
    result = stratify(RiskInputs(as_of=TODAY))
    assert result.total == 0 and result.tier is Tier.LOW
    assert set(result.unrecorded) == {Domain.SUICIDE, Domain.SYMPTOMS, Domain.HOUSING, Domain.SUBSTANCE,
                                      Domain.ADHERENCE, Domain.SUPPORT}


@pytest.mark.parametrize("inputs, tier, reason", [
    ({"cssrs": obs("High")}, Tier.CRISIS, "C-SSRS screener High"),
    ({"cssrs": obs("Moderate")}, Tier.HIGH, "C-SSRS screener Moderate"),
    ({"psychiatric_discharge": TODAY - timedelta(days=30)}, Tier.HIGH, "Psychiatric discharge"),
    ({"phq9_item9": obs(2)}, Tier.HIGH, "no C-SSRS since"),
    ({"phq9_item9": obs(3, 5), "cssrs": obs("None", 8)}, Tier.HIGH, "no C-SSRS since"),
    ({"phq9_item9": obs(1)}, Tier.MODERATE, "item 9 = 1"),
    ({"housing": obs(Housing.UNSHELTERED)}, Tier.MODERATE, "Unsheltered"),
])
def test_floors(inputs: dict[str, object], tier: Tier, reason: str) -> None:
    result = stratify(RiskInputs(as_of=TODAY, **inputs))  # type: ignore[arg-type]
    assert result.tier is tier
    assert any(reason in f.reason for f in result.floors)


def test_floors_that_do_not_apply() -> None:
    after = stratify(RiskInputs(as_of=TODAY, phq9_item9=obs(2, 10), cssrs=obs("None", 2)))
    assert after.tier is Tier.LOW  # a C-SSRS since item 9 replaces the item-9 floor (its points stay: 2)
    assert after.points(Domain.SUICIDE) == 2
    old_discharge = stratify(RiskInputs(as_of=TODAY, psychiatric_discharge=TODAY - timedelta(days=31)))
    assert old_discharge.floors == ()


def test_a_floor_never_lowers_the_tier() -> None:
    inputs = RiskInputs(as_of=TODAY, phq9_item9=obs(1), phq9_total=obs(22), gad7_total=obs(16),
                        housing=obs(Housing.UNSHELTERED), support=obs(Support.ISOLATED),
                        adherence=obs(Adherence.STOPPED_ALL), ed_or_crisis_contacts=ago(60, 120))
    result = stratify(inputs)
    assert result.total == 1 + 3 + 2 + 3 + 3 + 3 and result.tier is Tier.CRISIS  # above item 9's floor
    lower = stratify(replace(inputs, support=obs(Support.TWO_OR_MORE)))
    assert lower.total == 12 and lower.tier is Tier.HIGH


def test_override_rules() -> None:
    assert "reason" in (override_problem(Tier.HIGH, Tier.MODERATE, "too short", False) or "")
    assert "reassessment" in (override_problem(Tier.CRISIS, Tier.HIGH, "Safety plan in place, engaged", False) or "")
    assert override_problem(Tier.CRISIS, Tier.HIGH, "Safety plan in place, engaged", True) is None
    assert override_problem(Tier.LOW, Tier.HIGH, "Family reports escalating conflict", False) is None


def test_cadence_per_tier() -> None:
    table = cadences()
    assert [table[t].contact_days for t in (Tier.CRISIS, Tier.HIGH, Tier.MODERATE, Tier.LOW)] == [1, 7, 14, 30]
    assert [table[t].retier_days for t in (Tier.CRISIS, Tier.HIGH, Tier.MODERATE, Tier.LOW)] == [3, 30, 60, 90]
