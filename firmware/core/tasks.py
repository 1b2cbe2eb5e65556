"""A small cooperative scheduler of generator tasks, the same on a board and in the simulator.

A task is a generator. ``yield`` means "waiting, call me next turn";
``yield True`` means "made progress, more to do". Waits compose with
``yield from``. The loop sleeps (``board.idle``) only when no task made
progress, so the reader stays responsive without busy-waiting.
"""
import time


class Deadline:
    """A wraparound-safe point in time ``ms`` milliseconds from now."""

    def __init__(self, ms):
        self._end = time.ticks_add(time.ticks_ms(), ms)

    def remaining(self):
        return max(0, time.ticks_diff(self._end, time.ticks_ms()))

    def expired(self):
        return time.ticks_diff(self._end, time.ticks_ms()) <= 0


def sleep_ms(ms):
    """Wait ``ms`` milliseconds without blocking other tasks: ``yield from sleep_ms(5)``."""
    deadline = Deadline(ms)
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
