"""Time for every layer: monotonic millisecond ticks, and the wall clock the host sets.

Firmware code reads ticks as ``clock.ticks_ms()`` (never ``time.ticks_ms``
directly) so that a test can drive time by hand with ``use_ticks``; on a
board these names are MicroPython's own functions, with no wrapper.
Ticks wrap (2**30 ms on MicroPython): compare them with ``ticks_diff`` only.
"""
import time

ticks_ms = time.ticks_ms
ticks_add = time.ticks_add
ticks_diff = time.ticks_diff

_REBASE_MS = 3600000


def use_ticks(source):
    """Read ticks from ``source()`` from now on (tests: a clock advanced by hand)."""
    global ticks_ms
    ticks_ms = source


class WallClock:
    """Unix time, set by the host (SET_TIME).

    Boards have no battery-backed clock and ports disagree on the epoch, so
    the reader keeps Unix time as an offset from the ticks, rebased
    regularly so that tick wraparound never matters.
    """

    def __init__(self):
        self._base_ticks = ticks_ms()
        self._base_unix_ms = 0
        self.is_set = False

    def set(self, unix_ms):
        self._base_ticks = ticks_ms()
        self._base_unix_ms = unix_ms
        self.is_set = True

    def unix_ms(self):
        now = ticks_ms()
        elapsed = ticks_diff(now, self._base_ticks)
        if elapsed > _REBASE_MS:
            self._base_ticks = now
            self._base_unix_ms += elapsed
            elapsed = 0
        return self._base_unix_ms + elapsed

    def unix(self):
        return self.unix_ms() // 1000
