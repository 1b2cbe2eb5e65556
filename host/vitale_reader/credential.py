"""Independent host-side verification of e-Carte Vitale presentations (protocol/CREDENTIAL.md).

The reader verifies every presentation itself; this module verifies it
again on the host, with its own code (``cryptography`` + ``cbor2``) and its
own replay cache, so that practice-management software does not have to
trust the reader's verdict::

    from vitale_reader.credential import HostVerifier, load_trust_anchor

    verifier = HostVerifier(load_trust_anchor())      # the built-in TEST anchor
    verdict = verifier.verify_qr(text, now=int(time.time()))
    if verdict.ok:
        identity = verdict.identity                   # vitale_reader.identity.Identity

Verdict reasons are ``Reason`` (``vitale_spec.reasons``, shared with the
firmware), given for the first check that failed, in the order of
CREDENTIAL.md §7.

``load_trust_anchor()`` with no directory loads the built-in TEST anchor
(``testpki_root.pub.pem`` and ``testpki_trustlist.cose`` shipped in this
package): the root of a TEST PKI whose private keys are public. Production
software passes its own directory.
"""
from __future__ import annotations

import hashlib
import importlib.resources
import os
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from vitale_spec import reasons as Reason  # the reason codes (CREDENTIAL.md §8), one module for reader and host

from .errors import VitaleError
from .identity import Identity, nir_key

__all__ = [
    "Reason", "VERDICT_REASONS", "TRUST_LIST_REASONS", "ALL_REASONS", "CredentialError", "TrustListError",
    "TrustAnchor", "IssuerEntry", "Verdict", "HostVerifier", "ReplayCache", "load_trust_anchor", "QR_PREFIX",
]


VERDICT_REASONS: tuple[str, ...] = Reason.VERDICT_REASONS
TRUST_LIST_REASONS: tuple[str, ...] = Reason.TRUST_LIST_REASONS
ALL_REASONS: tuple[str, ...] = Reason.ALL

# --- profile constants (CREDENTIAL.md) ------------------------------------------------------
QR_PREFIX = "VT1:"
MAX_TEXT = 4296
MAX_PRESENTATION = 2048
MAX_NONCE = 64
TRUST_LIST_MAX_SIZE = 32768
TRUST_LIST_MAX_ISSUERS = 32
TRUST_LIST_MAX_REVOKED = 1024
ALG_ES256 = -7
TAG_SIGN1 = 18
FORM_NFC, FORM_QR = 1, 2
USAGE_ATTEST = "attest"
_SPKI_P256 = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45 = {c: i for i, c in enumerate(_BASE45)}


class CredentialError(VitaleError):
    """Root of the credential module's errors (carries a reason ``code``)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class TrustListError(CredentialError):
    """A trust list (or trust-list update) was refused: ``code`` is a ``trust_list_*`` reason."""


class _Fail(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


# --- byte layers: Base45, zlib, strict CBOR ---------------------------------------------------


def b45decode(text: str) -> bytes:
    """RFC 9285 Base45, rejecting what the RFC calls invalid (raises ``ValueError``)."""
    if len(text) % 3 == 1:
        raise ValueError("dangling character")
    try:
        vals = [_B45[c] for c in text]
    except KeyError as err:
        raise ValueError("character outside the alphabet") from err
    out = bytearray()
    for i in range(0, len(vals), 3):
        g = vals[i:i + 3]
        if len(g) == 3:
            v = g[0] + g[1] * 45 + g[2] * 2025
            if v > 0xFFFF:
                raise ValueError("group out of range")
            out += bytes((v >> 8, v & 0xFF))
        else:
            v = g[0] + g[1] * 45
            if v > 0xFF:
                raise ValueError("group out of range")
            out.append(v)
    return bytes(out)


def inflate(data: bytes, max_out: int = MAX_PRESENTATION) -> bytes:
    """zlib with an output limit; bytes after the stream are ignored (as on the reader)."""
    if len(data) < 6:
        raise ValueError("too short")
    cmf, flg = data[0], data[1]
    if cmf & 0x0F != 8 or ((cmf << 8) | flg) % 31 or flg & 0x20 or cmf >> 4 > 7:
        raise ValueError("bad zlib header")
    d = zlib.decompressobj(15)
    try:
        out = d.decompress(data, max_out + 1)
    except zlib.error as err:
        raise ValueError("corrupt stream") from err
    if len(out) > max_out:
        raise ValueError("output too large")
    if not d.eof:
        raise ValueError("truncated stream")
    return out


@dataclass
class _Limits:
    depth: int = 16
    items: int = 512
    string: int = 4096
    size: int = 8192


def _check_cbor(data: bytes, lim: _Limits) -> None:
    """Enforce the profile's CBOR subset (CREDENTIAL.md §3), like the reader's decoder.

    Well-formed, one item, no trailing bytes, definite lengths, no floats,
    preferred (shortest) heads, simple values well-formed, map keys of
    major type 0-3, and the depth / item / string / size limits.
    """
    if len(data) > lim.size:
        raise ValueError("input too large")
    n = len(data)
    items = [lim.items]

    def head(pos: int) -> tuple[int, int, int, int]:
        if pos >= n:
            raise ValueError("truncated")
        ib = data[pos]
        mt, ai = ib >> 5, ib & 31
        pos += 1
        if ai < 24:
            return mt, ai, ai, pos
        if ai < 28:
            if mt == 7:
                if ai == 24:
                    if pos >= n:
                        raise ValueError("truncated")
                    if data[pos] < 32:
                        raise ValueError("simple value not well-formed")
                    return mt, ai, data[pos], pos + 1
                raise ValueError("float not supported")
            k = 1 << (ai - 24)
            if pos + k > n:
                raise ValueError("truncated")
            arg = int.from_bytes(data[pos:pos + k], "big")
            if arg < (24 if k == 1 else 1 << (4 * k)):
                raise ValueError("non-minimal head")
            return mt, ai, arg, pos + k
        raise ValueError("indefinite length or reserved value")

    def item(pos: int, depth: int) -> tuple[int, int]:
        """(end position, major type) of the item at ``pos``."""
        items[0] -= 1
        if items[0] < 0:
            raise ValueError("too many items")
        mt, _, arg, pos = head(pos)
        if mt in (2, 3):
            if arg > lim.string:
                raise ValueError("string too long")
            if pos + arg > n:
                raise ValueError("truncated")
            if mt == 3:
                try:
                    data[pos:pos + arg].decode("utf-8")
                except UnicodeDecodeError as err:
                    raise ValueError("invalid utf-8") from err
            return pos + arg, mt
        if mt in (0, 1, 7):
            return pos, mt
        if depth >= lim.depth:
            raise ValueError("too deep")
        if mt == 4:
            if arg > n - pos:
                raise ValueError("array longer than input")
            for _ in range(arg):
                pos, _mt = item(pos, depth + 1)
            return pos, mt
        if mt == 5:
            if 2 * arg > n - pos:
                raise ValueError("map longer than input")
            for _ in range(arg):
                pos, kmt = item(pos, depth + 1)
                if kmt > 3:
                    raise ValueError("map key type")
                pos, _mt = item(pos, depth + 1)
            return pos, mt
        pos, _mt = item(pos, depth + 1)  # tag
        return pos, mt

    end, _ = item(0, 0)
    if end != n:
        raise ValueError("trailing bytes")


def _cbor(data: bytes, lim: Optional[_Limits] = None) -> Any:
    """Decode ``data`` strictly; raise ``_Fail(cbor)``."""
    try:
        _check_cbor(data, lim or _Limits())
        return cbor2.loads(data, allow_indefinite=False, allow_duplicate_keys=False, max_depth=32)
    except (ValueError, cbor2.CBORDecodeError) as err:
        raise _Fail(Reason.CBOR, str(err)) from err


def _structure(detail: str) -> _Fail:
    return _Fail(Reason.COSE_STRUCTURE, detail)


def _is_uint(v: Any) -> bool:
    return type(v) is int and v >= 0


def _is_map(v: Any) -> bool:
    return isinstance(v, Mapping)


@dataclass
class _Sign1:
    protected_bytes: bytes
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    def sig_structure(self, external_aad: bytes = b"") -> bytes:
        # no protected attribute: a zero-length bstr, even if sent as h'a0' (RFC 9052 §4.4)
        pb = self.protected_bytes if self.protected else b""
        return cbor2.dumps(["Signature1", pb, external_aad, self.payload])

    def verify(self, key: ec.EllipticCurvePublicKey, external_aad: bytes = b"") -> bool:
        alg = self.protected.get(1, self.unprotected.get(1))
        if alg != ALG_ES256 or len(self.signature) != 64:
            return False
        der = encode_dss_signature(int.from_bytes(self.signature[:32], "big"),
                                   int.from_bytes(self.signature[32:], "big"))
        try:
            key.verify(der, self.sig_structure(external_aad), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True


def _sign1(data: bytes, lim: Optional[_Limits] = None) -> _Sign1:
    """Parse a tagged COSE_Sign1 (CREDENTIAL.md §2); raise ``_Fail``."""
    v = _cbor(data, lim)
    if not isinstance(v, cbor2.CBORTag) or v.tag != TAG_SIGN1:
        raise _structure("not a tagged COSE_Sign1")
    body = v.value
    if not isinstance(body, (list, tuple)) or len(body) != 4:
        raise _structure("not a 4-element array")
    pb, unprotected, payload, sig = body
    if type(pb) is not bytes or not _is_map(unprotected) or type(payload) is not bytes or type(sig) is not bytes:
        raise _structure("bad COSE_Sign1 members")
    protected: Mapping[Any, Any] = {}
    if pb:
        protected = _cbor(pb)
        if not _is_map(protected):
            raise _structure("protected header not a map")
    if any(k in unprotected for k in protected):
        raise _structure("label in both header buckets")
    return _Sign1(pb, protected, unprotected, payload, sig)


def _ec2_key(key: Any) -> Union[bytes, ec.EllipticCurvePublicKey]:
    """A COSE_Key (EC2, P-256): compressed form -> public key (checked now); uncompressed -> 65 bytes."""
    if not _is_map(key) or type(key.get(1)) is not int or type(key.get(-1)) is not int \
            or key.get(1) != 2 or key.get(-1) != 1:
        raise ValueError("not an EC2 P-256 key")
    x, y = key.get(-2), key.get(-3)
    if type(x) is not bytes or len(x) != 32:
        raise ValueError("bad x")
    if type(y) is bytes and len(y) == 32:
        return b"\x04" + x + y
    if type(y) is not bool:
        raise ValueError("bad y")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), (b"\x03" if y else b"\x02") + x)


def _public(point: Union[bytes, ec.EllipticCurvePublicKey]) -> ec.EllipticCurvePublicKey:
    if isinstance(point, ec.EllipticCurvePublicKey):
        return point
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)


def kid_of(key: ec.EllipticCurvePublicKey) -> bytes:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:8]


# --- trust anchor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuerEntry:
    kid: bytes
    key: ec.EllipticCurvePublicKey
    not_before: int
    not_after: int
    usage: str

    def valid_at(self, now: int) -> bool:
        return self.not_before <= now <= self.not_after


@dataclass
class TrustAnchor:
    """The pinned root key and the installed trust list (empty until one is installed)."""

    root: ec.EllipticCurvePublicKey
    version: int = 0
    issued_at: int = 0
    label: str = ""
    issuers: dict[bytes, IssuerEntry] = field(default_factory=dict)
    revoked: frozenset[bytes] = frozenset()
    raw: Optional[bytes] = None

    @property
    def loaded(self) -> bool:
        return self.version > 0

    @property
    def is_test(self) -> bool:
        """True when the root is the built-in TEST root."""
        return self.root.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo) == _test_root_pem()

    def update(self, signed: bytes, now: Optional[int] = None) -> int:
        """Install a new trust list (same rules as the reader); return its version.

        :raises TrustListError: ``trust_list_signature``, ``trust_list_malformed``, ``trust_list_rollback``.
        """
        version, issued_at, label, issuers, revoked = self._parse(signed)
        if version < self.version or (version == self.version and signed != self.raw):
            raise TrustListError(Reason.TRUST_LIST_ROLLBACK, f"version {version} after {self.version}")
        self.version, self.issued_at, self.label = version, issued_at, label
        self.issuers, self.revoked, self.raw = issuers, revoked, bytes(signed)
        return version

    def _parse(self, signed: bytes) -> tuple[int, int, str, dict[bytes, IssuerEntry], frozenset[bytes]]:
        def bad(detail: str) -> TrustListError:
            return TrustListError(Reason.TRUST_LIST_MALFORMED, detail)

        if not isinstance(signed, (bytes, bytearray)) or len(signed) > TRUST_LIST_MAX_SIZE:
            raise bad("size")
        lim = _Limits(items=8 * TRUST_LIST_MAX_REVOKED + 16 * TRUST_LIST_MAX_ISSUERS + 64,
                      size=TRUST_LIST_MAX_SIZE)
        try:
            s1 = _sign1(bytes(signed), lim)
        except _Fail as f:
            raise bad(f"structure: {f.detail}") from f
        if s1.protected.get(1) != ALG_ES256:
            raise bad("alg")
        if not s1.verify(self.root):
            raise TrustListError(Reason.TRUST_LIST_SIGNATURE, "root signature")
        try:
            body = _cbor(s1.payload, lim)
        except _Fail as f:
            raise bad(f"payload: {f.detail}") from f
        if not _is_map(body):
            raise bad("payload not a map")
        version, issued_at = body.get(1), body.get(2)
        entries, revoked, label = body.get(3), body.get(4, []), body.get(5, "")
        if not _is_uint(version) or version == 0 or not _is_uint(issued_at):
            raise bad("version / issued_at")
        if not isinstance(entries, (list, tuple)) or len(entries) > TRUST_LIST_MAX_ISSUERS:
            raise bad("issuers")
        if not isinstance(revoked, (list, tuple)) or len(revoked) > TRUST_LIST_MAX_REVOKED:
            raise bad("revoked")
        if type(label) is not str:
            raise bad("label")
        issuers: dict[bytes, IssuerEntry] = {}
        for e in entries:
            if not _is_map(e):
                raise bad("issuer entry")
            kid, nb, na, usage = e.get(1), e.get(3), e.get(4), e.get(5)
            if type(kid) is not bytes or len(kid) != 8 or not _is_uint(nb) or not _is_uint(na) \
                    or type(usage) is not str:
                raise bad("issuer entry fields")
            try:
                key = _public(_ec2_key(e.get(2)))
            except ValueError as err:
                raise bad("issuer key") from err
            if kid_of(key) != kid:
                raise bad("kid does not match key")
            if kid in issuers:
                raise bad("duplicate kid")
            issuers[kid] = IssuerEntry(kid, key, nb, na, usage)
        for app_id in revoked:
            if type(app_id) is not bytes or len(app_id) != 16:
                raise bad("revoked entry")
        return version, issued_at, label, issuers, frozenset(revoked)

    def __repr__(self) -> str:
        return f"TrustAnchor(version={self.version}, issuers={len(self.issuers)}, revoked={len(self.revoked)}" \
               f"{', TEST root' if self.is_test else ''})"


def _package_data(name: str) -> bytes:
    return importlib.resources.files(__package__).joinpath(name).read_bytes()


def _test_root_pem() -> bytes:
    return _package_data("testpki_root.pub.pem")


def load_trust_anchor(pki_dir: Optional[Union[str, os.PathLike[str]]] = None, *,
                      root_pem: Optional[bytes] = None, trust_list: Optional[bytes] = None) -> TrustAnchor:
    """The trust anchor: a root public key (PEM) and, if available, a trust list checked against it.

    ``pki_dir``: a directory with ``root.pub.pem`` and (optional) ``trustlist.cose``, e.g. made
    by ``vitale-issuer init``. None: the built-in TEST anchor shipped in this package
    (``testpki_root.pub.pem``, ``testpki_trustlist.cose``). ``root_pem`` / ``trust_list``
    override either file.

    :raises CredentialError: unreadable root key (``code`` ``no_trust_list``).
    :raises TrustListError: the trust list does not check out.
    """
    tl: Optional[bytes]
    if pki_dir is None:
        pem = root_pem if root_pem is not None else _test_root_pem()
        tl = trust_list if trust_list is not None else _package_data("testpki_trustlist.cose")
    else:
        d = Path(pki_dir)
        try:
            pem = root_pem if root_pem is not None else (d / "root.pub.pem").read_bytes()
        except OSError as err:
            raise CredentialError(Reason.NO_TRUST_LIST, f"no root key in {d}") from err
        tl = trust_list
        if tl is None and (d / "trustlist.cose").exists():
            tl = (d / "trustlist.cose").read_bytes()
    try:
        root = serialization.load_pem_public_key(pem)
    except ValueError as err:
        raise CredentialError(Reason.NO_TRUST_LIST, "unreadable root key") from err
    if not isinstance(root, ec.EllipticCurvePublicKey) or root.curve.name != "secp256r1":
        raise CredentialError(Reason.NO_TRUST_LIST, "the root is not a P-256 key")
    anchor = TrustAnchor(root)
    if tl is not None:
        anchor.update(tl)
    return anchor


# --- verdicts and the verifier --------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Verdict:
    """The host's verdict on one presentation. ``repr`` shows no identity data."""

    ok: bool
    reason: str
    identity: Optional[Identity] = None
    app_id: Optional[bytes] = None
    source: str = ""
    kid: Optional[bytes] = None
    detail: str = ""

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok}, reason={self.reason}, source={self.source})"

    __str__ = __repr__


class ReplayCache:
    """Bounded: entries expire with the QR window; when full the oldest goes (``evictions`` counts)."""

    def __init__(self, capacity: int = 1024):
        self.capacity = capacity
        self._entries: OrderedDict[bytes, int] = OrderedDict()
        self.evictions = 0

    def _purge(self, now: int) -> None:
        for key in [k for k, exp in self._entries.items() if exp < now]:
            del self._entries[key]

    def seen(self, key: bytes, now: int) -> bool:
        self._purge(now)
        return key in self._entries

    def add(self, key: bytes, expires: int, now: int) -> None:
        self._purge(now)
        if key in self._entries:
            return
        if len(self._entries) >= self.capacity:
            self._entries.popitem(last=False)
            self.evictions += 1
        self._entries[key] = expires

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class _Parsed:
    outer: _Sign1
    body: Mapping[Any, Any]
    att: _Sign1
    kid: bytes
    holder: Union[bytes, ec.EllipticCurvePublicKey]
    app_id: bytes
    nbf: int
    exp: int
    ins: Mapping[int, Any]
    coverage: Mapping[int, Any]


def _text(m: Mapping[Any, Any], label: int, max_len: int = 80) -> str:
    v = m.get(label)
    if type(v) is not str or not v or len(v) > max_len:
        raise _structure(f"bad text field {label}")
    return v


def _check_claims(claims: Any) -> tuple[Union[bytes, ec.EllipticCurvePublicKey], bytes, int, int,
                                        Mapping[int, Any], Mapping[int, Any]]:
    if not _is_map(claims):
        raise _structure("claims not a map")
    _text(claims, 1)
    iat, exp = claims.get(6), claims.get(4)
    nbf = claims.get(5, iat)
    if not (_is_uint(iat) and _is_uint(exp) and _is_uint(nbf)):
        raise _structure("iat / nbf / exp")
    cnf = claims.get(8)
    if not _is_map(cnf):
        raise _structure("cnf")
    try:
        holder = _ec2_key(cnf.get(1))
    except ValueError as err:
        raise _structure(f"cnf key: {err}") from err
    vit = claims.get(-65537)
    if not _is_map(vit):
        raise _structure("vitale claim")
    app_id = vit.get(3)
    if type(app_id) is not bytes or len(app_id) != 16:
        raise _structure("app id")
    ins = vit.get(1)
    if not _is_map(ins):
        raise _structure("ins")
    matricule = _text(ins, 1, 13)
    key = ins.get(2)
    if type(key) is not int or nir_key(matricule) != key:
        raise _structure("nir key")
    oid = ins.get(3)
    if not (_is_uint(oid) or (type(oid) is str and 0 < len(oid) <= 64)):
        raise _structure("oid")
    _text(ins, 4)
    _text(ins, 5)
    if ins.get(6) not in ("M", "F") or type(ins.get(6)) is not str:
        raise _structure("sex")
    _text(ins, 7, 10)
    if len(_text(ins, 8, 5)) != 5:
        raise _structure("birthplace")
    cov = vit.get(2)
    if not _is_map(cov):
        raise _structure("coverage")
    _text(cov, 1, 8)
    _text(cov, 2, 8)
    if not (_is_uint(cov.get(3)) and _is_uint(cov.get(4))):
        raise _structure("coverage dates")
    return holder, app_id, nbf, exp, ins, cov


class HostVerifier:
    """Verifies presentations against a ``TrustAnchor``, with its own QR replay cache.

    ``now`` is Unix time in seconds, as on the reader.
    """

    def __init__(self, anchor: TrustAnchor, qr_window_s: int = 120, replay_capacity: int = 1024):
        self.anchor = anchor
        self.qr_window_s = qr_window_s
        self.replay_cache = ReplayCache(replay_capacity)

    def verify_qr(self, text: Union[str, bytes], now: int) -> Verdict:
        """A QR text as scanned (``VT1:...``; a trailing CR/LF is tolerated)."""
        return self._run("qr", lambda: self._qr(text, now))

    def verify_nfc(self, presentation: bytes, nonce: bytes, transcript_hash: bytes, now: int) -> Verdict:
        """NFC presentation bytes, checked against the nonce and transcript hash the reader used."""
        return self._run("nfc", lambda: self._check(presentation, FORM_NFC, now, nonce, transcript_hash))

    def verify_presentation(self, presentation: bytes, now: int, source: str,
                            nonce: Optional[bytes] = None, transcript_hash: Optional[bytes] = None) -> Verdict:
        """Presentation COSE bytes as forwarded by the reader (``source`` 'qr' or 'nfc')."""
        if source == "nfc":
            if nonce is None or transcript_hash is None:
                return Verdict(False, Reason.NONCE_MISMATCH, source="nfc", detail="no nonce / transcript")
            return self.verify_nfc(presentation, nonce, transcript_hash, now)
        return self._run("qr", lambda: self._check(presentation, FORM_QR, now, None, None))

    def _run(self, source: str, fn: Any) -> Verdict:
        try:
            verdict: Verdict = fn()
        except _Fail as f:
            return Verdict(False, f.reason, source=source, detail=f.detail)
        except Exception as err:  # bad input must never escape as an exception
            return Verdict(False, Reason.INTERNAL, source=source, detail=type(err).__name__)
        return Verdict(verdict.ok, verdict.reason, verdict.identity, verdict.app_id, source, verdict.kid,
                       verdict.detail)

    def _qr(self, text: Union[str, bytes], now: int) -> Verdict:
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("latin-1")  # byte for byte: non-alphabet bytes fail Base45
        if not isinstance(text, str):
            raise _Fail(Reason.NOT_A_PRESENTATION, "not text")
        text = text.rstrip("\r\n")
        if not text.startswith(QR_PREFIX):
            raise _Fail(Reason.NOT_A_PRESENTATION, "prefix")
        if len(text) > MAX_TEXT:
            raise _Fail(Reason.BASE45, "text too long")
        try:
            packed = b45decode(text[len(QR_PREFIX):])
        except ValueError as err:
            raise _Fail(Reason.BASE45, str(err)) from err
        try:
            pres = inflate(packed, MAX_PRESENTATION)
        except ValueError as err:
            raise _Fail(Reason.INFLATE, str(err)) from err
        return self._check(pres, FORM_QR, now, None, None)

    def _parse(self, pres: bytes, form: int) -> _Parsed:
        outer = _sign1(pres, _Limits(size=MAX_PRESENTATION))
        if outer.protected.get(1) != ALG_ES256:
            raise _structure("presentation alg")
        body = _cbor(outer.payload)
        if not _is_map(body):
            raise _structure("presentation payload")
        if body.get(2) != form or type(body.get(2)) is not int:
            raise _structure("form")
        att_bytes = body.get(1)
        if type(att_bytes) is not bytes:
            raise _structure("attestation")
        att = _sign1(att_bytes)
        if att.protected.get(1) != ALG_ES256:
            raise _structure("attestation alg")
        kid = att.protected.get(4)
        if type(kid) is not bytes or len(kid) != 8:
            raise _structure("kid")
        holder, app_id, nbf, exp, ins, cov = _check_claims(_cbor(att.payload))
        return _Parsed(outer, body, att, kid, holder, app_id, nbf, exp, ins, cov)

    def _check(self, pres: bytes, form: int, now: int, nonce: Optional[bytes],
               transcript_hash: Optional[bytes]) -> Verdict:
        if not isinstance(pres, (bytes, bytearray)):
            raise _Fail(Reason.CBOR, "not bytes")
        p = self._parse(bytes(pres), form)
        body = p.body
        p_nonce = p_th = uid = b""
        p_time = 0
        if form == FORM_NFC:
            v_nonce, v_th = body.get(3), body.get(4)
            if type(v_nonce) is not bytes or not 0 < len(v_nonce) <= MAX_NONCE:
                raise _structure("nonce")
            if type(v_th) is not bytes or len(v_th) != 32:
                raise _structure("transcript hash")
            p_nonce, p_th = v_nonce, v_th
        else:
            v_time, v_uid = body.get(5), body.get(6)
            if type(v_time) is not int or v_time < 0:
                raise _structure("time")
            if type(v_uid) is not bytes or len(v_uid) != 16:
                raise _structure("uid")
            p_time, uid = v_time, v_uid
        anchor = self.anchor
        if not anchor.loaded:
            raise _Fail(Reason.NO_TRUST_LIST)
        issuer = anchor.issuers.get(p.kid)
        if issuer is None or issuer.usage != USAGE_ATTEST:
            raise _Fail(Reason.UNKNOWN_ISSUER)
        if not issuer.valid_at(now):
            raise _Fail(Reason.ISSUER_NOT_VALID)
        if not p.att.verify(issuer.key):
            raise _Fail(Reason.ISSUER_SIGNATURE)
        if now < p.nbf:
            raise _Fail(Reason.CREDENTIAL_NOT_YET_VALID)
        if now >= p.exp:
            raise _Fail(Reason.CREDENTIAL_EXPIRED)
        if p.app_id in anchor.revoked:
            raise _Fail(Reason.REVOKED)
        try:
            good = p.outer.verify(_public(p.holder))
        except ValueError:  # an uncompressed point off the curve
            good = False
        if not good:
            raise _Fail(Reason.HOLDER_SIGNATURE)
        if form == FORM_NFC:
            if p_nonce != bytes(nonce or b""):
                raise _Fail(Reason.NONCE_MISMATCH)
            if p_th != bytes(transcript_hash or b""):
                raise _Fail(Reason.TRANSCRIPT_MISMATCH)
        else:
            w = self.qr_window_s
            if p_time > now + w or p_time < now - w:
                raise _Fail(Reason.STALE)
            key = p.app_id + uid
            if self.replay_cache.seen(key, now):
                raise _Fail(Reason.REPLAY)
            self.replay_cache.add(key, p_time + w, now)
        return Verdict(True, Reason.OK, Identity.from_claims(p.ins, p.coverage), p.app_id, kid=p.kid)


def reasons_in_order() -> Sequence[str]:
    """The verdict reasons in check order (CREDENTIAL.md §7)."""
    return VERDICT_REASONS
