"""The presentation verifier (CREDENTIAL.md §7): QR text or NFC bytes in, a Verdict out.

``Verifier(trust_store, replay_cache, qr_window_s=120)``:

* ``verify_qr(text, now)``: ``VT1:`` + Base45 + zlib + presentation;
* ``verify_nfc(presentation, nonce, transcript_hash, now)``.

Both return a ``Verdict`` and never raise: each failure becomes the
reason code of the first check that failed, in the order of §7. A QR
presentation is remembered in the replay cache only once it has passed
every other check. ``now``: Unix time in seconds (the reader's clock).
"""
from verify import base45, cbor, cose, inflate, nir
from vitale_spec import reasons as R

PREFIX = "VT1:"
_PREFIX_B = b"VT1:"
MAX_TEXT = 4296  # the alphanumeric capacity of a version-40 QR code
MAX_PRESENTATION = 2048  # decompressed presentation, bytes
MAX_NONCE = 64

FORM_NFC = 1
FORM_QR = 2
# presentation payload labels
P_ATTESTATION = 1
P_FORM = 2
P_NONCE = 3
P_TRANSCRIPT = 4
P_TIME = 5
P_UID = 6
# attestation claims (CWT, RFC 8392 / RFC 8747) and the profile's private claim
C_ISS = 1
C_EXP = 4
C_NBF = 5
C_IAT = 6
C_CNF = 8
CNF_COSE_KEY = 1
C_VITALE = -65537
V_INS = 1
V_COVERAGE = 2
V_APP_ID = 3
# INS identity labels
I_MATRICULE = 1
I_KEY = 2
I_OID = 3
I_BIRTH_NAME = 4
I_FIRST_NAMES = 5
I_SEX = 6
I_BIRTH_DATE = 7
I_BIRTHPLACE = 8
# coverage labels
V_REGIME = 1
V_CAISSE = 2
V_START = 3
V_END = 4


class Verdict:
    """The outcome of one verification. Holds no personal data.

    ``ok``, ``reason`` (reason code), ``source`` ('qr' / 'nfc'),
    ``presentation`` (the presentation COSE bytes, to forward to the host;
    None when they could not be obtained), ``app_id`` (16 bytes once the
    attestation was parsed), ``kid`` (issuer key id), ``nonce`` and
    ``transcript_hash`` (NFC: what the presentation was checked against),
    ``detail`` (a short technical note for logs).
    """

    def __init__(self, ok, reason, source, presentation=None, app_id=None, kid=None, detail=""):
        self.ok = ok
        self.reason = reason
        self.source = source
        self.presentation = presentation
        self.app_id = app_id
        self.kid = kid
        self.nonce = None
        self.transcript_hash = None
        self.detail = detail

    def __repr__(self):
        return "Verdict(ok=%s, reason=%s, source=%s)" % (self.ok, self.reason, self.source)


class _Fail(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def _structure(detail):
    return _Fail(R.COSE_STRUCTURE, detail)


def _uint(v):
    return type(v) is int and v >= 0


def _text(m, label, max_len=80):
    v = m.get(label)
    if type(v) is not str or not v or len(v) > max_len:
        raise _structure("bad text field %d" % label)
    return v


def check_claims(claims):
    """Check the attestation claims' shape; return (holder_pub65, app_id, iat, nbf, exp).

    Raises ``_Fail(cose_structure)``. The INS traits are only type- and
    length-checked (no over-validation, BRIEF §4); the NIR control key is
    checked (``verify.nir``).
    """
    if type(claims) is not dict:
        raise _structure("claims not a map")
    _text(claims, C_ISS)
    iat = claims.get(C_IAT)
    exp = claims.get(C_EXP)
    nbf = claims.get(C_NBF, iat)
    if not (_uint(iat) and _uint(exp) and _uint(nbf)):
        raise _structure("iat / nbf / exp")
    cnf = claims.get(C_CNF)
    if type(cnf) is not dict:
        raise _structure("cnf")
    try:
        holder = cose.ec2_point(cnf.get(CNF_COSE_KEY))
    except ValueError as err:
        raise _structure("cnf key: %s" % err)
    vit = claims.get(C_VITALE)
    if type(vit) is not dict:
        raise _structure("vitale claim")
    app_id = vit.get(V_APP_ID)
    if type(app_id) is not bytes or len(app_id) != 16:
        raise _structure("app id")
    ins = vit.get(V_INS)
    if type(ins) is not dict:
        raise _structure("ins")
    matricule = _text(ins, I_MATRICULE, 13)
    key = ins.get(I_KEY)
    if type(key) is not int or not nir.check(matricule, key):
        raise _structure("nir key")
    oid = ins.get(I_OID)
    if not (_uint(oid) or (type(oid) is str and 0 < len(oid) <= 64)):
        raise _structure("oid")
    _text(ins, I_BIRTH_NAME)
    _text(ins, I_FIRST_NAMES)
    sex = ins.get(I_SEX)
    if sex != "M" and sex != "F":
        raise _structure("sex")
    _text(ins, I_BIRTH_DATE, 10)
    if len(_text(ins, I_BIRTHPLACE, 5)) != 5:
        raise _structure("birthplace")
    cov = vit.get(V_COVERAGE)
    if type(cov) is not dict:
        raise _structure("coverage")
    _text(cov, V_REGIME, 8)
    _text(cov, V_CAISSE, 8)
    if not (_uint(cov.get(V_START)) and _uint(cov.get(V_END))):
        raise _structure("coverage dates")
    return holder, app_id, iat, nbf, exp


class Verifier:
    def __init__(self, trust_store, replay_cache, qr_window_s=120):
        self.trust_store = trust_store
        self.replay_cache = replay_cache
        self.qr_window_s = qr_window_s

    # ------------------------------------------------------------ entry points

    def verify_qr(self, text, now):
        verdict = Verdict(False, R.INTERNAL, "qr")
        try:
            self._qr(verdict, text, now)
        except _Fail as f:
            verdict.reason = f.reason
            verdict.detail = f.detail
        except Exception as err:  # never let bad input escape as an exception
            verdict.reason = R.INTERNAL
            verdict.detail = type(err).__name__
        return verdict

    def verify_nfc(self, presentation, nonce, transcript_hash, now):
        verdict = Verdict(False, R.INTERNAL, "nfc")
        try:
            verdict.nonce = bytes(nonce)
            verdict.transcript_hash = bytes(transcript_hash)
            if not isinstance(presentation, (bytes, bytearray)):
                raise _Fail(R.CBOR, "not bytes")
            verdict.presentation = bytes(presentation)
            self._check(verdict, verdict.presentation, FORM_NFC, now, nonce, transcript_hash)
        except _Fail as f:
            verdict.reason = f.reason
            verdict.detail = f.detail
        except Exception as err:
            verdict.reason = R.INTERNAL
            verdict.detail = type(err).__name__
        return verdict

    # ------------------------------------------------------------ steps

    def _qr(self, verdict, text, now):
        # str, or the scan engine's raw bytes (then compared byte for byte: no decoding)
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).rstrip(b"\r\n")
            prefix = _PREFIX_B
        elif isinstance(text, str):
            text = text.rstrip("\r\n")  # a scan engine's line ending (space is a Base45 digit)
            prefix = PREFIX
        else:
            raise _Fail(R.NOT_A_PRESENTATION, "not text")
        if not text.startswith(prefix):
            raise _Fail(R.NOT_A_PRESENTATION, "prefix")
        if len(text) > MAX_TEXT:
            raise _Fail(R.BASE45, "text too long")
        try:
            packed = base45.decode(text[len(PREFIX) :])
        except ValueError as err:
            raise _Fail(R.BASE45, str(err))
        try:
            pres = inflate.inflate(packed, MAX_PRESENTATION)
        except ValueError as err:
            raise _Fail(R.INFLATE, str(err))
        verdict.presentation = pres
        self._check(verdict, pres, FORM_QR, now, None, None)

    def _check(self, verdict, pres, form, now, nonce, transcript_hash):
        # 1. structure: presentation, its payload, the attestation, its claims
        try:
            outer = cose.parse_sign1(pres, True, MAX_PRESENTATION)
            if outer.protected.get(cose.H_ALG) != cose.ALG_ES256:
                raise _structure("presentation alg")
            body = cbor.decode(outer.payload)
            if type(body) is not dict:
                raise _structure("presentation payload")
            f = body.get(P_FORM)
            if type(f) is not int or f != form:
                raise _structure("form")
            att_bytes = body.get(P_ATTESTATION)
            if type(att_bytes) is not bytes:
                raise _structure("attestation")
            att = cose.parse_sign1(att_bytes, True)
            if att.protected.get(cose.H_ALG) != cose.ALG_ES256:
                raise _structure("attestation alg")
            kid = att.protected.get(cose.H_KID)
            if type(kid) is not bytes or len(kid) != 8:
                raise _structure("kid")
            verdict.kid = kid
            claims = cbor.decode(att.payload)
        except ValueError as err:  # CborError, CoseError
            raise _Fail(getattr(err, "code", R.CBOR), str(err))
        holder, app_id, iat, nbf, exp = check_claims(claims)
        verdict.app_id = app_id
        if form == FORM_NFC:
            p_nonce = body.get(P_NONCE)
            p_th = body.get(P_TRANSCRIPT)
            if type(p_nonce) is not bytes or not 0 < len(p_nonce) <= MAX_NONCE:
                raise _structure("nonce")
            if type(p_th) is not bytes or len(p_th) != 32:
                raise _structure("transcript hash")
        else:
            p_time = body.get(P_TIME)
            uid = body.get(P_UID)
            if not _uint(p_time):
                raise _structure("time")
            if type(uid) is not bytes or len(uid) != 16:
                raise _structure("uid")
        # 2. trust: issuer key, its validity, its signature, the credential's validity
        store = self.trust_store
        if store is None or not store.loaded:
            raise _Fail(R.NO_TRUST_LIST)
        issuer = store.issuer(kid)
        if issuer is None or issuer.usage != "attest":
            raise _Fail(R.UNKNOWN_ISSUER)
        if not issuer.valid_at(now):
            raise _Fail(R.ISSUER_NOT_VALID)
        if not att.verify(issuer.key):
            raise _Fail(R.ISSUER_SIGNATURE)
        if now < nbf:
            raise _Fail(R.CREDENTIAL_NOT_YET_VALID)
        if now >= exp:
            raise _Fail(R.CREDENTIAL_EXPIRED)
        if store.is_revoked(app_id):
            raise _Fail(R.REVOKED)
        # 3. holder binding and freshness
        try:
            good = outer.verify(holder)
        except ValueError:  # crypto.p256 rejects a point off the curve
            good = False
        if not good:
            raise _Fail(R.HOLDER_SIGNATURE)
        if form == FORM_NFC:
            if p_nonce != bytes(nonce):
                raise _Fail(R.NONCE_MISMATCH)
            if p_th != bytes(transcript_hash):
                raise _Fail(R.TRANSCRIPT_MISMATCH)
        else:
            window = self.qr_window_s
            if p_time > now + window or p_time < now - window:
                raise _Fail(R.STALE)
            key = app_id + uid
            if self.replay_cache.seen(key, now):
                raise _Fail(R.REPLAY)
            self.replay_cache.add(key, p_time + window, now)
        verdict.ok = True
        verdict.reason = R.OK
        verdict.detail = ""
