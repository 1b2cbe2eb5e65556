"""The firmware's PN532 driver and ISO-DEP layer against the simulated chip.

The driver runs as firmware (CPython and real MicroPython/wasm) in a child
process; the chip model runs here, over a real pty (HSU) or a socket
carrying the I2C / SPI bus transactions. Over HSU the chip takes the
longest T_osc_start the manual allows (2 ms): the driver's wake-up preamble
must cover it with bytes, since the pty carries no pause.
"""
import pytest
from vitale_sim.pn532.link import OSC_START_MAX_S

from rigs import Pn532Rig


@pytest.mark.parametrize("transport", ["uart", "i2c", "spi"])
def test_driver_against_model(runtime, transport):
    slowest_chip = {"osc_start_s": OSC_START_MAX_S} if transport == "uart" else None
    res = Pn532Rig(runtime, transport, "nfc_driver.py", model_kwargs=slowest_chip).wait(180)
    assert res["begin"] == {"ok": [0x32, 1, 6, 7]}
    assert res["begin_frames"]["sent"] == res["begin_frames"]["taken"] >= 2  # none lost to the wake-up
    assert res["no_card"] == {"ok": None}
    assert res["target"] == {"tg": 1, "sens_res": "0004", "sel_res": 0x20, "uid_len": 4, "ats": "0578807002",
                             "iso_dep": True}
    assert res["exchange_small"] == "00a40400009000"
    assert res["exchange_600"] == [True, 602]  # MI chaining both ways (262-byte limit)
    assert res["exchange_too_long"]["error"] == "ResponseTooLong"
    assert res["chained"] == {"ok": True, "same": True, "len": 300, "apdus": 3, "parts": 1}
    assert res["wrong_le"] == {"sw": 0x9000, "data": "616263"}
    assert res["sw_typed"] == {"sw": 0x6D00, "name": "ins_unsupported",
                               "check": {"error": "SwError", "code": "status_word"}}
    assert res["drop_ack"] == {"ok": [0x32, 1, 6, 7]} and res["drop_ack_resends"] == 1
    assert res["corrupt"] == {"ok": [0x32, 1, 6, 7]} and res["corrupt_nacks"] == 1
    assert res["no_ack"] == {"error": "Pn532NoAck", "code": "no_ack"}
    if transport == "i2c":
        assert res["stretch"] == {"ok": [0x32, 1, 6, 7]} and res["stretch_retries"] >= 3
    assert res["error_frame"] == {"error": "Pn532SyntaxError", "code": "error_frame"}
    assert res["after_reset"] == {"ok": [0x32, 1, 6, 7]}
    assert res["slow"] == {"error": "Pn532Timeout", "code": "timeout"}
    assert res["slow_aborts"] == 1
    assert res["after_abort"] == {"ok": [0x32, 1, 6, 7]}
    assert res["slow_present"] is True
    assert res["removed"] == {"error": "RfTimeout", "code": "rf_timeout"}
    assert res["removed_present"] is False
    assert res["released"] == {"error": "TargetGone", "code": "target_gone"}
    assert res["rf_off"] == {"ok": None}
