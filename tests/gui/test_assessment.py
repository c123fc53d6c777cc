"""The Assessment tab and editor, driven like a user: keyboard first, nothing typed lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit

from app.models.assessment import (
    AboutPerson,
    AssessmentDocument,
    Diagnosis,
    DomainRating,
    LifeDomain,
    RiskFacts,
)
from app.models.client import Stage
from app.models.risk import Adherence, Housing, Support
from app.services.context import AppServices
from app.ui.dialogs.assessment_editor import AssessmentEditorDialog
from app.ui.record.assessment_tab import AssessmentTab
from tests.conftest import PASSPHRASE, person
from tests.gui.conftest import Gui, type_text, visible_texts

CLIENT_WORDS = "Volver a ver a mi nieta los domingos — “sin miedo”"


def _document() -> AssessmentDocument:
    return AssessmentDocument(
        assessed_on=date(2026, 11, 2),
        domains={d: DomainRating(1, 2, f"Earlier note on {d.label.lower()}") for d in LifeDomain}
        | {LifeDomain.HOUSING: DomainRating(3, 1, "Notice to leave by January")},
        about=AboutPerson(what_matters="Keeping my flat", barriers="The bus fare"),
        diagnoses=(Diagnosis("Generalised anxiety disorder", "F41.1"),),
        facts=RiskFacts(Housing.AT_RISK, Adherence.NOT_APPLICABLE, Support.ONE, False, False),
    )


@pytest.fixture
def vault(services: AppServices, vault_dir: Path) -> Path:
    """Two synthetic clients: Teodora has no assessment, Wilhelmina has one completed version."""
    created = services.vaults.create(vault_dir, PASSPHRASE, PASSPHRASE)
    s = created.session
    s.clients.create(person(first_name="Teodora", last_name="Ñúñez", referral_date=date(2026, 10, 1)))
    other = s.clients.create(person(first_name="Wilhelmina", last_name="Østby", referral_date=date(2026, 10, 1)))
    s.assessments.complete(s.assessments.start(other.id, date(2026, 11, 2)).id, _document())
    s.close()
    return vault_dir


def open_tab(gui: Gui, folder: Path, first_name: str) -> tuple[AssessmentTab, str]:
    gui.unlock(folder)
    session = gui.controller.session
    client_id = next(r.id for r in session.clients.roster() if first_name in (r.first_name, r.preferred_name))
    workspace = gui.controller.workspace
    workspace.open_client(client_id)
    record = workspace.record
    record.tabs.setCurrentWidget(record.assessment_tab)
    tab = record.assessment_tab
    gui.qtbot.waitUntil(lambda: tab.isVisible() and tab.client is not None and tab.client.id == client_id)
    return tab, client_id


def open_editor(gui: Gui, tab: AssessmentTab) -> AssessmentEditorDialog:
    button = tab.start_button if tab.stack.currentWidget() is not tab.empty else tab.empty_button
    button.setFocus()
    gui.key(Qt.Key.Key_Space)
    gui.qtbot.waitUntil(lambda: tab.editor is not None and tab.editor.isVisible())
    editor = tab.editor
    assert editor is not None
    gui.qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.need[LifeDomain.HOUSING], timeout=3000)
    return editor


def focused() -> object:
    return QApplication.focusWidget()


def test_a_first_assessment_by_keyboard_completed_and_shown(gui: Gui, vault: Path) -> None:
    tab, client_id = open_tab(gui, vault, "Teodora")
    assert tab.stack.currentWidget() is tab.empty
    assert "No assessment yet" in tab.empty.title.text()
    editor = open_editor(gui, tab)
    assert editor.assessed_on.value() == date(2026, 11, 26)  # today, already filled in

    # Sixteen domains: digit for the need, Tab, digit for the strength, Tab, notes, Tab.
    for index, domain in enumerate(LifeDomain):
        assert focused() is editor.need[domain]
        gui.key(getattr(Qt.Key, f"Key_{(index % 3) + 1}"))
        gui.key(Qt.Key.Key_Tab)
        assert focused() is editor.strength[domain]
        gui.key(Qt.Key.Key_2)
        gui.key(Qt.Key.Key_Tab)
        assert focused() is editor.narrative[domain]
        if domain is LifeDomain.HOUSING:
            gui.qtbot.keyClicks(editor.narrative[domain], "Two months behind on rent")
        gui.key(Qt.Key.Key_Tab)
    assert editor.need[LifeDomain.HOUSING].currentText() == "1 · Mild need"
    assert editor.need[LifeDomain.EMPLOYMENT].currentText() == "2 · Moderate need"
    assert editor.strength[LifeDomain.FOOD].currentText() == "2 · Useful strength"

    # About the person, in the client's words (typed as an input method would).
    assert focused() is editor.about["what_matters"]
    type_text(editor.about["what_matters"], CLIENT_WORDS)
    for _field in range(5):
        gui.key(Qt.Key.Key_Tab)
    # Diagnoses: "Add a diagnosis" puts the cursor in the new row.
    assert focused() is editor.diagnoses.add_button
    gui.key(Qt.Key.Key_Space)
    assert focused() is editor.diagnoses.cell(0, "text")
    gui.qtbot.keyClicks(focused(), "Major depressive disorder, single episode")
    gui.key(Qt.Key.Key_Tab)
    assert focused() is editor.diagnoses.cell(0, "icd10"), (focused(), focused().accessibleName())
    gui.qtbot.keyClicks(focused(), "f32.1")
    # The risk facts: jump there and pick by the first letters.
    gui.key(Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert focused() is editor.facts["housing"]
    gui.qtbot.keyClicks(focused(), "Un")
    assert editor.facts["housing"].value() == "unsheltered"
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(focused(), "No")
    assert editor.facts["adherence"].value() == "not_applicable"

    gui.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)

    session = gui.controller.session
    latest = session.assessments.latest(client_id)
    assert latest is not None and latest.version == 1
    assert latest.document.about.what_matters == CLIENT_WORDS
    assert latest.document.diagnoses == (Diagnosis("Major depressive disorder, single episode", "F32.1"),)
    assert latest.document.facts.housing is Housing.UNSHELTERED
    # Shown on the tab: numbers and words, the client's words; the case moved on to Assessing.
    gui.qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.scroll)
    shown = visible_texts(tab)
    for text in ("Version 1", "1 · Mild need", "2 · Moderate need", "3 · Severe need", "2 · Useful strength",
                 "Two months behind on rent", CLIENT_WORDS, "F32.1", "Unsheltered", "No medication (not applicable)"):
        assert text in shown, text
    assert session.clients.get(client_id).stage is Stage.ASSESSING
    assert "Assessing" in gui.controller.workspace.record.stage_badge.text()
    assert tab.start_button.text() == "New assessment"
    assert session.drafts.load("assessment", latest.id) is None  # no stray typing left behind


def test_a_new_assessment_starts_from_the_last_and_closing_keeps_the_draft(gui: Gui, vault: Path) -> None:
    tab, client_id = open_tab(gui, vault, "Wilhelmina")
    assert tab.stack.currentWidget() is tab.scroll
    assert "3 · Severe need" in visible_texts(tab)
    editor = open_editor(gui, tab)
    assert "started from version 1" in editor.subtitle.text()
    assert editor.need[LifeDomain.HOUSING].value() == 3
    assert editor.narrative[LifeDomain.HOUSING].toPlainText() == "Notice to leave by January"
    assert editor.about["what_matters"].toPlainText() == "Keeping my flat"
    assert editor.diagnoses.cell(0, "icd10").text() == "F41.1"
    assert editor.facts["housing"].value() == "at_risk"
    assert editor.assessed_on.value() == date(2026, 11, 26)

    # Things got better: housing need down to 1, and a note. Then Esc: nothing is asked, nothing lost.
    gui.key(Qt.Key.Key_1)
    gui.key(Qt.Key.Key_Tab)
    gui.key(Qt.Key.Key_Tab)
    editor.narrative[LifeDomain.HOUSING].selectAll()
    type_text(editor.narrative[LifeDomain.HOUSING], "Arrears paid; tenancy kept ✓")
    gui.qtbot.keyClick(editor, Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert tab.start_button.text() == "Continue draft"
    assert tab.draft_banner.isVisible() and "Version 2 is a draft" in tab.draft_banner.label.text()
    session = gui.controller.session
    assert session.assessments.latest(client_id).version == 1  # the draft doesn't count yet

    editor = open_editor(gui, tab)
    assert editor.need[LifeDomain.HOUSING].value() == 1
    assert editor.narrative[LifeDomain.HOUSING].toPlainText() == "Arrears paid; tenancy kept ✓"
    gui.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    assert [v.version for v in session.assessments.versions(client_id)] == [2, 1]

    # The tab shows the new version; the older one is a choice away, and says it is older.
    assert tab.version_picker.isVisible() and tab.version_picker.count() == 2
    assert "Version 2" in tab.version_picker.currentText() and "(latest)" in tab.version_picker.currentText()
    assert "Arrears paid; tenancy kept ✓" in visible_texts(tab)
    tab.version_picker.setFocus()
    gui.key(Qt.Key.Key_Down)
    assert tab.older_banner.isVisible() and "older version" in tab.older_banner.label.text()
    assert "Notice to leave by January" in visible_texts(tab)


def test_a_bad_icd10_code_is_explained_and_nothing_typed_is_lost(gui: Gui, vault: Path) -> None:
    tab, client_id = open_tab(gui, vault, "Wilhelmina")
    editor = open_editor(gui, tab)
    editor.narrative[LifeDomain.FOOD].setFocus()
    gui.key(Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    type_text(editor.narrative[LifeDomain.FOOD], " — uses the food bank")
    gui.key(Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert focused() is editor.diagnoses.cell(0, "text")
    editor.diagnoses.add_button.setFocus()
    gui.key(Qt.Key.Key_Space)
    type_text(focused(), "Trastorno de pánico")
    gui.key(Qt.Key.Key_Tab)
    gui.qtbot.keyClicks(focused(), "F410")
    gui.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert editor.isVisible()
    code = editor.diagnoses.cell(1, "icd10")
    assert isinstance(code, QLineEdit) and code.text() == "F410"
    assert code.property("invalid") is True
    error = editor.diagnoses.rows[1][3]
    assert error.isVisible() and "Write the code with a dot after the third character: F41.0." in error.text()
    assert "1 thing needs attention" in editor.error_banner.label.text()
    assert "Everything you typed is kept" in editor.error_banner.label.text()
    assert focused() is code
    narrative = editor.narrative[LifeDomain.FOOD]
    assert isinstance(narrative, QPlainTextEdit) and narrative.toPlainText() == "Earlier note on food — uses the food bank"
    assert editor.diagnoses.cell(1, "text").text() == "Trastorno de pánico"
    assert gui.controller.session.assessments.latest(client_id).version == 1

    # Fixed: completing now works, and the error goes away.
    code.selectAll()
    gui.qtbot.keyClicks(code, "F41.0")
    gui.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    latest = gui.controller.session.assessments.latest(client_id)
    assert latest.version == 2 and latest.document.diagnoses[-1] == Diagnosis("Trastorno de pánico", "F41.0")


def test_rows_are_removed_by_keyboard_and_typing_survives_a_lock(gui: Gui, vault: Path) -> None:
    tab, client_id = open_tab(gui, vault, "Wilhelmina")
    editor = open_editor(gui, tab)
    remove = editor.diagnoses.rows[0][2]
    assert remove.accessibleName() == "Remove diagnosis 1"
    remove.setFocus()
    gui.key(Qt.Key.Key_Space)
    assert editor.diagnoses.rows == [] and focused() is editor.diagnoses.add_button
    assert editor.diagnoses.empty.isVisible()
    editor.events.add_button.setFocus()
    gui.key(Qt.Key.Key_Space)
    gui.key(Qt.Key.Key_Tab)
    date_field = editor.events.cell(0, "on")
    assert focused() is date_field.edit
    gui.qtbot.keyClicks(focused(), "31/31/2026")  # not a date: kept as typed through the lock

    gui.controller.lock()
    gui.qtbot.waitUntil(lambda: gui.controller.workspace is None or not tab.isVisible())
    gui.unlock(vault)
    session = gui.controller.session
    draft = session.assessments.draft(client_id)
    assert draft is not None
    workspace = gui.controller.workspace
    record = workspace.record
    record.tabs.setCurrentWidget(record.assessment_tab)
    tab = record.assessment_tab
    gui.qtbot.waitUntil(lambda: tab.isVisible() and tab.start_button.text() == "Continue draft")
    editor = open_editor(gui, tab)
    assert editor.diagnoses.rows == []
    assert editor.events.cell(0, "on").text() == "31/31/2026"
    assert "restored" in editor.draft_banner.label.text()


def test_opening_and_closing_without_typing_leaves_no_draft(gui: Gui, vault: Path) -> None:
    tab, client_id = open_tab(gui, vault, "Wilhelmina")
    open_editor(gui, tab)
    gui.key(Qt.Key.Key_Escape)
    gui.qtbot.waitUntil(lambda: tab.editor is None)
    session = gui.controller.session
    assert session.assessments.draft(client_id) is None
    assert tab.start_button.text() == "New assessment" and not tab.draft_banner.isVisible()


def test_a_read_only_vault_shows_assessments_but_offers_no_changes(
    gui: Gui, vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.store.db import IntegrityCheck

    tab, client_id = open_tab(gui, vault, "Wilhelmina")
    monkeypatch.setattr(gui.controller.session.vault, "_checks", IntegrityCheck.finished(["page 9 failed"]))
    tab.refresh()
    assert "Notice to leave by January" in visible_texts(tab)
    assert "read-only" in tab.read_only_banner.label.text()
    assert not tab.start_button.isVisible() and not tab.empty_button.isVisible()
    tab.open_editor()
    assert tab.editor is None and gui.controller.session.assessments.draft(client_id) is None
