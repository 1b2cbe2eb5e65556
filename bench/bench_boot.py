"""Firmware heap after boot, under the MicroPython interpreter (wasm).

``firmware_import_heap_kb_micropython``: live heap after importing every
firmware module from source (bytecode in RAM, as when .mpy files are copied to
a board's filesystem; frozen into the firmware image the bytecode stays in
flash). ``firmware_boot_heap_kb_micropython``: after building the reader app
with the built-in test trust list (two issuer keys: their tables, the G
table, link and capture state). A Raspberry Pi Pico's MicroPython heap is
about 190 KB.
"""
import json
import os

from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TRUST_LIST = os.path.join(ROOT, "simulator", "vitale_sim", "testpki", "trustlist.cose")


def figures() -> dict:
    out = runtimes.run("micropython", os.path.join(HERE, "fw_boot.py"), TRUST_LIST).stdout.decode()
    got = json.loads(out.strip().splitlines()[-1])
    if got["trust_version"] < 1:
        raise RuntimeError("the trust list did not load")
    return {
        "firmware_import_heap_kb_micropython": got["imported_bytes"] / 1024,
        "firmware_boot_heap_kb_micropython": got["booted_bytes"] / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))
