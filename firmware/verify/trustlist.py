"""The trust list: issuer keys and revoked app instances, signed by the pinned root.

Format in CREDENTIAL.md §5. ``TrustStore(root_pub65, storage)``:

* ``load()`` reads ``trustlist.cose`` from ``storage`` (``read(name)``),
  checks it like an update and installs it; returns its version, 0 when
  there is none; raises ``TrustListError`` when the stored list is bad
  (the store then stays empty: every presentation fails ``no_trust_list``).
* ``update(signed_bytes, now)`` checks a new list (root signature, shape,
  version strictly above the installed one; the very same bytes again are
  accepted as a no-op), writes it with ``storage.write_atomic`` and only
  then swaps it in; returns the version. Raises ``TrustListError`` whose
  ``code`` is ``trust_list_signature``, ``trust_list_malformed`` or
  ``trust_list_rollback``; the installed list is untouched on error.
* ``issuer(kid)`` -> ``Issuer`` or None; ``is_revoked(app_id)``.

One ``crypto.p256.TrustedKey`` per issuer key is built once, at install.
"""
import hashlib

from core.errors import ReaderError
from crypto import p256
from verify import cbor, cose
from vitale_spec.reasons import TRUST_LIST_MALFORMED, TRUST_LIST_ROLLBACK, TRUST_LIST_SIGNATURE

NAME = "trustlist.cose"
MAX_SIZE = 32768
MAX_ISSUERS = 32
MAX_REVOKED = 1024
USAGE_ATTEST = "attest"
# DER SubjectPublicKeyInfo prefix of an uncompressed P-256 key (id-ecPublicKey, prime256v1)
_SPKI_P256 = b"\x30\x59\x30\x13\x06\x07\x2a\x86\x48\xce\x3d\x02\x01\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07\x03\x42\x00"

# trust-list payload labels
TL_VERSION = 1
TL_ISSUED_AT = 2
TL_ISSUERS = 3
TL_REVOKED = 4
TL_LABEL = 5
# issuer entry labels
IE_KID = 1
IE_KEY = 2
IE_NOT_BEFORE = 3
IE_NOT_AFTER = 4
IE_USAGE = 5


class TrustListError(ReaderError):
    code = TRUST_LIST_MALFORMED


def kid_of(pub65):
    """kid of a key: the first 8 bytes of SHA-256 over its DER SubjectPublicKeyInfo."""
    return hashlib.sha256(_SPKI_P256 + pub65).digest()[:8]


def _uint(v):
    return type(v) is int and v >= 0


class Issuer:
    def __init__(self, kid, pub65, key, not_before, not_after, usage):
        self.kid = kid
        self.pub65 = pub65
        self.key = key  # crypto.p256.TrustedKey
        self.not_before = not_before
        self.not_after = not_after
        self.usage = usage

    def valid_at(self, now):
        return self.not_before <= now <= self.not_after

    def __repr__(self):
        return "Issuer(kid=%s)" % self.kid.hex()


class _List:
    """A checked, decoded trust list (not yet installed)."""

    def __init__(self, raw, version, issued_at, issuers, revoked, label):
        self.raw = raw
        self.version = version
        self.issued_at = issued_at
        self.issuers = issuers
        self.revoked = revoked
        self.label = label


def _malformed(detail):
    return TrustListError(detail, TRUST_LIST_MALFORMED)


def parse(raw, root_pub65):
    """Check ``raw`` (signature, then shape); return a ``_List`` or raise ``TrustListError``."""
    if not isinstance(raw, (bytes, bytearray)) or len(raw) > MAX_SIZE:
        raise _malformed("size")
    raw = bytes(raw)
    try:
        s1 = cose.parse_sign1(raw, True, MAX_SIZE)
    except ValueError as err:
        raise _malformed("structure: %s" % err)
    if s1.protected.get(cose.H_ALG) != cose.ALG_ES256:
        raise _malformed("alg")
    if not s1.verify(root_pub65):
        raise TrustListError("root signature", TRUST_LIST_SIGNATURE)
    try:
        body = cbor.decode(s1.payload, cbor.MAX_DEPTH, 8 * MAX_REVOKED + 16 * MAX_ISSUERS + 64, cbor.MAX_STR, MAX_SIZE)
    except ValueError as err:
        raise _malformed("payload: %s" % err)
    if type(body) is not dict:
        raise _malformed("payload not a map")
    version = body.get(TL_VERSION)
    issued_at = body.get(TL_ISSUED_AT)
    entries = body.get(TL_ISSUERS)
    revoked = body.get(TL_REVOKED, [])
    label = body.get(TL_LABEL, "")
    if not _uint(version) or version == 0 or not _uint(issued_at):
        raise _malformed("version / issued_at")
    if type(entries) is not list or len(entries) > MAX_ISSUERS:
        raise _malformed("issuers")
    if type(revoked) is not list or len(revoked) > MAX_REVOKED:
        raise _malformed("revoked")
    if type(label) is not str:
        raise _malformed("label")
    issuers = {}
    for e in entries:
        if type(e) is not dict:
            raise _malformed("issuer entry")
        kid = e.get(IE_KID)
        nb = e.get(IE_NOT_BEFORE)
        na = e.get(IE_NOT_AFTER)
        usage = e.get(IE_USAGE)
        if type(kid) is not bytes or len(kid) != 8 or not _uint(nb) or not _uint(na) or type(usage) is not str:
            raise _malformed("issuer entry fields")
        try:
            pub65 = cose.ec2_point(e.get(IE_KEY))
        except ValueError:
            raise _malformed("issuer key")
        if kid_of(pub65) != kid:
            raise _malformed("kid does not match key")
        if kid in issuers:
            raise _malformed("duplicate kid")
        issuers[kid] = (pub65, nb, na, usage)
    rset = set()
    for app_id in revoked:
        if type(app_id) is not bytes or len(app_id) != 16:
            raise _malformed("revoked entry")
        rset.add(app_id)
    return _List(raw, version, issued_at, issuers, rset, label)


class TrustStore:
    def __init__(self, root_pub65, storage):
        if len(root_pub65) != 65:
            raise ValueError("root key")
        self.root_pub65 = bytes(root_pub65)
        self.storage = storage
        self.version = 0
        self.issued_at = 0
        self.label = ""
        self.updated_at = None
        self._raw = None
        self._issuers = {}
        self._revoked = set()

    @property
    def loaded(self):
        return self.version > 0

    def _install(self, tl):
        issuers = {}
        for kid in tl.issuers:
            pub65, nb, na, usage = tl.issuers[kid]
            try:
                key = p256.TrustedKey(pub65)
            except ValueError:
                raise _malformed("issuer key not on the curve")
            issuers[kid] = Issuer(kid, pub65, key, nb, na, usage)
        return issuers

    def load(self):
        raw = self.storage.read(NAME)
        if raw is None:
            return 0
        tl = parse(raw, self.root_pub65)
        issuers = self._install(tl)
        self._swap(tl, issuers)
        return self.version

    def update(self, signed_bytes, now):
        tl = parse(signed_bytes, self.root_pub65)
        if tl.version < self.version or (tl.version == self.version and tl.raw != self._raw):
            raise TrustListError("version %d after %d" % (tl.version, self.version), TRUST_LIST_ROLLBACK)
        if tl.version == self.version:
            return self.version  # the installed list again: nothing to do
        issuers = self._install(tl)
        self.storage.write_atomic(NAME, tl.raw)
        self._swap(tl, issuers)
        self.updated_at = now
        return self.version

    def _swap(self, tl, issuers):
        self._raw = tl.raw
        self.version = tl.version
        self.issued_at = tl.issued_at
        self.label = tl.label
        self._issuers = issuers
        self._revoked = tl.revoked

    def issuer(self, kid):
        return self._issuers.get(kid)

    def is_revoked(self, app_id):
        return app_id in self._revoked

    @property
    def raw(self):
        """The installed signed list (to hand to the host), or None."""
        return self._raw

    def __repr__(self):
        return "TrustStore(version=%d, issuers=%d, revoked=%d)" % (
            self.version,
            len(self._issuers),
            len(self._revoked),
        )
