"""The credential profile's constants and encodings (protocol/CREDENTIAL.md), issuer side.

Deliberately independent of the firmware and of ``vitale_reader``: the
issuer, the firmware verifier and the host verifier are three separate
readings of the spec, and the vectors check that they agree.
"""
from __future__ import annotations

import zlib

TEST_ONLY = "TEST ONLY - NOT A REAL CREDENTIAL - keys are public, never trust them"

QR_PREFIX = "VT1:"
TAG_SIGN1 = 18
ALG_ES256 = -7
H_ALG = 1
H_KID = 4

# attestation claims
C_ISS = 1
C_EXP = 4
C_NBF = 5
C_IAT = 6
C_CNF = 8
CNF_COSE_KEY = 1
C_VITALE = -65537
V_INS = 1
V_COVERAGE = 2
V_APP_ID = 3
I_MATRICULE, I_KEY, I_OID, I_BIRTH_NAME, I_FIRST_NAMES, I_SEX, I_BIRTH_DATE, I_BIRTHPLACE = range(1, 9)
CV_REGIME, CV_CAISSE, CV_START, CV_END = range(1, 5)

# presentation
FORM_NFC = 1
FORM_QR = 2
P_ATTESTATION, P_FORM, P_NONCE, P_TRANSCRIPT, P_TIME, P_UID = range(1, 7)

# trust list
TL_VERSION, TL_ISSUED_AT, TL_ISSUERS, TL_REVOKED, TL_LABEL = range(1, 6)
IE_KID, IE_KEY, IE_NOT_BEFORE, IE_NOT_AFTER, IE_USAGE = range(1, 6)
USAGE_ATTEST = "attest"

ISS_TEST = "TEST-ONLY"
INS_OID_ARC = "1.2.250.1.213.1.4"
OID_NIR, OID_NIA, OID_NIR_TEST, OID_NIR_DEMO = 8, 9, 10, 11
ZLIB_WBITS = 10  # 1 KiB window: all a ~500-byte presentation can use, and little RAM on the reader

BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def b45encode(data: bytes) -> str:
    a = BASE45_ALPHABET
    out = []
    for i in range(0, len(data) - 1, 2):
        v = (data[i] << 8) | data[i + 1]
        out += [a[v % 45], a[v // 45 % 45], a[v // 2025]]
    if len(data) % 2:
        v = data[-1]
        out += [a[v % 45], a[v // 45]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    idx = {c: i for i, c in enumerate(BASE45_ALPHABET)}
    vals = [idx[c] for c in text]
    out = bytearray()
    for i in range(0, len(vals), 3):
        g = vals[i:i + 3]
        if len(g) == 3:
            v = g[0] + g[1] * 45 + g[2] * 2025
            out += bytes([v >> 8, v & 0xFF])
        else:
            out.append(g[0] + g[1] * 45)
    return bytes(out)


def compress(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, ZLIB_WBITS)
    return c.compress(data) + c.flush()


def qr_text_of(presentation: bytes) -> str:
    """The QR text of a presentation: prefix + Base45(zlib(COSE))."""
    return QR_PREFIX + b45encode(compress(presentation))
