"""Unit checks of firmware/crypto on both runtimes (tests/firmware/crypto_units.py).

Known points (1G, 2G, (n-1)G), the comb path against the wNAF path, every
comb-table entry (a spread of them under MicroPython), the extended-Euclid
inverse, wNAF digits, strict DER rejections, ``verify`` never raising on
junk, ``TrustedKey`` refusing bad keys, a signature made here and its
high-s twin, rejection sampling in ``generate_keypair``, HMAC/HKDF/GCM
edge cases (bad nonce and key sizes, short input, empty plaintext, wrong
AAD, multi-chunk keystream), and the size of a TrustedKey table.
"""
from support import check

def test_units(runtime):
    out = check(runtime, "crypto_units.py", timeout=120)
    assert out["failed"] == [], out
    assert out["checks"] >= 90
    assert out["info"]["trusted_key_table_bytes"] == 192 * 64
