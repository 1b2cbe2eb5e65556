"""The simulated card's air interface (vitale_sim.iso14443a), frame by frame, from ISO/IEC 14443-3 and -4."""
import pytest

from vitale_sim.card import Delayed
from vitale_sim.iso14443a import (ACTIVE, HALT, IDLE, PROTOCOL, READY, AirFrame, Ats, TypeAPicc, crc_a, uid_levels,
                                  with_crc)
from vitale_sim.phone import EchoCard

H = bytes.fromhex
REQA = AirFrame(H("26"), 7)
WUPA = AirFrame(H("52"), 7)


class FixedUid(EchoCard):
    def __init__(self, uid, reply=None):
        super().__init__(reply)
        self.fixed = uid

    def uid(self):
        return self.fixed


def _frame(picc, data, now=0.0):
    reply = picc.receive(AirFrame(data), now)
    return None if reply is None else reply[0].data


def _activate(picc, rats=H("E080")):
    picc.power(True)
    picc.receive(WUPA, 0.0)
    for cl in uid_levels(bytes(picc.card.uid())):
        picc.receive(AirFrame(with_crc(bytes([0x93 + 2 * uid_levels(bytes(picc.card.uid())).index(cl), 0x70]) + cl)),
                     0.0)
    assert picc.state == ACTIVE
    return _frame(picc, with_crc(rats))


def test_crc_a_examples():
    assert crc_a(H("5000")) == H("57CD")  # HLTA
    assert crc_a(H("E050")) == H("BCA5")  # RATS, FSD 64
    assert crc_a(H("E080")) == H("3173")


def test_uid_cascade_levels():
    assert uid_levels(H("01020304")) == [H("0102030404")]
    assert uid_levels(H("04112233445566")) == [H("88041122BF"), H("3344556644")]
    assert uid_levels(H("04112233445566778899")) == [H("88041122BF"), H("88334455AA"), H("6677889900")]


def test_reqa_wupa_and_halt():
    picc = TypeAPicc(FixedUid(H("08A1B2C3")))
    assert picc.receive(REQA, 0.0) is None  # no field, no card
    picc.power(True)
    assert picc.state == IDLE
    assert picc.receive(AirFrame(H("26")), 0.0) is None  # REQA sent as 8 bits is no REQA
    assert _frame(picc, H("26")) is None
    assert picc.receive(REQA, 0.0)[0] == AirFrame(H("0400"))  # ATQA, LSB first
    assert picc.state == READY
    cl1 = H("08A1B2C3") + bytes([0x08 ^ 0xA1 ^ 0xB2 ^ 0xC3])
    assert _frame(picc, H("9320")) == cl1
    assert _frame(picc, with_crc(H("9370") + cl1)) == with_crc(H("20"))
    assert picc.state == ACTIVE
    assert _frame(picc, with_crc(H("5000"))) is None  # HLTA
    assert picc.state == HALT
    assert picc.receive(REQA, 0.0) is None
    assert picc.receive(WUPA, 0.0)[0] == AirFrame(H("0400"))
    assert _frame(picc, H("3000")) is None  # READY*: anything else sends it back to HALT
    assert picc.state == HALT


def test_bit_oriented_anticollision():
    picc = TypeAPicc(FixedUid(H("08A1B2C3")))
    picc.power(True)
    picc.receive(REQA, 0.0)
    cl1 = H("08A1B2C3") + bytes([0x08 ^ 0xA1 ^ 0xB2 ^ 0xC3])
    known = cl1[0] & 0x1F
    answer, _ = picc.receive(AirFrame(H("9325") + bytes([known]), 21), 0.0)
    assert answer.nbits == 35 and answer.data == (int.from_bytes(cl1, "little") >> 5).to_bytes(5, "little")
    assert picc.receive(AirFrame(H("9325") + bytes([known ^ 1]), 21), 0.0) is None  # another card's bits
    assert picc.state == READY


def test_double_and_triple_size_uids_cascade():
    for uid in (H("04112233445566"), H("04112233445566778899")):
        picc = TypeAPicc(FixedUid(uid))
        picc.power(True)
        picc.receive(WUPA, 0.0)
        levels = uid_levels(uid)
        for i, cl in enumerate(levels):
            sel = bytes([0x93 + 2 * i])
            assert _frame(picc, sel + H("20")) == cl
            sak = _frame(picc, with_crc(sel + H("70") + cl))
            assert sak == with_crc(bytes([0x04 if i < len(levels) - 1 else 0x20]))
        assert picc.state == ACTIVE


def test_rats_then_iso_dep_blocks():
    picc = TypeAPicc(EchoCard())
    assert _activate(picc) == with_crc(H("0578807002"))
    assert picc.state == PROTOCOL
    assert _frame(picc, with_crc(H("02") + H("0102"))) == with_crc(H("02") + H("0102") + H("9000"))
    assert _frame(picc, with_crc(H("B2"))) == with_crc(H("02") + H("0102") + H("9000"))  # R(NAK), its block: again
    assert _frame(picc, with_crc(H("B3"))) == with_crc(H("A2"))  # R(NAK), another block: R(ACK) (presence)
    assert _frame(picc, with_crc(H("0A01") + H("01"))) is None  # a CID it was not given
    assert _frame(picc, with_crc(H("26"))) is None  # REQA in the ISO-DEP state: ignored
    assert _frame(picc, with_crc(H("C2"))) == with_crc(H("C2"))  # DESELECT
    assert picc.state == HALT


def test_chaining_both_ways_within_fsd_and_fsc():
    card = EchoCard()
    picc = TypeAPicc(card)
    _activate(picc, H("E050"))  # FSD 64: 61 data bytes per block back
    assert _frame(picc, with_crc(H("12") + bytes(range(10)))) == with_crc(H("A2"))  # chained I-block 0
    first = _frame(picc, with_crc(H("03") + bytes(range(10, 80))))
    assert card.received == [bytes(range(80))]
    assert first[0] == 0x13 and first[1:-2] == bytes(range(61))  # chained answer, block 1
    second = _frame(picc, with_crc(H("A2")))  # R(ACK) block 0: the next part
    assert second[0] == 0x02 and second[1:-2] == bytes(range(61, 80)) + H("9000")


def test_cid_and_nad_as_the_ats_says():
    picc = TypeAPicc(EchoCard())
    _activate(picc, H("E081"))  # CID 1
    assert _frame(picc, with_crc(H("02AA"))) is None  # a block without the CID it was given
    assert _frame(picc, with_crc(H("0A01AA"))) == with_crc(H("0A01AA9000"))
    assert _frame(picc, with_crc(H("0E0100AA"))) is None  # a NAD: the phone's ATS has none
    assert Ats(H("0578807003")).nad and not Ats(H("0578807002")).nad


def test_waiting_time_extension_and_silence():
    slow = TypeAPicc(EchoCard(reply=lambda d: Delayed(1.0, d + H("9000"), wtx=True)))
    _activate(slow)
    fwt = Ats(H("0578807002")).fwt
    wtx, delay = slow.receive(AirFrame(with_crc(H("0201"))), 0.0)
    assert wtx.data == with_crc(H("F2") + bytes([int(1.0 / fwt) + 1])) and delay == pytest.approx(0.8 * fwt)
    answer, delay = slow.receive(AirFrame(with_crc(wtx.data[:-2])), 0.5)  # the PCD's S(WTX) answer
    assert answer.data == with_crc(H("02019000")) and delay == pytest.approx(0.5)
    silent = TypeAPicc(EchoCard(reply=lambda d: Delayed(1.0, d + H("9000"), wtx=False)))
    _activate(silent)
    assert silent.receive(AirFrame(with_crc(H("0201"))), 0.0) is None
    assert silent.receive(AirFrame(with_crc(H("B2"))), 0.5) is None  # asked again too early: silent
    assert silent.receive(AirFrame(with_crc(H("B2"))), 1.5)[0].data == with_crc(H("02019000"))
