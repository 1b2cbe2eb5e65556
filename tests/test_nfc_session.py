"""The NFC application protocol (protocol/NFC.md): its worked example, rebuilt here from the
specification alone; the reader side as firmware against it; the phone side's APDU handling."""
import hashlib
import json
import os
import re

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from vitale_spec import nfc

from support import ROOT, check
from vitale_sim import phone_protocol as pp

VECTOR = os.path.join(ROOT, "protocol", "vectors", "nfc", "session_v1.json")
SPEC = os.path.join(ROOT, "protocol", "NFC.md")


def _vector():
    with open(VECTOR) as f:
        return json.load(f)


def _spec_hex(pattern):
    """Bytes written in NFC.md as spaced hex after ``pattern`` (a regex ending where the hex starts)."""
    with open(SPEC) as f:
        m = re.search(pattern + r"((?:[0-9A-F]{2} )*[0-9A-F]{2})", f.read())
    assert m, pattern
    return bytes.fromhex(m.group(1).replace(" ", ""))


def test_shared_constants_are_the_specifications():
    """vitale_spec.nfc (used by the firmware, the PC/SC backend and the simulated phone) says what NFC.md says."""
    assert nfc.AID == _spec_hex(r"`AID = ") == b"\xf0" + b"VITALE"
    assert nfc.GCM_IV == _spec_hex(r"IV\s+= ")
    assert _spec_hex(r"C-APDU  ") == bytes([0x00, nfc.INS_SELECT, 0x04, 0x00, len(nfc.AID)]) + nfc.AID + b"\x00"
    assert _spec_hex(r"C-APDU  80 50 01 00 51 <nonce: 16> <reader key: 65> ") == b"\x00"  # Le
    auth = _spec_hex(r"C-APDU  (?=80)")
    assert auth == bytes([nfc.CLA_PROPRIETARY, nfc.INS_AUTHENTICATE, nfc.VERSION, 0x00, nfc.NONCE_LEN + nfc.PUB_LEN])
    assert nfc.KEY_INFO == b"VitaleNFC1 SKPhone" and '"VitaleNFC1 SKPhone"' in open(SPEC).read()
    assert (nfc.NONCE_LEN, nfc.PUB_LEN, nfc.TAG_LEN, nfc.INS_GET_RESPONSE) == (16, 65, 16, 0xC0)


def test_vector_rebuilt_from_the_specification():
    """Every derived value of session_v1.json, computed here from NFC.md §3 with ``cryptography``
    and ``cbor2`` only (no project code). Inputs: the two private keys, the nonce, the SELECT
    data and the presentation; everything else must follow."""
    v = _vector()
    H = bytes.fromhex
    curve = ec.SECP256R1()
    reader = ec.derive_private_key(int(v["reader_priv"], 16), curve)
    phone = ec.derive_private_key(int(v["phone_priv"], 16), curve)

    def point(key):  # 04 || X || Y
        return key.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)

    reader_pub, phone_pub = point(reader), point(phone)
    nonce, select, presentation = H(v["nonce"]), H(v["select_data"]), H(v["presentation"])
    assert (v["reader_pub"], v["phone_pub"]) == (reader_pub.hex(), phone_pub.hex())
    assert select == bytes([1, 1, 0])  # §3.1: version 01, suites bit 0, flags 00
    # §3.3: CBOR array(4) of byte strings: 84, then 43 (3 bytes), 58 41 (65), 50 (16), 58 41 (65)
    transcript = (b"\x84" + b"\x43" + select + b"\x58\x41" + reader_pub + b"\x50" + nonce + b"\x58\x41"
                  + phone_pub)
    assert cbor2.loads(transcript) == [select, reader_pub, nonce, phone_pub]  # a CBOR library reads it so
    assert v["transcript"] == transcript.hex()
    th = hashlib.sha256(transcript).digest()
    assert v["transcript_hash"] == th.hex()
    z = reader.exchange(ec.ECDH(), phone.public_key())
    assert z == phone.exchange(ec.ECDH(), reader.public_key()) and v["shared_secret"] == z.hex()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=th, info=b"VitaleNFC1 SKPhone").derive(z)
    assert (v["session_key"], v["hkdf_info"]) == (key.hex(), b"VitaleNFC1 SKPhone".hex())
    iv = H("000000000000000100000001")  # §3.3
    assert v["gcm_iv"] == iv.hex()
    answer = phone_pub + AESGCM(key).encrypt(iv, presentation, th)  # AES-GCM is deterministic
    assert v["answer"] == answer.hex()
    # the presentation is bound to this nonce and transcript hash (CREDENTIAL.md §6.1): both inside
    assert nonce in presentation and th in presentation
    # §1 and §3: SELECT, AUTHENTICATE answered with 256 bytes + 61 xx (xx: bytes left, 00 for 256 or
    # more), then GET RESPONSE 00 C0 00 00 xx until 90 00
    apdus = [(H("00A4040007F0564954414C4500"), select + b"\x90\x00")]
    command = b"\x80\x50\x01\x00\x51" + nonce + reader_pub + b"\x00"
    rest = answer
    while True:
        part, rest = rest[:256], rest[256:]
        sw = bytes([0x61, len(rest) if len(rest) < 256 else 0]) if rest else b"\x90\x00"
        apdus.append((command, part + sw))
        if not rest:
            break
        command = bytes([0x00, 0xC0, 0x00, 0x00, sw[1]])
    assert len(apdus) == 3  # a 473-byte answer (65 + 392 + 16): 256, then 217 (61 D9)
    assert [(a["command"], a["response"]) for a in v["apdus"]] == [(c.hex(), r.hex()) for c, r in apdus]


def test_vector_in_firmware(runtime):
    """firmware/nfc/session.py and firmware/crypto give the vector's values, on both runtimes."""
    res = check(runtime, "nfc_session_vectors.py", VECTOR)
    for key in ("pub", "transcript", "transcript_hash", "shared", "key", "presentation"):
        assert res[key] is True, key
    assert res["tampered"] == "decrypt_failed" and res["bad_point"] == "protocol"
    assert res["run"] == {"presentation": True, "nonce": _vector()["nonce"], "th": True, "apdus": 3,
                          "mismatch": []}


def _select(app):
    return app.handle(bytes.fromhex("00A4040007F0564954414C4500"))


def test_phone_app_round_trip_with_a_cpython_reader():
    """The simulated phone's APDU handling: chaining with 61xx / GET RESPONSE, against the host reader side."""
    app = pp.PhoneApp(lambda nonce, th: b"P" * 700 + nonce + th)
    assert _select(app) == pp.SELECT_DATA + b"\x90\x00"
    reader = ec.generate_private_key(ec.SECP256R1())
    nonce = os.urandom(16)
    rsp = app.handle(bytes([0x80, 0x50, 1, 0, 81]) + nonce + pp.pub65(reader) + b"\x00")
    data = rsp[:-2]
    while rsp[-2] == 0x61:
        rsp = app.handle(bytes([0, 0xC0, 0, 0, rsp[-1]]))
        data += rsp[:-2]
    assert rsp[-2:] == b"\x90\x00"
    pres, th = pp.reader_open(reader, nonce, pp.SELECT_DATA, data)
    assert pres == b"P" * 700 + nonce + th


@pytest.mark.parametrize("apdu, sw", [
    ("8050010051" + "00" * 81 + "00", "6a80"),  # reader key not on the curve
    ("8050020051" + "00" * 81 + "00", "6a86"),  # unknown version
    ("8050010010" + "00" * 16 + "00", "6700"),  # wrong length
    ("80AA000000", "6d00"),
    ("00A4040007F0564954414C4600", "6a82"),  # another AID
])
def test_phone_app_errors(apdu, sw):
    app = pp.PhoneApp(lambda n, th: b"x")
    _select(app)
    assert app.handle(bytes.fromhex(apdu))[-2:].hex() == sw


def test_authenticate_before_select():
    app = pp.PhoneApp(lambda n, th: b"x")
    assert app.handle(bytes.fromhex("8050010051" + "00" * 81 + "00")) == b"\x69\x85"
