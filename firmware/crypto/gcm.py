"""AES-GCM (NIST SP 800-38D) on the board's ``cryptolib.aes`` (ECB, mode 1).

``AesGcm(key)`` with a 16- or 32-byte key (the sizes MicroPython's
``cryptolib`` accepts; a 24-byte key raises ``ValueError``):

* ``encrypt(nonce, plaintext, aad) -> ciphertext || tag`` (16-byte tag)
* ``decrypt(nonce, ct_and_tag, aad) -> plaintext``; ``AuthError`` (a
  ``ValueError``) when the tag does not match, compared in constant time.

Only 12-byte nonces are supported (``ValueError`` otherwise), which is what
ISO 18013-5 style session encryption uses. Tags are always 128 bits.

GHASH is pure Python on ints with Shoup's 8-bit table: 256 multiples of H
built once per key (9 KiB of heap per ``AesGcm``, plus a 9 KiB reduction
table shared by all keys, built on first use), 16 table steps per block.
The counter-mode keystream is made by one ECB call per 256-byte chunk.
Under the wasm interpreter 1 KiB encrypts in about 1.5 ms.
"""
import cryptolib

from crypto.hmac_sha256 import compare_digest

_MODE_ECB = 1
_CHUNK = 256  # bytes of keystream per AES call
_R = 0xE1 << 120


class AuthError(ValueError):
    """The GCM tag did not verify: the data or the key is not what was sent."""


def _red8():
    """Reduction of the 8 bits shifted out by a multiplication by x^8."""
    out = []
    for v in range(256):
        r = 0
        for b in range(8):
            if (v >> b) & 1:
                r ^= _R >> (7 - b)
        out.append(r)
    return tuple(out)


_RED8 = None


class AesGcm:
    def __init__(self, key):
        global _RED8
        key = bytes(key)
        if len(key) not in (16, 32):
            raise ValueError("AES-GCM key must be 16 or 32 bytes")
        self._aes = cryptolib.aes(key, _MODE_ECB)
        h = int.from_bytes(self._aes.encrypt(bytes(16)), "big")
        # m[b] = (b << 120) * H: byte b as the polynomial of degrees 0..7.
        m = [0] * 256
        v = h
        bit = 0x80
        while bit:
            m[bit] = v
            v = (v >> 1) ^ _R if v & 1 else v >> 1
            bit >>= 1
        for b in range(256):
            if b & (b - 1):
                low = b & -b
                m[b] = m[low] ^ m[b ^ low]
        self._m = tuple(m)
        if _RED8 is None:
            _RED8 = _red8()

    def _ghash(self, y, data):
        """Fold ``data`` (zero-padded to 16 bytes) into the GHASH state ``y``."""
        m = self._m
        red = _RED8
        n = len(data)
        for off in range(0, n, 16):
            blk = data[off:off + 16]
            if len(blk) < 16:
                blk = bytes(blk) + bytes(16 - len(blk))
            x = (y ^ int.from_bytes(blk, "big")).to_bytes(16, "big")
            z = m[x[15]]
            for i in range(14, -1, -1):
                z = (z >> 8) ^ red[z & 0xFF] ^ m[x[i]]
            y = z
        return y

    def _ctr(self, nonce, data):
        """XOR ``data`` with the keystream from counter 2 on."""
        n = len(data)
        if not n:
            return b""
        out = []
        ctr = 2
        enc = self._aes.encrypt
        for off in range(0, n, _CHUNK):
            piece = data[off:off + _CHUNK]
            k = len(piece)
            blocks = (k + 15) >> 4
            ctrs = b"".join([nonce + (c & 0xFFFFFFFF).to_bytes(4, "big") for c in range(ctr, ctr + blocks)])
            ctr += blocks
            ks = enc(ctrs)
            x = int.from_bytes(piece, "big") ^ int.from_bytes(ks[:k], "big")
            out.append(x.to_bytes(k, "big"))
        return b"".join(out)

    def _tag(self, nonce, ct, aad):
        y = self._ghash(0, aad)
        y = self._ghash(y, ct)
        lens = ((len(aad) * 8) << 64) | (len(ct) * 8)
        y = self._ghash(y, lens.to_bytes(16, "big"))
        s = int.from_bytes(self._aes.encrypt(nonce + b"\x00\x00\x00\x01"), "big")
        return (y ^ s).to_bytes(16, "big")

    @staticmethod
    def _check(nonce, data):
        if len(nonce) != 12:
            raise ValueError("AES-GCM nonce must be 12 bytes")
        if len(data) > (1 << 36) - 32:
            raise ValueError("AES-GCM message too long")

    def encrypt(self, nonce, plaintext, aad=b""):
        nonce = bytes(nonce)
        plaintext = bytes(plaintext)
        aad = bytes(aad) if aad else b""
        self._check(nonce, plaintext)
        ct = self._ctr(nonce, plaintext)
        return ct + self._tag(nonce, ct, aad)

    def decrypt(self, nonce, ct_and_tag, aad=b""):
        nonce = bytes(nonce)
        data = bytes(ct_and_tag)
        aad = bytes(aad) if aad else b""
        if len(data) < 16:
            raise AuthError("AES-GCM input shorter than its tag")
        self._check(nonce, data)
        ct = data[:-16]
        if not compare_digest(self._tag(nonce, ct, aad), data[-16:]):
            raise AuthError("AES-GCM tag mismatch")
        return self._ctr(nonce, ct)
