"""The phone side of the NFC application protocol (protocol/NFC.md, version 1), on ``cryptography``.

Independent of the firmware's own crypto on purpose: the simulated phone and
the firmware reader agreeing is the cross-check. The transcript and key
schedule are the host library's (``vitale_reader.nfc_session``, also used by
its PC/SC backend). Also a CPython *reader* side (:func:`reader_open`).
"""
from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from vitale_reader.nfc_session import ecdh, pub65, session_key, transcript_hash
from vitale_spec.nfc import (AID, CLA_PROPRIETARY, GCM_IV, INS_AUTHENTICATE, INS_GET_RESPONSE, INS_SELECT, NONCE_LEN,
                             PUB_LEN, SUITE_P256_HKDF_AESGCM, VERSION)

SUITES = SUITE_P256_HKDF_AESGCM
SELECT_DATA = bytes([VERSION, SUITES, 0x00])

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_CONDITIONS = b"\x69\x85"
SW_WRONG_DATA = b"\x6a\x80"
SW_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_INS = b"\x6d\x00"
SW_CLA = b"\x6e\x00"


def seal(key: bytes, presentation: bytes, th: bytes) -> bytes:
    return AESGCM(key).encrypt(GCM_IV, presentation, th)


def reader_open(priv: ec.EllipticCurvePrivateKey, nonce: bytes, select_data: bytes, data: bytes) -> Tuple[bytes, bytes]:
    """The reader's side on CPython: ``(presentation, transcript_hash)`` from an AUTHENTICATE answer."""
    phone_pub = data[:PUB_LEN]
    th = transcript_hash(select_data, pub65(priv), nonce, phone_pub)
    return AESGCM(session_key(ecdh(priv, phone_pub), th)).decrypt(GCM_IV, data[PUB_LEN:], th), th


def authenticate_answer(presenter: Callable[[bytes, bytes], bytes], reader_pub: bytes, nonce: bytes,
                        select_data: bytes = SELECT_DATA, eph: Optional[ec.EllipticCurvePrivateKey] = None
                        ) -> Tuple[bytes, dict]:
    """The phone's AUTHENTICATE answer data (phone key ‖ ciphertext ‖ tag) and the session's values."""
    eph = eph or ec.generate_private_key(ec.SECP256R1())
    phone_pub = pub65(eph)
    th = transcript_hash(select_data, reader_pub, nonce, phone_pub)
    shared = ecdh(eph, reader_pub)
    key = session_key(shared, th)
    presentation = presenter(nonce, th)
    sealed = seal(key, presentation, th)
    info = {"nonce": nonce, "reader_pub": reader_pub, "phone_pub": phone_pub, "transcript_hash": th,
            "shared": shared, "key": key, "presentation": presentation, "sealed": sealed}
    return phone_pub + sealed, info


class PhoneApp:
    """The phone application for one RF activation: APDU in, APDU out.

    ``presenter(nonce, transcript_hash) -> bytes`` makes the presentation
    (normally ``wallet.nfc_presentation``). ``chunk`` is the most data bytes per
    response APDU (the rest is announced with 61xx). Hooks let faulty phones
    bend one step: ``answer_hook(data) -> data`` on the AUTHENTICATE answer.
    """

    def __init__(self, presenter: Callable[[bytes, bytes], bytes], chunk: int = 256,
                 select_data: bytes = SELECT_DATA) -> None:
        self.presenter = presenter
        self.chunk = chunk
        self.select_data = select_data
        self.selected = False
        self.answer_hook: Optional[Callable[[bytes], bytes]] = None
        self._pending = b""  # response data not fetched yet (GET RESPONSE)
        self._chain = b""  # command chaining accumulator
        self.sessions: List[dict] = []

    def _out(self, data: bytes, ne: int = 256) -> bytes:
        n = min(self.chunk, ne)
        part, self._pending = data[:n], data[n:]
        if self._pending:
            n = len(self._pending)
            return part + bytes([0x61, 0x00 if n >= 256 else n])
        return part + SW_OK

    def handle(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[4:]
        lc = 0
        data = b""
        le = body[0] if len(body) == 1 else None
        if len(body) > 1:
            lc = body[0]
            data = body[1:1 + lc]
            if len(data) != lc or len(body) not in (1 + lc, 2 + lc):
                return SW_WRONG_LENGTH
            if len(body) == 2 + lc:
                le = body[-1]
        ne = 256 if not le else le  # Le 00 = 256 (short APDU)
        if cla & 0x10:  # a chained part: keep it, acknowledge
            self._chain += data
            return SW_OK
        if self._chain:
            data, self._chain = self._chain + data, b""
        if ins == INS_SELECT and cla & 0x80 == 0:
            if p1 == 0x04 and data == AID:
                self.selected = True
                self._pending = b""
                return self.select_data + SW_OK
            self.selected = False
            return SW_NOT_FOUND
        if ins == INS_GET_RESPONSE and cla & 0x80 == 0:
            if not self._pending:
                return SW_CONDITIONS
            return self._out(self._pending, ne)
        if not self.selected:
            return SW_CONDITIONS
        if ins == INS_AUTHENTICATE:
            if cla != CLA_PROPRIETARY:
                return SW_CLA
            if p1 != VERSION or p2 != 0:
                return SW_WRONG_P1P2
            if len(data) != NONCE_LEN + PUB_LEN:
                return SW_WRONG_LENGTH
            nonce, reader_pub = data[:NONCE_LEN], data[NONCE_LEN:]
            try:
                answer, info = authenticate_answer(self.presenter, reader_pub, nonce, self.select_data)
            except ValueError:
                return SW_WRONG_DATA  # not a point on P-256
            self.sessions.append(info)
            if self.answer_hook is not None:
                answer = self.answer_hook(answer)
            return self._out(answer, ne)
        return SW_INS
