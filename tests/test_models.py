"""Pure domain rules: passphrase policy, recovery keys, client validation, audit chain, i18n."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

import pytest

from app import i18n
from app.models import passphrase as pp
from app.models.audit import GENESIS, AuditEntry, check_detail, entry_hash, verify_chain
from app.models.client import ClientFields, Stage, age_on, fold, validate_client
from app.services import passphrases

TODAY = date(2026, 11, 26)


class TestPassphrasePolicy:
    def test_too_short_says_how_long_it_must_be(self) -> None:
        result = passphrases.check("short one")
        assert not result.ok and "15" in result.problem and "9 so far" in result.problem

    def test_common_password_rejected_even_if_long_enough(self) -> None:
        common = passphrases.common_passwords()
        long_common = next(w for w in sorted(common) if len(w) >= 15)
        assert not passphrases.check(long_common).ok
        assert "commonly used" in passphrases.check(long_common.upper()).problem

    def test_app_and_user_names_rejected(self) -> None:
        assert not passphrases.check("my waypoint vault 2026").ok
        assert not passphrases.check("jordan's caseload laptop", names=["Jordan"]).ok

    @pytest.mark.parametrize("phrase", ['he said "no" twice!', "back\\slash\\path\\to\\me", "🦊 fox over the 🌉 bridge", "it's 'quoted' all day"])
    def test_any_character_is_allowed(self, phrase: str) -> None:
        assert passphrases.check(phrase).ok

    def test_nfc_and_nfd_normalise_to_the_same_passphrase(self) -> None:
        nfc = unicodedata.normalize("NFC", "Zoë's cañón trip 2026")
        nfd = unicodedata.normalize("NFD", nfc)
        assert nfc != nfd and pp.normalise(nfc) == pp.normalise(nfd)

    def test_generated_passphrases_pass_the_policy_and_differ(self) -> None:
        generated = {passphrases.generate() for _ in range(5)}
        assert len(generated) == 5
        assert all(passphrases.check(g).ok for g in generated)
        assert all(len(g.split("-")) == passphrases.GENERATED_WORDS for g in generated)

    def test_strength_hint_grows_with_the_passphrase(self) -> None:
        weak = passphrases.strength("aaaaaaaaaaaaaaaa")
        strong = passphrases.strength("correct-horse-battery-staple-lantern")
        assert weak.score < strong.score
        assert strong.label and strong.hint

    def test_short_generator_list_is_refused(self) -> None:
        with pytest.raises(ValueError):
            pp.generate(["a", "b"], 5)


class TestRecoveryKey:
    def test_format_is_eight_groups_of_four(self) -> None:
        key = pp.new_recovery_key()
        groups = key.split("-")
        assert len(groups) == 8 and all(len(g) == 4 for g in groups)

    def test_typing_is_forgiving(self) -> None:
        key = pp.new_recovery_key()
        sloppy = key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
        assert pp.parse_recovery_key(sloppy) == key.replace("-", "")

    def test_wrong_length_says_what_a_key_looks_like(self) -> None:
        with pytest.raises(ValueError, match="32 letters and digits"):
            pp.parse_recovery_key("ABCD-EFGH")


class TestClients:
    def test_valid_client_has_no_problems(self) -> None:
        fields = ClientFields(first_name="Ольга", last_name="Петрова", date_of_birth=date(1970, 1, 1))
        assert validate_client(fields, TODAY) == {}

    def test_every_problem_is_a_sentence_naming_the_fix(self) -> None:
        fields = ClientFields(first_name="A" * 101, last_name="B", date_of_birth=date(1890, 1, 1),
                              email="x@y", phone="12", referral_date=date(2027, 1, 1))
        problems = validate_client(fields, TODAY)
        assert set(problems) == {"first_name", "date_of_birth", "email", "phone", "referral_date"}
        assert "older than 120" in problems["date_of_birth"]

    def test_age_counts_birthdays(self) -> None:
        assert age_on(date(2000, 11, 27), TODAY) == 25
        assert age_on(date(2000, 11, 26), TODAY) == 26
        assert age_on(None, TODAY) is None

    def test_stage_numbers_follow_the_nine_stages(self) -> None:
        assert Stage.REFERRED.number is None and Stage.CLOSED.number is None
        assert [s.number for s in Stage][1:10] == list(range(1, 10))

    def test_fold_removes_case_and_accents(self) -> None:
        assert fold("Ødegård") == "odegard"
        assert fold("Nguyễn Thị Ánh") == "nguyen thi anh"
        assert fold("ZOË") == "zoe"


class TestAuditChain:
    def _chain(self, n: int) -> list[AuditEntry]:
        entries, prev = [], GENESIS
        for seq in range(1, n + 1):
            args = (prev, seq, f"2026-11-26T10:00:0{seq}", "client.view", "client", f"id-{seq}", "cm", "")
            digest = entry_hash(*args)
            entries.append(AuditEntry(seq, args[2], "client.view", "client", f"id-{seq}", "cm", "", prev, digest))
            prev = digest
        return entries

    def test_intact_chain_verifies(self) -> None:
        report = verify_chain(self._chain(5))
        assert report.ok and report.entries == 5

    def test_changed_entry_is_named(self) -> None:
        entries = self._chain(5)
        entries[2] = replace(entries[2], object_id="id-99")
        report = verify_chain(entries)
        assert not report.ok and report.first_bad_seq == 3 and "changed" in report.problem

    def test_removed_entry_is_named(self) -> None:
        entries = self._chain(5)
        del entries[1]
        report = verify_chain(entries)
        assert not report.ok and report.first_bad_seq == 3

    def test_details_cannot_carry_free_text(self) -> None:
        assert check_detail("fields=phone,email") == "fields=phone,email"
        with pytest.raises(ValueError):
            check_detail("note=Ana Quintero")


class TestLocale:
    def teardown_method(self) -> None:
        i18n.set_locale("en_US")

    def test_dates_parse_in_the_locale_order_and_iso(self) -> None:
        i18n.set_locale("en_US")
        assert i18n.parse_date("03/04/2001") == date(2001, 3, 4)
        assert i18n.parse_date("2001-03-04") == date(2001, 3, 4)
        i18n.set_locale("en_GB")
        assert i18n.parse_date("03/04/2001") == date(2001, 4, 3)
        assert i18n.date_input_hint() == "DD/MM/YYYY"

    def test_a_bad_date_explains_the_format(self) -> None:
        i18n.set_locale("en_US")
        with pytest.raises(ValueError, match="MM/DD/YYYY"):
            i18n.parse_date("31/02/1990")

    def test_formatting_follows_the_locale(self) -> None:
        i18n.set_locale("es_MX")
        assert "noviembre" in i18n.format_date(TODAY, "long")
        i18n.set_locale("en_US")
        assert i18n.format_number(1234.5) == "1,234.5"

    def test_unknown_locale_falls_back(self) -> None:
        assert i18n.set_locale("xx_NOPE") == "en_US"
