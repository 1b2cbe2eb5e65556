"""HKDF-SHA256 (RFC 5869).

``hkdf_sha256(ikm, salt, info, length) -> bytes``; ``salt`` may be empty or
None (then 32 zero bytes, as the RFC says); ``length`` at most 255 * 32,
else ``ValueError``.
"""
from crypto.hmac_sha256 import hmac_sha256


def hkdf_extract(salt, ikm):
    if not salt:
        salt = bytes(32)
    return hmac_sha256(salt, ikm)


def hkdf_expand(prk, info, length):
    if length < 0 or length > 255 * 32:
        raise ValueError("HKDF-SHA256 output length out of range")
    info = bytes(info) if info else b""
    out = b""
    t = b""
    i = 1
    while len(out) < length:
        t = hmac_sha256(prk, t + info + bytes((i,)))
        out += t
        i += 1
    return out[:length]


def hkdf_sha256(ikm, salt, info, length):
    """Extract-then-expand: ``length`` bytes of key material."""
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)
