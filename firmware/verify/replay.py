"""A bounded replay cache for QR presentations (CREDENTIAL.md §6.3).

Fixed capacity. Each entry lives until its expiry (the presentation's
timestamp + the acceptance window: after that the ``stale`` check rejects
it anyway). When full, expired entries go first, then the oldest. Evicting
a live entry re-opens a replay window for it: size ``capacity`` above the
number of QR presentations a reader can accept within two windows (64 by
default, i.e. one every 3.75 s for 240 s); ``evictions`` counts them.
"""


class ReplayCache:
    def __init__(self, capacity=64):
        if capacity < 1:
            raise ValueError("capacity")
        self.capacity = capacity
        self._keys = []
        self._expiry = []
        self.evictions = 0

    def _purge(self, now):
        keys = self._keys
        exp = self._expiry
        i = 0
        while i < len(keys):
            if exp[i] < now:
                keys.pop(i)
                exp.pop(i)
            else:
                i += 1

    def seen(self, key, now):
        """True when ``key`` is held (and not expired at ``now``)."""
        self._purge(now)
        return key in self._keys

    def add(self, key, expires, now):
        """Remember ``key`` until ``expires`` (same clock as ``now``)."""
        self._purge(now)
        if key in self._keys:
            return
        if len(self._keys) >= self.capacity:
            self._keys.pop(0)
            self._expiry.pop(0)
            self.evictions += 1
        self._keys.append(key)
        self._expiry.append(expires)

    def __len__(self):
        return len(self._keys)

    def __repr__(self):
        return "ReplayCache(%d/%d)" % (len(self._keys), self.capacity)
