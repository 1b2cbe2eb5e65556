"""`make demo`: the host library reading simulated phones through the simulated reader.

For each firmware runtime (CPython, then the real MicroPython interpreter)
it starts a simulated reader on a pty, opens it with ``vitale_reader.Reader``
exactly as practice software would, and prints what the reader reports.
"""
from __future__ import annotations

import os
import sys
import tempfile

from vitale_reader import Reader

from .harness import RUNTIMES, SimReader


def demo_runtime(runtime: str, workdir: str) -> None:
    print(f"\n=== firmware under {runtime} ===")
    link = os.path.join(workdir, f"vitale-{runtime}")
    with SimReader(link, runtime=runtime) as sim, Reader(link) as reader:
        info = reader.info()
        print(f"reader on {link}: board={info.board} firmware={info.firmware_version} "
              f"protocol={info.protocol_version} device={info.device_id} "
              f"features={sorted(info.features) or '-'}")
        print(f"ping round trip: {1000 * reader.ping(b'demo'):.1f} ms")
        del sim


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="vitale-demo-") as workdir:
        for runtime in RUNTIMES:
            demo_runtime(runtime, workdir)
    print("\ndemo done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
