"""Link authentication: HMAC-SHA256, HKDF-SHA256 and the key schedule of SPEC.md sections 2, 7, 8.

Only ``hashlib.sha256`` is needed, which every MicroPython port this project
targets has; so the codec carries its own small HMAC instead of importing
``firmware/crypto`` (the host has no firmware on its path) or taking a key
object from the caller (firmware and host would then compute tags and keys
with two different codes, and the vectors could check only one).

The ECDH that feeds :func:`pairing_key` stays outside: ``firmware/crypto`` on
the reader, ``cryptography`` on the host. Everything here is a pure function
of bytes, so both sides derive the same keys, and ``protocol/vectors/link.json``
pins them.
"""
import hashlib

TAG_LEN = 8  # truncated HMAC-SHA256 in a frame's AUTH trailer
PAIR_TAG_LEN = 16  # truncated HMAC-SHA256 in PAIR_REPLY / PAIR_CONFIRM
KEY_LEN = 32
NONCE_LEN = 16
PAIR_INFO = b"VitaleLink2 pair"
SESSION_INFO = b"VitaleLink2 session"

_IPAD = int.from_bytes(b"\x36" * 64, "big")
_OPAD = int.from_bytes(b"\x5c" * 64, "big")


class MacKey:
    """An HMAC-SHA256 key with its padded blocks computed once (a session key MACs every frame)."""

    __slots__ = ("_ipad", "_opad")

    def __init__(self, key):
        key = bytes(key)
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        k = int.from_bytes(key + bytes(64 - len(key)), "big")
        self._ipad = (k ^ _IPAD).to_bytes(64, "big")
        self._opad = (k ^ _OPAD).to_bytes(64, "big")

    def mac(self, *parts):
        """HMAC-SHA256 over the concatenation of ``parts``, without concatenating them."""
        inner = hashlib.sha256(self._ipad)
        for part in parts:
            inner.update(part)
        outer = hashlib.sha256(self._opad)
        outer.update(inner.digest())
        return outer.digest()

    def __repr__(self):
        return "MacKey(...)"  # never the key


def hmac_sha256(key, msg):
    return MacKey(key).mac(msg)


def compare_digest(a, b):
    """True if the byte strings are equal; time depends only on their lengths."""
    if len(a) != len(b):
        return False
    r = 0
    for i in range(len(a)):
        r |= a[i] ^ b[i]
    return r == 0


def hkdf_sha256(ikm, salt, info, length):
    """RFC 5869 extract-then-expand; an empty salt means 32 zero bytes. ``length`` <= 8160."""
    if length < 0 or length > 255 * 32:
        raise ValueError("HKDF-SHA256 output length out of range")
    prk = MacKey(salt or bytes(32)).mac(ikm)
    expand = MacKey(prk)
    out = b""
    block = b""
    i = 1
    while len(out) < length:
        block = expand.mac(block, info, bytes((i,)))
        out += block
        i += 1
    return out[:length]


# -- pairing (SPEC.md section 7) --------------------------------------------------
def pairing_transcript(device_id, host_key, reader_key):
    """SHA-256(device_id || host_key || reader_key): binds the pairing to this reader and both keys."""
    h = hashlib.sha256(bytes(device_id))
    h.update(bytes(host_key))
    h.update(bytes(reader_key))
    return h.digest()


def pairing_key(shared_secret, transcript):
    """K_pair = HKDF-SHA256(Z, salt = transcript, info = "VitaleLink2 pair", 32)."""
    return hkdf_sha256(shared_secret, transcript, PAIR_INFO, KEY_LEN)


def pairing_tag(k_pair, role, transcript):
    """HMAC(K_pair, role || transcript)[:16], role b"reader" (PAIR_REPLY) or b"host" (PAIR_CONFIRM)."""
    return MacKey(k_pair).mac(role, transcript)[:PAIR_TAG_LEN]


# -- sessions (SPEC.md section 8) -------------------------------------------------
def session_keys(k_pair, host_nonce, reader_nonce, pair_id):
    """(K_h2r, K_r2h) = HKDF-SHA256(K_pair, salt = host_nonce || reader_nonce,
    info = "VitaleLink2 session" || pair_id:u8, 64), split in two.

    The reader calls ``endpoint.set_keys(tx=K_r2h, rx=K_h2r)``, the host the reverse.
    """
    if not 0 <= pair_id <= 255:
        raise ValueError("pair_id is a u8")
    okm = hkdf_sha256(k_pair, bytes(host_nonce) + bytes(reader_nonce), SESSION_INFO + bytes((pair_id,)), 2 * KEY_LEN)
    return okm[:KEY_LEN], okm[KEY_LEN:]
