"""Passphrase policy (NIST SP 800-63B-4) and the recovery-key format. Pure functions.

Policy: at least 15 characters (counted after NFKC normalisation), at most 256, no composition
rules, rejected when it is a common password or contains the app or user name. Any character is
allowed: quotes, backslashes, emoji, any Unicode normalisation form.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from app.i18n import _

MIN_LENGTH = 15
MAX_LENGTH = 256


def normalise(passphrase: str) -> str:
    """The form that is fed to the KDF, so NFC and NFD spellings unlock the same vault."""
    return unicodedata.normalize("NFKC", passphrase)


@dataclass(frozen=True, slots=True)
class PolicyResult:
    ok: bool
    problem: str = ""


def check_policy(
    passphrase: str, *, common: Collection[str], names: Sequence[str] = ()
) -> PolicyResult:
    """Whether `passphrase` may protect a vault, with a sentence saying why not."""
    text = normalise(passphrase)
    length = len(text)
    if length < MIN_LENGTH:
        return PolicyResult(
            False,
            _("Use at least {n} characters — a few unrelated words work well ({k} so far).").format(
                n=MIN_LENGTH, k=length
            ),
        )
    if length > MAX_LENGTH:
        return PolicyResult(False, _("Use at most {n} characters.").format(n=MAX_LENGTH))
    folded = text.casefold()
    if folded in common or folded.replace(" ", "") in common:
        return PolicyResult(False, _("This is a commonly used password. Choose something else."))
    for name in names:
        name_folded = normalise(name).casefold().strip()
        if len(name_folded) >= 3 and name_folded in folded:
            return PolicyResult(
                False, _("Don't include the app's name or your own name. Choose something else.")
            )
    return PolicyResult(True)


def generate(words: Sequence[str], count: int = 5, separator: str = "-") -> str:
    """A passphrase of `count` words chosen with the OS's secure random source."""
    if len(words) < 1000:
        raise ValueError("word list too short for a strong passphrase")
    return separator.join(secrets.choice(words) for _ in range(count))


# Recovery key: 32 symbols of Crockford base32 (160 bits) in 8 groups of 4.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RECOVERY_SYMBOLS = 32


def new_recovery_key() -> str:
    raw = "".join(secrets.choice(_CROCKFORD) for _ in range(RECOVERY_SYMBOLS))
    return format_recovery_key(raw)


def format_recovery_key(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_recovery_key(text: str) -> str:
    """Canonical symbols of a typed recovery key (case, spaces, dashes and look-alikes forgiven).

    Raises ValueError with a sentence when it cannot be a recovery key.
    """
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CONFUSABLE)
    if len(cleaned) != RECOVERY_SYMBOLS or any(ch not in _CROCKFORD for ch in cleaned):
        raise ValueError(
            _(
                "A recovery key has 32 letters and digits in groups of four, like "
                "ABCD-EFGH-…. Check what you typed against your emergency kit."
            )
        )
    return cleaned
