"""The NFC application protocol: vectors, the phone side on ``cryptography``, the reader side as firmware."""
import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from runtimes import run_script
from test_nfc_support import FIRMWARE, ROOT

from vitale_sim import phone_protocol as pp  # noqa: E402

VECTOR = os.path.join(ROOT, "protocol", "vectors", "nfc", "session_v1.json")


def _vector():
    with open(VECTOR) as f:
        return json.load(f)


def test_vector_matches_cryptography():
    """Every value of session_v1.json recomputed independently on ``cryptography``."""
    v = _vector()
    H = bytes.fromhex
    reader = pp.private_key(int(v["reader_priv"], 16))
    phone = pp.private_key(int(v["phone_priv"], 16))
    assert pp.pub65(reader).hex() == v["reader_pub"] and pp.pub65(phone).hex() == v["phone_pub"]
    t = pp.transcript(H(v["select_data"]), H(v["reader_pub"]), H(v["nonce"]), H(v["phone_pub"]))
    assert t.hex() == v["transcript"]
    import hashlib

    import cbor2
    assert cbor2.loads(t) == [H(v["select_data"]), H(v["reader_pub"]), H(v["nonce"]), H(v["phone_pub"])]
    th = hashlib.sha256(t).digest()
    assert th.hex() == v["transcript_hash"]
    z = pp.ecdh(reader, H(v["phone_pub"]))
    assert z == pp.ecdh(phone, H(v["reader_pub"])) and z.hex() == v["shared_secret"]
    key = pp.session_key(z, th)
    assert key.hex() == v["session_key"] and v["hkdf_info"] == b"VitaleNFC1 SKPhone".hex()
    sealed = H(v["answer"])[65:]
    assert AESGCM(key).decrypt(H(v["gcm_iv"]), sealed, th).hex() == v["presentation"]
    # the APDUs: SELECT, AUTHENTICATE -> 61xx, GET RESPONSE -> 9000, reassembling to the answer
    cmds = [H(a["command"]) for a in v["apdus"]]
    rsps = [H(a["response"]) for a in v["apdus"]]
    assert cmds[0] == H("00A4040007F0564954414C4500")
    assert cmds[1][:5] == H("8050010051") and cmds[1][5:21] == H(v["nonce"]) and cmds[1][-1] == 0
    assert rsps[1][-2] == 0x61 and cmds[2] == bytes([0, 0xC0, 0, 0, rsps[1][-1]])
    assert rsps[-1][-2:] == b"\x90\x00"
    assert b"".join(r[:-2] for r in rsps[1:]) == H(v["answer"])
    assert pp.reader_open(reader, H(v["nonce"]), H(v["select_data"]), H(v["answer"]))[0].hex() == v["presentation"]


def test_vector_in_firmware(runtime):
    """firmware/nfc/session.py and firmware/crypto give the vector's values, on both runtimes."""
    res = json.loads(run_script(runtime, os.path.join(FIRMWARE, "nfc_session_vectors.py"), VECTOR).stdout)
    for key in ("pub", "transcript", "transcript_hash", "shared", "key", "presentation"):
        assert res[key] is True, key
    assert res["tampered"] == "decrypt_failed" and res["bad_point"] == "protocol"
    assert res["run"] == {"presentation": True, "nonce": _vector()["nonce"], "th": True, "apdus": 3,
                          "mismatch": []}


def _select(app):
    return app.handle(bytes.fromhex("00A4040007F0564954414C4500"))


def test_phone_app_round_trip_with_a_cpython_reader():
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
