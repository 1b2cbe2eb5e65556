"""The generated G comb table (firmware/crypto/p256_gtable.py) is current and correct.

``tools/gen_p256_table.py --check`` regenerates it with its own affine
arithmetic and compares; here every entry is also checked against
``cryptography`` (entry = k * G for the comb scalar k of its index).
"""
import importlib.util
import os
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric import ec

from support import ROOT

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
GEN = os.path.join(ROOT, "tools", "gen_p256_table.py")


def _module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_table_is_current():
    proc = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_table_entries_match_cryptography():
    table = _module(os.path.join(ROOT, "firmware", "crypto", "p256_gtable.py"), "p256_gtable_check").TABLE
    assert len(table) == 2 * 128 * 64
    for idx in range(256):
        b, m = divmod(idx, 128)
        k = 1 << (16 * 7 + 128 * b)
        for i in range(7):
            k += (1 if (m >> i) & 1 else -1) << (16 * i + 128 * b)
        pub = ec.derive_private_key(k % N, ec.SECP256R1()).public_key().public_numbers()
        entry = table[64 * idx:64 * idx + 64]
        assert entry == pub.x.to_bytes(32, "big") + pub.y.to_bytes(32, "big"), idx
