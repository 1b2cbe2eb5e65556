"""The phone application protocol's cryptography on the host (protocol/NFC.md §3).

One implementation of the session transcript and key schedule for the
host side: the PC/SC backend (reader role, ``vitale_reader.pcsc``) and the
simulated phone (``vitale_sim.phone_protocol``) both use it; the firmware has
its own (``firmware/nfc/session.py``). The protocol's constants are
``vitale_spec.nfc``, shared with the firmware. ``tests/test_nfc_session.py``
holds both implementations to ``protocol/vectors/nfc/session_v1.json``, which
it rebuilds from the specification with ``cryptography`` alone.
"""
from __future__ import annotations

import hashlib
from typing import Union

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from vitale_spec.nfc import KEY_INFO


def _bstr(b: bytes) -> bytes:
    n = len(b)
    if n < 24:
        return bytes([0x40 | n]) + b
    if n < 256:
        return bytes([0x58, n]) + b
    return bytes([0x59, n >> 8, n & 0xFF]) + b


def transcript(select_data: bytes, reader_pub: bytes, nonce: bytes, phone_pub: bytes) -> bytes:
    """CBOR ``[bstr select_data, bstr reader_pub, bstr nonce, bstr phone_pub]`` (deterministic)."""
    return b"\x84" + _bstr(select_data) + _bstr(reader_pub) + _bstr(nonce) + _bstr(phone_pub)


def transcript_hash(select_data: bytes, reader_pub: bytes, nonce: bytes, phone_pub: bytes) -> bytes:
    return hashlib.sha256(transcript(select_data, reader_pub, nonce, phone_pub)).digest()


def pub65(key: Union[ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey]) -> bytes:
    """The uncompressed point ``04 || X || Y`` (65 bytes) of a key pair or public key."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def ecdh(priv: ec.EllipticCurvePrivateKey, peer65: bytes) -> bytes:
    """Z, the x-coordinate of priv·peer. Raises ValueError for a point not on the curve."""
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), peer65)
    return priv.exchange(ec.ECDH(), peer)


def session_key(shared: bytes, th: bytes) -> bytes:
    """SK = HKDF-SHA256(IKM = Z, salt = transcript hash, info = "VitaleNFC1 SKPhone", L = 32)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=th, info=KEY_INFO).derive(shared)
