"""ECDSA P-256 (and ECDH, AES-GCM) figures of firmware/crypto on both runtimes.

Runs bench/fw_ecdsa.py once under the MicroPython interpreter (wasm) and once
under CPython. In each process the naive yardstick
``../shared/bench/naive_p256.py`` (unchanged, beside the clone) and the
project's verifiers are timed side by side on the same signature, rounds
interleaved, best round kept; the ratios are taken within that process.
Under MicroPython the same process runs the two board-calibration programs
of the public MicroPython benchmark (1000-digit pi: big-int bound;
1,000,000 integer additions: interpreter bound). The public results for
those programs (MicroPython 1.9.4: ESP32 @240 MHz 0.57 s and 2.61 s,
STM32F411 @96 MHz 1.25 s and 5.86 s) give board/wasm factors; ECDSA mixes
both kinds of work, so a board estimate lies between the two factors.

Heap figures and how they are measured: see bench/fw_ecdsa.py.

    python bench/bench_ecdsa.py        # prints the figures as JSON
"""
import json
import os

from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SHARED_BENCH = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))
SCRIPT = os.path.join(HERE, "fw_ecdsa.py")


def run(runtime: str) -> dict:
    if not os.path.exists(os.path.join(SHARED_BENCH, "naive_p256.py")):
        raise FileNotFoundError(f"naive yardstick not found in {SHARED_BENCH}")
    proc = runtimes.run(runtime, SCRIPT, paths=(SHARED_BENCH,), timeout=300)
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def figures() -> dict:
    mp = run("micropython")
    cp = run("cpython")
    out = {
        "ecdsa_verify_ms_micropython": mp["verify_ms"],
        "ecdsa_verify_trusted_ms_micropython": mp["trusted_ms"],
        "ecdsa_naive_ms_micropython": mp["naive_ms"],
        "ecdsa_verify_ms_cpython": cp["verify_ms"],
        "ecdsa_verify_trusted_ms_cpython": cp["trusted_ms"],
        "ecdsa_naive_ms_cpython": cp["naive_ms"],
        "ecdsa_naive_over_optimized_micropython": mp["naive_ms"] / mp["verify_ms"],
        "ecdsa_naive_over_trusted_micropython": mp["naive_ms"] / mp["trusted_ms"],
        "ecdsa_naive_over_optimized_cpython": cp["naive_ms"] / cp["verify_ms"],
        "ecdsa_naive_over_trusted_cpython": cp["naive_ms"] / cp["trusted_ms"],
        "verify_peak_heap_kb_micropython": mp["verify_live_bytes"] / 1024,
        "verify_alloc_kb_micropython": mp["verify_alloc_bytes"] / 1024,
        "verify_trusted_alloc_kb_micropython": mp["trusted_alloc_bytes"] / 1024,
        "precomputed_table_kb_per_key": mp["table_bytes"] / 1024,
        "g_table_kb_micropython": mp["gtable_bytes"] / 1024,
        "trusted_key_build_ms_micropython": mp["trusted_key_build_ms"],
        "ecdh_ms_micropython": mp["ecdh_ms"],
        "ecdh_ms_cpython": cp["ecdh_ms"],
        "p256_public_key_ms_micropython": mp["public_key_ms"],
        "gcm_1k_ms_micropython": mp["gcm_1k_ms"],
        "gcm_1k_ms_cpython": cp["gcm_1k_ms"],
        "calib_pi1000_ms_micropython": mp["calib_pi1000_ms"],
        "calib_intloop_ms_micropython": mp["calib_intloop_ms"],
    }
    return {k: float(v) for k, v in out.items()}


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1, sort_keys=True))
