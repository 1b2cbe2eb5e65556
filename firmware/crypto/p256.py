"""NIST P-256 (secp256r1) for the reader: ECDSA verification, key generation, ECDH.

Two implementations behind one API. When the board has the native module
``p256_native`` (C, built from natmod/p256/ by ``make natmod``; ``make
firmware`` puts the RP2040's at the root of the board's filesystem) it does the
work; otherwise the pure-Python ``crypto.p256_pure`` does (ESP32, whose
compiler is not available here, and the simulator's CPython and wasm runtimes).
``BACKEND`` says which: ``"native"`` or ``"python"``. Both give the same answers
and raise the same exceptions (tests run the Wycheproof vectors, the unit checks
and the differential tests against ``cryptography`` through both).

``verify(pub, digest, sig) -> bool``
    ``pub`` 65-byte SEC1 uncompressed point, ``digest`` 32-byte SHA-256,
    ``sig`` 64-byte ``r || s``. Never raises: any bad input gives False.
``TrustedKey(pub)``
    A key verified often (issuer keys): validated once (``ValueError`` if not a
    curve point) with a per-key comb table (native: 4 KiB; Python: 12 KiB);
    ``.verify(digest, sig) -> bool``, ``.pub``.
``decode_der_signature(der) -> bytes``
    Strict DER ``SEQUENCE { INTEGER r, INTEGER s }`` to 64-byte ``r || s``;
    ``ValueError`` on anything that is not minimal DER.
``generate_keypair(random_bytes) -> (priv_int, pub65)``
``public_key(priv_int) -> pub65``
``ecdh(priv_int, peer_pub65) -> bytes``  (32-byte x coordinate; validates the peer point)

The native module runs ECDH and key generation in constant time with respect
to the private scalar; the Python one does not (see crypto/p256_pure.py).
"""
from micropython import const

P = const(0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF)
N = const(0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551)

try:
    import p256_native as _native
except (ImportError, ValueError):  # ValueError: a .mpy built for another MicroPython version or arch
    _native = None

if _native is None:
    BACKEND = "python"
    from crypto.p256_pure import TrustedKey, ecdh, public_key, verify  # noqa: F401
else:
    BACKEND = "native"

    def verify(pub, digest, sig):
        """ECDSA P-256 verification with an arbitrary public key. Never raises."""
        try:
            return _native.verify(pub, digest, sig)
        except (TypeError, ValueError):
            return False

    class TrustedKey:
        """A public key verified often: validated once, with its own 4 KiB comb table."""

        def __init__(self, pub):
            table = bytearray(_native.TABLE_BYTES)
            try:
                _native.comb_table(pub, table)
            except TypeError:
                raise ValueError("public key is not a P-256 point")
            self.pub = bytes(pub)
            self._table = table

        def verify(self, digest, sig):
            """ECDSA P-256 verification against this key. Never raises."""
            try:
                return _native.verify_table(self._table, digest, sig)
            except (TypeError, ValueError):
                return False

    def public_key(priv):
        """65-byte public point of the private scalar ``priv`` (1 <= priv < n)."""
        return _native.public_key(_scalar_bytes(priv))

    def ecdh(priv, peer_pub):
        """Shared secret: the 32-byte x coordinate of priv * peer. ``ValueError`` on bad input."""
        scalar = _scalar_bytes(priv)
        try:
            return _native.ecdh(scalar, peer_pub)
        except TypeError:
            raise ValueError("peer key is not a P-256 point")

    def _scalar_bytes(priv):
        if not 0 < priv < N:
            raise ValueError("private key out of range")
        return priv.to_bytes(32, "big")


def generate_keypair(random_bytes):
    """(priv_int, pub65) from ``random_bytes(n)``, rejection-sampling the scalar."""
    for _ in range(64):
        k = int.from_bytes(bytes(random_bytes(32)), "big")
        if 0 < k < N:
            return k, public_key(k)
    raise ValueError("random source keeps returning out-of-range scalars")


def decode_der_signature(der):
    """Strict DER ECDSA signature -> 64-byte r || s. ``ValueError`` otherwise."""
    der = bytes(der)
    if len(der) < 8 or der[0] != 0x30:
        raise ValueError("not a DER SEQUENCE")
    ln = der[1]
    pos = 2
    if ln == 0x81:
        if len(der) < 3 or der[2] < 0x80:
            raise ValueError("non-minimal DER length")
        ln = der[2]
        pos = 3
    elif ln > 0x80:
        raise ValueError("bad DER length")
    if pos + ln != len(der):
        raise ValueError("DER length mismatch or trailing data")
    out = b""
    for _ in range(2):
        if pos + 2 > len(der) or der[pos] != 0x02:
            raise ValueError("not a DER INTEGER")
        il = der[pos + 1]
        pos += 2
        if il == 0 or il > 33 or pos + il > len(der):
            raise ValueError("bad INTEGER length")
        v = der[pos:pos + il]
        pos += il
        if v[0] & 0x80:
            raise ValueError("negative INTEGER")
        if v[0] == 0 and (il == 1 or not v[1] & 0x80):
            raise ValueError("non-minimal INTEGER")
        if il == 33:
            if v[0]:
                raise ValueError("INTEGER too large")
            v = v[1:]
        out += bytes(32 - len(v)) + v
    if pos != len(der):
        raise ValueError("trailing data in SEQUENCE")
    return out
