"""Today lists the safety plans and care plans whose review date has come, and opens one on its plan."""

from __future__ import annotations

from pathlib import Path

from app.models.safety_plan import Contact, PlanContent
from app.models.signature import SignerRole, verbally_agreed
from tests.conftest import PASSPHRASE
from tests.gui.conftest import Gui
from tests.test_care_plans import signed_plan


def test_a_plan_due_for_review_is_on_today_and_opens_on_the_plan(gui: Gui, client_vault: Path, services) -> None:  # type: ignore[no-untyped-def]
    session = services.vaults.unlock(client_vault, passphrase=PASSPHRASE)
    rows = {r.first_name: r for r in session.clients.roster()}
    due, later = rows["Zoë"], rows["Ольга"]
    today = session.clock.today()
    content = PlanContent(worth_living_for="My cat", warning_signs=("Not answering the phone",),
                          helpers=(Contact("Ana", "(555) 010-1111"),))
    for row, review_on in ((due, today), (later, today.replace(year=today.year + 1))):
        draft = session.safety_plans.save_draft(row.id, content, review_on)
        now = session.clock.now()
        session.safety_plans.activate(draft.id, [
            verbally_agreed(SignerRole.CLIENT, row.first_name, now, "Agreed by phone; signs next visit"),
            verbally_agreed(SignerRole.CASE_MANAGER, "J. Rivera", now, "Signing at the next visit")])
    plan = signed_plan(session, later.id)
    session.care_plans.set_review_on(plan.id, today)  # the care plan's review has come too
    session.close()
    gui.unlock(client_vault)
    workspace = gui.controller.workspace
    today_page = workspace.today
    gui.qtbot.waitUntil(today_page.plans_card.isVisible)  # the follow-up lists fill just after Today is shown
    gui.qtbot.waitUntil(lambda: today_page.plans.count() >= 2)
    texts = [today_page.plans.item(i).text() for i in range(today_page.plans.count())]
    assert len(texts) == 2
    assert any(t.startswith("Safety plan: ") and "Ødegård" in t for t in texts)
    assert any(t.startswith("Care plan: ") and "Петрова" in t for t in texts)
    workspace.set_discreet(True)
    item = next(today_page.plans.item(i) for i in range(today_page.plans.count())
                if due.client_code in today_page.plans.item(i).text())
    assert "Ødegård" not in item.text() and due.client_code in item.text()
    today_page.plans.itemActivated.emit(item)
    record = workspace.record
    assert workspace.pages.currentWidget() is record and record.client().id == due.id
    assert record.tabs.currentWidget() is record.safety_plan_tab
