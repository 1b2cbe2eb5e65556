"""The native P-256 module as built and shipped (natmod/p256, `make natmod`, `make firmware`).

Its arithmetic is tested through the firmware's crypto tests on the unix port
(``unix-native`` in test_crypto_vectors/_units/_differential); here: each build
is a native .mpy for the right architecture whose version the interpreter that
loads it accepts (the x64 one: the unix port's; the armv6m one: MicroPython
v1.26.1's, the Pico UF2 and the natmod build files), and the RP2040 firmware
tree carries the armv6m module while the ESP32 one does not (no xtensa compiler);
a module the interpreter cannot load leaves the firmware on the Python P-256.
The armv6m code itself runs in `make bench-pico-p256` (emulated Pico, known answers).
"""
import os
import re
import shutil
import subprocess
import sys

from vitale_sim import runtimes
from vitale_sim.runtimes import native_module_dir

from support import ROOT, check

ARCH_CODES = {"x64": 2, "armv6m": 4}  # MP_NATIVE_ARCH_* in py/persistentcode.h


def _header(arch: str) -> bytes:
    with open(os.path.join(native_module_dir(arch), "p256_native.mpy"), "rb") as f:
        return f.read(4)


def _natmod_sub_version() -> int:
    mpy_dir = os.path.join(ROOT, "..", "shared", "board", "micropython-natmod")
    with open(os.path.join(os.environ.get("MPY_DIR", mpy_dir), "py", "persistentcode.h")) as f:
        return int(re.search(r"#define MPY_SUB_VERSION (\d+)", f.read()).group(1))


def test_x64_module_matches_the_unix_port():
    mpy = int(subprocess.run([runtimes.get("unix").interpreter(), "-c", "import sys; print(sys.implementation._mpy)"],
                             capture_output=True, text=True, check=True).stdout)
    head = _header("x64")
    assert head[0] == ord("M")
    assert head[1] == mpy & 0xFF  # .mpy version
    assert head[2] == mpy >> 8  # sub-version and architecture: a native module must match both
    assert head[2] >> 2 == ARCH_CODES["x64"]


def test_armv6m_module_matches_micropython_1_26():
    head = _header("armv6m")
    assert head[:2] == b"M\x06"
    assert head[2] & 3 == _natmod_sub_version()
    assert head[2] >> 2 == ARCH_CODES["armv6m"]


def test_firmware_tree_carries_the_rp2040_module(tmp_path):
    natmod = tmp_path / "natmod" / "armv6m"
    natmod.mkdir(parents=True)
    with open(os.path.join(native_module_dir("armv6m"), "p256_native.mpy"), "rb") as f:
        module = f.read()
    (natmod / "p256_native.mpy").write_bytes(module)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_firmware.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    assert (tmp_path / "firmware-rp2" / "p256_native.mpy").read_bytes() == module
    assert (tmp_path / "firmware-rp2" / "crypto" / "p256_pure.mpy").exists()  # the fallback ships too
    assert not (tmp_path / "firmware-esp32" / "p256_native.mpy").exists()


def test_a_module_for_another_architecture_leaves_the_python_p256(tmp_path):
    shutil.copy(os.path.join(native_module_dir("armv6m"), "p256_native.mpy"), tmp_path)
    out = check("unix", "crypto_units.py", paths=(str(tmp_path),))
    assert out["info"]["backend"] == "python"
    assert out["failed"] == []
