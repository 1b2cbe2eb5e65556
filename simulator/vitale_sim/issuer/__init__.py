"""The TEST-ONLY credential issuer of the open e-Carte Vitale profile (protocol/CREDENTIAL.md).

Everything it makes is signed by keys that are public on purpose: a test
PKI (``Pki``), test app instances (``Wallet``), their presentations, and
forged variants for tests (``forge``). Never trust any of it.

    pki = Pki.create("/tmp/pki")          # or Pki.load(dir), or testpki.load()
    wallet = pki.new_wallet()             # random test identity
    wallet.qr_text(now)                   # "VT1:..."
    wallet.nfc_presentation(nonce, transcript_hash, now)
"""
from .identity import TestIdentity, nir_key, random_identity
from .pki import IssuerKey, Pki
from .profile import QR_PREFIX, TEST_ONLY, qr_text_of
from .wallet import Wallet

__all__ = ["Pki", "IssuerKey", "Wallet", "TestIdentity", "random_identity", "nir_key", "qr_text_of",
           "QR_PREFIX", "TEST_ONLY"]
