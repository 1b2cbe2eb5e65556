"""The host link over the board's USB CDC port (the REPL's stdin/stdout).

``micropython.kbd_intr(-1)`` stops a 0x03 byte in a frame from raising
KeyboardInterrupt. Reads never block: ``select.poll`` says what is there.
"""
import select
import sys

import micropython


class UsbCdcLink:
    def __init__(self):
        micropython.kbd_intr(-1)
        self._in = sys.stdin.buffer
        self._out = sys.stdout.buffer
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def any(self):
        return 1 if self._poll.poll(0) else 0

    def read(self, n):
        # The CDC stream hands over one byte per ready poll at worst; read what is there.
        out = bytearray()
        while len(out) < n and self._poll.poll(0):
            chunk = self._in.read(1)
            if not chunk:
                break
            out += chunk
        return bytes(out) if out else None

    def write(self, buf):
        return self._out.write(buf)
