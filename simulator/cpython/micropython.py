"""The ``micropython`` module's few functions the firmware uses, for CPython."""


def const(value):
    return value


def kbd_intr(char: int) -> None:
    """No REPL to interrupt under CPython."""


def mem_info(*args) -> None:
    """Nothing to report under CPython."""
