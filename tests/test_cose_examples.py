"""The COSE working group's Sign1 examples (ES256): the firmware's cose.py on both runtimes, and the host's.

sign-pass-* must verify (including pass-01, whose empty protected header is
sent as h'a0', and pass-02, with external AAD); sign-fail-* must not.
"""
import base64
import glob
import json
import os

from support import ROOT, check

COSE_DIR = os.path.join(ROOT, "tests", "vectors", "cose")
FILES = sorted(glob.glob(os.path.join(COSE_DIR, "sign-*.json")))


def test_there_are_examples():
    names = [os.path.basename(f) for f in FILES]
    assert sum(n.startswith("sign-pass") for n in names) == 3
    assert sum(n.startswith("sign-fail") for n in names) == 6


def test_cose_wg_on_firmware(runtime):
    out = check(runtime, "verify_cose_wg.py", *FILES)
    assert len(out) == len(FILES)
    for e in out:
        if e["file"].startswith("sign-pass"):
            assert e["verified"] is True and e["digest_matches_tbs"] is True, e
        else:
            assert e["verified"] is False, e
    assert [e for e in out if e["file"] == "sign-fail-01.json"][0]["error"].startswith("cose_structure")


def _b64url(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_cose_wg_on_host():
    import cbor2
    from cryptography.hazmat.primitives.asymmetric import ec

    from vitale_reader import credential

    for path in FILES:
        with open(path) as f:
            ex = json.load(f)
        sign0 = ex["input"]["sign0"]
        pub = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b"\x04" + _b64url(sign0["key"]["x"]) + _b64url(sign0["key"]["y"]))
        data = bytes.fromhex(ex["output"]["cbor"])
        # the host verifier only takes tagged COSE_Sign1 (the profile's rule); tag the untagged pass-03
        if data[0] == 0x84:
            data = cbor2.dumps(cbor2.CBORTag(18, cbor2.loads(data)))
        try:
            s1 = credential._sign1(data)
            ok = s1.verify(pub, bytes.fromhex(sign0.get("external", "")))
        except credential._Fail:
            ok = False
        assert ok == (not ex.get("fail")), os.path.basename(path)
