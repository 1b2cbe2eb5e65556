"""Run a script as firmware on both runtimes: CPython and the real MicroPython (wasm).

Tests call :func:`run_script` with ``runtime`` taken from the ``runtime``
fixture in conftest.py, so one test checks the same firmware code on both.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIMES = ("cpython", "micropython")
FUZZ = int(os.environ.get("VITALE_FUZZ", "1"))  # property-test scale: 1 in `make test`, more in `make fuzz`


def command(runtime: str, script: str, *args: str, paths: tuple = ()) -> list:
    """Command line running ``script``; ``paths``: extra module dirs put on ``sys.path``
    (under MicroPython only their ``.py`` files are copied into the interpreter's FS)."""
    extra = [a for d in paths for a in ("--path", str(d))]
    if runtime == "cpython":
        return [sys.executable, os.path.join(ROOT, "simulator", "cpython", "run.py"), *extra, script, *args]
    if runtime == "micropython":
        return ["node", os.path.join(ROOT, "simulator", "wasm", "run.mjs"), *extra, script, *args]
    raise ValueError(runtime)


def run_script(runtime: str, script: str, *args: str, timeout: float = 300, check: bool = True,
               input: bytes = None, pass_fds: tuple = (), paths: tuple = ()) -> subprocess.CompletedProcess:
    """Run ``script`` under ``runtime``; on failure raise with its output."""
    proc = subprocess.run(command(runtime, script, *args, paths=paths), capture_output=True, timeout=timeout,
                          input=input, cwd=ROOT, pass_fds=pass_fds)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{runtime} {os.path.basename(script)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout.decode(errors='replace')[-4000:]}\n"
            f"stderr:\n{proc.stderr.decode(errors='replace')[-4000:]}"
        )
    return proc
