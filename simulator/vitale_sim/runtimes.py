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

Another runtime (an emulated board, the MicroPython unix port...) is a
subclass of :class:`Runtime` passed to :func:`register`; nothing else
changes. A runtime that can only run a script to completion overrides
:meth:`Runtime.run`; one that runs a long-lived process (the simulated
reader, the NFC rigs) gives :meth:`Runtime.command`::

    from vitale_sim import runtimes

    result = runtimes.run_json("micropython", "tests/firmware/app_units.py")
    proc = runtimes.get("cpython").spawn("simulator/board_sim/sim_main.py", config, pass_fds=(fd,))
"""
from __future__ import annotations

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


class CPythonRuntime(Runtime):
    name = "cpython"
    description = "CPython with stand-ins for the MicroPython-only modules (simulator/cpython)"

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        extra = [a for d in paths for a in ("--path", str(d))]
        return [sys.executable, os.path.join(ROOT, "simulator", "cpython", "run.py"), *extra, script, *args]


class WasmMicroPythonRuntime(Runtime):
    name = "micropython"
    description = "the real MicroPython interpreter (WebAssembly) under Node.js (simulator/wasm)"

    def command(self, script: str, args: Sequence[str] = (), paths: Sequence[str] = ()) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable("the micropython runtime needs Node.js (`node` not found): run `make setup`")
        extra = [a for d in paths for a in ("--path", str(d))]
        return [node, os.path.join(ROOT, "simulator", "wasm", "run.mjs"), *extra, script, *args]


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
