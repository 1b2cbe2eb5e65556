"""The simulated PN532, byte for byte, from the frame examples of NXP UM0701-02.

Each test writes exact host bytes and asserts the exact bytes the chip sends
back (HSU over a real pty), or the exact bus transactions (I2C, SPI).
"""
import os
import select
import socket
import struct
import sys
import time
import tty

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "simulator"))

from vitale_sim.phone import EchoCard  # noqa: E402
from vitale_sim.card import Delayed  # noqa: E402
from vitale_sim.pn532 import Pn532Model, frame  # noqa: E402

H = bytes.fromhex
ACK = H("0000FF00FF00")
NACK = H("0000FFFF0000")
ERR = H("0000FF01FF7F8100")
WAKE = H("5555000000000000000000000000000000")


def CMD(hexstr):
    return frame(0xD4, H(hexstr))


def RSP(hexstr):
    return frame(0xD5, H(hexstr))


class Hsu:
    """The host end of a pty whose other end the model serves."""

    def __init__(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.model = Pn532Model(self.master, "uart").start()

    def write(self, data):
        os.write(self.slave, data)

    def read(self, n, timeout=2.0):
        out = b""
        end = time.monotonic() + timeout
        while len(out) < n:
            left = end - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.slave], [], [], left)
            if r:
                out += os.read(self.slave, n - len(out))
        return out

    def quiet(self, seconds=0.05):
        r, _, _ = select.select([self.slave], [], [], seconds)
        return not r

    def xfer(self, data, n):
        self.write(data)
        return self.read(n)

    def close(self):
        self.model.stop()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def hsu():
    h = Hsu()
    h.write(WAKE)
    yield h
    h.close()


def test_frame_checksums_match_the_manual():
    # UM0701-02 section 6.2.1 / 7.2.2: GetFirmwareVersion and its answer (PN532 v1.6)
    assert CMD("02") == H("0000FF02FED4022A00")
    assert RSP("03 32 01 06 07") == H("0000FF06FAD50332010607E800")
    # SAMConfiguration, normal mode, timeout 50 ms x 20, IRQ used
    assert CMD("14 01 14 01") == H("0000FF05FBD4140114010200")
    assert RSP("15") == H("0000FF02FED5151600")
    # InListPassiveTarget, 1 target, 106 kbps type A
    assert CMD("4A 01 00") == H("0000FF04FCD44A0100E100")


def test_get_firmware_version(hsu):
    assert hsu.xfer(H("0000FF02FED4022A00"), 6 + 13) == ACK + H("0000FF06FAD50332010607E800")


def test_sam_configuration(hsu):
    assert hsu.xfer(H("0000FF05FBD4140114010200"), 6 + 9) == ACK + H("0000FF02FED5151600")
    assert hsu.model.sam_configured


def test_asleep_until_wakeup_preamble():
    h = Hsu()
    try:
        h.write(CMD("02"))
        assert h.quiet(0.1), "a sleeping PN532 must not answer"
        h.write(b"\x55\x55\x00\x00\x00" + CMD("02"))
        assert h.read(19) == ACK + RSP("03 32 01 06 07")
    finally:
        h.close()


def test_bad_checksum_gets_the_error_frame(hsu):
    bad = bytearray(CMD("02"))
    bad[-2] ^= 0xFF  # DCS
    assert hsu.xfer(bytes(bad), 8) == ERR
    bad = bytearray(CMD("02"))
    bad[4] ^= 0x01  # LCS
    assert hsu.xfer(bytes(bad), 8) == ERR
    assert hsu.quiet()


def test_unknown_command_is_acked_then_error_frame(hsu):
    assert hsu.xfer(CMD("7E"), 14) == ACK + ERR


def test_bad_parameters_error_frame(hsu):
    assert hsu.xfer(CMD("14 07"), 14) == ACK + ERR  # SAM mode 7 does not exist


def test_nack_resends_last_response(hsu):
    assert hsu.xfer(CMD("02"), 19) == ACK + RSP("03 32 01 06 07")
    assert hsu.xfer(NACK, 13) == RSP("03 32 01 06 07")


def test_ack_aborts_a_waiting_command(hsu):
    hsu.xfer(CMD("32 05 FF 01 FF"), 6 + 9)  # MxRtyPassiveActivation = forever
    assert hsu.xfer(CMD("4A 01 00"), 6) == ACK
    assert hsu.quiet(0.1)  # waits for a card...
    hsu.write(ACK)  # ...the host gives up
    hsu.model.tap(EchoCard())
    assert hsu.quiet(0.1)  # aborted: no answer even though a card came
    assert hsu.xfer(CMD("02"), 19) == ACK + RSP("03 32 01 06 07")


def test_in_list_passive_target_mifare_example(hsu):
    # UM0701-02 section 7.3.5 example: a Mifare 1K, SENS_RES 00 04, SEL_RES 08, UID 92 2E 58 32
    class Mifare:
        sens_res = H("0004")
        sel_res = 0x08

        def power_on(self):
            pass

        def power_off(self):
            pass

        def deselect(self):
            pass

        def uid(self):
            return H("922E5832")

        def ats(self):
            return b""

        def apdu(self, data):
            return None

    hsu.model.tap(Mifare())
    out = hsu.xfer(CMD("4A 01 00"), 6 + 19)
    assert out == ACK + H("0000FF0CF4D54B010100040804922E5832") + bytes([(-sum(H("D54B010100040804922E5832"))) & 0xFF, 0])
    assert out[6:] == RSP("4B 01 01 00 04 08 04 92 2E 58 32")


def test_in_list_passive_target_phone_with_ats(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    hsu.write(CMD("4A 01 00"))
    out = hsu.read(6 + 24)
    uid = card.uid()
    assert out == ACK + RSP("4B 01 01 00 04 20 04" + uid.hex() + "05 78 80 70 02")
    assert uid[0] == 0x08


def test_in_list_passive_target_no_card_after_max_retries(hsu):
    hsu.xfer(CMD("32 05 FF 01 02"), 15)
    t = time.monotonic()
    assert hsu.xfer(CMD("4A 01 00"), 6 + 10) == ACK + RSP("4B 00")
    assert time.monotonic() - t < 0.5


def test_in_list_passive_target_waits_for_the_card(hsu):
    assert hsu.xfer(CMD("4A 01 00"), 6) == ACK
    assert hsu.quiet(0.15)
    card = EchoCard()
    hsu.model.tap(card)
    assert hsu.read(24) == RSP("4B 01 01 00 04 20 04" + card.uid().hex() + "0578807002")


def _activate(hsu, card):
    hsu.model.tap(card)
    hsu.write(CMD("4A 01 00"))
    assert len(hsu.read(6 + 24)) == 30
    assert hsu.quiet(0.01)


def test_in_data_exchange(hsu):
    card = EchoCard()
    _activate(hsu, card)
    # SELECT by AID, answered 90 00 appended by the echo card
    apdu = H("00A4040007F0564954414C4500")
    assert hsu.xfer(CMD("40 01" + apdu.hex()), 6 + 7 + 3 + len(apdu) + 2) == ACK + RSP("41 00" + apdu.hex() + "9000")
    assert card.received == [apdu]


def test_in_data_exchange_unknown_target_0x27(hsu):
    assert hsu.xfer(CMD("40 01 00A40400"), 6 + 10) == ACK + RSP("41 27")


def test_in_release_then_exchange_is_wrong_context(hsu):
    _activate(hsu, EchoCard())
    assert hsu.xfer(CMD("52 01"), 6 + 10) == ACK + RSP("53 00")
    assert hsu.xfer(CMD("40 01 00B0000000"), 6 + 10) == ACK + RSP("41 27")


def test_removed_card_times_out_0x01(hsu):
    _activate(hsu, EchoCard())
    hsu.model.remove()
    assert hsu.xfer(CMD("40 01 00B0000000"), 6 + 10) == ACK + RSP("41 01")


def test_silent_card_times_out_0x01_and_wtx_card_keeps_the_chip_waiting(hsu):
    slow = EchoCard(reply=lambda d: Delayed(0.5, d + b"\x90\x00", wtx=False))
    _activate(hsu, slow)
    t = time.monotonic()
    assert hsu.xfer(CMD("40 01 0102"), 6 + 10) == ACK + RSP("41 01")
    assert time.monotonic() - t < 0.45  # gave up after the frame waiting time
    wtx = EchoCard(reply=lambda d: Delayed(0.3, d + b"\x90\x00", wtx=True))
    _activate(hsu, wtx)
    t = time.monotonic()
    assert hsu.xfer(CMD("40 01 0102"), 6 + 14) == ACK + RSP("41 00 0102 9000")
    assert time.monotonic() - t >= 0.29


def test_extended_frame_and_mi_chaining_to_host(hsu):
    big = bytes(range(256)) * 2 + b"\x90\x00"  # 514-byte answer: 262 + 252
    _activate(hsu, EchoCard(reply=lambda d: big))
    first = RSP("41 40" + big[:262].hex())
    assert first[:8] == H("0000FFFFFF0109F6")  # extended: LEN 0x0109 (D5 41 40 + 262), LCS
    assert hsu.xfer(CMD("40 01 00B0000000"), 6 + len(first)) == ACK + first
    last = RSP("41 00" + big[262:].hex())
    assert hsu.xfer(CMD("40 01"), 6 + len(last)) == ACK + last


def test_mi_chaining_from_host(hsu):
    card = EchoCard(reply=lambda d: H("9000"))
    _activate(hsu, card)
    part1 = bytes(262)
    ext = CMD("40 41" + part1.hex())
    assert ext[:8] == H("0000FFFFFF0109F6")  # D4 40 41 + 262 bytes = 0x0109
    assert hsu.xfer(ext, 6 + 10) == ACK + RSP("41 00")
    assert hsu.xfer(CMD("40 01 AABB"), 6 + 12) == ACK + RSP("41 00 9000")
    assert card.received == [part1 + H("AABB")]


def test_frame_over_265_bytes_is_refused(hsu):
    # 6.2.1.2: at most 265 bytes (TFI included) in a frame, so InDataExchange carries 262 at most
    _activate(hsu, EchoCard())
    assert hsu.xfer(CMD("40 01" + bytes(263).hex()), 8) == ERR
    assert hsu.quiet()


def test_diagnose_presence_and_echo(hsu):
    assert hsu.xfer(CMD("00 00 CAFE"), 6 + 12) == ACK + RSP("01 00 CAFE")
    _activate(hsu, EchoCard())
    assert hsu.xfer(CMD("00 06"), 6 + 10) == ACK + RSP("01 00")
    hsu.model.remove()
    assert hsu.xfer(CMD("00 06"), 6 + 10) == ACK + RSP("01 01")


def test_rf_off_then_card_needs_new_activation(hsu):
    card = EchoCard()
    _activate(hsu, card)
    first_uid = card.uid()
    assert hsu.xfer(CMD("32 01 00"), 6 + 9) == ACK + RSP("33")
    assert not hsu.model.rf_on
    assert hsu.xfer(CMD("40 01 00"), 6 + 10) == ACK + RSP("41 27")  # targets forgotten
    hsu.write(CMD("4A 01 00"))
    out = hsu.read(30)
    assert out[:6] == ACK and out[6 + 13:6 + 17] == card.uid()  # drawn again at power-up
    assert hsu.model.rf_on


def test_set_serial_baud_rate_waits_for_the_host_ack(hsu):
    assert hsu.xfer(CMD("10 06"), 6 + 9) == ACK + RSP("11")
    assert hsu.model.baudrate == 115200
    hsu.write(ACK)
    time.sleep(0.05)
    assert hsu.model.baudrate == 460800


def test_counters_and_frame_log(hsu):
    hsu.xfer(CMD("02"), 19)
    c = hsu.model.counters()
    assert c["host_frames_in"] == 1 and c["host_frames_out"] == 2
    assert c["host_bytes_in"] == len(WAKE) + 9 and c["host_bytes_out"] == 19
    assert list(hsu.model.frames)[-2:] == [("out", ACK), ("out", RSP("03 32 01 06 07"))]


# -- I2C and SPI framings (the socket transaction protocol of sim_buses.py) -----------------
class Bus:
    def __init__(self, transport):
        self.sock, other = socket.socketpair()
        self.other = other
        self.model = Pn532Model(other.fileno(), transport).start()

    def req(self, op, payload=b""):
        self.sock.sendall(struct.pack(">cH", op, len(payload)) + payload)
        head = self._recv(3)
        status, n = head[0], (head[1] << 8) | head[2]
        return status, self._recv(n)

    def _recv(self, n):
        out = b""
        while len(out) < n:
            out += self.sock.recv(n - len(out))
        return out

    def close(self):
        self.model.stop()
        self.sock.close()
        self.other.close()


REV = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def rev(b):
    return bytes(REV[x] for x in b)


def test_i2c_status_byte_then_frame():
    bus = Bus("i2c")
    try:
        assert bus.req(b"W", b"\x24" + CMD("02"))[0] == 1  # asleep: NACKed, wakes up
        assert bus.req(b"W", b"\x24" + CMD("02")) == (0, b"")
        assert bus.req(b"R", b"\x24\x00\x07") == (0, b"\x01" + ACK)
        assert bus.req(b"R", b"\x24\x00\x01") == (0, b"\x01")  # status only: the frame stays
        assert bus.req(b"R", b"\x24\x00\x10") == (0, b"\x01" + RSP("03 32 01 06 07") + b"\x00\x00")
        assert bus.req(b"R", b"\x24\x00\x01") == (0, b"\x00")  # nothing more: not ready
        assert bus.req(b"W", b"\x30" + CMD("02"))[0] == 1  # wrong address
        bus.model.bus_timeouts = 1
        assert bus.req(b"R", b"\x24\x00\x01")[0] == 2  # clock stretched past the master's timeout
    finally:
        bus.close()


def test_spi_lsb_first_operations():
    bus = Bus("spi")
    try:
        bus.req(b"C", b"\x00")  # NSS low wakes it (this transaction is lost)
        bus.req(b"C", b"\x01")
        bus.req(b"C", b"\x00")
        bus.req(b"X", rev(b"\x01" + CMD("02")))  # DW
        bus.req(b"C", b"\x01")
        bus.req(b"C", b"\x00")
        assert bus.req(b"X", rev(b"\x02\x00")) == (0, b"\x00" + rev(b"\x01"))  # SR: ready
        bus.req(b"C", b"\x01")
        bus.req(b"C", b"\x00")
        assert bus.req(b"X", rev(b"\x03" + bytes(6))) == (0, b"\x00" + rev(ACK))  # DR
        bus.req(b"C", b"\x01")
        bus.req(b"C", b"\x00")
        assert bus.req(b"X", rev(b"\x03" + bytes(13))) == (0, b"\x00" + rev(RSP("03 32 01 06 07")))
        bus.req(b"C", b"\x01")
        bus.req(b"C", b"\x00")
        assert bus.req(b"X", rev(b"\x02\x00")) == (0, b"\x00" + rev(b"\x00"))  # nothing pending
        bus.req(b"C", b"\x01")
    finally:
        bus.close()


def _vectors():
    import json
    with open(os.path.join(ROOT, "protocol", "vectors", "nfc", "pn532_frames.json")) as f:
        return json.load(f)


@pytest.mark.parametrize("case", _vectors()["cases"], ids=lambda c: c["name"])
def test_frame_vectors(case):
    h = Hsu()
    try:
        h.write(H(_vectors()["wakeup"]))
        h.xfer(CMD("32 05 FF 01 02"), 15)
        expected = H(case["chip"])
        assert h.xfer(H(case["host"]), len(expected)) == expected
        assert h.quiet(0.02)
    finally:
        h.close()
