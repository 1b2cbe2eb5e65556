"""``vitale-reader``: talk to a reader from the shell.

    vitale-reader ports                      serial ports present (USB VID:PID)
    vitale-reader info URL                   handshake and print the reader's identity
    vitale-reader listen URL [--show-identity] [--json]
                                             print events as they come (Ctrl-C to stop)
    vitale-reader trust-update URL FILE      install a signed trust list on the reader

URL is a device path (/dev/ttyACM0) or any pyserial URL. Identity data is
redacted unless ``--show-identity`` is given.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, Optional

from . import events as ev
from .errors import VitaleError
from .reader import Reader
from .transport import list_ports


def _event_dict(event: ev.Event, show_identity: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": event.kind, "event_id": event.event_id,
                           "reader_time": event.reader_time.isoformat() if event.reader_time else None}
    for f in dataclasses.fields(event):
        if f.name in out or not f.repr:
            continue
        value = getattr(event, f.name)
        if f.name == "identity":
            value = value.as_dict() if (show_identity and value is not None) else (
                None if value is None else "<redacted>")
        out[f.name] = value
    return out


def _cmd_ports(args: argparse.Namespace) -> int:
    for device, description, vid, pid in list_ports():
        usb = f"{vid:04x}:{pid:04x}" if vid is not None and pid is not None else "-"
        print(f"{device}\t{usb}\t{description}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    with Reader(args.url, pki=args.pki) as reader:
        info = reader.info()
        for f in dataclasses.fields(info):
            value = getattr(info, f.name)
            print(f"{f.name}: {', '.join(sorted(value)) if isinstance(value, frozenset) else value}")
    return 0


def _cmd_listen(args: argparse.Namespace) -> int:
    with Reader(args.url, pki=args.pki) as reader:
        print(f"listening on {args.url} (Ctrl-C to stop)", file=sys.stderr)
        try:
            while True:
                try:
                    event = reader.next_event(timeout=1.0)
                except TimeoutError:
                    continue
                data = _event_dict(event, args.show_identity)
                if args.json:
                    print(json.dumps(data, default=str), flush=True)
                else:
                    print(" ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "")), flush=True)
        except KeyboardInterrupt:
            return 0


def _cmd_trust_update(args: argparse.Namespace) -> int:
    with open(args.file, "rb") as f:
        signed = f.read()
    with Reader(args.url, pki=args.pki) as reader:
        print(f"trust list version {reader.update_trust_list(signed)} installed")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="vitale-reader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pki", help="PKI directory whose root to trust (default: the built-in TEST PKI)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ports", help="list serial ports").set_defaults(func=_cmd_ports)
    p = sub.add_parser("info", help="print the reader's identity")
    p.add_argument("url")
    p.set_defaults(func=_cmd_info)
    p = sub.add_parser("listen", help="print events")
    p.add_argument("url")
    p.add_argument("--json", action="store_true", help="one JSON object a line")
    p.add_argument("--show-identity", action="store_true", help="print identity data (personal data!)")
    p.set_defaults(func=_cmd_listen)
    p = sub.add_parser("trust-update", help="install a signed trust list")
    p.add_argument("url")
    p.add_argument("file")
    p.set_defaults(func=_cmd_trust_update)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except VitaleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
