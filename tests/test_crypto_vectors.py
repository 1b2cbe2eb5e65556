"""Wycheproof vectors through firmware/crypto on both runtimes (CPython and MicroPython wasm).

Every ECDSA P-256/SHA-256 vector of the DER and the P1363 files runs through
``p256.verify`` and ``p256.TrustedKey.verify`` (both must give the expected
answer); the DER signatures go through the strict ``decode_der_signature``
first. ECDH (ecpoint encoding), HKDF-SHA256, HMAC-SHA256 run in full;
AES-GCM runs its 96-bit-nonce, 128-bit-tag, 128/256-bit-key cases and the
others are counted as skipped (and the count is checked, so none vanish).
Each file is one interpreter process.
"""
import json
import os

import pytest

from support import ROOT, check

WYCHEPROOF = os.path.join(ROOT, "tests", "vectors", "wycheproof")

FILES = {
    "ecdsa_der": "ecdsa_secp256r1_sha256_test.json",
    "ecdsa_p1363": "ecdsa_secp256r1_sha256_p1363_test.json",
    "ecdh": "ecdh_secp256r1_ecpoint_test.json",
    "hkdf": "hkdf_sha256_test.json",
    "hmac": "hmac_sha256_test.json",
    "gcm": "aes_gcm_test.json",
}


def _load(kind):
    with open(os.path.join(WYCHEPROOF, FILES[kind])) as f:
        return json.load(f)


def _gcm_supported(group):
    return group["ivSize"] == 96 and group["tagSize"] == 128 and group["keySize"] in (128, 256)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_wycheproof(runtime, kind):
    doc = _load(kind)
    out = check(runtime, "crypto_vectors.py", kind, os.path.join(WYCHEPROOF, FILES[kind]), timeout=240)
    assert out["failures"] == [], out["failures"]
    assert out["passed"] == out["total"]
    every = sum(len(g["tests"]) for g in doc["testGroups"])
    skipped = sum(out["skipped"].values())
    if kind == "gcm":
        expect_skipped = sum(len(g["tests"]) for g in doc["testGroups"] if not _gcm_supported(g))
        assert skipped == expect_skipped
        assert out["total"] == every - expect_skipped > 100
        print(f"\n{runtime} AES-GCM: {out['total']} run, {skipped} skipped: {out['skipped']}")
    else:
        assert skipped == 0
        assert out["total"] == every, (out["total"], every)
    if kind == "ecdsa_der":
        assert out["total"] == 484 and out["by_result"] == {"valid": 174, "invalid": 310}
    if kind == "ecdsa_p1363":
        assert out["total"] == 262
    if kind == "ecdh":
        # the one "acceptable" vector is a compressed point, which ecdh() rejects
        assert out["acceptable"] == {"2": "ValueError"}
