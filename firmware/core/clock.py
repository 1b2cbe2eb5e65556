"""Wall-clock time for the reader, set by the host (SET_TIME).

Boards have no battery-backed clock and ports disagree on the epoch, so the
reader keeps Unix time as an offset from ``time.ticks_ms()``, rebased
regularly so that tick wraparound (2**30 ms on MicroPython) never matters.
"""
import time

_REBASE_MS = 3600000


class WallClock:
    def __init__(self):
        self._base_ticks = time.ticks_ms()
        self._base_unix_ms = 0
        self.is_set = False

    def set(self, unix_ms):
        self._base_ticks = time.ticks_ms()
        self._base_unix_ms = unix_ms
        self.is_set = True

    def unix_ms(self):
        now = time.ticks_ms()
        elapsed = time.ticks_diff(now, self._base_ticks)
        if elapsed > _REBASE_MS:
            self._base_ticks = now
            self._base_unix_ms += elapsed
            elapsed = 0
        return self._base_unix_ms + elapsed

    def unix(self):
        return self.unix_ms() // 1000
