"""A third-party PN532 host driver, unchanged, against the simulated chip and phone over a real pty.

Adafruit's CircuitPython PN532 driver (``adafruit-circuitpython-pn532``, its
``PN532_UART`` over a pyserial port on the pty that ``run_pn532_alone``
serves, as ``vitale-sim pn532 --link PATH --phone WALLET`` does) wakes the
chip, reads the firmware version, lists the phone and runs the Vitale
protocol through ``InDataExchange``; the presentation decrypted here on
``cryptography`` is the one the simulated phone encrypted.
"""
import os
import threading

import pytest
import serial
from adafruit_pn532.uart import PN532_UART  # installed by `make setup` (requirements-dev.txt)
from cryptography.hazmat.primitives.asymmetric import ec

from vitale_sim import phone_protocol as pp
from vitale_sim.cli import run_pn532_alone


@pytest.fixture
def served(tmp_path):
    from vitale_sim import testpki

    wallet = tmp_path / "wallet.json"
    testpki.load().new_wallet().save(wallet)
    link = str(tmp_path / "pn532")
    got = {}
    ready = threading.Event()
    stop = threading.Event()

    def on_ready(model):
        got["model"] = model
        ready.set()

    th = threading.Thread(target=run_pn532_alone, args=(link, str(wallet)),
                          kwargs={"ready": on_ready, "stop": stop}, daemon=True)
    th.start()
    assert ready.wait(10)
    yield link, got["model"]
    stop.set()
    th.join(5)


def _apdu(pn, apdu):
    """InDataExchange with Adafruit's own call_function; returns (data, sw)."""
    rsp = pn.call_function(0x40, params=bytes([0x01]) + apdu, response_length=255, timeout=1)
    assert rsp[0] == 0x00, f"status {rsp[0]:#x}"
    return bytes(rsp[1:-2]), (rsp[-2] << 8) | rsp[-1]


def test_adafruit_driver_reads_the_simulated_phone(served):
    link, model = served
    with serial.Serial(link, 115200, timeout=0.1) as port:
        pn = PN532_UART(port, debug=False)  # wakes the chip, SAMConfiguration
        assert pn.firmware_version == (0x32, 0x01, 0x06, 0x07)
        uid = pn.read_passive_target(timeout=1)
        assert uid is not None and len(uid) == 4 and uid[0] == 0x08
        data, sw = _apdu(pn, bytes.fromhex("00A4040007F0564954414C4500"))
        assert (data, sw) == (pp.SELECT_DATA, 0x9000)
        reader = ec.generate_private_key(ec.SECP256R1())
        nonce = os.urandom(16)
        # Le F0: responses of 240 bytes fit Adafruit's normal (non-extended) frames
        data, sw = _apdu(pn, bytes([0x80, 0x50, 0x01, 0x00, 81]) + nonce + pp.pub65(reader) + b"\xf0")
        answer = data
        while sw >> 8 == 0x61:
            data, sw = _apdu(pn, bytes([0x00, 0xC0, 0x00, 0x00, min(sw & 0xFF or 256, 0xF0)]))
            answer += data
        assert sw == 0x9000
        presentation, th = pp.reader_open(reader, nonce, pp.SELECT_DATA, answer)
        sent = model.card.sessions[-1]
        assert presentation == sent["presentation"] and th == sent["transcript_hash"]
        # the RF field goes off and the phone is gone for a fresh activation
        pn.call_function(0x52, params=[0x01], response_length=1)
        pn.call_function(0x32, params=[0x01, 0x00])
        assert not model.rf_on
        assert pn.read_passive_target(timeout=1) is not None
