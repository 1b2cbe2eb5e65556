"""HMAC-SHA256 (RFC 2104) on ``hashlib.sha256``; MicroPython has no ``hmac`` module.

``hmac_sha256(key, msg) -> bytes`` (32 bytes); ``compare_digest(a, b)``
compares two byte strings in time independent of where they differ.
"""
import hashlib

_IPAD = int.from_bytes(b"\x36" * 64, "big")
_OPAD = int.from_bytes(b"\x5c" * 64, "big")


def _pads(key):
    key = bytes(key)
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    k = int.from_bytes(key + bytes(64 - len(key)), "big")
    return (k ^ _IPAD).to_bytes(64, "big"), (k ^ _OPAD).to_bytes(64, "big")


def hmac_sha256(key, msg):
    """HMAC-SHA256 of ``msg`` under ``key`` (any length)."""
    ipad, opad = _pads(key)
    inner = hashlib.sha256(ipad)
    inner.update(bytes(msg))
    outer = hashlib.sha256(opad)
    outer.update(inner.digest())
    return outer.digest()


class HmacSha256:
    """Incremental HMAC-SHA256: ``update(data)`` any number of times, then ``digest()`` once."""

    def __init__(self, key):
        ipad, self._opad = _pads(key)
        self._inner = hashlib.sha256(ipad)

    def update(self, data):
        self._inner.update(bytes(data))

    def digest(self):
        outer = hashlib.sha256(self._opad)
        outer.update(self._inner.digest())
        return outer.digest()


def compare_digest(a, b):
    """True if the byte strings are equal; time depends only on their lengths."""
    if len(a) != len(b):
        return False
    r = 0
    for i in range(len(a)):
        r |= a[i] ^ b[i]
    return r == 0
