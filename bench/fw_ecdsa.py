"""Firmware-side bench of crypto.p256 / crypto.gcm, run by bench/bench_ecdsa.py on each runtime.

    node simulator/wasm/run.mjs --path ../shared/bench bench/fw_ecdsa.py
    python simulator/cpython/run.py --path ../shared/bench bench/fw_ecdsa.py

Prints one JSON line of figures measured in this process, side by side:
the naive yardstick (``naive_p256.verify``, loaded unchanged from the
``--path`` directory) and the project's verifiers on the same signature,
after a warm-up (the wasm engine tiers hot code up), rounds interleaved,
each call timed alone in CPU time of the process (``process.cpuUsage()``
through the ``js`` bridge under wasm, ``time.process_time()`` under CPython:
the machine is shared, and the wasm port's ``ticks_us`` only ticks in ms),
the fastest call kept. Under MicroPython it also runs the two board
calibration programs (1000-digit pi, 1,000,000 integer additions).

Heap (MicroPython): the wasm build defers ``gc.collect()`` to the moment the
interpreter returns to JavaScript (split-heap auto mode), so nothing is freed
inside a synchronous call. The script therefore runs as an asyncio task and
"hops" (``gc.collect(); await asyncio.sleep_ms(5)``) to get a real collection
between measurements:

* ``table_bytes``: heap still held after building one ``TrustedKey``.
* ``verify_live_bytes``: heap held by the working set of one arbitrary-key
  verification at its largest (the odd-multiple table, its negation, the
  wNAF digits, the comb columns, all built by the real functions and held
  across a hop) plus the main loop's big-int temporaries (measured as 24
  768-bit ints held across a hop, more than the loop ever holds at once).
* ``verify_alloc_bytes``: bytes allocated by one verification (the GC churn:
  what a board's collector has to reclaim per verification).
* ``gtable_bytes``: heap held by the G comb table module imported from source
  (a frozen module would keep it in flash).
"""
import asyncio
import gc
import json
import sys
import time

import naive_p256
from crypto import gcm, p256, p256_pure

MP = sys.implementation.name == "micropython"
try:
    import js  # the wasm interpreter's bridge to JavaScript

    def clock_ms():
        """CPU time of this process in ms, microsecond resolution (``time.ticks_us`` only
        ticks in ms here, and wall time counts other jobs on a shared machine)."""
        u = js.process.cpuUsage()
        return (u.user + u.system) / 1000
except ImportError:  # CPython, or a board
    def clock_ms():
        if hasattr(time, "process_time"):
            return time.process_time() * 1000
        return time.ticks_us() / 1000

QX = 0xC37C465100181382FFB4263B5B87C47519A68D6D6991ADBD593A3EFA11142228
QY = 0xA134FF26BC98E9333F84AD71500F50CCA8870AABC29022142191FC1BF24A0FD3
R = 0xB3B9451C3ECFA6CDB811E3BCEBE45ECD8F5F4488BF0B084ECE3AAFCFFF4B6AE8
S = 0xD866375B9D63C46DA9337726DF58AA5DF4EFAF1D58341D89823415B0DCE859BC
DIGEST = bytes.fromhex("bc9b4e22f9b351fac392222b138ea6b2f21acbe7a1357cededf89eb0b3e245d4")
PEER = b"\x04" + bytes.fromhex(
    "3f8974945db84dd7fded52eb523dbcbf9607f9db7887f3d52c1c1d6db9c6ebb5"
    "557807c3bade9841baaae21e5a554fcf2404050212dd9659bed53a28683ec4c8")
PUB = b"\x04" + QX.to_bytes(32, "big") + QY.to_bytes(32, "big")
SIG = R.to_bytes(32, "big") + S.to_bytes(32, "big")


async def hop():
    """A real garbage collection (see the module docstring)."""
    gc.collect()
    if MP:
        await asyncio.sleep_ms(5)
    else:
        await asyncio.sleep(0)


def heap():
    return gc.mem_alloc() if MP else 0


def pi_digits(places):
    """The 1000-digit pi of the public MicroPython benchmark (big-int bound)."""
    extra = 8
    one = 10 ** (places + extra)
    t = c = 3 * one
    n, na, d, da = 1, 0, 0, 24
    while t > 1:
        n += na
        na += 8
        d += da
        da += 32
        t = t * n // d
        c += t
    return c // 10 ** extra


def int_add_loop(n):
    """The 1,000,000-iteration integer add of the same benchmark (interpreter bound)."""
    a, b = 12345, 56789
    s = 0
    for _ in range(n):
        s = a + b
    return s


def ms_of(fn, inner):
    t0 = clock_ms()
    for _ in range(inner):
        fn()
    return (clock_ms() - t0) / inner


async def bench(cases, rounds):
    """Interleave the cases round by round, timing each call; best (minimum) ms per call.

    The machine is shared with other jobs: the fastest of many short samples
    is the one least disturbed, for the yardstick and the verifiers alike.
    """
    best = {}
    for _ in range(rounds):
        for name, fn, inner in cases:
            await hop()
            for _ in range(inner):
                t = ms_of(fn, 1)
                if name not in best or t < best[name]:
                    best[name] = t
    return best


async def main():
    out = {}
    tk = p256.TrustedKey(PUB)
    g = gcm.AesGcm(bytes(range(16)))
    pt1k = bytes(1024)
    nonce = bytes(12)
    priv = 0x1F2E3D4C5B6A79880123456789ABCDEF0FEDCBA9876543210A1B2C3D4E5F6071
    # correctness first: the same answers from both verifiers
    bad = SIG[:-1] + bytes((SIG[-1] ^ 1,))
    if not (naive_p256.verify(QX, QY, DIGEST, R, S) and p256.verify(PUB, DIGEST, SIG) and tk.verify(DIGEST, SIG)):
        raise SystemExit("bench signature does not verify")
    if p256.verify(PUB, DIGEST, bad) or tk.verify(DIGEST, bad):
        raise SystemExit("bench tampered signature verifies")

    cases = [
        ("naive", lambda: naive_p256.verify(QX, QY, DIGEST, R, S), 3),
        ("verify", lambda: p256.verify(PUB, DIGEST, SIG), 4),
        ("trusted", lambda: tk.verify(DIGEST, SIG), 8),
    ]
    for _ in range(2):  # warm-up (the wasm engine tiers up hot code)
        for _, fn, inner in cases:
            fn()
    best = await bench(cases, 30)
    out["naive_ms"] = best["naive"]
    out["verify_ms"] = best["verify"]
    out["trusted_ms"] = best["trusted"]

    more = [
        ("ecdh", lambda: p256.ecdh(priv, PEER), 4),
        ("keygen", lambda: p256.public_key(priv), 6),
        ("trusted_key_build", lambda: p256.TrustedKey(PUB), 1),
        ("gcm_1k", lambda: g.encrypt(nonce, pt1k, b""), 6),
    ]
    for _, fn, inner in more:
        fn()
    best = await bench(more, 5)
    out["ecdh_ms"] = best["ecdh"]
    out["public_key_ms"] = best["keygen"]
    out["trusted_key_build_ms"] = best["trusted_key_build"]
    out["gcm_1k_ms"] = best["gcm_1k"]

    if MP:
        # heap: one TrustedKey table
        await hop()
        a0 = heap()
        keep = p256.TrustedKey(PUB)
        await hop()
        out["table_bytes"] = heap() - a0
        keep = None
        # heap: bytes allocated by one verification (no collection can happen inside it)
        await hop()
        a0 = heap()
        p256.verify(PUB, DIGEST, SIG)
        out["verify_alloc_bytes"] = heap() - a0
        a0 = heap()
        tk.verify(DIGEST, SIG)
        out["trusted_alloc_bytes"] = heap() - a0
        # heap: working set of one verification, built by the real functions
        w = p256_pure._inv(S, p256.N)
        u1 = int.from_bytes(DIGEST, "big") * w % p256.N
        u2 = R * w % p256.N
        await hop()
        a0 = heap()
        tab = p256_pure._odd_multiples(QX, QY)
        tabn = [(x, p256.P - y) for x, y in tab]
        qd = p256_pure._wnaf5(u2)
        gcols = p256_pure._g_columns(u1)
        await hop()
        state = heap() - a0
        big = (1 << 767) | 12345
        temps = []
        await hop()
        a0 = heap()
        for i in range(24):
            temps.append(big + i)
        await hop()
        out["verify_live_bytes"] = state + heap() - a0
        tab = tabn = qd = gcols = temps = None

        # heap: the G comb table module (a second, fresh import of it)
        await hop()
        a0 = heap()
        saved = sys.modules.pop("crypto.p256_gtable")
        fresh = __import__("crypto.p256_gtable", None, None, ["TABLE"])
        await hop()
        out["gtable_bytes"] = heap() - a0
        fresh = None
        sys.modules["crypto.p256_gtable"] = saved

        # board calibration programs, best of several runs like the public benchmark
        await hop()
        out["calib_pi1000_ms"] = min(ms_of(lambda: pi_digits(1000), 1) for _ in range(10))
        await hop()
        out["calib_intloop_ms"] = min(ms_of(lambda: int_add_loop(1000000), 1) for _ in range(5))
    print(json.dumps(out))


if MP:
    asyncio.create_task(main())
else:
    asyncio.run(main())
