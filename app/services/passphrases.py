"""Passphrase advice: the policy check, a strength hint (zxcvbn) and generated passphrases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app import APP_NAME
from app.i18n import _
from app.models import passphrase as policy

GENERATED_WORDS = 5
_STRENGTH_SAMPLE = 64  # zxcvbn slows down on very long input; the first 64 characters tell enough


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=1)
def _words() -> tuple[str, ...]:
    from xkcdpass import xkcd_password

    wordfile = xkcd_password.locate_wordfile("eff-long")
    return tuple(xkcd_password.generate_wordlist(wordfile=wordfile, min_length=3, max_length=9))


def check(passphrase: str, names: Sequence[str] = ()) -> policy.PolicyResult:
    return policy.check_policy(passphrase, common=common_passwords(), names=(APP_NAME, *names))


def generate() -> str:
    return policy.generate(_words(), GENERATED_WORDS)


@dataclass(frozen=True, slots=True)
class Strength:
    score: int  # 0 (weak) … 4 (strong)
    label: str
    hint: str


def strength(passphrase: str, names: Sequence[str] = ()) -> Strength:
    labels = [_("Very weak"), _("Weak"), _("Fair"), _("Good"), _("Strong")]
    if not passphrase:
        return Strength(0, "", _("A few unrelated words make a passphrase that is strong and easy to type."))
    from zxcvbn import zxcvbn

    result = zxcvbn(passphrase[:_STRENGTH_SAMPLE], user_inputs=[APP_NAME, *names])
    score = int(result["score"])
    verdict = check(passphrase, names)
    if not verdict.ok:
        score = min(score, 1)
        hint = verdict.problem
    elif score < 3:
        hint = _("Add another word or two that don't belong together.")
    else:
        hint = _("Good choice. Keep it somewhere only you can reach, away from this laptop.")
    return Strength(score, labels[score], hint)
