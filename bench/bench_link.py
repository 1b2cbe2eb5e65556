"""Link figures: wire overhead, decode throughput on both runtimes, HELLO round trip over the pty."""
import json
import os
import tempfile
import time

from vitale_link import frame, messages
from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)



def overhead_1k() -> float:
    payload = os.urandom(1024)
    wire = frame.encode_frame(frame.Frame(messages.EVENT, 1, payload))
    return len(wire) / len(payload)


def decode_mbps(runtime: str) -> float:
    out = runtimes.run(runtime, os.path.join(HERE, "fw_link.py")).stdout.decode().strip().splitlines()[-1]
    result = json.loads(out)
    return result["payload_bytes"] / result["us"]  # bytes per µs = MB/s


def handshake_ms(runtime: str, rounds: int = 20) -> float:
    from vitale_reader import Reader
    from vitale_link import PROTOCOL_VERSION
    from vitale_sim.harness import SimReader

    with tempfile.TemporaryDirectory() as tmp, SimReader(os.path.join(tmp, "link"), runtime=runtime) as sim:
        with Reader(sim.link_path, sync_time=False) as reader:
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                reader.link.request(messages.HELLO, {"protocol_version": PROTOCOL_VERSION}, 2.0)
                times.append(time.perf_counter() - start)
    times.sort()
    return 1000 * times[len(times) // 2]


def figures() -> dict:
    return {
        "link_overhead_1k": overhead_1k(),
        "link_decode_mbps_cpython": decode_mbps("cpython"),
        "link_decode_mbps_micropython": decode_mbps("micropython"),
        "handshake_ms_cpython": handshake_ms("cpython"),
        "handshake_ms_micropython": handshake_ms("micropython"),
    }


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))
