"""``vitale-sim``: a simulated reader on a pty, driven by control commands on stdin.

    vitale-sim --link /tmp/vitale0 [--runtime cpython|micropython]

Then open /tmp/vitale0 like /dev/ttyACM0 (``vitale_reader.Reader("/tmp/vitale0")``)
and type control commands, one a line:

    tap WALLET [--fault NAME]   a phone enters the NFC field (faults: see vitale_sim.phone)
    remove                      the phone leaves the field
    scan IMAGE                  show a picture (PNG/JPEG) to the camera
    reboot                      reset the board (the host's port stays open)
    status                      is the firmware running
    quit

    vitale-sim pn532 --link PATH [--phone WALLET]

serves the simulated PN532 chip alone on a pty, for any PN532 host software.
"""
from __future__ import annotations

import argparse
import signal
import sys
from typing import Optional

from . import runtimes
from .harness import SimError, SimReader


def _reader_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vitale-sim", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--link", required=True, help="path of the pty symlink for the host link")
    p.add_argument("--runtime", choices=runtimes.reader_names(), default="cpython",
                   help="where the firmware runs: " + "; ".join(f"{r}: {runtimes.get(r).description}"
                                                            for r in runtimes.reader_names()))
    p.add_argument("--storage", help="directory standing for the board's flash (default: a temporary one)")
    p.add_argument("--pki", help="test PKI directory (vitale-issuer init) to provision the reader from "
                                 "(default: the built-in TEST PKI)")
    p.add_argument("--pn532-bus", choices=("uart", "i2c", "spi"), default="uart",
                   help="how the firmware talks to the simulated PN532 (default: uart, i.e. HSU)")
    p.add_argument("--quiet", action="store_true", help="do not echo the firmware's console")
    return p


def _pn532_main(argv: list[str]) -> int:
    """``vitale-sim pn532 --link PATH [--phone WALLET]``: the PN532 chip model alone on a pty."""
    from .pn532_model import run_pn532_alone

    p = argparse.ArgumentParser(prog="vitale-sim pn532",
                                description="Serve a simulated PN532 (HSU) on a pty for any PN532 host software, "
                                            "with an optional simulated phone kept in the field.")
    p.add_argument("--link", required=True, help="path of the pty symlink")
    p.add_argument("--phone", help="wallet of a phone to keep in the field (vitale-issuer wallet)")
    args = p.parse_args(argv)
    try:
        run_pn532_alone(args.link, args.phone)
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["pn532"]:
        return _pn532_main(argv[1:])
    args = _reader_parser().parse_args(argv)
    echo = None if args.quiet else (lambda line: print(f"[firmware] {line}", file=sys.stderr, flush=True))
    sim = SimReader(args.link, runtime=args.runtime, storage_dir=args.storage, pki=args.pki,
                    pn532_bus=args.pn532_bus, on_output=echo)
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
