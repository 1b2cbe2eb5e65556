"""`make demo`: the host library reading simulated phones through the simulated reader.

For each firmware runtime (``vitale_sim.runtimes.selected()``: CPython, then
the real MicroPython interpreter) it starts a simulated reader on a pty, opens it with ``vitale_reader.Reader``
exactly as practice software would, shows the reader a phone by NFC and a
phone screen by QR, and prints what the host library reports. Everything
uses the built-in TEST PKI and test identities.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

from vitale_reader import CardEvent, CredentialEvent, Reader
from vitale_reader.events import Event

from . import runtimes
from .harness import SimReader
from .issuer import qr as qr_image
from .issuer.wallet import Wallet
from .testpki import load as load_test_pki


def describe(event: Event) -> str:
    if isinstance(event, CardEvent):
        return "phone entered the field" if event.present else "phone left the field"
    if isinstance(event, CredentialEvent):
        ident = event.identity
        who = (f"INS {ident.matricule[:1]}************ key {ident.key:02d} (traits redacted), "
               f"OID {ident.oid}") if ident is not None else "no identity"
        verdict = "VERIFIED by the host" if event.verified else f"REFUSED ({event.reason})"
        return f"credential via {event.source}: {verdict}; reader said {event.reader_reason}; {who}"
    return repr(event)


def wait_for(reader: Reader, kind: type, timeout: float = 20.0) -> Event:
    deadline = time.monotonic() + timeout
    while True:
        event = reader.next_event(timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(event, kind):
            return event
        print(f"  event: {describe(event)}")


def demo_runtime(runtime: str, workdir: str, wallet_path: str) -> None:
    print(f"\n=== firmware under {runtime} ===")
    link = os.path.join(workdir, f"vitale-{runtime}")
    with SimReader(link, runtime=runtime) as sim, Reader(link) as reader:
        info = reader.info()
        print(f"reader on {link}: board={info.board} firmware={info.firmware_version} "
              f"protocol={info.protocol_version} trust list v{info.trust_version} "
              f"features={','.join(sorted(info.features)) or '-'}")
        print(f"ping round trip: {1000 * reader.ping(b'demo'):.1f} ms")

        print("NFC: the patient taps the phone on the reader")
        print(f"  simulator: {sim.command(f'tap {wallet_path}')}")
        print(f"  {describe(wait_for(reader, CredentialEvent))}")
        sim.command("remove")
        print("NFC: a phone with a forged presentation (one signature bit flipped)")
        sim.command(f"tap {wallet_path} --fault bad_signature")
        print(f"  {describe(wait_for(reader, CredentialEvent))}")
        sim.command("remove")

        png = os.path.join(workdir, f"phone-screen-{runtime}.png")
        version = qr_image.save_png(Wallet.load(wallet_path).qr_text(int(time.time())), png)
        print(f"QR: the phone shows a version-{version} QR code; the camera sees {os.path.basename(png)}")
        print(f"  simulator: {sim.command(f'scan {png}')}")
        print(f"  {describe(wait_for(reader, CredentialEvent))}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="vitale-demo-") as workdir:
        wallet_path = os.path.join(workdir, "phone.wallet")
        load_test_pki().new_wallet().save(wallet_path)
        print(f"TEST wallet issued by the built-in test PKI: {wallet_path}")
        for runtime in runtimes.selected():
            demo_runtime(runtime, workdir, wallet_path)
    print("\ndemo done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
