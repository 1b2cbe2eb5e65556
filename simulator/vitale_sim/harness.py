"""The simulated reader: the firmware in a child process, its host link on a pty.

Topology::

    host program --pty (PATH)--> [firmware child: CPython or MicroPython/wasm]
                                     |  socket: PN532 HSU / I2C / SPI  -> Pn532Model (thread, here)
                                     |  socket: scan-engine UART       -> Gm65Model  (thread, here)
                                     |  pipe: control (EOF = stop)

The child gets its descriptors non-blocking and reads them through the
``simhost`` bridge; this process simulates the chips the firmware drives.
"""
from __future__ import annotations

import binascii
import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import tty
from typing import Callable, Optional

from . import runtimes
from .runtimes import ROOT


class SimError(Exception):
    """The simulator could not start or a control command failed."""


def _set_nonblocking(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


class SimReader:
    """A simulated reader whose host link is a pty symlinked at ``link_path``."""

    def __init__(self, link_path: str, runtime: str = "cpython", storage_dir: Optional[str] = None,
                 pki: Optional[str] = None, pn532_bus: str = "uart",
                 on_output: Optional[Callable[[str], None]] = None):
        self.link_path = os.path.abspath(link_path)
        try:
            self._runtime = runtimes.get(runtime)
        except runtimes.UnknownRuntime as err:
            raise SimError(str(err)) from err
        if not self._runtime.runs_reader:
            raise SimError(f"the {runtime} runtime cannot run the simulated reader (no link or storage in its bridge); "
                           f"choose from {', '.join(runtimes.reader_names())}")
        self.runtime = runtime
        self._own_storage = storage_dir is None
        self.storage_dir = storage_dir or tempfile.mkdtemp(prefix="vitale-sim-")
        self.pki_dir = pki
        self.pinned_root: Optional[bytes] = None
        self.device_id = os.urandom(8)
        self.pn532_bus = pn532_bus
        self.pn532_model = None  # vitale_sim.pn532.Pn532Model once started
        self.scanner_model = None  # vitale_sim.scan_engine.Gm65Model once started
        self._sockets: list[socket.socket] = []
        self._on_output = on_output or (lambda line: None)
        self._fds_to_close: list[int] = []
        self.proc: Optional[subprocess.Popen] = None
        self._ready = threading.Event()
        self.output: list[str] = []

    # -- lifecycle ----------------------------------------------------------
    def _provision(self) -> None:
        """Factory provisioning: the PKI's root pinned (a firmware built for it) and its trust list in flash.

        With no ``pki`` the firmware keeps the TEST root built into verify/pinned.py and gets the
        built-in test PKI's trust list.
        """
        from .issuer.pki import Pki
        from .testpki import DIR as TEST_PKI_DIR

        pki = Pki.load(self.pki_dir or TEST_PKI_DIR)
        if self.pki_dir:
            self.pinned_root = pki.root_public_key
        stored = os.path.join(self.storage_dir, "trustlist.cose")
        if not os.path.exists(stored):
            with open(stored, "wb") as f:
                f.write(pki.trust_list_bytes)

    def start(self, timeout: float = 60.0) -> "SimReader":
        """Set up the board (pty, chip models, flash) and boot the firmware on it."""
        self._provision()
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line discipline: a byte pipe like a USB CDC port
        self._link_slave = slave  # held open so the link never reads EOF while no host is attached
        self._fds_to_close += [master, slave]
        if os.path.lexists(self.link_path):
            os.unlink(self.link_path)
        os.symlink(os.ttyname(slave), self.link_path)
        self._config = {
            "link_fd": master,
            "storage_dir": self.storage_dir,
            "device_id": binascii.hexlify(self.device_id).decode(),
            "pinned_root": binascii.hexlify(self.pinned_root).decode() if self.pinned_root else None,
        }
        self._board_fds = [master]
        self._config["pn532"] = self._start_pn532(self._board_fds)
        self._config["scanner"] = self._start_scanner(self._board_fds)
        for fd in self._board_fds:
            _set_nonblocking(fd)
        self._boot(timeout)
        return self

    def _boot(self, timeout: float) -> None:
        """Start the firmware process on the board's descriptors (kept here across reboots)."""
        control_r, control_w = os.pipe()
        _set_nonblocking(control_r)
        self._control_w = control_w
        config = dict(self._config, control_fd=control_r)
        self._ready.clear()
        try:
            self.proc = self._runtime.spawn(os.path.join(ROOT, "simulator", "board_sim", "sim_main.py"),
                                            json.dumps(config), pass_fds=self._board_fds + [control_r],
                                            stdin=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        except runtimes.RuntimeProblem as err:
            os.close(control_r)
            raise SimError(str(err)) from err
        os.close(control_r)
        self._pump = threading.Thread(target=self._pump_output, args=(self.proc,), daemon=True)
        self._pump.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise SimError("firmware did not start:\n" + "\n".join(self.output[-20:]))
        if self.proc.poll() is not None:
            raise SimError("firmware exited at start:\n" + "\n".join(self.output[-20:]))

    def _halt(self, timeout: float = 10.0) -> None:
        """Stop the firmware process (EOF on its control pipe; killed if it does not end)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.close(self._control_w)
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._pump.join(timeout)  # its last act sets _ready: done before a reboot clears it

    def reboot(self, timeout: float = 60.0) -> None:
        """Reset the board: the firmware restarts; the pty, the chips and the flash stay."""
        self._halt()
        self._boot(timeout)

    def _socket_for_child(self, child_fds: list[int]) -> tuple[int, int]:
        """A socket pair: our end for a chip model, the other for the firmware."""
        ours, theirs = socket.socketpair()
        self._sockets += [ours, theirs]
        child_fds.append(theirs.fileno())
        return ours.fileno(), theirs.fileno()

    def _start_pn532(self, child_fds: list[int]) -> dict:
        """The PN532 chip model (HSU, I2C or SPI framing) with the phone that taps on it."""
        from .pn532 import Pn532Model

        ours, theirs = self._socket_for_child(child_fds)
        self.pn532_model = Pn532Model(ours, transport=self.pn532_bus).start()
        return {"bus": self.pn532_bus, "fd": theirs}

    def _start_scanner(self, child_fds: list[int]) -> dict:
        """The GM65 scan engine model; the firmware's UART is the other end."""
        from .scan_engine import Gm65Model

        ours, theirs = self._socket_for_child(child_fds)
        self.scanner_model = Gm65Model(ours).start()
        return {"kind": "gm65", "fd": theirs}

    def _pump_output(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self.output.append(line)
            self._on_output(line)
            if "running on" in line:
                self._ready.set()
        self._ready.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._halt(timeout)
        for model in (self.pn532_model, self.scanner_model):
            if model is not None:
                model.stop()
        self.pn532_model = self.scanner_model = None
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        for fd in self._fds_to_close:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds_to_close = []
        if os.path.islink(self.link_path):
            os.unlink(self.link_path)
        if self._own_storage:
            shutil.rmtree(self.storage_dir, ignore_errors=True)

    def __enter__(self) -> "SimReader":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- control commands -----------------------------------------------------
    def command(self, line: str) -> str:
        """Run one control command (the stdin language of ``vitale-sim``); returns a reply line."""
        words = line.split()
        if not words:
            return ""
        name, args = words[0], words[1:]
        handler = getattr(self, "_cmd_" + name, None)
        if handler is None:
            raise SimError(f"unknown command {name!r}")
        return handler(args)

    def _cmd_status(self, args: list[str]) -> str:
        return f"ok runtime={self.runtime} alive={self.alive}"

    def _cmd_reboot(self, args: list[str]) -> str:
        """``reboot``: reset the board (the host's port stays open)."""
        self.reboot()
        return "ok rebooted"

    def _cmd_tap(self, args: list[str]) -> str:
        """``tap WALLET [--fault NAME]``: a phone with that wallet enters the NFC field (and stays)."""
        from .phone import FAULTS, SimPhone

        fault = None
        if len(args) == 3 and args[1] == "--fault":
            fault = args[2]
        elif len(args) != 1:
            raise SimError("usage: tap WALLET [--fault NAME]")
        if fault is not None and fault not in FAULTS:
            raise SimError(f"unknown fault {fault!r} (one of: {', '.join(FAULTS)})")
        try:
            phone = SimPhone(args[0], fault=fault)
        except (OSError, ValueError) as err:
            raise SimError(f"cannot load wallet {args[0]}: {err}") from err
        self.tap(phone)
        return "ok phone in the field" + (f" (fault {fault})" if fault else "")

    def tap(self, phone: object) -> None:
        if self.pn532_model is None:
            raise SimError("this reader has no PN532")
        self.pn532_model.tap(phone)

    def _cmd_remove(self, args: list[str]) -> str:
        """``remove``: the phone leaves the field."""
        if self.pn532_model is None:
            raise SimError("this reader has no PN532")
        self.pn532_model.remove()
        return "ok phone removed"

    def _cmd_scan(self, args: list[str]) -> str:
        """``scan IMAGE``: show a picture (PNG/JPEG) to the camera: its codes reach the firmware
        through the simulated scan engine, byte for byte."""
        from .camera import scan_image

        if len(args) != 1:
            raise SimError("usage: scan IMAGE")
        try:
            texts = scan_image(args[0])
        except OSError as err:
            raise SimError(f"cannot read image {args[0]}: {err}") from err
        if not texts:
            return "no code found"
        return "ok " + ", ".join(self.present_code(text) for text in texts)

    def present_code(self, text: str) -> str:
        """Hand decoded text to the scan-engine model, as the module's camera would."""
        if self.scanner_model is None:
            raise SimError("this reader has no scan engine")
        self.scanner_model.present(text)
        return f"{len(text)} chars"


def wait_for_path(path: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise SimError(f"{path} did not appear")
        time.sleep(0.01)
