"""Run a Python script as firmware under CPython, the simulator's second runtime.

    python simulator/cpython/run.py [--path DIR]... SCRIPT.py [ARGS...]

The mirror of ``simulator/wasm/run.mjs``: firmware/, protocol/ and the
simulated board on ``sys.path``, plus this folder's stand-ins for the
MicroPython-only modules (``micropython``, ``deflate``, ``cryptolib``,
``simhost``) and ``time.ticks_*``. The script reads its arguments as
``json.loads(simhost.argv())``.
"""
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def install_shims() -> None:
    """Make CPython look like the MicroPython port enough to run the firmware."""
    sys.path[:0] = [
        os.path.join(ROOT, "firmware"),
        os.path.join(ROOT, "protocol"),
        os.path.join(ROOT, "simulator", "board_sim"),
        HERE,
    ]
    import mpy_time

    mpy_time.patch_time_module()


def main(argv: list) -> None:
    extra = []
    while len(argv) >= 2 and argv[0] == "--path":  # like run.mjs: extra module dirs
        extra.append(os.path.abspath(argv[1]))
        argv = argv[2:]
    if not argv:
        sys.exit("usage: run.py [--path DIR]... SCRIPT.py [ARGS...]")
    install_shims()
    sys.path[:0] = extra
    import simhost

    simhost.set_argv(argv)
    script = os.path.abspath(argv[0])
    sys.path.insert(0, os.path.dirname(script))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
