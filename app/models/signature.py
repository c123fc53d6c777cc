"""A signature on a plan, kept as data: who signed, when, and either the pen strokes or a
verbal agreement with its reason. Pure and Qt-free, so a PDF builder can draw the strokes and
any plan (safety plan, care plan) can carry signatures.

Strokes are polylines in a box whose width is `aspect` times its height; each point is (x, y)
with 0 ≤ x, y ≤ 1 (origin top left, y down, as on screen), optionally with pen pressure 0–1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.i18n import _

DEFAULT_ASPECT = 3.0
_PRECISION = 4  # ~0.1 px on a 1000-px pad: enough for a signature, small in JSON
MAX_POINTS = 20_000  # a very long signature has a few thousand; more is a stuck pen


class SignerRole(StrEnum):
    CLIENT = "client"
    CASE_MANAGER = "case_manager"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {SignerRole.CLIENT: _("Client"), SignerRole.CASE_MANAGER: _("Case manager"),
                SignerRole.OTHER: _("Other")}[self]


def _unit(value: float) -> float:
    return round(min(1.0, max(0.0, float(value))), _PRECISION)


@dataclass(frozen=True, slots=True)
class Stroke:
    """One pen-down … pen-up line. `pressure` is empty, or one value (0–1) per point."""

    points: tuple[tuple[float, float], ...]
    pressure: tuple[float, ...] = ()

    @classmethod
    def of(cls, points: Sequence[tuple[float, float]], pressure: Sequence[float] = ()) -> Stroke:
        """A stroke with coordinates clamped to 0–1 and rounded; pressure dropped unless it has
        one value per point."""
        clean = tuple((_unit(x), _unit(y)) for x, y in points)
        given = tuple(_unit(p) for p in pressure) if len(pressure) == len(points) else ()
        return cls(clean, given)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"points": [[x, y] for x, y in self.points]}
        if self.pressure:
            data["pressure"] = list(self.pressure)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stroke:
        points = [(float(p[0]), float(p[1])) for p in data.get("points", [])]
        return cls.of(points, [float(p) for p in data.get("pressure", [])])


@dataclass(frozen=True, slots=True)
class Signature:
    """A drawn signature (`strokes`), or an agreement given without one (`verbal` with a reason)."""

    role: SignerRole
    name: str
    signed_at: datetime
    strokes: tuple[Stroke, ...] = ()
    aspect: float = DEFAULT_ASPECT
    verbal: bool = False
    reason: str = ""

    @property
    def is_empty(self) -> bool:
        """Neither a drawn mark nor a verbal agreement."""
        return not self.verbal and not any(s.points for s in self.strokes)

    @property
    def point_count(self) -> int:
        return sum(len(s.points) for s in self.strokes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "role": self.role.value,
            "name": self.name,
            "signed_at": self.signed_at.isoformat(),
        }
        if self.verbal:
            data["verbal"] = True
            data["reason"] = self.reason
        else:
            data["aspect"] = round(self.aspect, _PRECISION)
            data["strokes"] = [s.to_json() for s in self.strokes]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Signature:
        verbal = bool(data.get("verbal", False))
        return cls(
            role=SignerRole(data["role"]),
            name=str(data.get("name", "")),
            signed_at=datetime.fromisoformat(str(data["signed_at"])),
            strokes=() if verbal else tuple(Stroke.from_json(s) for s in data.get("strokes", [])),
            aspect=float(data.get("aspect", DEFAULT_ASPECT)),
            verbal=verbal,
            reason=str(data.get("reason", "")) if verbal else "",
        )


def drawn(role: SignerRole, name: str, signed_at: datetime, strokes: Sequence[Stroke],
          aspect: float = DEFAULT_ASPECT) -> Signature:
    """A signature drawn on a pad; strokes without points are dropped."""
    return Signature(role, name.strip(), signed_at, tuple(s for s in strokes if s.points), aspect)


def verbally_agreed(role: SignerRole, name: str, signed_at: datetime, reason: str) -> Signature:
    return Signature(role, name.strip(), signed_at, verbal=True, reason=reason.strip())


def validate_signature(signature: Signature) -> dict[str, str]:
    """Problems keyed by 'name', 'strokes' or 'reason', each a sentence saying what to do."""
    problems: dict[str, str] = {}
    if not signature.name.strip():
        problems["name"] = _("Type the name of the person signing.")
    if signature.verbal:
        if signature.strokes:
            problems["strokes"] = _("A verbal agreement has no drawn signature. Clear the pad or untick "
                                    "“Agreed verbally”.")
        if len(signature.reason.strip()) < 3:
            problems["reason"] = _("Say why there is no drawn signature, for example: agreed by phone.")
    elif signature.is_empty:
        problems["strokes"] = _("Sign on the pad with a mouse, pen or finger, or tick “Agreed verbally” "
                                "and give the reason.")
    elif signature.point_count > MAX_POINTS:
        problems["strokes"] = _("The signature has too many points. Clear the pad and sign again.")
    if not signature.verbal and not 0.2 <= signature.aspect <= 20:
        problems["strokes"] = _("The signature pad's shape is not usable. Clear the pad and sign again.")
    return problems
