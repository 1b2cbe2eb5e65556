"""Every board module, imported and built against the fake ``machine`` (tests/firmware/fake_machine),
and the boards' flash storage.

Argument: a folder for the flash (CPython; the wasm interpreter uses its own
in-memory file system). Prints JSON per board: its name, what it built on
which pins, and the HAL attributes the firmware uses (docs/ARCHITECTURE.md,
"The board (HAL) object"); then what the storage read back.
"""
import json
import sys

import machine
import simhost
from board import esp32_devkit, pico
from board.storage import FlashStorage


def describe(board):
    made = list(machine.made)
    del machine.made[:]
    board.idle(1)
    return {
        "name": board.name,
        "made": made,
        "pn532": board.pn532[0],
        "scanner": board.scanner[0],
        "host_link": type(board.host_link).__name__,
        "storage": type(board.storage).__name__,
        "device_id": board.device_id().hex(),
        "pinned_root": board.pinned_root,
    }


out = {
    "pico": describe(pico.make_board()),
    "pico_i2c": describe(pico.PicoBoard("i2c")),
    "esp32_devkit": describe(esp32_devkit.make_board()),
}
flash = FlashStorage("/flash" if sys.platform == "webassembly" else json.loads(simhost.argv())[1] + "/flash")
before = flash.read("trustlist.cose")
flash.write_atomic("trustlist.cose", b"v1")
flash.write_atomic("trustlist.cose", b"v2")  # replaces the file in place
try:
    flash.read("../escape")
    bad_name = None
except ValueError as err:
    bad_name = type(err).__name__
out["storage"] = [before, flash.read("trustlist.cose").decode(), bad_name]
print(json.dumps(out))
