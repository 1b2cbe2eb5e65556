"""One event per code held in front of the camera, in bounded memory.

Scan engines report the same code again and again while it stays in view
(a GM65 re-triggered by the driver, a Tiny Code Reader at ~5 reads/s, an
OpenMV frame loop). ``Dedup.fresh(key)`` answers whether a read is a new
event:

- a code never seen (or evicted) is new;
- a code seen again less than ``hold_off_ms`` after its previous read is the
  same presentation: not new, and its "last seen" time moves forward, so a
  code held for a minute is still one event;
- a code seen again after being absent for ``hold_off_ms`` or more is new
  (for a signed QR presentation the verifier's replay cache then rejects it,
  which is the right outcome for a replay).

Memory: ``capacity`` slots of an 8-byte SHA-256 prefix plus a tick count;
when full, the slot seen longest ago is reused. Codes themselves are never
stored. Time is ``core.clock`` ticks, compared with wraparound-safe ``ticks_diff``.
"""
import hashlib

from micropython import const

from core import clock
from qr import ENGINE_ERROR, QrError

_KEY_LEN = const(8)


def key_of(data):
    """The short hash a code is remembered by (``bytes`` or ``str`` in)."""
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).digest()[:_KEY_LEN]


class Dedup:
    def __init__(self, hold_off_ms, capacity):
        if capacity < 1:
            raise QrError("dedup capacity must be at least 1", ENGINE_ERROR)
        self.hold_off_ms = hold_off_ms
        self._keys = [None] * capacity
        self._seen = [0] * capacity

    def fresh(self, key, now=None):
        """True when ``key`` (from ``key_of``) starts a new event; records the read either way."""
        if now is None:
            now = clock.ticks_ms()
        keys = self._keys
        seen = self._seen
        oldest = 0
        oldest_age = -1
        for i in range(len(keys)):
            k = keys[i]
            if k is None:
                if oldest_age < 0x3FFFFFFF:
                    oldest, oldest_age = i, 0x3FFFFFFF  # an empty slot beats any used one
                continue
            age = clock.ticks_diff(now, seen[i])
            if k == key:
                seen[i] = now
                # age < 0: the entry is so old the tick counter wrapped past it
                return age >= self.hold_off_ms or age < 0
            if age < 0:
                age = 0x3FFFFFFE
            if age > oldest_age:
                oldest, oldest_age = i, age
        keys[oldest] = key
        seen[oldest] = now
        return True

    def forget(self):
        for i in range(len(self._keys)):
            self._keys[i] = None
