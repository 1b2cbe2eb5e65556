"""A simulated serial line for the link: byte-level faults, a byte rate, a fake clock.

``LineNoise`` damages bytes as a bad cable does (each byte dropped with
probability ``drop``, else replaced by another value with probability
``corrupt``), from a seeded RNG so a failure replays. ``Line`` is one
direction of a UART: what is written comes out after its transmission time.
``LinkPair`` drives two sans-IO ``vitale_link`` endpoints over two lines, one
fake millisecond per ``step``: the property tests and ``bench/bench_link.py``
use it, with no wall time anywhere.
"""
from __future__ import annotations

import random
from typing import Any, Optional


class LineNoise:
    def __init__(self, corrupt: float = 0.0, drop: float = 0.0, seed: int = 0):
        self.corrupt = corrupt
        self.drop = drop
        self.seed = seed
        self._rng = random.Random(seed)
        self.bytes_in = self.corrupted = self.dropped = 0

    @classmethod
    def parse(cls, spec: str) -> "LineNoise":
        """``corrupt=0.01,drop=0.005,seed=7`` (any subset, any order)."""
        values: dict[str, Any] = {}
        for part in filter(None, spec.split(",")):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in ("corrupt", "drop", "seed"):
                raise ValueError(f"line noise: unknown setting {name!r}")
            values[name] = int(value) if name == "seed" else float(value)
            if name != "seed" and not 0.0 <= values[name] <= 1.0:
                raise ValueError(f"line noise: {name} is a probability")
        return cls(**values)

    def carry(self, data: bytes) -> bytes:
        if not (self.corrupt or self.drop) or not data:
            self.bytes_in += len(data)
            return data
        out = bytearray()
        rng = self._rng
        for byte in data:
            self.bytes_in += 1
            r = rng.random()
            if r < self.drop:
                self.dropped += 1
            elif r < self.drop + self.corrupt:
                self.corrupted += 1
                out.append(byte ^ rng.randrange(1, 256))
            else:
                out.append(byte)
        return bytes(out)


class Line:
    """One direction: ``write(data, now)``, ``read(now)`` returns what has arrived by ``now``.

    ``bytes_per_ms``: the line rate (a UART at 115200 baud carries 11.52 bytes/ms); None for
    an instant line. Bytes are damaged by ``noise`` as they are written.
    """

    def __init__(self, noise: Optional[LineNoise] = None, bytes_per_ms: Optional[float] = None):
        self.noise = noise or LineNoise()
        self.bytes_per_ms = bytes_per_ms
        self._queue = bytearray()
        self._credit = 0.0
        self._last = None

    def write(self, data: bytes, now: int) -> None:
        if data:
            self._queue += self.noise.carry(data)

    def busy(self) -> bool:
        return bool(self._queue)

    def read(self, now: int) -> bytes:
        if self.bytes_per_ms is None:
            out, self._queue = bytes(self._queue), bytearray()
            return out
        if self._last is not None and self._queue:
            self._credit += (now - self._last) * self.bytes_per_ms
        self._last = now
        n = min(int(self._credit), len(self._queue))
        self._credit -= n
        if not self._queue:
            self._credit = 0.0
        out = bytes(self._queue[:n])
        del self._queue[:n]
        return out


class LinkPair:
    """Endpoints ``a`` and ``b`` joined by lines ``ab`` and ``ba``; ``step(now)`` runs both once."""

    def __init__(self, a: Any, b: Any, ab: Optional[Line] = None, ba: Optional[Line] = None):
        self.a, self.b = a, b
        self.ab, self.ba = ab or Line(), ba or Line()

    def step(self, now: int) -> tuple[list, list]:
        """Returns (what ``a`` got, what ``b`` got): messages, typed errors, DeliveryFailed values."""
        at_a = self.a.poll(now)
        at_b = self.b.poll(now)
        self.ab.write(self.a.outgoing(), now)
        self.ba.write(self.b.outgoing(), now)
        at_b += self.b.receive(self.ab.read(now), now)
        at_a += self.a.receive(self.ba.read(now), now)
        self.ab.write(self.a.outgoing(), now)  # ACKs and NAKs go out in the same millisecond
        self.ba.write(self.b.outgoing(), now)
        return at_a, at_b

    def idle(self) -> bool:
        return not (self.a.pending() or self.b.pending() or self.ab.busy() or self.ba.busy())
