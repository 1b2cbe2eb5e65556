"""COSE_Sign1 (RFC 9052 §4.2) with ES256 (RFC 9053 §2.1), for MicroPython.

``parse_sign1(data)`` checks the structure: optional tag 18, a 4-element
array [protected bstr, unprotected map, payload bstr, signature bstr], the
protected bstr empty or a CBOR map, no label in both buckets. Detached
payloads (nil) are not supported. ``Sign1.verify(key, external_aad)``
hashes Sig_structure ["Signature1", protected, external_aad, payload]
incrementally (no copy of the payload) and checks the ECDSA P-256
signature (64 bytes r||s) with ``crypto.p256``. Algorithms other than
ES256 (-7) never verify.
"""
import hashlib

from verify import cbor
from verify.errors import VerifyError
from vitale_spec.reasons import COSE_STRUCTURE

TAG_SIGN1 = 18
ALG_ES256 = -7
H_ALG = 1
H_KID = 4
_SIGNATURE1 = b"\x6aSignature1"  # tstr "Signature1", encoded


class CoseError(VerifyError):
    code = COSE_STRUCTURE


class Sign1:
    def __init__(self, protected_bytes, protected, unprotected, payload, signature, tagged):
        self.protected_bytes = protected_bytes
        self.protected = protected
        self.unprotected = unprotected
        self.payload = payload
        self.signature = signature
        self.tagged = tagged

    def header(self, label):
        """A header parameter from either bucket (protected first), or None."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)

    def digest(self, external_aad=b""):
        """SHA-256 of the Sig_structure."""
        # no protected attribute: a zero-length bstr, even if sent as h'a0' (RFC 9052 §4.4)
        pb = self.protected_bytes if self.protected else b""
        h = hashlib.sha256(cbor.head(4, 4) + _SIGNATURE1)
        h.update(cbor.head(2, len(pb)))
        h.update(pb)
        h.update(cbor.head(2, len(external_aad)))
        h.update(external_aad)
        h.update(cbor.head(2, len(self.payload)))
        h.update(self.payload)
        return h.digest()

    def verify(self, key, external_aad=b""):
        """True when the signature verifies under ``key``.

        ``key``: a 65-byte uncompressed P-256 point, or an object with
        ``.verify(digest32, sig64)`` such as ``crypto.p256.TrustedKey``.
        """
        if self.header(H_ALG) != ALG_ES256 or len(self.signature) != 64:
            return False
        digest = self.digest(external_aad)
        if isinstance(key, (bytes, bytearray)):
            from crypto import p256

            return p256.verify(key, digest, self.signature)
        return key.verify(digest, self.signature)

    def __repr__(self):
        return "Sign1(payload=%d bytes)" % len(self.payload)


def parse_sign1(data, require_tag=False, max_size=cbor.MAX_SIZE):
    """Parse COSE_Sign1 bytes; raise ``CborError`` or ``CoseError``."""
    value = cbor.decode(data, max_size=max_size)
    return from_value(value, require_tag)


def from_value(value, require_tag=False):
    """A ``Sign1`` from an already-decoded CBOR value."""
    tagged = False
    if isinstance(value, cbor.Tag):
        if value.tag != TAG_SIGN1:
            raise CoseError("not a COSE_Sign1 tag")
        value = value.value
        tagged = True
    elif require_tag:
        raise CoseError("untagged")
    if type(value) is not list or len(value) != 4:
        raise CoseError("not a 4-element array")
    pb, unprotected, payload, signature = value
    if type(pb) is not bytes or type(unprotected) is not dict:
        raise CoseError("bad headers")
    if type(payload) is not bytes:
        raise CoseError("payload not a byte string")
    if type(signature) is not bytes:
        raise CoseError("signature not a byte string")
    if pb:
        protected = cbor.decode(pb)
        if type(protected) is not dict:
            raise CoseError("protected header not a map")
    else:
        protected = {}
    for label in protected:
        if label in unprotected:
            raise CoseError("label in both header buckets")
    return Sign1(pb, protected, unprotected, payload, signature, tagged)


# ---------------------------------------------------------------- COSE_Key

KTY_EC2 = 2
CRV_P256 = 1
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def ec2_point(key):
    """The 65-byte uncompressed point of a COSE_Key map (EC2, P-256).

    ``y`` is the 32-byte coordinate or, for a compressed point, a bool:
    true when y is odd (SEC 1 prefix 0x03), false when even (0x02).
    Raises ``CoseError`` for any other shape or a point off the curve
    (compressed form; the uncompressed form is checked by ``crypto.p256``).
    """
    if type(key) is not dict or type(key.get(1)) is not int or type(key.get(-1)) is not int:
        raise CoseError("not an EC2 P-256 key")
    if key.get(1) != KTY_EC2 or key.get(-1) != CRV_P256:
        raise CoseError("not an EC2 P-256 key")
    x = key.get(-2)
    y = key.get(-3)
    if type(x) is not bytes or len(x) != 32:
        raise CoseError("bad x")
    if type(y) is bytes and len(y) == 32:
        return b"\x04" + x + y
    if y is not True and y is not False:
        raise CoseError("bad y")
    xi = int.from_bytes(x, "big")
    if xi >= _P:
        raise CoseError("x out of range")
    rhs = (xi * xi % _P * xi - 3 * xi + _B) % _P
    yi = pow(rhs, (_P + 1) >> 2, _P)
    if yi * yi % _P != rhs:
        raise CoseError("x not on the curve")
    if (yi & 1) != (1 if y else 0):
        yi = _P - yi
    return b"\x04" + x + yi.to_bytes(32, "big")
