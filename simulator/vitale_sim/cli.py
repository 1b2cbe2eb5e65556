"""``vitale-sim``: a simulated reader on a pty, driven by control commands on stdin.

    vitale-sim --link /tmp/vitale0 [--runtime cpython|micropython]

Then open /tmp/vitale0 like /dev/ttyACM0 (``vitale_reader.Reader("/tmp/vitale0")``)
and type control commands, one a line: ``status``, ``quit``.
"""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Optional

from .harness import RUNTIMES, SimError, SimReader


def _reader_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vitale-sim", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--link", required=True, help="path of the pty symlink for the host link")
    p.add_argument("--runtime", choices=RUNTIMES, default="cpython",
                   help="run the firmware under CPython or the real MicroPython interpreter (wasm)")
    p.add_argument("--storage", help="directory standing for the board's flash (default: a temporary one)")
    p.add_argument("--pki", help="test PKI directory (vitale-issuer init) to provision the reader from "
                                 "(default: the built-in TEST PKI)")
    p.add_argument("--quiet", action="store_true", help="do not echo the firmware's console")
    return p


def main(argv: Optional[list[str]] = None) -> int:
    args = _reader_parser().parse_args(argv)
    echo = None if args.quiet else (lambda line: print(f"[firmware] {line}", file=sys.stderr, flush=True))
    sim = SimReader(args.link, runtime=args.runtime, storage_dir=args.storage, pki=args.pki, on_output=echo)
    try:
        sim.start()
    except SimError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print(f"ready link={args.link} runtime={args.runtime}", flush=True)
    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            if line == "quit":
                break
            try:
                print(sim.command(line), flush=True)
            except SimError as err:
                print(f"error: {err}", flush=True)
            if not sim.alive:
                print("error: firmware exited", flush=True)
                return 1
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
