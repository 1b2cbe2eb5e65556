"""TEST identities: INS (matricule + key, OID, five traits) and coverage.

Every identity made here is fictitious and carries the NIR *test* OID
(1.2.250.1.213.1.4.10) unless told otherwise.
"""
from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Optional

from .profile import (CV_CAISSE, CV_END, CV_REGIME, CV_START, I_BIRTH_DATE, I_BIRTH_NAME, I_BIRTHPLACE,
                      I_FIRST_NAMES, I_KEY, I_MATRICULE, I_OID, I_SEX, INS_OID_ARC, OID_NIR_TEST)

EPOCH = datetime.date(1970, 1, 1)


def nir_number(matricule: str) -> int:
    """The integer the key is computed on: Corsica 2A -> 19, 2B -> 18 (department, positions 6-7)."""
    if len(matricule) != 13:
        raise ValueError("a matricule has 13 characters")
    dept = matricule[5:7].upper()
    if dept == "2A":
        matricule = matricule[:5] + "19" + matricule[7:]
    elif dept == "2B":
        matricule = matricule[:5] + "18" + matricule[7:]
    if not matricule.isdigit() or not matricule.isascii():
        raise ValueError("a matricule is digits, with 2A/2B as its department")
    return int(matricule)


def nir_key(matricule: str) -> int:
    """key = 97 - (number mod 97)."""
    return 97 - nir_number(matricule) % 97


def oid_value(oid: str) -> int | str:
    """How the profile carries an OID: the last arc under 1.2.250.1.213.1.4, else the dotted text."""
    head, _, last = oid.rpartition(".")
    if head == INS_OID_ARC and last.isdigit():
        return int(last)
    return oid


def oid_text(value: int | str) -> str:
    return f"{INS_OID_ARC}.{value}" if isinstance(value, int) else value


def days(date: str) -> int:
    """An ISO date as days since 1970-01-01 (coverage dates, RFC 8943 style)."""
    return (datetime.date.fromisoformat(date) - EPOCH).days


def date_of(days_: int) -> str:
    return (EPOCH + datetime.timedelta(days=days_)).isoformat()


@dataclass
class TestIdentity:
    """A fictitious INS identity plus coverage. ``repr`` shows only the matricule's shape."""

    __test__ = False  # not a pytest test class, despite its name

    matricule: str
    birth_name: str
    first_names: str
    sex: str
    birth_date: str
    birthplace: str
    key: Optional[int] = None
    oid: str = f"{INS_OID_ARC}.{OID_NIR_TEST}"
    regime: str = "01"
    caisse: str = "751"
    coverage_start: str = "2025-01-01"
    coverage_end: str = "2027-12-31"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key is None:
            self.key = nir_key(self.matricule)
        if self.sex not in ("M", "F"):
            raise ValueError("sex is M or F")
        if len(self.birthplace) != 5:
            raise ValueError("birthplace is a 5-character INSEE COG code")

    def __repr__(self) -> str:
        return f"TestIdentity(matricule={self.matricule[0]}{'*' * 12}, ...)"

    def ins_claim(self) -> dict:
        return {I_MATRICULE: self.matricule, I_KEY: self.key, I_OID: oid_value(self.oid),
                I_BIRTH_NAME: self.birth_name, I_FIRST_NAMES: self.first_names, I_SEX: self.sex,
                I_BIRTH_DATE: self.birth_date, I_BIRTHPLACE: self.birthplace}

    def coverage_claim(self) -> dict:
        return {CV_REGIME: self.regime, CV_CAISSE: self.caisse, CV_START: days(self.coverage_start),
                CV_END: days(self.coverage_end)}

    def as_dict(self) -> dict:
        """Field by field, in the shape of ``vitale_reader.identity.Identity.as_dict()``."""
        return {"matricule": self.matricule, "key": self.key, "nir": f"{self.matricule}{self.key:02d}",
                "oid": self.oid, "birth_name": self.birth_name, "first_names": self.first_names, "sex": self.sex,
                "birth_date": self.birth_date, "birthplace": self.birthplace,
                "coverage": {"regime": self.regime, "caisse": self.caisse, "start": self.coverage_start,
                             "end": self.coverage_end}}

    @classmethod
    def from_claims(cls, ins: dict, coverage: dict) -> "TestIdentity":
        return cls(matricule=ins[I_MATRICULE], key=ins[I_KEY], oid=oid_text(ins[I_OID]),
                   birth_name=ins[I_BIRTH_NAME], first_names=ins[I_FIRST_NAMES], sex=ins[I_SEX],
                   birth_date=ins[I_BIRTH_DATE], birthplace=ins[I_BIRTHPLACE], regime=coverage[CV_REGIME],
                   caisse=coverage[CV_CAISSE], coverage_start=date_of(coverage[CV_START]),
                   coverage_end=date_of(coverage[CV_END]))


_FAMILY = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
           "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
           "VINCENT", "FOURNIER", "D'ALMEIDA", "LE GALL", "N'DIAYE", "DUPONT--LAJOIE", "SAINT-JUST"]
_MALE = ["JEAN", "PIERRE", "LOUIS", "GABRIEL", "LUCAS", "JEAN-PIERRE", "MOHAMED", "YANN", "HUGO"]
_FEMALE = ["MARIE", "CAMILLE", "CHLOE", "LEA", "ANNE-SOPHIE", "AICHA", "NOLWENN", "JULIETTE", "EMMA"]
# (department, commune or country code, caisse)
_PLACES = [("75", "056", "751"), ("69", "123", "691"), ("13", "055", "131"), ("59", "350", "594"),
           ("33", "063", "331"), ("2A", "004", "201"), ("2B", "033", "202"), ("971", "05", "971"),
           ("99", "134", "751"), ("99", "350", "931"), ("67", "482", "674"), ("35", "238", "351")]


def random_identity(rng: Optional[random.Random] = None) -> TestIdentity:
    """A random, fictitious but well-formed test identity (valid NIR key, test OID)."""
    rng = rng or random.SystemRandom()
    sex = rng.choice("MF")
    year = rng.randint(1930, 2020)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    lunar = rng.random() < 0.05
    if lunar:  # an "impossible" date as printed on some real cards: day and/or month unknown
        birth_date = f"{year:04d}-{month:02d}-00" if rng.random() < 0.5 else f"{year:04d}-00-00"
    else:
        birth_date = f"{year:04d}-{month:02d}-{day:02d}"
    dept, commune, caisse = rng.choice(_PLACES)
    birthplace = (dept + commune)[:5]
    nir_month = birth_date[5:7] if birth_date[5:7] != "00" else "20"
    matricule = ("1" if sex == "M" else "2") + birth_date[2:4] + nir_month + birthplace + f"{rng.randint(1, 999):03d}"
    names = rng.sample(_MALE if sex == "M" else _FEMALE, rng.choice((1, 1, 2, 3)))
    return TestIdentity(matricule=matricule, birth_name=rng.choice(_FAMILY), first_names=" ".join(names),
                        sex=sex, birth_date=birth_date, birthplace=birthplace, caisse=caisse)
