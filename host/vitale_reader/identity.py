"""The patient identity carried by a verified credential: INS identity and coverage.

``repr`` and ``str`` never show identity data: a practice-management
program that logs a verdict or an identity by accident leaks nothing but
the first character of the matricule, its key and the OID. Read the
attributes (or ``as_dict()``) to use the data.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Mapping, Optional

INS_OID_ARC = "1.2.250.1.213.1.4"
OID_NIR = INS_OID_ARC + ".8"
OID_NIA = INS_OID_ARC + ".9"
OID_NIR_TEST = INS_OID_ARC + ".10"
OID_NIR_DEMO = INS_OID_ARC + ".11"

_EPOCH = datetime.date(1970, 1, 1)


def nir_key(matricule: str) -> Optional[int]:
    """The NIR control key of a 13-character matricule (2A -> 19, 2B -> 18), or None if malformed.

    key = 97 - (number mod 97). Nothing else is checked (no over-validation).
    """
    if len(matricule) != 13:
        return None
    dept = matricule[5:7].upper()
    if dept == "2A":
        matricule = matricule[:5] + "19" + matricule[7:]
    elif dept == "2B":
        matricule = matricule[:5] + "18" + matricule[7:]
    if not (matricule.isascii() and matricule.isdigit()):
        return None
    return 97 - int(matricule) % 97


def oid_text(value: int | str) -> str:
    """The profile carries INS OIDs as their last arc under 1.2.250.1.213.1.4, others as text."""
    return f"{INS_OID_ARC}.{value}" if isinstance(value, int) else value


@dataclass(frozen=True, repr=False)
class Coverage:
    """Health-insurance coverage: regime code, caisse code, validity dates (inclusive)."""

    regime: str
    caisse: str
    start: datetime.date
    end: datetime.date

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def __repr__(self) -> str:
        return "Coverage(<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True, repr=False)
class Identity:
    """An INS identity (matricule + key, OID, five traits) and its coverage.

    ``birth_date`` is the string as issued (``YYYY-MM-DD``), possibly a
    "lunar" date that no calendar has (e.g. ``1950-00-00``): it is never
    parsed.
    """

    matricule: str
    key: int
    oid: str
    birth_name: str
    first_names: str
    sex: str
    birth_date: str
    birthplace: str
    coverage: Optional[Coverage] = None  # None for an INS read from a Datamatrix (no coverage there)

    @property
    def nir(self) -> str:
        """Matricule and key: the 15-character INS."""
        return f"{self.matricule}{self.key:02d}"

    @property
    def is_test(self) -> bool:
        """True for a test identity (the NIR test OID 1.2.250.1.213.1.4.10)."""
        return self.oid == OID_NIR_TEST

    @property
    def key_valid(self) -> bool:
        return nir_key(self.matricule) == self.key

    def as_dict(self) -> dict[str, Any]:
        """Everything, in clear (for the caller that needs the data, never for logs)."""
        return {"matricule": self.matricule, "key": self.key, "nir": self.nir, "oid": self.oid,
                "birth_name": self.birth_name, "first_names": self.first_names, "sex": self.sex,
                "birth_date": self.birth_date, "birthplace": self.birthplace,
                "coverage": None if self.coverage is None else {
                    "regime": self.coverage.regime, "caisse": self.coverage.caisse,
                    "start": self.coverage.start.isoformat(), "end": self.coverage.end.isoformat()}}

    def __repr__(self) -> str:
        return (f"Identity(matricule={self.matricule[:1]} ** ** ** *** *** {self.key:02d}, oid={self.oid}, "
                f"traits=<redacted>{', TEST' if self.is_test else ''})")

    __str__ = __repr__

    @classmethod
    def from_claims(cls, ins: Mapping[int, Any], coverage: Optional[Mapping[int, Any]]) -> "Identity":
        """From the profile's INS and coverage claim maps (shapes already checked)."""
        return cls(matricule=ins[1], key=ins[2], oid=oid_text(ins[3]), birth_name=ins[4], first_names=ins[5],
                   sex=ins[6], birth_date=ins[7], birthplace=ins[8],
                   coverage=None if coverage is None else Coverage(
                       regime=coverage[1], caisse=coverage[2], start=_day(coverage[3]), end=_day(coverage[4])))


def _day(days: int) -> datetime.date:
    """Days since 1970-01-01 as a date (clamped to ``date.max``: a signed but absurd value stays usable)."""
    try:
        return _EPOCH + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max
