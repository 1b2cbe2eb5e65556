"""Every firmware and shared protocol module compiles with mpy-cross for both boards' architectures
(``make firmware``: tools/build_firmware.py), and the build holds all of them."""
import os
import subprocess
import sys

from support import ROOT

SOURCES = (("firmware", ""), ("protocol/vitale_link", "vitale_link"), ("protocol/vitale_spec", "vitale_spec"))


def modules():
    """What a board's root must hold: every module as .mpy, but main.py as source (and no manifest)."""
    out = set()
    for src, prefix in SOURCES:
        base = os.path.join(ROOT, src)
        for folder, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                rel = os.path.normpath(os.path.join(prefix, os.path.relpath(os.path.join(folder, name), base)))
                if name.endswith(".py") and rel != "manifest.py":
                    out.add(rel if rel == "main.py" else rel[:-3] + ".mpy")
    return out


def test_every_module_compiles_for_armv6m_and_xtensawin(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_firmware.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = modules()
    assert {"main.py", "core/tasks.mpy", "vitale_link/frame.mpy", "vitale_spec/nfc.mpy"} <= expected
    for board in ("rp2", "esp32"):
        root = tmp_path / f"firmware-{board}"
        built = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        assert built == expected, board
        for rel in built - {"main.py"}:
            assert (root / rel).read_bytes()[:2] == b"M\x06", rel  # .mpy format version 6
