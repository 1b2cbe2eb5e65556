"""The host library is fully typed: mypy over vitale_reader finds nothing."""
import os
import subprocess
import sys

from support import ROOT


def test_mypy_host_library():
    mypy = os.path.join(os.path.dirname(sys.executable), "mypy")
    proc = subprocess.run([mypy, "--no-error-summary", os.path.join(ROOT, "host", "vitale_reader")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
