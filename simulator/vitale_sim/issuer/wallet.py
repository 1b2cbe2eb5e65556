"""A TEST app instance ("wallet"): the app's private key plus its issuer attestation.

Wallet file (``Wallet.save`` / ``vitale-issuer wallet``): JSON, UTF-8::

    {
      "format": "vitale-wallet/1",
      "warning": "TEST ONLY - ...",
      "app_id": "<32 hex digits>",
      "issuer_kid": "<16 hex digits>",
      "app_key": "-----BEGIN PRIVATE KEY-----\\n...",   # PKCS#8 PEM, unencrypted (TEST ONLY)
      "attestation": "<hex of the issuer's COSE_Sign1>"
    }

The identity is not repeated in clear: it is inside the attestation.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any, Optional

import cbor2

from . import keys
from .identity import TestIdentity, random_identity
from .profile import (C_CNF, C_EXP, C_IAT, C_ISS, C_NBF, C_VITALE, CNF_COSE_KEY, FORM_NFC, FORM_QR, H_KID,
                      ISS_TEST, P_ATTESTATION, P_FORM, P_NONCE, P_TIME, P_TRANSCRIPT, P_UID, TEST_ONLY,
                      V_APP_ID, V_COVERAGE, V_INS, qr_text_of)

FORMAT = "vitale-wallet/1"


def attestation_claims(identity: TestIdentity, holder: keys.PrivateKey | keys.PublicKey, app_id: bytes, iat: int,
                       nbf: int, exp: int, iss: str = ISS_TEST) -> dict:
    """The CWT claims of an attestation (nbf only written when it differs from iat)."""
    claims: dict[int, Any] = {C_ISS: iss, C_IAT: iat}
    if nbf != iat:
        claims[C_NBF] = nbf
    claims[C_EXP] = exp
    claims[C_CNF] = {CNF_COSE_KEY: keys.cose_key(holder, compressed=True)}
    claims[C_VITALE] = {V_INS: identity.ins_claim(), V_COVERAGE: identity.coverage_claim(), V_APP_ID: app_id}
    return claims


def sign_attestation(issuer_key: keys.PrivateKey, claims: dict, kid: Optional[bytes] = None) -> bytes:
    return keys.sign1(issuer_key, cbor2.dumps(claims), kid_=keys.kid(issuer_key) if kid is None else kid)


class Wallet:
    """A TEST app instance. ``repr`` shows no identity data."""

    def __init__(self, app_key: keys.PrivateKey, attestation: bytes):
        self.app_key = app_key
        self.attestation = attestation

    # ------------------------------------------------------------ issue / files

    @classmethod
    def issue(cls, pki, identity: Optional[TestIdentity] = None, now: Optional[int] = None, valid_days: int = 365,
              not_before: Optional[int] = None, expires: Optional[int] = None, issuer: str = "issuer",
              app_id: Optional[bytes] = None, app_key: Optional[keys.PrivateKey] = None) -> "Wallet":
        """A new app instance issued by ``pki``'s issuer key ``issuer``.

        Validity: iat = ``now``; nbf = ``not_before`` (default ``now``); exp = ``expires``
        (default ``now + valid_days`` days).
        """
        now = int(time.time()) if now is None else now
        identity = identity or random_identity()
        app_key = app_key or keys.generate()
        app_id = app_id or secrets.token_bytes(16)
        nbf = now if not_before is None else not_before
        exp = now + valid_days * 86400 if expires is None else expires
        claims = attestation_claims(identity, app_key, app_id, now, nbf, exp)
        return cls(app_key, sign_attestation(pki.issuer(issuer).key, claims))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Wallet":
        state = json.loads(Path(path).read_text())
        if state.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        return cls(keys.load_private_pem(state["app_key"].encode()), bytes.fromhex(state["attestation"]))

    def save(self, path: str | os.PathLike) -> None:
        state = {"format": FORMAT, "warning": TEST_ONLY, "app_id": self.app_id.hex(),
                 "issuer_kid": self.issuer_kid.hex(), "app_key": keys.private_pem(self.app_key).decode(),
                 "attestation": self.attestation.hex()}
        Path(path).write_text(json.dumps(state, indent=2) + "\n")

    # ------------------------------------------------------------ contents

    @property
    def claims(self) -> dict:
        _, _, payload, _ = keys.decode_sign1(self.attestation)
        return dict(cbor2.loads(payload))

    @property
    def app_id(self) -> bytes:
        return self.claims[C_VITALE][V_APP_ID]

    @property
    def issuer_kid(self) -> bytes:
        pb, _, _, _ = keys.decode_sign1(self.attestation)
        return cbor2.loads(pb)[H_KID]

    @property
    def identity(self) -> TestIdentity:
        v = self.claims[C_VITALE]
        return TestIdentity.from_claims(v[V_INS], v[V_COVERAGE])

    @property
    def not_before(self) -> int:
        c = self.claims
        return c.get(C_NBF, c[C_IAT])

    @property
    def expires(self) -> int:
        return self.claims[C_EXP]

    def __repr__(self) -> str:
        return f"Wallet(app_id={self.app_id.hex()[:8]}..., TEST ONLY)"

    # ------------------------------------------------------------ presentations

    def sign_presentation(self, payload: dict, key: Optional[keys.PrivateKey] = None) -> bytes:
        """A presentation COSE_Sign1 over ``payload`` (tests pass odd payloads or keys)."""
        return keys.sign1(self.app_key if key is None else key, cbor2.dumps(payload))

    def nfc_payload(self, nonce: bytes, transcript_hash: bytes) -> dict:
        if len(transcript_hash) != 32:
            raise ValueError("the transcript hash is 32 bytes")
        return {P_ATTESTATION: self.attestation, P_FORM: FORM_NFC, P_NONCE: bytes(nonce),
                P_TRANSCRIPT: bytes(transcript_hash)}

    def qr_payload(self, now: int, uid: Optional[bytes] = None) -> dict:
        uid = secrets.token_bytes(16) if uid is None else uid
        return {P_ATTESTATION: self.attestation, P_FORM: FORM_QR, P_TIME: int(now), P_UID: uid}

    def nfc_presentation(self, nonce: bytes, transcript_hash: bytes, now: Optional[int] = None) -> bytes:
        """The NFC presentation: bound to the reader's nonce and the session-transcript hash.

        ``now`` is accepted for symmetry with ``qr_text``; the NFC form carries no time.
        """
        return self.sign_presentation(self.nfc_payload(nonce, transcript_hash))

    def qr_presentation(self, now: Optional[int] = None, uid: Optional[bytes] = None) -> bytes:
        """The QR presentation COSE bytes: bound to ``now`` and a unique 16-byte ``uid``."""
        return self.sign_presentation(self.qr_payload(int(time.time()) if now is None else now, uid))

    def qr_text(self, now: Optional[int] = None, uid: Optional[bytes] = None) -> str:
        """What the phone's QR code holds: ``VT1:`` + Base45(zlib(presentation))."""
        return qr_text_of(self.qr_presentation(now, uid))
