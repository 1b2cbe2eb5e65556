"""The TEST PKI: a root key (signs trust lists), issuer keys (sign attestations), the trust list.

Directory layout (``Pki.create(dir)`` / ``vitale-issuer init DIR``)::

    TEST-ONLY.txt        says what this is (test keys, never trust them)
    pki.json             state: issuers (name, key file, kid, validity, usage),
                         trust-list version, issued-at, revoked app ids
    root.pem             root private key (PKCS#8 PEM, unencrypted: TEST ONLY)
    root.pub.pem         root public key (SubjectPublicKeyInfo PEM): what readers pin
    issuer.pem           the current issuer's private key (signs attestations)
    issuer-retired.pem   an issuer key whose validity ended (for tests of issuer_not_valid)
    trustlist.cose       the current trust list (COSE_Sign1 by the root)
    trustlist-v<N>.cose  every trust list issued, by version
"""
from __future__ import annotations

import datetime
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import cbor2

from . import keys
from .profile import (IE_KEY, IE_KID, IE_NOT_AFTER, IE_NOT_BEFORE, IE_USAGE, TEST_ONLY, TL_ISSUED_AT,
                      TL_ISSUERS, TL_LABEL, TL_REVOKED, TL_VERSION, USAGE_ATTEST)


def _ts(y: int, m: int = 1, d: int = 1) -> int:
    return int(datetime.datetime(y, m, d, tzinfo=datetime.timezone.utc).timestamp())


DEFAULT_NOT_BEFORE = _ts(2024)
DEFAULT_NOT_AFTER = _ts(2046)
RETIRED_NOT_BEFORE = _ts(2023)
RETIRED_NOT_AFTER = _ts(2024) - 1
TRUST_LIST_LABEL = "TEST ONLY trust list - vitale_sim test PKI"


@dataclass
class IssuerKey:
    name: str
    key: keys.PrivateKey
    not_before: int
    not_after: int
    usage: str = USAGE_ATTEST

    @property
    def kid(self) -> bytes:
        return keys.kid(self.key)

    def entry(self) -> dict:
        """The trust-list entry of this key."""
        return {IE_KID: self.kid, IE_KEY: keys.cose_key(self.key), IE_NOT_BEFORE: self.not_before,
                IE_NOT_AFTER: self.not_after, IE_USAGE: self.usage}


class Pki:
    """A TEST PKI in a directory (see the module docstring for the layout)."""

    def __init__(self, directory: Optional[Path], root: keys.PrivateKey, issuers: list[IssuerKey],
                 version: int, issued_at: int, revoked: list[bytes], trust_list_bytes: bytes):
        self.dir = directory
        self.root = root
        self.issuers = issuers
        self.version = version
        self.issued_at = issued_at
        self.revoked = revoked
        self.trust_list_bytes = trust_list_bytes

    # ------------------------------------------------------------ create / load

    @classmethod
    def create(cls, directory: Optional[str | os.PathLike] = None, now: Optional[int] = None,
               retired: bool = True) -> "Pki":
        """A fresh root, issuer (and retired issuer), and trust list version 1; saved if ``directory``."""
        now = int(time.time()) if now is None else now
        issuers = [IssuerKey("issuer", keys.generate(), DEFAULT_NOT_BEFORE, DEFAULT_NOT_AFTER)]
        if retired:
            issuers.append(IssuerKey("issuer-retired", keys.generate(), RETIRED_NOT_BEFORE, RETIRED_NOT_AFTER))
        pki = cls(Path(directory) if directory is not None else None, keys.generate(), issuers, 0, now, [], b"")
        pki.trust_list_bytes = pki.sign_trust_list(1, now)
        pki.version = 1
        if pki.dir is not None:
            pki.save()
        return pki

    @classmethod
    def load(cls, directory: str | os.PathLike) -> "Pki":
        d = Path(directory)
        state = json.loads((d / "pki.json").read_text())
        root = keys.load_private_pem((d / "root.pem").read_bytes())
        issuers = [IssuerKey(e["name"], keys.load_private_pem((d / e["key_file"]).read_bytes()), e["not_before"],
                             e["not_after"], e.get("usage", USAGE_ATTEST)) for e in state["issuers"]]
        return cls(d, root, issuers, state["version"], state["issued_at"],
                   [bytes.fromhex(h) for h in state["revoked"]], (d / "trustlist.cose").read_bytes())

    def save(self) -> None:
        if self.dir is None:
            raise ValueError("this PKI has no directory")
        d = self.dir
        d.mkdir(parents=True, exist_ok=True)
        (d / "TEST-ONLY.txt").write_text(
            f"{TEST_ONLY}\n\nA TEST PKI made by vitale-issuer (vitale_sim). The private keys here are\n"
            "unencrypted and meant to be shared: anything they sign proves nothing.\n")
        (d / "root.pem").write_bytes(keys.private_pem(self.root))
        (d / "root.pub.pem").write_bytes(keys.public_pem(self.root))
        for ik in self.issuers:
            (d / f"{ik.name}.pem").write_bytes(keys.private_pem(ik.key))
        (d / "trustlist.cose").write_bytes(self.trust_list_bytes)
        (d / f"trustlist-v{self.version}.cose").write_bytes(self.trust_list_bytes)
        state = {
            "warning": TEST_ONLY,
            "root_kid": keys.kid(self.root).hex(),
            "root_public_key": self.root_public_key.hex(),
            "version": self.version,
            "issued_at": self.issued_at,
            "issuers": [{"name": ik.name, "key_file": f"{ik.name}.pem", "kid": ik.kid.hex(),
                         "not_before": ik.not_before, "not_after": ik.not_after, "usage": ik.usage}
                        for ik in self.issuers],
            "revoked": [a.hex() for a in self.revoked],
        }
        (d / "pki.json").write_text(json.dumps(state, indent=2) + "\n")

    # ------------------------------------------------------------ keys

    @property
    def root_public_key(self) -> bytes:
        """The root's 65-byte uncompressed point (what firmware/verify/pinned.py pins)."""
        return keys.pub65(self.root)

    @property
    def root_public_pem(self) -> bytes:
        return keys.public_pem(self.root)

    def issuer(self, name: str = "issuer") -> IssuerKey:
        for ik in self.issuers:
            if ik.name == name:
                return ik
        raise KeyError(name)

    # ------------------------------------------------------------ trust lists

    def trust_list_payload(self, version: int, issued_at: int, issuers: Optional[Iterable[IssuerKey]] = None,
                           revoked: Optional[Iterable[bytes]] = None) -> dict:
        return {
            TL_VERSION: version,
            TL_ISSUED_AT: issued_at,
            TL_ISSUERS: [ik.entry() for ik in (self.issuers if issuers is None else issuers)],
            TL_REVOKED: list(self.revoked if revoked is None else revoked),
            TL_LABEL: TRUST_LIST_LABEL,
        }

    def sign_trust_list(self, version: int, issued_at: int, issuers: Optional[Iterable[IssuerKey]] = None,
                        revoked: Optional[Iterable[bytes]] = None, signer: Optional[keys.PrivateKey] = None,
                        payload: Optional[dict] = None) -> bytes:
        """A signed trust list (not installed). ``signer`` defaults to the root (tests forge with others)."""
        body = payload if payload is not None else self.trust_list_payload(version, issued_at, issuers, revoked)
        signer = self.root if signer is None else signer
        return keys.sign1(signer, cbor2.dumps(body), kid_=keys.kid(signer))

    def revoke(self, app_id: bytes, now: Optional[int] = None) -> bytes:
        """Add ``app_id`` to the revocation list: a new trust list, version + 1 (saved if on disk)."""
        if len(app_id) != 16:
            raise ValueError("an app id is 16 bytes")
        if app_id not in self.revoked:
            self.revoked.append(app_id)
        self.version += 1
        self.issued_at = int(time.time()) if now is None else now
        self.trust_list_bytes = self.sign_trust_list(self.version, self.issued_at)
        if self.dir is not None:
            self.save()
        return self.trust_list_bytes

    # ------------------------------------------------------------ wallets

    def new_wallet(self, identity=None, now: Optional[int] = None, valid_days: int = 365,
                   not_before: Optional[int] = None, expires: Optional[int] = None, issuer: str = "issuer",
                   app_id: Optional[bytes] = None):
        """A new app instance (key pair + attestation). See ``Wallet.issue``."""
        from .wallet import Wallet

        return Wallet.issue(self, identity=identity, now=now, valid_days=valid_days, not_before=not_before,
                            expires=expires, issuer=issuer, app_id=app_id)
