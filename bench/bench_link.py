"""Link figures: wire and AUTH overhead, decode and MAC cost on both runtimes, HELLO round trip over
the pty, and the fragment-size sweep over a simulated noisy line (sans-IO, fake clock).

    .venv/bin/python bench/bench_link.py            # this module alone
    .venv/bin/python bench/bench_link.py --sweep    # only the fragment-size table
"""
import json
import os
import random
import sys
import tempfile
import time

from vitale_link import PROTOCOL_VERSION, auth, frame, messages
from vitale_link.endpoint import DEFAULT_FRAGMENT, Endpoint
from vitale_link.errors import DeliveryFailed
from vitale_sim import runtimes
from vitale_sim.line import Line, LineNoise, LinkPair

HERE = os.path.dirname(os.path.abspath(__file__))

UART_BYTES_PER_MS = 11.52  # 115200 baud, 8N1
NOISE = {"clean": (0.0, 0.0), "light": (0.001, 0.0005), "noisy": (0.01, 0.005)}  # (corrupt, drop) per byte
FRAGMENTS = (32, 64, 128, 256)
SWEEP_EVENTS = 150
SWEEP_SEEDS = (1, 2)
PRESENTATION = 600  # bytes of a credential event's presentation (an NFC one is ~560-620)


def overhead_1k() -> float:
    payload = os.urandom(1024)
    wire = frame.encode_frame(frame.Frame(messages.EVENT, 1, payload))
    return len(wire) / len(payload)


def auth_overhead_bytes() -> float:
    """Extra wire bytes of the AUTH trailer on a default-size fragment (12, and COBS may add one)."""
    extra = []
    for counter in range(1, 201):
        payload = os.urandom(DEFAULT_FRAGMENT)
        plain = frame.encode_frame(frame.Frame(messages.EVENT, 1, payload))
        authed = frame.encode_frame(frame.Frame(messages.EVENT, 1, payload, counter=counter), auth.MacKey(bytes(32)))
        extra.append(len(authed) - len(plain))
    return sum(extra) / len(extra)


def firmware_figures(runtime: str) -> dict:
    return runtimes.run_json(runtime, os.path.join(HERE, "fw_link.py"))


def pty_figures(runtime: str, rounds: int = 20) -> dict:
    """Over the pty against the simulated reader: the HELLO round trip (median of ``rounds``) and a
    20 KB PING echo (313 fragments of 64 bytes each way, stop-and-wait)."""
    from vitale_reader import Reader
    from vitale_sim.harness import SimReader

    with tempfile.TemporaryDirectory() as tmp, SimReader(os.path.join(tmp, "link"), runtime=runtime) as sim:
        with Reader(sim.link_path, sync_time=False) as reader:
            endpoint = reader.link.endpoint
            hello = {"protocol_version": PROTOCOL_VERSION, "host_nonce": os.urandom(16),
                     "max_fragment": endpoint.max_fragment, "max_message": endpoint.max_message}
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                reader.link.request(messages.HELLO, hello, 2.0)
                times.append(time.perf_counter() - start)
            data = os.urandom(20000)
            start = time.perf_counter()
            if reader.link.request(messages.PING, {"data": data}, 120.0)["data"] != data:
                raise AssertionError("echo differs")
            echo = time.perf_counter() - start
    times.sort()
    return {f"handshake_ms_{runtime}": 1000 * times[len(times) // 2], f"link_echo_20k_ms_{runtime}": 1000 * echo}


def noisy_run(fragment: int, corrupt: float, drop: float, seed: int, events: int = SWEEP_EVENTS) -> dict:
    """A reader streams ``events`` credential-sized EVENTs to a host over a 115200-baud line with
    byte faults both ways, both endpoints keyed (AUTH on every frame), two messages queued at a
    time. Fake clock, 1 ms per step. Returns delivered (exactly once, in order, intact) and time."""
    rng = random.Random(seed)
    reader = Endpoint(session=b"READ", initial_seq=7, max_fragment=fragment)
    host = Endpoint(session=b"HOST", max_fragment=fragment, max_message=1 << 16)
    h2r, r2h = auth.session_keys(bytes(32), bytes(16), bytes(16), 1)
    host.set_keys(h2r, r2h)
    reader.set_keys(r2h, h2r)
    reader.set_peer_limits(host.max_fragment, host.max_message)
    host.set_peer_limits(reader.max_fragment, reader.max_message)
    pair = LinkPair(reader, host, Line(LineNoise(corrupt, drop, seed), UART_BYTES_PER_MS),
                    Line(LineNoise(corrupt, drop, seed + 1000), UART_BYTES_PER_MS))
    sent: list = []
    got: list = []
    failed = 0
    now = 0
    while now < 1_800_000:
        while len(sent) < events and reader.pending() < 2:
            fields = {"kind": "credential", "event_id": len(sent) + 1, "presentation": rng.randbytes(PRESENTATION)}
            reader.send(messages.EVENT, fields, now)
            sent.append(fields)
        at_reader, at_host = pair.step(now)
        failed += sum(1 for x in at_reader if isinstance(x, DeliveryFailed))
        got += [m for m in at_host if isinstance(m, messages.Message)]
        now += 1
        if len(sent) == events and pair.idle():
            break
    ids = [m["event_id"] for m in got]
    if ids != sorted(set(ids)):
        raise AssertionError("delivered out of order or twice")
    intact = sum(1 for m in got if m.fields == sent[m["event_id"] - 1])
    return {"delivered": intact, "failed": failed, "ms": now, "events": events}


def fragment_sweep() -> dict:
    figures = {}
    for fragment in FRAGMENTS:
        for level, (corrupt, drop) in NOISE.items():
            runs = [noisy_run(fragment, corrupt, drop, seed) for seed in SWEEP_SEEDS]
            delivered = sum(r["delivered"] for r in runs)
            total = sum(r["events"] for r in runs)
            seconds = sum(r["ms"] for r in runs) / 1000
            figures[f"linksim_f{fragment}_{level}_delivered_ratio"] = delivered / total
            figures[f"linksim_f{fragment}_{level}_goodput_Bps"] = delivered * PRESENTATION / seconds
        clean = figures[f"linksim_f{fragment}_clean_goodput_Bps"]
        for level in ("light", "noisy"):
            figures[f"linksim_f{fragment}_{level}_goodput_ratio"] = figures[f"linksim_f{fragment}_{level}_goodput_Bps"] / clean
    figures["linksim_default_fragment"] = DEFAULT_FRAGMENT
    return figures


def figures() -> dict:
    cpython, micropython = firmware_figures("cpython"), firmware_figures("micropython")
    result = {
        "link_overhead_1k": overhead_1k(),
        "link_auth_overhead_bytes": auth_overhead_bytes(),
        "link_decode_mbps_cpython": cpython["payload_bytes"] / cpython["us"],  # bytes per µs = MB/s
        "link_decode_mbps_micropython": micropython["payload_bytes"] / micropython["us"],
        "link_mac_ms_cpython": cpython["mac_us"] / 1000,
        "link_mac_ms_micropython": micropython["mac_us"] / 1000,
    }
    result.update(pty_figures("cpython"))
    result.update(pty_figures("micropython"))
    result.update(fragment_sweep())
    return result


if __name__ == "__main__":
    got = fragment_sweep() if "--sweep" in sys.argv else figures()
    for key in sorted(got):
        print(f"{key:45s} {got[key]:.4g}" if isinstance(got[key], float) else f"{key:45s} {got[key]}")
