"""P-256 keys and COSE_Sign1/ES256 signing for the TEST issuer (``cryptography`` + ``cbor2``)."""
from __future__ import annotations

import hashlib
from typing import Any, Optional

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .profile import ALG_ES256, H_ALG, H_KID, TAG_SIGN1

PrivateKey = ec.EllipticCurvePrivateKey
PublicKey = ec.EllipticCurvePublicKey


def generate() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pub65(key: PrivateKey | PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def public_from65(point: bytes) -> PublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def kid(key: PrivateKey | PublicKey) -> bytes:
    """First 8 bytes of SHA-256 over the DER SubjectPublicKeyInfo."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:8]


def cose_key(key: PrivateKey | PublicKey, compressed: bool = False) -> dict:
    """COSE_Key map (EC2, P-256). Compressed: y is a bool, true when y is odd."""
    p = pub65(key)
    x, y = p[1:33], p[33:]
    return {1: 2, -1: 1, -2: x, -3: (bool(y[-1] & 1) if compressed else y)}


def sign_raw(key: PrivateKey, data: bytes) -> bytes:
    """ES256 signature over ``data``: r || s, 32 bytes each."""
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sig_structure(protected: bytes, payload: bytes, external_aad: bytes = b"") -> bytes:
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def sign1(key: PrivateKey, payload: bytes, *, kid_: Optional[bytes] = None, protected: Optional[dict] = None,
          unprotected: Optional[dict] = None, external_aad: bytes = b"", tagged: bool = True) -> bytes:
    """COSE_Sign1 (ES256) over ``payload``; protected header {1: -7[, 4: kid]} unless given."""
    if protected is None:
        protected = {H_ALG: ALG_ES256}
        if kid_ is not None:
            protected[H_KID] = kid_
    pb = cbor2.dumps(protected) if protected else b""
    sig = sign_raw(key, sig_structure(pb, payload, external_aad))
    body: list[Any] = [pb, unprotected or {}, payload, sig]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, body) if tagged else body)


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: PrivateKey | PublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_pem(data: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("not a P-256 private key")
    return key


def decode_sign1(data: bytes) -> tuple[bytes, dict, bytes, bytes]:
    """(protected bytes, unprotected, payload, signature) of a COSE_Sign1 (tagged or not)."""
    v = cbor2.loads(data)
    if isinstance(v, cbor2.CBORTag):
        v = v.value
    pb, unprot, payload, sig = v
    return pb, dict(unprot), payload, sig


def encode_sign1(pb: bytes, unprotected: dict, payload: bytes, sig: bytes, tagged: bool = True) -> bytes:
    body = [pb, unprotected, payload, sig]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, body) if tagged else body)
