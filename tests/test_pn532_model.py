"""The simulated PN532, byte for byte, from the frame formats and examples of NXP UM0701-02.

Each test writes exact host bytes and asserts the exact bytes the chip sends
back (HSU over a real pty), or the exact bus transactions (I2C, SPI).
Where a command must not answer, the test sends another command and checks
that its ACK and response are the next bytes on the line.
"""
import os
import select
import socket
import struct
import time
import tty

import pytest
from vitale_sim.card import Delayed
from vitale_sim.iso14443a import crc_a
from vitale_sim.phone import ATS, EchoCard
from vitale_sim.pn532 import Pn532Model, frame
from vitale_sim.pn532.link import OSC_START_MAX_S

from support import ROOT, wait_until

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

    def __init__(self, **model_kwargs):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.model = Pn532Model(self.master, "uart", **model_kwargs).start()

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

    def frame(self, timeout=5.0):
        """The next whole frame from the chip (ACK and error frame included)."""
        head = self.read(5, timeout)
        if head[3:5] in (b"\x00\xff", b"\xff\x00"):
            return head + self.read(1, timeout)
        if head[3:5] == b"\xff\xff":
            head += self.read(3, timeout)
            return head + self.read(((head[5] << 8) | head[6]) + 2, timeout)
        return head + self.read(head[3] + 2, timeout)

    def call(self, hexstr, timeout=5.0):
        """Send a command, check its ACK and the response frame; return the data after D5 and the code."""
        self.write(CMD(hexstr))
        assert self.frame(timeout) == ACK
        fr = self.frame(timeout)
        body = fr[8:-2] if fr[3:5] == b"\xff\xff" else fr[5:-2]
        assert fr == frame(0xD5, body[1:]) and body[1] == H(hexstr)[0] + 1, fr.hex()
        return body[2:]

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
    # 6.3.2.3: asleep (LowVbat after power-up), the chip wakes on the 5th rising edge of HSU_RX and
    # needs T_osc_start before it understands bytes: a frame sent to it wakes it but is lost
    h = Hsu()
    try:
        h.write(CMD("02"))
        h.write(WAKE + CMD("04"))  # (if the first frame had been taken, its answer would come first)
        assert h.read(6 + 13) == ACK + RSP("05 00 00 00 00")
    finally:
        h.close()


def _deliver(h, stream, piecewise):
    """Write ``stream`` at once, or a byte at a time, each only once the chip has read the one before:
    as late and in as many pieces as a loaded machine may deliver them (a pty carries no timing)."""
    if not piecewise:
        h.write(stream)
        return
    for i, b in enumerate(stream):
        h.write(bytes([b]))
        wait_until(lambda: h.model.host_bytes_in == i + 1, what=f"the chip reading byte {i}")


@pytest.mark.parametrize("piecewise", [False, True], ids=["at_once", "byte_by_byte"])
def test_hsu_wakeup_loses_what_starts_within_t_osc_start(piecewise):
    # 0x55 carries five rising edges (its stop bit is the 5th): the chip wakes at the end of it, then
    # loses what starts on the line within T_osc_start (1 ms: the next 12 bytes at 115200 baud). Line
    # time is the bytes' own, so when and in how many pieces they arrive changes nothing.
    h = Hsu()
    try:
        _deliver(h, b"\x55" + CMD("02") + WAKE + CMD("04"), piecewise)  # 02 right behind the 0x55: lost
        assert h.read(6 + 13) == ACK + RSP("05 00 00 00 00")
        assert h.model.link.lost == 13  # the 0x55, the 9 bytes of CMD 02, 3 of the next preamble
    finally:
        h.close()
    h = Hsu()
    try:
        _deliver(h, WAKE + CMD("02"), piecewise)  # 55 55 and 15 zeros (Adafruit's driver) cover it
        assert h.read(6 + 13) == ACK + RSP("03 32 01 06 07")
    finally:
        h.close()


def test_hsu_wakeup_of_the_slowest_chip():
    # T_osc_start may reach 2 ms (6.3.2.3): 55 55 and 14 zeros (libnfc) wake such a chip but do not
    # cover it, 55 55 and 24 zeros (the firmware's preamble) do
    h = Hsu(osc_start_s=OSC_START_MAX_S)
    try:
        h.write(H("5555") + bytes(14) + CMD("02"))  # lost: the next answer is the next command's
        h.write(WAKE + CMD("04"))
        assert h.read(6 + 13) == ACK + RSP("05 00 00 00 00")
    finally:
        h.close()
    h = Hsu(osc_start_s=OSC_START_MAX_S)
    try:
        h.write(H("5555") + bytes(24) + CMD("02"))
        assert h.read(6 + 13) == ACK + RSP("03 32 01 06 07")
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
    assert hsu.xfer(CMD("4A 01 00"), 6 + 10) == ACK + RSP("4B 00")  # tried twice, then "no target"


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
    # gave up after the frame waiting time: status 01, not the card's late answer
    assert hsu.xfer(CMD("40 01 0102"), 6 + 10) == ACK + RSP("41 01")
    wtx = EchoCard(reply=lambda d: Delayed(0.3, d + b"\x90\x00", wtx=True))
    _activate(hsu, wtx)
    # waiting-time extensions: the chip waited for the answer
    assert hsu.xfer(CMD("40 01 0102"), 6 + 14) == ACK + RSP("41 00 0102 9000")


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
    wait_until(lambda: hsu.model.baudrate == 460800, what="the switch to 460800 baud after the host's ACK")


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


# -- the rest of the command set (UM0701-02 section 7), byte for byte -------------------------------
class PlainTypeA(EchoCard):
    """A type A card without ISO/IEC 14443-4 (a MIFARE Classic 1K's ATQA and SAK)."""

    sel_res = 0x08

    def apdu(self, command):
        return None


class NadCard(EchoCard):
    """An ISO-DEP card whose ATS announces NAD and CID support (TC1 = 0x03)."""

    def ats(self):
        return H("0578807003")


def _finite(h):
    assert h.call("32 05 FF 01 02") == b""  # MxRtyPassiveActivation 2: three attempts


def _bcc(uid):
    return uid[0] ^ uid[1] ^ uid[2] ^ uid[3]


def _settled(h, nbytes):
    """Wait until the chip has taken ``nbytes`` host bytes and finished with them."""
    wait_until(lambda: h.model.host_bytes_in >= nbytes, what="the chip took the host's bytes")
    with h.model._lock:
        pass


def test_diagnose_rom_ram_antenna_and_unknown_tests(hsu):
    # 7.2.1: NumTst 0x01 ROM, 0x02 RAM, 0x07 self antenna (threshold): Result 0x00 = OK
    assert hsu.xfer(CMD("00 01"), 6 + 10) == ACK + RSP("01 00")
    assert hsu.xfer(CMD("00 02"), 6 + 10) == ACK + RSP("01 00")
    assert hsu.call("00 07 0A") == H("00")
    assert hsu.xfer(CMD("00 03"), 14) == ACK + ERR


def test_diagnose_polling_test_counts_felica_failures(hsu):
    hsu.model.tap(EchoCard())  # a type A phone never answers a FeliCa poll
    assert hsu.call("00 04 01") == H("80")  # 128 polls, 128 failures


def test_diagnose_echo_back_never_answers_until_a_new_command(hsu):
    hsu.write(CMD("00 05 00 00 00"))
    assert hsu.frame() == ACK
    assert hsu.call("02") == H("32010607")  # the next bytes are the new command's


def test_get_general_status(hsu):
    # 7.2.3: Err, Field (external field), NbTg, [Tg BrRx BrTx Type], SAM status
    assert hsu.call("04") == H("00 00 00 00")
    _activate(hsu, EchoCard())
    assert hsu.call("04") == H("00 00 01 01 00 00 00 00")
    assert hsu.call("40 02 00") == H("27")  # no target 2
    assert hsu.call("04") == H("27 00 01 01 00 00 00 00")  # Err: the last error


def test_registers_reflect_the_radio_state(hsu):
    regs = "06 63 02 63 03 63 04 63 05 63 16"  # TxMode RxMode TxControl TxAuto RFCfg
    assert hsu.call(regs) == H("00 00 80 00 48")  # reset values, field off
    _activate(hsu, EchoCard())
    # after an activation: CRC on both ways, 106 kbps type A, field on, 100 % ASK, analog settings
    assert hsu.call(regs) == H("80 80 83 40 59")
    assert hsu.call("06 63 3C 63 3A") == H("10 00")  # initiator, RxLastBits 0; FIFO read by the firmware
    assert hsu.call("32 01 00") == b""
    assert hsu.call("06 63 04") == H("80")
    _finite(hsu)
    assert hsu.call("4A 01 01 00FFFF0100") == H("00")  # a FeliCa poll nobody answers
    assert hsu.call("06 63 02 63 03 63 3A 63 34") == H("92 92 00 51")  # 212 kbps FeliCa, FIFO empty, Tx Idle Timer IRqs


def test_rf_configuration_analog_settings_reach_the_ciu(hsu):
    assert hsu.call("32 0A 5A F4 3F 11 4D 85 61 6F 26 62 87") == b""  # 7.3.1 item 0x0A, 11 bytes
    _activate(hsu, EchoCard())
    assert hsu.call("06 63 16") == H("5A")


def test_rf_configuration_items_and_lengths(hsu):
    for item in ("01 01", "02 00 0B 0A", "04 00", "05 FF 01 FF", "0A" + " 00" * 11, "0B" + " 00" * 8,
                 "0C 00 00 00", "0D" + " 00" * 9):
        assert hsu.call("32 " + item) == b"", item
    for bad in ("01", "02 00 0B", "03 00", "05 FF 01", "0A" + " 00" * 10, "06 00"):
        assert hsu.xfer(CMD("32 " + bad), 14) == ACK + ERR, bad


def test_write_register_drives_the_field_and_the_fifo(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    assert hsu.call("08 63 04 83") == b""  # TxControl: Tx1RFEn | Tx2RFEn
    assert hsu.model.rf_on
    # CIU Transceive by hand, as libnfc's timed functions do: REQA through the FIFO
    assert hsu.call("08 63 02 00 63 03 00 63 31 0C 63 3A 80 63 39 26 63 3D 87") == b""
    assert hsu.call("06 63 3A 63 39 63 39 63 3A 63 3C 63 34") == H("02 04 00 00 00 70")
    # CalcCRC over the FIFO with the type A preset
    assert hsu.call("08 63 01 3D 63 39 50 63 39 00 63 31 03") == b""
    assert hsu.call("06 63 11 63 12") == H("CD 57")
    assert hsu.call("08 63 04 80") == b""
    assert not hsu.model.rf_on


def test_read_and_write_gpio(hsu):
    # 7.2.6: P3, P7, I0I1 (HSU: 00); 7.2.7: a new value applies when its bit 7 is set
    assert hsu.call("0C") == H("3F 06 00")
    assert hsu.call("0E 80 00") == b""
    assert hsu.call("0C") == H("00 06 00")
    assert hsu.call("06 FF B0 FF F7") == H("00 06")  # the same ports as SFRs


def test_sam_configuration_modes(hsu):
    for mode in ("14 01", "14 02 14", "14 03", "14 04 00"):
        assert hsu.call(mode) == b""
    assert hsu.xfer(CMD("14 02"), 14) == ACK + ERR  # virtual card mode needs its timeout
    assert hsu.xfer(CMD("14 05"), 14) == ACK + ERR


def test_set_parameters_remove_pre_and_postamble(hsu):
    # 7.2.9 fRemovePrePostAmble: the chip's frames lose their 00 preamble and postamble
    assert hsu.xfer(CMD("12 54"), 6 + 7) == ACK + H("00FF02FED51318")
    assert hsu.xfer(CMD("02"), 4 + 11) == H("00FF00FF") + H("00FF06FAD50332010607E8")


def test_set_parameters_without_automatic_rats(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    assert hsu.call("12 04") == b""
    assert hsu.call("4A 01 00") == H("01 01 0004 20 04") + card.uid()  # no ATS
    # not in ISO-DEP: the chip sends the bytes as a plain type A frame, the phone ignores it
    assert hsu.call("40 01 00B0000000") == H("01")


def test_set_parameters_did_and_nad(hsu):
    apdu = H("00B0000000")
    card = EchoCard()
    hsu.model.tap(card)
    assert hsu.call("12 16") == b""  # fDIDUsed: a CID byte in every block (the ATS allows it)
    hsu.call("4A 01 00")
    before = hsu.model.radio.rf_bytes_to_card
    assert hsu.call("40 01" + apdu.hex()) == H("00") + apdu + H("9000")
    assert hsu.model.radio.rf_bytes_to_card - before == len(apdu) + 4  # PCB CID ... CRC
    _finite(hsu)
    assert hsu.call("12 15") == b""  # fNADUsed: DataOut starts with the NAD; this card has none
    hsu.call("4A 01 00")
    assert hsu.call("40 01 00" + apdu.hex()) == H("01")  # the block is ignored: timeout
    hsu.model.tap(NadCard())
    hsu.call("4A 01 00")
    assert hsu.call("40 01 00" + apdu.hex()) == H("00") + apdu + H("9000")


def test_power_down_and_hsu_wake_up(hsu):
    _activate(hsu, EchoCard())
    assert hsu.call("16 10") == H("00")  # 7.2.11: WakeUpEnable HSU
    assert hsu.model.asleep and not hsu.model.rf_on
    hsu.write(CMD("02"))  # lost (its 5th rising edge wakes the chip)
    hsu.write(WAKE + CMD("04"))
    assert hsu.frame() == ACK
    assert hsu.frame() == RSP("05 00 00 00 00")  # the field went off with the power: no target left


def test_power_down_ignores_a_disabled_wake_up_source(hsu):
    assert hsu.call("16 20") == H("00")  # SPI only
    hsu.write(WAKE + CMD("02"))
    _settled(hsu, len(WAKE) * 2 + len(CMD("16 20")) + len(CMD("02")))
    assert hsu.model.asleep and hsu.quiet(0)
    hsu.model.reset()  # RSTPDN: LowVbat, every host interface wakes it
    hsu.write(WAKE)
    assert hsu.call("02") == H("32010607")


def test_rf_regulation_test_emits_until_the_next_command(hsu):
    hsu.write(CMD("58 00"))  # 7.3.2: TxMode 106 kbps type A
    assert hsu.frame() == ACK
    assert hsu.call("02") == H("32010607")
    assert hsu.model.rf_on


def test_in_list_passive_target_asks_only_for_its_card_type(hsu):
    # 7.3.5: a type A phone does not answer FeliCa, type B or Jewel polls
    hsu.model.tap(EchoCard())
    _finite(hsu)
    for brty in ("01 00FFFF0100", "02 00FFFF0100", "03 00", "04"):
        assert hsu.call("4A 01 " + brty) == H("00"), brty
    assert hsu.call("4A 01 00")[:1] == H("01")


def test_in_list_passive_target_waiting_for_felica_ignores_the_phone(hsu):
    hsu.write(CMD("4A 01 01 00FFFF0100"))  # MxRtyPassiveActivation 0xFF: waits forever
    assert hsu.frame() == ACK
    card = EchoCard()
    hsu.model.tap(card)
    frames = hsu.model.radio.rf_frames
    wait_until(lambda: hsu.model.radio.rf_frames >= frames + 3, what="more polls with the phone there")
    hsu.write(ACK)  # the host gives up
    assert hsu.call("02") == H("32010607")  # nothing came before this answer


def test_in_list_passive_target_syntax(hsu):
    for bad in ("4A 03 00", "4A 01 05", "4A 01 00 0102", "4A 01 01 00", "4A 01 03"):
        assert hsu.xfer(CMD(bad), 14) == ACK + ERR, bad


def test_in_list_passive_target_double_size_uid_and_two_targets(hsu):
    card = EchoCard(uid_len=7)
    hsu.model.tap(card)
    assert hsu.call("4A 02 00") == H("01 01 0004 20 07") + card.uid() + ATS  # one card: NbTg 1


def test_in_list_passive_target_selects_a_given_uid(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    _finite(hsu)
    assert hsu.call("32 01 01") == b""  # field on: the phone draws its UID
    uid = card.uid()
    wrong = bytes([uid[0], uid[1] ^ 0xFF]) + uid[2:]
    assert hsu.call("4A 01 00" + wrong.hex()) == H("00")
    assert hsu.call("4A 01 00" + uid.hex()) == H("01 01 0004 20 04") + uid + ATS


def test_in_communicate_thru_reqa(hsu):
    # 7.3.9 with the CIU set for anticollision (CRC off, TxLastBits 7): a 7-bit REQA gets the ATQA
    hsu.model.tap(EchoCard())
    assert hsu.call("08 63 02 00 63 03 00 63 3D 07") == b""
    assert hsu.call("42 26") == H("00 04 00")


def test_in_communicate_thru_raw_activation_and_iso_dep(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    hsu.call("08 63 02 00 63 03 00 63 3D 07")
    assert hsu.call("42 26") == H("00 0400")
    hsu.call("08 63 3D 00")
    cl1 = card.uid() + bytes([_bcc(card.uid())])
    assert hsu.call("42 93 20") == H("00") + cl1
    select_ = H("9370") + cl1
    assert hsu.call("42" + (select_ + crc_a(select_)).hex()) == H("00 20") + crc_a(H("20"))
    assert hsu.call("42 E0 80 31 73") == H("00") + ATS + crc_a(ATS)  # RATS
    hsu.call("08 63 02 80 63 03 80")  # CRC by the CIU from now on
    apdu = H("00A4040007F0564954414C4500")
    assert hsu.call("42 02" + apdu.hex()) == H("00 02") + apdu + H("9000")  # I-block 0
    assert hsu.call("42 B3") == H("00 A2")  # R(NAK) for another block: presence, R(ACK)
    assert hsu.call("42 C2") == H("00 C2")  # S(DESELECT): the card halts
    hsu.call("08 63 02 00 63 03 00 63 3D 07")
    assert hsu.call("42 26") == H("01")  # a halted card ignores REQA...
    assert hsu.call("42 52") == H("00 0400")  # ...and answers WUPA


def test_in_communicate_thru_bit_oriented_anticollision(hsu):
    card = EchoCard()
    hsu.model.tap(card)
    hsu.call("08 63 02 00 63 03 00 63 3D 07")
    hsu.call("42 26")
    cl1 = card.uid() + bytes([_bcc(card.uid())])
    rest = (int.from_bytes(cl1, "little") >> 5).to_bytes(5, "little")  # 35 bits after the 5 sent
    hsu.call("08 63 3D 05")  # NVB 0x25: SEL, NVB and 5 bits of UID CL1
    assert hsu.call("42 93 25" + f"{cl1[0] & 0x1F:02x}") == H("00") + rest
    assert hsu.call("06 63 3C") == H("03")  # RxLastBits: 3 valid bits in the last byte


def test_in_communicate_thru_with_parity_from_the_host(hsu):
    hsu.model.tap(EchoCard())
    hsu.call("08 63 02 00 63 03 00 63 0D 10 63 3D 07")  # ManualRCV ParityDisable
    # ATQA 04 00 as 18 bits on air: 04, parity 0, 00, parity 1
    assert hsu.call("42 26") == H("00 04 00 02")
    assert hsu.call("06 63 3C") == H("02")


def test_in_communicate_thru_empty_field_times_out(hsu):
    assert hsu.call("32 02 00 0B 05") == b""  # fRetryTimeout 1.6 ms
    assert hsu.call("42 26") == H("01")
    assert hsu.call("06 63 1A 63 1B 63 1C 63 1D") == H("82 A5 00 10")  # 100 us ticks, 16 of them


def test_in_auto_poll(hsu):
    # 7.3.13: PollNr, Period, Types; NbTg, then Type, length, TargetData
    card = EchoCard()
    hsu.model.tap(card)
    out = hsu.call("60 01 01 20 10")
    assert out == H("01 20 0E 01 0004 20 04") + card.uid() + ATS
    assert hsu.call("40 01 00B0000000") == H("00 00B0000000 9000")  # the target is listed
    out = hsu.call("60 01 01 10")
    assert out == H("01 10 09 01 0004 20 04") + card.uid()  # as a MIFARE card: no RATS
    hsu.model.remove()
    assert hsu.call("60 01 01 11 03") == H("00")  # 2 x 150 ms, nobody
    for bad in ("60 01 00 20", "60 00 01 20", "60 01 01", "60 01 01 05"):
        assert hsu.xfer(CMD(bad), 14) == ACK + ERR, bad


def test_in_deselect_in_select_in_release(hsu):
    card = EchoCard()
    _activate(hsu, card)
    apdu = H("00B0000000")
    assert hsu.call("44 01") == H("00")  # 7.3.10: S(DESELECT)
    assert hsu.call("40 01" + apdu.hex()) == H("27")  # deselected
    assert hsu.call("54 01") == H("00")  # 7.3.12: WUPA, SELECT with its UID, RATS
    assert hsu.call("40 01" + apdu.hex()) == H("00") + apdu + H("9000")
    assert hsu.call("44 02") == H("27")
    assert hsu.call("54 02") == H("27")
    assert hsu.call("52 01") == H("00")  # 7.3.11
    assert hsu.call("54 01") == H("27")  # released: forgotten
    _activate(hsu, card)
    hsu.call("44 00")
    hsu.model.remove()
    assert hsu.call("54 01") == H("01")  # nobody answers the WUPA


def test_in_data_exchange_to_a_card_without_iso_dep(hsu):
    hsu.model.tap(PlainTypeA())
    out = hsu.call("4A 01 00")
    assert out[:6] == H("01 01 0004 08 04") and len(out) == 10  # no ATS
    assert hsu.call("40 01 3004") == H("01")  # a READ this card does not answer


def test_nfc_dep_commands_without_a_dep_target(hsu):
    hsu.model.tap(EchoCard())
    assert hsu.call("32 05 00 01 02") == b""  # MxRtyATR 0: one ATR_REQ
    assert hsu.call("56 01 00 00") == H("01")  # 7.3.3 active 106 kbps: nobody answers
    assert hsu.call("56 00 00 00") == H("01")  # passive 106: the phone is no NFC-DEP target
    assert hsu.call("46 00 02 01 00FFFF0000") == H("01")  # 7.3.4 at 424 kbps: no FeliCa answer
    hsu.call("4A 01 00")
    assert hsu.call("50 01 00") == H("01")  # 7.3.6 InATR
    assert hsu.call("4E 01 00 00") == H("27")  # 7.3.7 InPSL: not activated with ATR


def test_target_mode_waits_for_an_initiator_that_never_comes(hsu):
    hsu.write(CMD("8C 04" + "00" * 35))  # 7.3.14 TgInitAsTarget: the chip sleeps until a field
    assert hsu.frame() == ACK
    wait_until(lambda: hsu.model.asleep, what="the chip asleep in target mode")
    hsu.write(WAKE + ACK)  # the host wakes it and aborts
    assert hsu.call("02") == H("32010607")
    assert hsu.call("86") == H("27")  # TgGetData: not a target
    assert hsu.call("8A") == H("00 00")  # TgGetTargetStatus


def test_i2c_power_down_wakes_on_its_address_when_enabled():
    bus = Bus("i2c")
    try:
        assert bus.req(b"W", b"\x24" + CMD("02"))[0] == 1  # LowVbat: woken by its address, NACKed
        for wake, woken in (("80", True), ("10", False)):  # WakeUpEnable I2C, then HSU only
            assert bus.req(b"W", b"\x24" + CMD("16 " + wake)) == (0, b"")
            assert bus.req(b"R", b"\x24\x00\x07") == (0, b"\x01" + ACK)
            assert bus.req(b"R", b"\x24\x00\x0b") == (0, b"\x01" + RSP("17 00"))  # then it sleeps
            assert bus.req(b"W", b"\x24" + CMD("02"))[0] == 1
            assert (bus.req(b"W", b"\x24" + CMD("02")) == (0, b"")) is woken
            if woken:
                assert bus.req(b"R", b"\x24\x00\x07") == (0, b"\x01" + ACK)
                assert bus.req(b"R", b"\x24\x00\x0e") == (0, b"\x01" + RSP("03 32 01 06 07"))
    finally:
        bus.close()


def test_spi_power_down_wakes_on_nss():
    bus = Bus("spi")

    def transaction(mosi):
        bus.req(b"C", b"\x00")
        out = bus.req(b"X", rev(mosi))[1]
        bus.req(b"C", b"\x01")
        return rev(out)

    try:
        transaction(b"\x02\x00")  # LowVbat: NSS wakes it, this transaction is lost
        transaction(b"\x01" + CMD("16 20"))  # WakeUpEnable SPI
        assert transaction(b"\x03" + bytes(6))[1:] == ACK
        assert transaction(b"\x03" + bytes(10))[1:] == RSP("17 00")  # then it sleeps
        transaction(b"\x01" + CMD("02"))  # lost: NSS wakes it
        assert transaction(b"\x02\x00")[1:] == b"\x00"  # nothing to read
        transaction(b"\x01" + CMD("02"))
        assert transaction(b"\x03" + bytes(6))[1:] == ACK
        assert transaction(b"\x03" + bytes(13))[1:] == RSP("03 32 01 06 07")
    finally:
        bus.close()
