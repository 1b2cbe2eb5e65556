"""The ANS "Datamatrix INS": an INS identity printed as a Data Matrix on documents.

It is **unsigned**: the reader only checks its structure, the NIR key and the
format of the traits, and the application reports it as an unsigned
``ins_datamatrix`` event, never as a verified credential.

What a scan engine delivers (the symbol is C40-encoded; the engine gives the
decoded text) and what this module accepts:

    "IS" "01"  then fields  ID value  separated by GS (0x1D)

| id | field | value |
|----|-------|-------|
| S1 | matricule INS + key | 15 characters: 13 (digits, ``2A``/``2B`` department) + 2-digit key |
| S2 | OID of the matricule | ``1.2.250.1.213.1.4.8`` NIR, ``.9`` NIA, ``.10`` NIR test, ``.11`` NIR demo |
| S3 | birth name | A-Z, space, apostrophe, hyphen (double hyphen allowed), 1-100 characters |
| S4 | first names (space separated) | same alphabet, 0-100 characters |
| S5 | sex | ``M`` or ``F`` |
| S6 | birth date | ``DDMMYYYY``, 8 digits, "lunar" dates accepted (``00`` day or month...) |
| S7 | birthplace | INSEE COG code, 5 characters (``99xxx`` abroad, ``2A``/``2B`` Corsica) |

Fields may come in any order, each once; the fixed-length ones (S1, S5, S6,
S7) may omit their GS (as 2D-Doc does for fixed-length fields); a trailing
GS is tolerated. Source: the project brief (BRIEF.md §4: header ``IS01``,
C40, fields S1..S7 separated by GS; INSi trait rules). The assignment of
S1..S7 to the five traits, the matricule and the OID above is this
project's reading: the ANS specification document itself could not be
consulted here, so check it against the ANS document before relying on a
real printed code (see protocol/QR.md).

``parse(text)`` returns an ``InsDatamatrix`` or raises ``DatamatrixError``
whose ``code`` is one of ``ERROR_CODES``; messages and ``repr`` never
contain personal data.
"""
from verify import nir
from verify.errors import VerifyError

GS = "\x1d"
HEADER = "IS"
VERSION = "01"
MAX_LEN = 512
OID_ARC = "1.2.250.1.213.1.4."
OIDS = ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10", "1.2.250.1.213.1.4.11")
OID_NIR_TEST = "1.2.250.1.213.1.4.10"

NOT_INS = "not_ins"
UNSUPPORTED_VERSION = "unsupported_version"
TOO_LONG = "too_long"
MALFORMED = "malformed"
BAD_MATRICULE = "bad_matricule"
BAD_KEY = "bad_key"
BAD_OID = "bad_oid"
BAD_BIRTH_NAME = "bad_birth_name"
BAD_FIRST_NAMES = "bad_first_names"
BAD_SEX = "bad_sex"
BAD_BIRTH_DATE = "bad_birth_date"
BAD_BIRTHPLACE = "bad_birthplace"
ERROR_CODES = (NOT_INS, UNSUPPORTED_VERSION, TOO_LONG, MALFORMED, BAD_MATRICULE, BAD_KEY, BAD_OID,
               BAD_BIRTH_NAME, BAD_FIRST_NAMES, BAD_SEX, BAD_BIRTH_DATE, BAD_BIRTHPLACE)

# id -> (attribute, fixed length or 0 for GS-terminated)
FIELDS = {
    "S1": ("matricule", 15),
    "S2": ("oid", 0),
    "S3": ("birth_name", 0),
    "S4": ("first_names", 0),
    "S5": ("sex", 1),
    "S6": ("birth_date", 8),
    "S7": ("birthplace", 5),
}
_NAME_MAX = 100


class DatamatrixError(VerifyError):
    code = MALFORMED


class InsDatamatrix:
    """A parsed Datamatrix INS. ``birth_date`` is ``YYYY-MM-DD`` text (possibly lunar), ``key`` an int."""

    signed = False

    def __init__(self, matricule, key, oid, birth_name, first_names, sex, birth_date, birthplace):
        self.matricule = matricule
        self.key = key
        self.oid = oid
        self.birth_name = birth_name
        self.first_names = first_names
        self.sex = sex
        self.birth_date = birth_date
        self.birthplace = birthplace

    def as_dict(self):
        """Field by field, in the shape of the credential's INS claim (CREDENTIAL.md)."""
        return {"matricule": self.matricule, "key": self.key, "oid": self.oid, "birth_name": self.birth_name,
                "first_names": self.first_names, "sex": self.sex, "birth_date": self.birth_date,
                "birthplace": self.birthplace}

    def __repr__(self):
        return "<InsDatamatrix oid=" + self.oid + " (identity redacted)>"


def looks_like(text):
    """True when ``text`` is shaped like a Datamatrix INS (header, version digits, a known field id)."""
    if not isinstance(text, str) or len(text) < 6 or not text.startswith(HEADER):
        return False
    v = text[2:4]
    return "0" <= v[0] <= "9" and "0" <= v[1] <= "9" and text[4:6] in FIELDS


def _split(text):
    values = {}
    pos = 4
    size = len(text)
    while pos < size:
        fid = text[pos:pos + 2]
        spec = FIELDS.get(fid)
        if spec is None:
            raise DatamatrixError("unknown field at " + str(pos), MALFORMED)
        if fid in values:
            raise DatamatrixError("field " + fid + " twice", MALFORMED)
        pos += 2
        fixed = spec[1]
        if fixed:
            value = text[pos:pos + fixed]
            if len(value) != fixed:
                raise DatamatrixError("field " + fid + " cut", MALFORMED)
            pos += fixed
            if pos < size and text[pos] == GS:
                pos += 1
        else:
            end = text.find(GS, pos)
            if end < 0:
                end = size
            value = text[pos:end]
            pos = end + 1
        values[fid] = value
    for fid in FIELDS:
        if fid not in values:
            raise DatamatrixError("field " + fid + " missing", MALFORMED)
    return values


def _trait_ok(value, allow_empty):
    if not value:
        return allow_empty
    if len(value) > _NAME_MAX or value[0] == " " or value[-1] == " ":
        return False
    for ch in value:
        if not ("A" <= ch <= "Z" or ch == " " or ch == "'" or ch == "-"):
            return False
    return True


def _digits(s):
    for ch in s:
        if ch < "0" or ch > "9":
            return False
    return True


def parse(text):
    """``str`` in (the engine's decoded text), ``InsDatamatrix`` out, or ``DatamatrixError``."""
    if not isinstance(text, str) or not text.startswith(HEADER) or len(text) < 4:
        raise DatamatrixError("no IS header", NOT_INS)
    if len(text) > MAX_LEN:
        raise DatamatrixError(str(len(text)) + " characters, max " + str(MAX_LEN), TOO_LONG)
    if text[2:4] != VERSION:
        if _digits(text[2:4]):
            raise DatamatrixError("version " + text[2:4], UNSUPPORTED_VERSION)
        raise DatamatrixError("no IS header", NOT_INS)
    v = _split(text)

    s1 = v["S1"]
    matricule = s1[:13]
    key_text = s1[13:]
    if nir.number(matricule) is None or not _digits(key_text):
        raise DatamatrixError("matricule format", BAD_MATRICULE)
    if not nir.check(matricule, key_text):
        raise DatamatrixError("NIR key does not match", BAD_KEY)
    oid = v["S2"]
    if oid not in OIDS:
        raise DatamatrixError("unknown OID", BAD_OID)
    if not _trait_ok(v["S3"], False):
        raise DatamatrixError("birth name format", BAD_BIRTH_NAME)
    if not _trait_ok(v["S4"], True):
        raise DatamatrixError("first names format", BAD_FIRST_NAMES)
    sex = v["S5"]
    if sex != "M" and sex != "F":
        raise DatamatrixError("sex is M or F", BAD_SEX)
    d = v["S6"]
    if not _digits(d):
        raise DatamatrixError("birth date is DDMMYYYY", BAD_BIRTH_DATE)
    place = v["S7"]
    head = place[:2]
    if not (_digits(place) or ((head == "2A" or head == "2B") and _digits(place[2:]))):
        raise DatamatrixError("birthplace is a 5-character COG code", BAD_BIRTHPLACE)
    return InsDatamatrix(matricule, int(key_text), oid, v["S3"], v["S4"], sex,
                         d[4:8] + "-" + d[2:4] + "-" + d[0:2], place)
