"""Firmware-side timing of crypto.p256, run by bench/bench_p256_native.py (MicroPython unix port).

Prints one JSON line: the backend (``native`` or ``python``) and the best of a few
calls, in ms (``time.ticks_us``), of an arbitrary-key verification, a TrustedKey
verification, building that TrustedKey, an ECDH and a public key (key generation).
"""
import json
import time

from crypto import p256

PRIV = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
PEER_PRIV = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF
# RFC 6979 A.2.5, P-256 with SHA-256, message "sample"
DIGEST = bytes.fromhex("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf")
SIG = bytes.fromhex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                    "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")


def best_ms(fn, calls):
    best = None
    for _ in range(calls):
        t = time.ticks_us()
        fn()
        dt = time.ticks_diff(time.ticks_us(), t)
        best = dt if best is None or dt < best else best
    return best / 1000


pub = p256.public_key(PRIV)
peer = p256.public_key(PEER_PRIV)
tk = p256.TrustedKey(pub)
if not (p256.verify(pub, DIGEST, SIG) and tk.verify(DIGEST, SIG)):
    raise SystemExit("the RFC 6979 signature does not verify")
calls = 20 if p256.BACKEND == "native" else 3
print(json.dumps({
    "backend": p256.BACKEND,
    "verify_ms": best_ms(lambda: p256.verify(pub, DIGEST, SIG), calls),
    "verify_trusted_ms": best_ms(lambda: tk.verify(DIGEST, SIG), calls),
    "trusted_key_build_ms": best_ms(lambda: p256.TrustedKey(pub), calls),
    "ecdh_ms": best_ms(lambda: p256.ecdh(PRIV, peer), calls),
    "keygen_ms": best_ms(lambda: p256.public_key(PRIV), calls),
}))
