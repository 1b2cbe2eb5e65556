"""Heap the firmware holds once booted (run by bench_boot.py under the wasm interpreter).

Imports the whole firmware from source, builds ``ReaderApp`` on a board with a
PN532 and a scan engine (in-memory buses) and the built-in test trust list
(two issuer keys, so two TrustedKey tables), then measures the live heap. On
this interpreter ``gc.collect()`` only frees once control is back in
JavaScript, hence the asyncio "hop" (see fw_ecdsa.py). Prints one JSON line.
"""
import asyncio
import gc
import json

import simhost


class Stream:
    def any(self):
        return 0

    def read(self, n):
        return None

    def write(self, buf):
        return len(buf)


class Flash:
    def __init__(self, trust_list):
        self.trust_list = trust_list

    def read(self, name):
        return self.trust_list if name == "trustlist.cose" else None

    def write_atomic(self, name, data):
        pass


class Board:
    name = "boot-bench"
    pinned_root = None

    def __init__(self, trust_list):
        self.host_link = Stream()
        self.pn532 = ("uart", Stream())
        self.scanner = ("gm65", Stream())
        self.storage = Flash(trust_list)

    def random_bytes(self, n):
        return bytes(simhost.random(n))

    def device_id(self):
        return b"\x00" * 8

    def idle(self, ms):
        pass


async def hop():
    gc.collect()
    await asyncio.sleep_ms(5)
    gc.collect()
    await asyncio.sleep_ms(5)


async def main():
    trust_list = bytes(simhost.file_read(json.loads(simhost.argv())[1]))
    await hop()
    base = gc.mem_alloc()
    from app.reader import ReaderApp

    await hop()
    imported = gc.mem_alloc() - base
    app = ReaderApp(Board(trust_list))
    for _ in range(50):  # let the tasks start (the engines get no answers: that is fine here)
        app.step()
    await hop()
    booted = gc.mem_alloc() - base
    print(json.dumps({"imported_bytes": imported, "booted_bytes": booted, "trust_version": app.trust.version}))


asyncio.create_task(main())
