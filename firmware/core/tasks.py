"""A small cooperative scheduler of generator tasks, the same on a board and in the simulator.

A task is a generator. ``yield`` means "waiting, call me next turn";
``yield True`` means "made progress, more to do". Waits compose with
``yield from``: ``yield from sleep_ms(5)``, or a loop on a ``Deadline``.
The loop sleeps (``board.idle``) only when no task made progress, so the
reader stays responsive without busy-waiting. Every wait in the firmware is
one of these two primitives: no module keeps a sleep loop of its own.
"""
from core import clock


class Deadline:
    """A wraparound-safe point in time ``ms`` milliseconds from now."""

    def __init__(self, ms):
        self._end = clock.ticks_add(clock.ticks_ms(), ms)

    def remaining(self):
        """Milliseconds left, 0 once expired."""
        return max(0, clock.ticks_diff(self._end, clock.ticks_ms()))

    def expired(self):
        return clock.ticks_diff(self._end, clock.ticks_ms()) <= 0


def sleep_ms(ms):
    """Wait ``ms`` milliseconds without blocking other tasks (at least one turn)."""
    deadline = Deadline(ms)
    yield
    while not deadline.expired():
        yield


class Scheduler:
    def __init__(self, on_error=None):
        self._tasks = []
        self._on_error = on_error

    def spawn(self, gen, name):
        self._tasks.append((name, gen))

    def names(self):
        return [name for name, _ in self._tasks]

    def run_once(self):
        """Step every task once; return True if any made progress."""
        progress = False
        for entry in list(self._tasks):
            name, gen = entry
            try:
                if next(gen):
                    progress = True
            except StopIteration:
                self._tasks.remove(entry)
            except Exception as err:  # a task died: report it and drop it, the loop goes on
                self._tasks.remove(entry)
                if self._on_error is not None:
                    self._on_error(name, err)
                else:
                    raise
        return progress

    def run(self, board, stop=None):
        """Run until ``stop()`` is true (never, on a board)."""
        while stop is None or not stop():
            if not self.run_once():
                board.idle(1)
