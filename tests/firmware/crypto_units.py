"""Firmware check: unit cases of firmware/crypto that the vector files do not pin (every runtime).

The API checks go through ``crypto.p256`` (native or Python, whichever the runtime
has: ``info["backend"]``); the internals of the Python one through ``crypto.p256_pure``.

Prints one JSON line: {"checks": n, "failed": [names...], "info": {...}}.
"""
import hashlib
import json

from crypto import gcm, hkdf, hmac_sha256, p256, p256_pure

P = p256.P
N = p256.N
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5
G65 = b"\x04" + GX.to_bytes(32, "big") + GY.to_bytes(32, "big")

checks = [0]
failed = []
info = {}


def check(name, cond):
    checks[0] += 1
    if not cond:
        failed.append(name)


def raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return True
    except Exception as e:  # noqa: BLE001 - reported as a failure below
        info["unexpected:" + type(e).__name__] = str(e)
        return False
    return False


def der_int(v):
    return b"\x02" + bytes((len(v),)) + v


def der_seq(body):
    return b"\x30" + bytes((len(body),)) + body


# --- public_key / scalar multiplication against known points
check("1*G", p256.public_key(1) == G65)
check("(n-1)*G = -G", p256.public_key(N - 1) == b"\x04" + GX.to_bytes(32, "big") + (P - GY).to_bytes(32, "big"))
two_g = p256.public_key(2)
check("2*G on curve", p256_pure._parse_point(two_g) is not None)
check("ecdh(2, G) = x(2G)", p256.ecdh(2, G65) == two_g[1:33])
check("ecdh(1, G) = x(G)", p256.ecdh(1, G65) == G65[1:33])
check("ecdh(n-1, G) = x(G)", p256.ecdh(N - 1, G65) == G65[1:33])
# (n - 2|d| and 2|d| for a last window digit d make the native ECDH's last addition a doubling)
for k in (3, 4, 6, 62, 0xFFFF, 1 << 128, (1 << 255) + 12345, N - 62, N - 6, N - 2):
    check("comb vs wnaf k=%d" % k, p256.public_key(k)[1:33] == p256.ecdh(k, G65))
check("ecdh priv 0", raises(ValueError, p256.ecdh, 0, G65))
check("ecdh priv n", raises(ValueError, p256.ecdh, N, G65))
check("ecdh off-curve", raises(ValueError, p256.ecdh, 5, G65[:-1] + b"\x00"))
check("ecdh infinity encoding", raises(ValueError, p256.ecdh, 5, b"\x00"))
check("ecdh compressed", raises(ValueError, p256.ecdh, 5, b"\x02" + G65[1:33]))
check("public_key 0", raises(ValueError, p256.public_key, 0))

# --- inverse, wNAF
for a in (1, 2, N - 1, 0x1234567890ABCDEF, GY):
    check("inv mod n %d" % a, a * p256_pure._inv(a, N) % N == 1)
    check("inv mod p %d" % a, a * p256_pure._inv(a, P) % P == 1)
for k in (1, 31, 32, 0xFFFFFFFF, N - 1, (1 << 256) - 1):
    d = p256_pure._wnaf5(k)
    check("wnaf sum %d" % k, sum(d[i] << i for i in range(len(d))) == k)
    check("wnaf digits %d" % k, all(x == 0 or (x & 1 and -16 < x < 16) for x in d))

# --- strict DER
r = (0x80).to_bytes(1, "big") + bytes(31)
good = der_seq(der_int(b"\x00" + r) + der_int(b"\x01"))
check("der good", p256.decode_der_signature(good) == r + bytes(31) + b"\x01")
bad = {
    "empty": b"",
    "not seq": b"\x31" + good[1:],
    "trailing": good + b"\x00",
    "short len": good[:1] + bytes((good[1] - 1,)) + good[2:],
    "long form len": b"\x30\x81" + good[1:],
    "indefinite": b"\x30\x80" + good[2:] + b"\x00\x00",
    "leading zero": der_seq(der_int(b"\x00\x01") + der_int(b"\x01")),
    "negative r": der_seq(der_int(b"\x80") + der_int(b"\x01")),
    "zero-length int": der_seq(der_int(b"") + der_int(b"\x01")),
    "one int": der_seq(der_int(b"\x01")),
    "three ints": der_seq(der_int(b"\x01") + der_int(b"\x01") + der_int(b"\x01")),
    "33 bytes no zero": der_seq(der_int(b"\x01" + bytes(32)) + der_int(b"\x01")),
    "34 bytes": der_seq(der_int(b"\x00\x00" + r) + der_int(b"\x01")),
    "wrong int tag": der_seq(b"\x03\x01\x01" + der_int(b"\x01")),
}
for name, blob in bad.items():
    check("der reject " + name, raises(ValueError, p256.decode_der_signature, blob))

# --- verify never raises; TrustedKey validates
digest = hashlib.sha256(b"x").digest()
for name, args in (
    ("none pub", (None, digest, bytes(64))),
    ("str pub", ("04", digest, bytes(64))),
    ("int sig", (G65, digest, 5)),
    ("short sig", (G65, digest, bytes(63))),
    ("short digest", (G65, digest[:31], b"\x01" * 64)),
    ("zero r s", (G65, digest, bytes(64))),
    ("r = n", (G65, digest, N.to_bytes(32, "big") + b"\x00" * 31 + b"\x01")),
    ("memoryview", (memoryview(G65), digest, memoryview(b"\x01" * 64))),
):
    try:
        check("verify false " + name, p256.verify(*args) is False)
    except Exception as e:  # noqa: BLE001
        check("verify raised " + name + " " + type(e).__name__, False)
for name, pub in (("off curve", G65[:-1] + b"\x00"), ("prefix", b"\x05" + G65[1:]), ("short", G65[:64]),
                  ("x = p", b"\x04" + P.to_bytes(32, "big") + GY.to_bytes(32, "big")), ("infinity", b"\x00")):
    check("TrustedKey rejects " + name, raises(ValueError, p256.TrustedKey, pub))
tk = p256.TrustedKey(G65)
check("trusted never raises", tk.verify(None, None) is False and tk.verify(digest, b"") is False)

# --- signature by a key derived here (priv d, k) and its edge twins
d, k = 0xC0FFEE, 0x5EED
e = int.from_bytes(digest, "big")
rx = int.from_bytes(p256.public_key(k)[1:33], "big") % N
s = p256_pure._inv(k, N) * (e + rx * d) % N
pub = p256.public_key(d)
sig = rx.to_bytes(32, "big") + s.to_bytes(32, "big")
tkd = p256.TrustedKey(pub)
check("own sig verify", p256.verify(pub, digest, sig))
check("own sig trusted", tkd.verify(digest, sig))
sig_neg = rx.to_bytes(32, "big") + (N - s).to_bytes(32, "big")
check("high-s twin verifies", p256.verify(pub, digest, sig_neg) and tkd.verify(digest, sig_neg))
check("wrong key", not p256.verify(two_g, digest, sig))
# digests that make u1 = 0 (e = 0 and e = n): only the Q part remains
for name, dg in (("e = 0", bytes(32)), ("e = n", N.to_bytes(32, "big"))):
    s0 = p256_pure._inv(k, N) * (rx * d) % N
    sig0 = rx.to_bytes(32, "big") + s0.to_bytes(32, "big")
    check("u1 = 0 " + name, p256.verify(pub, dg, sig0) and tkd.verify(dg, sig0))
    check("u1 = 0 tampered " + name, not p256.verify(pub, dg, sig) and not tkd.verify(dg, sig))

# --- keygen
pool = [b"\xff" * 32 + b"\x00" * 31 + b"\x07"]


def rnd(n):
    out, pool[0] = pool[0][:n], pool[0][n:]
    return out


priv, pub7 = p256.generate_keypair(rnd)
check("keygen rejects >= n then takes 7", priv == 7 and pub7 == p256.public_key(7))
check("keygen gives up", raises(ValueError, p256.generate_keypair, lambda n: b"\xff" * n))

# --- hmac / hkdf / gcm odds and ends
check("compare_digest", hmac_sha256.compare_digest(b"ab", b"ab") and not hmac_sha256.compare_digest(b"ab", b"ac")
      and not hmac_sha256.compare_digest(b"ab", b"abc"))
h = hmac_sha256.HmacSha256(b"k")
h.update(b"ab")
h.update(b"c")
check("incremental hmac", h.digest() == hmac_sha256.hmac_sha256(b"k", b"abc"))
check("hkdf none salt", hkdf.hkdf_sha256(b"i", None, b"", 32) == hkdf.hkdf_sha256(b"i", bytes(32), b"", 32))
check("hkdf too long", raises(ValueError, hkdf.hkdf_sha256, b"i", b"", b"", 255 * 32 + 1))
g = gcm.AesGcm(bytes(16))
check("gcm 24-byte key", raises(ValueError, gcm.AesGcm, bytes(24)))
check("gcm nonce 16", raises(ValueError, g.encrypt, bytes(16), b"x", b""))
check("gcm nonce 8 decrypt", raises(ValueError, g.decrypt, bytes(8), bytes(32), b""))
check("gcm short input", raises(gcm.AuthError, g.decrypt, bytes(12), bytes(15), b""))
check("gcm AuthError is ValueError", issubclass(gcm.AuthError, ValueError))
ct = g.encrypt(bytes(12), b"", b"hdr")
check("gcm empty plaintext", len(ct) == 16 and g.decrypt(bytes(12), ct, b"hdr") == b"")
check("gcm wrong aad", raises(gcm.AuthError, g.decrypt, bytes(12), ct, b"hdx"))
big = bytes(range(256)) * 3
check("gcm multi-chunk", g.decrypt(bytes(12), g.encrypt(bytes(12), big, b""), b"") == big)

# --- every comb entry (all on CPython, a spread on MicroPython) against the wNAF path
import sys  # noqa: E402

FULL = sys.implementation.name != "micropython"


def comb_k(b, m, teeth, spacing, block_bits):
    k = 1 << (spacing * (teeth - 1) + block_bits * b)
    for i in range(teeth - 1):
        k += (1 if (m >> i) & 1 else -1) << (spacing * i + block_bits * b)
    return k % N


def aff(xy):
    return p256_pure._affine(*xy)


bad_g = 0
for idx in range(256) if FULL else (0, 1, 77, 127, 128, 129, 200, 255):
    b, m = idx >> 7, idx & 127
    if p256_pure._g_entry(b, m, 0) != aff(p256_pure._mul_var(comb_k(b, m, 8, 16, 128), GX, GY)):
        bad_g += 1
check("G comb table", bad_g == 0)
qd = 0x1234567890ABCDEF1234567890ABCDEF
qpub = p256.public_key(qd)
qx, qy = p256_pure._parse_point(qpub)
qt = p256_pure.TrustedKey(qpub)._table
bad_q = 0
for idx in range(192) if FULL else (0, 1, 64, 127, 128, 129, 160, 191):
    if idx < 128:
        k = comb_k(0, idx, 8, 18, 0)
    else:
        k = comb_k(0, idx - 128, 7, 18, 0) * pow(2, 144, N) % N
    if p256_pure._entry(qt, idx, 0) != aff(p256_pure._mul_var(k, qx, qy)):
        bad_q += 1
check("TrustedKey comb table", bad_q == 0)
info["comb_entries_checked"] = (256 if FULL else 8) + (192 if FULL else 8)

# --- size of one TrustedKey table (its heap cost is measured by bench/fw_ecdsa.py:
# the wasm build only collects garbage when control returns to JavaScript)
keep = p256.TrustedKey(pub)
info["trusted_key_table_bytes"] = len(keep._table)
info["backend"] = p256.BACKEND
check("trusted key table <= 16 KiB", len(keep._table) + 65 + 64 <= 16384)
check("trusted key works", keep.verify(digest, sig))

print(json.dumps({"checks": checks[0], "failed": failed, "info": info}))
