"""``time.ticks_*`` and ``time.sleep_ms`` for CPython, as MicroPython defines them."""
import time

_TICKS_PERIOD = 1 << 30
_TICKS_HALF = _TICKS_PERIOD // 2


def ticks_ms() -> int:
    return int(time.monotonic() * 1000) & (_TICKS_PERIOD - 1)


def ticks_us() -> int:
    return int(time.monotonic() * 1_000_000) & (_TICKS_PERIOD - 1)


def ticks_add(ticks: int, delta: int) -> int:
    return (ticks + delta) % _TICKS_PERIOD


def ticks_diff(end: int, start: int) -> int:
    return ((end - start + _TICKS_HALF) & (_TICKS_PERIOD - 1)) - _TICKS_HALF


def sleep_ms(ms: int) -> None:
    time.sleep(ms / 1000)


def sleep_us(us: int) -> None:
    time.sleep(us / 1_000_000)


def patch_time_module() -> None:
    for fn in (ticks_ms, ticks_us, ticks_add, ticks_diff, sleep_ms, sleep_us):
        setattr(time, fn.__name__, fn)
