"""Faulty and forged credentials, for tests: each one is rejected for one stated reason.

Everything here is TEST ONLY. ``Pki`` supplies the issuer key where a
forgery needs a genuine signature over altered claims.
"""
from __future__ import annotations

import secrets
import zlib
from typing import Any, Callable, Optional

import cbor2

from . import keys
from .profile import C_VITALE, H_ALG, QR_PREFIX, V_INS, b45encode, compress
from .wallet import Wallet, sign_attestation


def flip_signature(cose: bytes) -> bytes:
    """The same COSE_Sign1 with one bit of its signature flipped."""
    pb, unprot, payload, sig = keys.decode_sign1(cose)
    return keys.encode_sign1(pb, unprot, payload, bytes([sig[0] ^ 0x01]) + sig[1:])


def with_protected(cose: bytes, protected: dict, key: keys.PrivateKey) -> bytes:
    """Re-sign ``cose``'s payload with another protected header (e.g. another alg)."""
    _, unprot, payload, _ = keys.decode_sign1(cose)
    return keys.sign1(key, payload, protected=protected, unprotected=unprot)


def reissue(wallet: Wallet, pki, mutate: Callable[[dict], None], issuer: str = "issuer",
            issuer_key: Optional[keys.PrivateKey] = None, kid: Optional[bytes] = None) -> Wallet:
    """The wallet's claims changed by ``mutate`` and signed again by a (genuine or not) issuer key."""
    claims = wallet.claims
    claims[C_VITALE] = {k: dict(v) if isinstance(v, dict) else v for k, v in claims[C_VITALE].items()}
    mutate(claims)
    key = pki.issuer(issuer).key if issuer_key is None else issuer_key
    return Wallet(wallet.app_key, sign_attestation(key, claims, kid))


def bad_issuer_signature(wallet: Wallet) -> Wallet:
    return Wallet(wallet.app_key, flip_signature(wallet.attestation))


def unknown_issuer(wallet: Wallet, pki) -> Wallet:
    """Signed by a key that is in no trust list (its own kid)."""
    return reissue(wallet, pki, lambda c: None, issuer_key=keys.generate())


def issuer_kid_substituted(wallet: Wallet, pki) -> Wallet:
    """Signed by a stranger's key but naming the genuine issuer's kid: fails the issuer signature."""
    return reissue(wallet, pki, lambda c: None, issuer_key=keys.generate(), kid=pki.issuer().kid)


def retired_issuer(wallet: Wallet, pki) -> Wallet:
    """Signed by the issuer key whose validity ended (``issuer-retired``)."""
    return reissue(wallet, pki, lambda c: None, issuer="issuer-retired")


def bad_nir_key(wallet: Wallet, pki) -> Wallet:
    """A genuinely signed attestation whose NIR control key is wrong."""
    def mutate(c: dict) -> None:
        ins = c[C_VITALE][V_INS]
        ins[2] = ins[2] % 97 + 1
    return reissue(wallet, pki, mutate)


def other_holder(wallet: Wallet) -> Wallet:
    """The same attestation, presented with a key that is not the one in ``cnf``."""
    return Wallet(keys.generate(), wallet.attestation)


def qr_text_of_bytes(data: bytes, prefix: str = QR_PREFIX) -> str:
    return prefix + b45encode(compress(data))


def zip_bomb_text(size: int = 1 << 20) -> str:
    """A valid zlib stream inflating to ``size`` zero bytes, as a QR text (~1 KiB per MiB)."""
    return QR_PREFIX + b45encode(zlib.compress(b"\0" * size, 9))


def corrupt_zlib_text(wallet: Wallet, now: int) -> str:
    z = bytearray(compress(wallet.qr_presentation(now)))
    z[len(z) // 2] ^= 0xFF
    return QR_PREFIX + b45encode(bytes(z))


def deep_cbor(depth: int = 100) -> bytes:
    """Arrays nested ``depth`` deep: well-formed CBOR, too deep for any reader."""
    return b"\x81" * depth + b"\x00"


def presentation_with_alg(wallet: Wallet, now: int, alg: Any) -> bytes:
    return keys.sign1(wallet.app_key, cbor2.dumps(wallet.qr_payload(now)), protected={H_ALG: alg})


def untagged_presentation(wallet: Wallet, now: int) -> bytes:
    return keys.sign1(wallet.app_key, cbor2.dumps(wallet.qr_payload(now)), tagged=False)


def random_uid() -> bytes:
    return secrets.token_bytes(16)
