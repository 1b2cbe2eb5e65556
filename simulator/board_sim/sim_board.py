"""The simulated board: the firmware's HAL over file descriptors the simulator hands in.

Runs unchanged under CPython and the MicroPython wasm interpreter; all host
services come through the ``simhost`` bridge (see simulator/wasm/simhost.mjs
and simulator/cpython/simhost.py). The configuration is JSON written by
``vitale_sim.harness``.
"""
import binascii
import json

import simhost


class FdStream:
    """A non-blocking byte stream shaped like ``machine.UART``: any(), read(n), write(buf)."""

    def __init__(self, fd):
        self.fd = fd
        self._buf = b""
        self.eof = False

    def _fill(self):
        if not self._buf and not self.eof:
            data = simhost.read(self.fd, 4096)
            if data is not None:
                data = bytes(data)
                if data:
                    self._buf = data
                else:
                    self.eof = True

    def any(self):
        self._fill()
        return len(self._buf)

    def read(self, n=-1):
        self._fill()
        if not self._buf:
            return None
        if n is None or n < 0:
            n = len(self._buf)
        out = self._buf[:n]
        self._buf = self._buf[n:]
        return out

    def write(self, buf):
        if not buf:
            return 0
        return simhost.write(self.fd, binascii.hexlify(bytes(buf)).decode())


class DirStorage:
    """Board flash as files in a host directory, replaced atomically."""

    def __init__(self, path):
        self._path = path

    def read(self, name):
        data = simhost.file_read(self._path + "/" + name)
        return None if data is None else bytes(data)

    def write_atomic(self, name, data):
        simhost.file_write_atomic(self._path + "/" + name, binascii.hexlify(bytes(data)).decode())


class SimBoard:
    name = "sim"
    # The chip model is a thread of another process on a machine that may be loaded: wait far
    # longer for its ACK than the manual's 15 ms, or a late ACK would make the driver resend (and
    # the chip run the command twice) or give up on a chip that is only slow to be scheduled.
    pn532_ack_timeout_ms = 1000

    def __init__(self, config):
        self.config = config
        self.host_link = FdStream(config["link_fd"])
        self._control = FdStream(config["control_fd"])
        self.storage = DirStorage(config["storage_dir"])
        self._device_id = binascii.unhexlify(config["device_id"])
        root = config.get("pinned_root")
        self.pinned_root = binascii.unhexlify(root) if root else None
        self.pn532 = self._make_pn532(config.get("pn532"))
        self.scanner = self._make_scanner(config.get("scanner"))

    def _make_pn532(self, spec):
        if not spec:
            return None
        if spec["bus"] == "uart":
            return ("uart", FdStream(spec["fd"]))
        import sim_buses
        return sim_buses.make_pn532_bus(spec)

    def _make_scanner(self, spec):
        if not spec:
            return None
        return (spec["kind"], FdStream(spec["fd"]))

    def random_bytes(self, n):
        return bytes(simhost.random(n))

    def device_id(self):
        return self._device_id

    def idle(self, ms):
        simhost.sleep_ms(ms)

    def should_stop(self):
        """The simulator closed our control pipe (or said quit): time to stop."""
        if self._control.any():
            self._control.read()
        return self._control.eof


def make_board(config_json):
    return SimBoard(json.loads(config_json))
