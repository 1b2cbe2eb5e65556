"""The built-in TEST-ONLY PKI (see README.md here): committed keys, public on purpose.

``load()`` -> ``vitale_sim.issuer.Pki``. The root public key is the one
pinned in ``firmware/verify/pinned.py`` and shipped (public part only) in
``vitale_reader`` as the test trust anchor.
"""
from __future__ import annotations

from pathlib import Path

DIR = Path(__file__).resolve().parent


def load():
    """The built-in test PKI (read-only: never ``revoke`` on it, copy it first)."""
    from ..issuer.pki import Pki

    return Pki.load(DIR)


def trust_list_bytes() -> bytes:
    return (DIR / "trustlist.cose").read_bytes()


def root_public_pem() -> bytes:
    return (DIR / "root.pub.pem").read_bytes()
