"""The phone application protocol, reader side (spec: protocol/NFC.md, version 1).

1. SELECT the Vitale AID → version + cipher suites.
2. AUTHENTICATE with a fresh 16-byte nonce and an ephemeral P-256 key →
   the phone's ephemeral key + the presentation under AES-256-GCM, the key
   from ECDH → HKDF-SHA256 salted with SHA-256(session transcript).
3. GET RESPONSE while the phone says 61xx (handled by ``isodep``).

The result is ``(presentation, nonce, transcript_hash)``; verifying the
presentation (bound to nonce and transcript hash) is the verifier's job.
"""
import hashlib

from core.errors import CaptureError
from nfc.isodep import BudgetExpired
from vitale_spec.nfc import (AID, CLA_PROPRIETARY, DECRYPT_FAILED, EXCHANGE_MS, GCM_IV, INS_AUTHENTICATE,
                             INS_SELECT, KEY_INFO, NONCE_LEN, PROTOCOL, PUB_LEN, SUITE_P256_HKDF_AESGCM, TAG_LEN,
                             VERSION, WRONG_AID)


class WrongAid(CaptureError):
    """The phone has no Vitale application behind the AID (or refused to select it)."""

    code = WRONG_AID


class ProtocolError(CaptureError):
    """The phone answered, but not as protocol/NFC.md says."""

    code = PROTOCOL


class DecryptError(CaptureError):
    """The AES-GCM tag did not verify: wrong key (replayed answer) or altered ciphertext."""

    code = DECRYPT_FAILED


def _bstr(b):
    n = len(b)
    if n < 24:
        return bytes((0x40 | n,)) + bytes(b)
    if n < 256:
        return bytes((0x58, n)) + bytes(b)
    return bytes((0x59, n >> 8, n & 0xFF)) + bytes(b)


def transcript(select_data, reader_pub, nonce, phone_pub):
    """The session transcript: CBOR array [select response data, reader key, nonce, phone key]."""
    return b"\x84" + _bstr(select_data) + _bstr(reader_pub) + _bstr(nonce) + _bstr(phone_pub)


def transcript_hash(select_data, reader_pub, nonce, phone_pub):
    return hashlib.sha256(transcript(select_data, reader_pub, nonce, phone_pub)).digest()


def session_key(shared, th):
    from crypto.hkdf import hkdf_sha256

    return hkdf_sha256(shared, th, KEY_INFO, 32)


def parse_select(data):
    """Check the SELECT response data: version, suites. Returns the version."""
    if len(data) < 2:
        raise ProtocolError("short SELECT response")
    if data[0] != VERSION:
        raise ProtocolError("unsupported version %d" % data[0])
    if not data[1] & SUITE_P256_HKDF_AESGCM:
        raise ProtocolError("no common cipher suite")
    return data[0]


def open_response(priv, reader_pub, nonce, select_data, data):
    """Decrypt the AUTHENTICATE answer. Returns ``(presentation, transcript_hash)``."""
    from crypto import gcm, p256

    if len(data) < PUB_LEN + TAG_LEN:
        raise ProtocolError("short AUTHENTICATE response")
    phone_pub = bytes(data[:PUB_LEN])
    if phone_pub[0] != 0x04:
        raise ProtocolError("phone key not an uncompressed point")
    try:
        shared = p256.ecdh(priv, phone_pub)
    except ValueError:
        raise ProtocolError("phone key not on the curve")
    th = transcript_hash(select_data, reader_pub, nonce, phone_pub)
    key = session_key(shared, th)
    try:
        presentation = gcm.AesGcm(key).decrypt(GCM_IV, bytes(data[PUB_LEN:]), th)
    except gcm.AuthError:
        raise DecryptError("GCM tag mismatch")
    return presentation, th


def new_ephemeral(random_bytes):
    """An ephemeral reader key pair ``(priv, pub65)``; compute it before the tap to save time."""
    from crypto import p256

    return p256.generate_keypair(random_bytes)


def _budget(exchange_ms, deadline):
    if deadline is None:
        return exchange_ms
    if deadline.expired():
        raise BudgetExpired("tap budget spent")
    return min(exchange_ms, deadline.remaining())


def run(iso, random_bytes, keypair=None, exchange_ms=EXCHANGE_MS, deadline=None):
    """Run the protocol over ``iso`` (an ``isodep.IsoDep``). Generator.

    Returns ``(presentation, nonce, transcript_hash)``. ``keypair`` is a fresh,
    never used ``(priv, pub65)`` (made now if None). Each command gets at most
    ``exchange_ms``, and the whole run ends by ``deadline`` (a ``Deadline``) if given.
    Raises WrongAid, ProtocolError, DecryptError, ``isodep`` and driver errors.
    """
    r = yield from iso.send(0x00, INS_SELECT, 0x04, 0x00, AID, 256, _budget(exchange_ms, deadline))
    if not r.ok:
        raise WrongAid("SELECT sw %04x" % r.sw)
    select_data = r.data
    parse_select(select_data)
    nonce = bytes(random_bytes(NONCE_LEN))
    if keypair is None:
        keypair = new_ephemeral(random_bytes)
    priv, reader_pub = keypair
    reader_pub = bytes(reader_pub)
    r = yield from iso.send(CLA_PROPRIETARY, INS_AUTHENTICATE, VERSION, 0x00, nonce + reader_pub, 256,
                            _budget(exchange_ms, deadline))
    if not r.ok:
        raise ProtocolError("AUTHENTICATE sw %04x" % r.sw)
    presentation, th = open_response(priv, reader_pub, nonce, select_data, r.data)
    return presentation, nonce, th
