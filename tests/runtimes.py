"""Run a script as firmware on both runtimes: CPython and the real MicroPython (wasm).

Tests call :func:`run_script` with ``runtime`` taken from the ``runtime``
fixture in conftest.py, so one test checks the same firmware code on both.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIMES = ("cpython", "micropython")


def command(runtime: str, script: str, *args: str) -> list:
    if runtime == "cpython":
        return [sys.executable, os.path.join(ROOT, "simulator", "cpython", "run.py"), script, *args]
    if runtime == "micropython":
        return ["node", os.path.join(ROOT, "simulator", "wasm", "run.mjs"), script, *args]
    raise ValueError(runtime)


def run_script(runtime: str, script: str, *args: str, timeout: float = 300, check: bool = True,
               input: bytes = None) -> subprocess.CompletedProcess:
    """Run ``script`` under ``runtime``; on failure raise with its output."""
    proc = subprocess.run(command(runtime, script, *args), capture_output=True, timeout=timeout,
                          input=input, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{runtime} {os.path.basename(script)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout.decode(errors='replace')[-4000:]}\n"
            f"stderr:\n{proc.stderr.decode(errors='replace')[-4000:]}"
        )
    return proc
