"""Differential tests of firmware/crypto against ``cryptography`` (Hypothesis), both runtimes.

The CPython side draws random keys, messages, bit flips and GCM/HKDF inputs,
computes the expected answers with ``cryptography``, writes one batch file,
and runs it through tests/firmware/crypto_batch.py in ONE interpreter process
per runtime and Hypothesis example:

* ECDSA: a signature by ``cryptography`` verifies (``verify`` and
  ``TrustedKey.verify``); flipping any one bit of the signature, of the digest
  or of the public key makes it fail (a flipped key is rejected outright).
* ECDH agrees with ``cryptography``'s exchange; a peer key with a flipped bit
  is refused with ``ValueError``.
* ``generate_keypair`` rejection-samples: the first 32-byte draw in [1, n-1]
  is the key, and its public point matches ``cryptography``'s.
* HKDF-SHA256 agrees with ``cryptography``'s HKDF (``ValueError`` past 255 * 32).
* AES-GCM agrees with ``cryptography``'s AESGCM; a flipped bit anywhere in
  ciphertext or tag gives ``AuthError``.
"""
import hashlib
import json
import os
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import check

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
CURVE = ec.SECP256R1()


def _pub(key) -> bytes:
    n = key.public_key().public_numbers()
    return b"\x04" + n.x.to_bytes(32, "big") + n.y.to_bytes(32, "big")


def _flip(data: bytes, bit: int) -> bytes:
    b = bytearray(data)
    b[bit // 8 % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


ecdsa_case = st.tuples(st.integers(1, N - 1), st.binary(max_size=100),
                       st.integers(0, 511), st.integers(0, 255), st.integers(0, 519))
ecdh_case = st.tuples(st.integers(1, N - 1), st.integers(1, N - 1), st.integers(0, 519))
keygen_case = st.tuples(st.lists(st.sampled_from([b"\xff" * 32, b"\x00" * 32, N.to_bytes(32, "big")]), max_size=2),
                        st.binary(min_size=32, max_size=32).filter(lambda b: 0 < int.from_bytes(b, "big") < N))
hkdf_case = st.tuples(st.binary(max_size=64), st.binary(max_size=40), st.binary(max_size=40),
                      st.one_of(st.integers(1, 300), st.just(255 * 32), st.just(255 * 32 + 1)))
gcm_case = st.tuples(st.sampled_from([16, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n)),
                     st.binary(min_size=12, max_size=12), st.binary(max_size=300), st.binary(max_size=64),
                     st.integers(0, 10**6))


@settings(max_examples=3, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(ecdsa=st.lists(ecdsa_case, min_size=8, max_size=8), ecdh=st.lists(ecdh_case, min_size=3, max_size=3),
       keygen=st.lists(keygen_case, min_size=2, max_size=2), hkdf=st.lists(hkdf_case, min_size=6, max_size=6),
       gcm=st.lists(gcm_case, min_size=6, max_size=6))
def test_differential(runtime, ecdsa, ecdh, keygen, hkdf, gcm):
    batch = {"ecdsa": [], "ecdh": [], "keygen": [], "hkdf": [], "gcm": []}
    expect = {"ecdsa": [], "ecdh": [], "keygen": [], "hkdf": [], "gcm": []}

    for d, msg, sig_bit, dig_bit, key_bit in ecdsa:
        key = ec.derive_private_key(d, CURVE)
        r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        digest = hashlib.sha256(msg).digest()
        pub = _pub(key)
        batch["ecdsa"] += [[pub.hex(), digest.hex(), sig.hex()],
                           [pub.hex(), digest.hex(), _flip(sig, sig_bit).hex()],
                           [pub.hex(), _flip(digest, dig_bit).hex(), sig.hex()],
                           [_flip(pub, key_bit).hex(), digest.hex(), sig.hex()]]
        expect["ecdsa"] += [[True, True], [False, False], [False, False], [False, "ValueError"]]

    for a, b, bit in ecdh:
        ka, kb = ec.derive_private_key(a, CURVE), ec.derive_private_key(b, CURVE)
        batch["ecdh"] += [[str(a), _pub(kb).hex()], [str(a), _flip(_pub(kb), bit).hex()]]
        expect["ecdh"] += [ka.exchange(ec.ECDH(), kb.public_key()).hex(), "ValueError"]

    for rejects, good in keygen:
        batch["keygen"].append((b"".join(rejects) + good).hex())
        d = int.from_bytes(good, "big")
        expect["keygen"].append([str(d), _pub(ec.derive_private_key(d, CURVE)).hex()])

    for ikm, salt, info, length in hkdf:
        batch["hkdf"].append([ikm.hex(), salt.hex(), info.hex(), length])
        if length > 255 * 32:
            expect["hkdf"].append("ValueError")
        else:
            expect["hkdf"].append(HKDF(hashes.SHA256(), length, salt or None, info).derive(ikm).hex())

    for key, nonce, pt, aad, flip in gcm:
        batch["gcm"].append([key.hex(), nonce.hex(), pt.hex(), aad.hex(), flip])
        expect["gcm"].append([AESGCM(key).encrypt(nonce, pt, aad).hex(), True, "AuthError"])

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "batch.json")
        with open(path, "w") as f:
            json.dump(batch, f)
        got = check(runtime, "crypto_batch.py", path, timeout=120)
    for kind in expect:
        assert got[kind] == expect[kind], (kind, got[kind], expect[kind])
