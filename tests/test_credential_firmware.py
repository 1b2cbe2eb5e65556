"""The firmware verifier (firmware/verify) on both runtimes, against the committed credential vectors.

Each check runs a script of tests/firmware/ under CPython and under the
real MicroPython interpreter (the ``runtime`` fixture), with the real
firmware/crypto.
"""
import json
import os
import random
import zlib

from support import ROOT, check
from verdicts import same_reason

VECTORS = os.path.join(ROOT, "protocol", "vectors", "credential", "vectors.json")


def load_vectors():
    with open(VECTORS) as f:
        return json.load(f)


def test_vectors_on_firmware(runtime):
    vec = load_vectors()
    out = check(runtime, "verify_vectors.py", VECTORS)
    steps = out["steps"]
    assert len(steps) == sum(len(c["steps"]) for c in vec["cases"])
    wrong = [(s["name"], s["step"], s["reason"], s["expected"], s["detail"]) for s in steps
             if s["reason"] != s["expected"]]
    assert not wrong, wrong
    for s in steps:
        assert s["ok"] == (s["expected"] == "ok")
        assert s["source"] == s["name"][:s["name"].index("_")]
        assert s["repr"] == f"Verdict(ok={s['ok']}, reason={s['reason']}, source={s['source']})"
        if s["expected"] == "ok" and s["expected_app_id"]:
            assert s["app_id"] == s["expected_app_id"]
        if s["expected"] not in ("not_a_presentation", "base45", "inflate"):
            assert s["has_presentation"], s["name"]
    wrong = [(u["name"], u["reason"], u["expected"]) for u in out["updates"] if u["reason"] != u["expected"]]
    assert not wrong, wrong
    for u in out["updates"]:
        if u["reason"] == "ok":
            assert u["version"] == u["expected_version"] == u["version_after"]
            assert u["written"] == (1 if u["version"] != u["version_before"] else 0)
        else:  # a refused update leaves the installed list and the flash alone
            assert u["version_after"] == u["version_before"] and u["written"] == 0 and not u["stored_is_update"]
    assert all(n["key"] == n["expected"] and n["check"] for n in out["nir"])


def _zlib(data, wbits=15):
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def test_units_on_firmware(runtime, tmp_path):
    from vitale_sim import testpki

    pki = testpki.load()
    now = 1767225600
    w = pki.new_wallet(now=now - 3600)
    rnd = random.Random(1).randbytes
    inputs = {
        "zlib_ok": _zlib(rnd(300) * 3).hex(),
        "zlib_2048": _zlib(rnd(2048), 10).hex(),
        "zlib_2049": _zlib(rnd(2049), 10).hex(),
        "zlib_bomb": zlib.compress(bytes(1 << 20), 9).hex(),
        "raw_deflate": _zlib(b"hello" * 10, -15).hex(),
        "zlib_32k_window": _zlib(b"hello" * 10, 15).hex(),
        "root": pki.root_public_key.hex(),
        "trust_list": pki.trust_list_bytes.hex(),
        "issuer_kid": pki.issuer().kid.hex(),
        "now": now,
        "qr_text": w.qr_text(now),
        "qr_text_2": w.qr_text(now),
    }
    path = tmp_path / "inputs.json"
    path.write_text(json.dumps(inputs))
    out = check(runtime, "verify_units.py", str(path))
    assert out["b45_encode"] == ["BB8", "%69 VD92EX0", "UJCLQE7W581", "QED8WEX0", ""]
    assert out["b45_decode"] == ["AB", "Hello!!", "base-45", "ietf!"]
    assert out["b45_decode_bytes"] == "ietf!"
    assert out["b45_invalid"] == ["base45"] * 8
    assert out["inflate_ok"] == 900
    assert out["inflate_exact_limit"] == 2048
    for k in ("inflate_over_limit", "inflate_bomb", "inflate_truncated", "inflate_bad_adler", "inflate_raw_deflate",
              "inflate_preset_dict", "inflate_window_limit", "inflate_short"):
        assert out[k] == "inflate", k
    assert out["inflate_trailing_ignored"] == 900
    assert out["replay_seen"] == [True, True, True]
    assert out["replay_full_evicts_oldest"] == [False, True, 1, 3]
    assert out["replay_expired"] == [False, 0]
    assert out["replay_add_after_expiry"] == [1, 1]
    from vitale_sim.issuer.identity import nir_key

    assert out["nir"] == [nir_key("185072A004012")] * 2 + [None, None, True, True, False, False]
    assert out["store_empty"] == [0, False, "TrustStore(version=0, issuers=0, revoked=0)"]
    assert out["store_update"] == [1, 1, True, True]
    assert out["store_reload"] == [1, "TrustStore(version=1, issuers=2, revoked=0)"]
    assert out["store_issuer"][:4] == [True, True, "attest", True]
    assert out["store_unknown_kid"] is True
    assert out["store_bad_stored"] == ["trust_list_malformed", False, True]
    assert out["store_bad_root"] == "ValueError"
    assert out["odd_inputs"] == [
        [False, "not_a_presentation", "qr"], [False, "not_a_presentation", "qr"],
        [False, "not_a_presentation", "qr"], [False, "not_a_presentation", "qr"],
        [False, "not_a_presentation", "qr"], [False, "base45", "qr"], [False, "base45", "qr"],
        [False, "inflate", "qr"],
        [False, "cbor", "nfc"], [False, "cbor", "nfc"], [False, "cbor", "nfc"], [False, "cbor", "nfc"],
        [False, "cbor", "nfc"], [False, "internal", "nfc"],
    ]
    assert out["qr_ok"][:3] == [True, "ok", "Verdict(ok=True, reason=ok, source=qr)"]
    assert out["qr_ok"][3] == w.app_id.hex()
    assert out["qr_bytes_replay"] == "replay"
    assert out["qr_bytes_ok"] == "ok"
    from vitale_reader.credential import ALL_REASONS

    # the firmware loads the one list of reasons (CREDENTIAL.md §8, test_credential_host.py), on MicroPython too
    assert out["reasons"] == list(ALL_REASONS)


def fuzz_inputs(seed=20260101, n=60):
    """A fixed batch: random bytes, mutated valid presentations and QR texts."""
    from vitale_sim import testpki
    from vitale_sim.issuer.profile import qr_text_of

    rng = random.Random(seed)
    pki = testpki.load()
    now = 1767225600
    w = pki.new_wallet(now=now - 3600)
    nonce, th = bytes(16), bytes(32)
    good_nfc = w.nfc_presentation(nonce, th, now)
    good_qr = w.qr_presentation(now)

    def mutate(b):
        b = bytearray(b)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(3)
            i = rng.randrange(len(b))
            if op == 0:
                b[i] ^= 1 << rng.randrange(8)
            elif op == 1:
                del b[i:i + rng.randint(1, 8)]
            else:
                b[i:i] = rng.randbytes(rng.randint(1, 4))
        return bytes(b)

    blobs = [rng.randbytes(rng.randint(0, 64)) for _ in range(n)] + [mutate(good_nfc) for _ in range(n)]
    nfc = [[b.hex(), nonce.hex(), th.hex()] for b in blobs]
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    texts = ["VT1:" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 90))) for _ in range(n)]
    texts += [qr_text_of(mutate(good_qr)) for _ in range(n)]
    texts += ["".join(chr(rng.randint(1, 0x2FF)) for _ in range(rng.randint(0, 40))) for _ in range(n // 2)]
    return {"root": pki.root_public_key.hex(), "trust_list": pki.trust_list_bytes.hex(), "now": now,
            "blobs": [b.hex() for b in blobs], "texts": texts, "nfc": nfc}


def test_fuzz_batch_on_firmware_agrees_with_host(runtime, tmp_path):
    from vitale_reader.credential import HostVerifier, load_trust_anchor

    inputs = fuzz_inputs()
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(inputs))
    out = check(runtime, "verify_fuzz.py", str(path))
    assert not [r for r in out["decode"] + out["qr"] + out["nfc"] if r.startswith("crash")]
    host = HostVerifier(load_trust_anchor(trust_list=bytes.fromhex(inputs["trust_list"])))
    host_qr = [host.verify_qr(t, inputs["now"]).reason for t in inputs["texts"]]
    host_nfc = [host.verify_nfc(bytes.fromhex(h), bytes.fromhex(n), bytes.fromhex(t), inputs["now"]).reason
                for h, n, t in inputs["nfc"]]
    assert len(out["qr"]) == len(host_qr) and len(out["nfc"]) == len(host_nfc)
    assert [(a, b) for a, b in zip(out["qr"], host_qr) if not same_reason(a, b)] == []
    assert [(a, b) for a, b in zip(out["nfc"], host_nfc) if not same_reason(a, b)] == []
    assert "internal" not in host_qr + host_nfc
