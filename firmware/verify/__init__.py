"""Credential verification (protocol/CREDENTIAL.md): pure MicroPython.

Modules: ``cbor`` (bounded decoder), ``cose`` (COSE_Sign1 / ES256,
COSE_Key), ``base45``, ``inflate`` (zlib with an output limit),
``trustlist`` (``TrustStore``), ``replay`` (``ReplayCache``), ``nir``,
``errors`` (``VerifyError``), ``pinned`` (the pinned root key),
``verifier`` (``Verifier``, ``Verdict``). Import the submodules directly;
this file stays empty so that importing one does not load the others.
"""
