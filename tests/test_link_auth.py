"""vitale_link.auth against independent implementations: the stdlib's hmac, `cryptography`'s HKDF,
and Wycheproof's HMAC-SHA256 / HKDF-SHA256 vectors; the key schedule vectors in link.json recomputed."""
import hashlib
import hmac
import json
import os

import link_reference as ref
from hypothesis import given
from hypothesis import strategies as st
from support import ROOT
from vitale_link import auth

WYCHEPROOF = os.path.join(ROOT, "tests", "vectors", "wycheproof")
VECTORS = os.path.join(ROOT, "protocol", "vectors", "link.json")


def load(name):
    with open(os.path.join(WYCHEPROOF, name)) as f:
        return [t for g in json.load(f)["testGroups"] for t in g["tests"]]


@given(st.binary(max_size=200), st.lists(st.binary(max_size=100), max_size=5))
def test_hmac_matches_the_stdlib(key, parts):
    assert auth.MacKey(key).mac(*parts) == hmac.new(key, b"".join(parts), hashlib.sha256).digest()


@given(st.binary(max_size=40), st.binary(max_size=40))
def test_compare_digest(a, b):
    assert auth.compare_digest(a, b) == (a == b)


@given(st.binary(max_size=64), st.binary(max_size=64), st.binary(max_size=64), st.integers(1, 255 * 32))
def test_hkdf_matches_cryptography(ikm, salt, info, length):
    assert auth.hkdf_sha256(ikm, salt, info, length) == ref.hkdf(ikm, salt or None, info, length)


def test_wycheproof_hmac_and_hkdf():
    checked = 0
    for t in load("hmac_sha256_test.json"):
        tag = auth.hmac_sha256(bytes.fromhex(t["key"]), bytes.fromhex(t["msg"]))[:len(t["tag"]) // 2]
        assert (tag == bytes.fromhex(t["tag"])) == (t["result"] == "valid"), t["tcId"]
        checked += 1
    for t in load("hkdf_sha256_test.json"):
        if t["size"] > 255 * 32:
            assert t["result"] == "invalid"
            continue
        okm = auth.hkdf_sha256(bytes.fromhex(t["ikm"]), bytes.fromhex(t["salt"]), bytes.fromhex(t["info"]), t["size"])
        assert okm == bytes.fromhex(t["okm"]), t["tcId"]
        checked += 1
    assert checked > 150


def test_key_schedule_vectors_recomputed_independently():
    """SPEC.md sections 7 and 8, computed by link_reference (hashlib, hmac and cryptography's HKDF)."""
    with open(VECTORS) as f:
        kdf = json.load(f)["kdf"]
    p = {k: bytes.fromhex(v) for k, v in kdf["pairing"].items()}
    expected = ref.pairing(p["shared_secret"], p["device_id"], p["host_key"], p["reader_key"])
    assert expected == {name: p[name] for name in expected}
    s = {k: v if k == "pair_id" else bytes.fromhex(v) for k, v in kdf["session"].items()}
    assert ref.session_keys(s["k_pair"], s["host_nonce"], s["reader_nonce"], s["pair_id"]) == (s["k_h2r"], s["k_r2h"])


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=16, max_size=16), st.binary(min_size=16, max_size=16),
       st.integers(0, 255))
def test_session_keys_differ_per_direction_and_per_hello(k_pair, host_nonce, reader_nonce, pair_id):
    h2r, r2h = auth.session_keys(k_pair, host_nonce, reader_nonce, pair_id)
    assert h2r != r2h and len(h2r) == len(r2h) == 32
    other = auth.session_keys(k_pair, host_nonce, bytes(b ^ 1 for b in reader_nonce), pair_id)
    assert h2r not in other and r2h not in other
