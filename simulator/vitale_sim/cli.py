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

serves the simulated PN532 chip alone on a pty, for any PN532 host software
(libnfc: connstring ``pn532_uart:PATH:115200``), driven by ``tap WALLET``,
``remove`` and ``quit`` on stdin.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import tty
from typing import Callable, Optional

from . import runtimes
from .harness import SimError, SimReader
from .pn532 import Pn532Model


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


def run_pn532_alone(link_path: str, phone_wallet: Optional[str] = None, *,
                    ready: Optional[Callable[[Pn532Model], None]] = None,
                    stop: Optional[threading.Event] = None) -> None:
    """Serve a simulated PN532 (HSU) on a pty symlinked at ``link_path`` until ``stop`` is set.

    With ``phone_wallet``, a simulated phone (``vitale_sim.phone.SimPhone``) is in
    the field, so any PN532 host software (libnfc, nfcpy, Adafruit's driver...) can
    read it. ``ready`` is called with the running model.
    """
    from .phone import SimPhone

    master, slave = os.openpty()
    tty.setraw(slave)
    tty.setraw(master)
    path = os.path.abspath(link_path)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(os.ttyname(slave), path)
    model = Pn532Model(master, transport="uart").start()
    if phone_wallet:
        model.tap(SimPhone(phone_wallet))
    if ready is not None:
        ready(model)
    try:
        (stop or threading.Event()).wait()
    finally:
        model.stop()
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(master)
        os.close(slave)


def _pn532_control(model: Pn532Model, line: str) -> str:
    """One stdin command of ``vitale-sim pn532``: ``tap WALLET``, ``remove``."""
    from .phone import SimPhone

    words = line.split()
    if words[:1] == ["tap"] and len(words) == 2:
        try:
            model.tap(SimPhone(words[1]))
        except (OSError, ValueError) as err:
            return f"error: cannot load wallet {words[1]}: {err}"
        return "ok phone in the field"
    if words == ["remove"]:
        model.remove()
        return "ok phone removed"
    return "error: commands are: tap WALLET, remove, quit"


def _pn532_main(argv: list[str]) -> int:
    """``vitale-sim pn532 --link PATH [--phone WALLET]``: the PN532 chip model alone on a pty."""
    p = argparse.ArgumentParser(prog="vitale-sim pn532",
                                description="Serve a simulated PN532 (HSU) on a pty for any PN532 host software, "
                                            "with an optional simulated phone in the field; stdin takes "
                                            "'tap WALLET', 'remove' and 'quit'.")
    p.add_argument("--link", required=True, help="path of the pty symlink")
    p.add_argument("--phone", help="wallet of a phone to put in the field (vitale-issuer wallet)")
    args = p.parse_args(argv)
    stop = threading.Event()
    started = threading.Event()
    models: list[Pn532Model] = []

    def on_ready(model: Pn532Model) -> None:
        models.append(model)
        started.set()

    server = threading.Thread(target=run_pn532_alone, args=(args.link, args.phone),
                              kwargs={"ready": on_ready, "stop": stop}, daemon=True)
    server.start()
    started.wait()
    print(f"simulated PN532 (HSU, 115200 8N1) on {os.path.abspath(args.link)}"
          + (" with a phone in the field" if args.phone else ""), flush=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        for line in sys.stdin:
            line = line.strip()
            if line == "quit":
                break
            if line:
                print(_pn532_control(models[0], line), flush=True)
        else:
            stop.wait()  # stdin closed (e.g. run in the background): serve until interrupted
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.join(10)
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
