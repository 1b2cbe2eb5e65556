"""A simulated phone running the Vitale HCE application, and its faulty variants.

``SimPhone(wallet, fault=None)`` is a card for ``Pn532Model.tap()`` (and for
any other simulated reader front end: ``apdu()`` is the HCE
``processCommandApdu``). Like an Android phone it draws a random 4-byte UID
(first byte 0x08) every time it enters a powered field, answers ATQA 00 04,
SAK 0x20 and the ATS 05 78 80 70 02 (FSC 256, FWI 7).

Faults (``FAULTS``), each with the one outcome a correct reader reports (``EXPECTED``):

===================== ===================================================== ===================================
fault                 what the phone does                                   reader outcome
===================== ===================================================== ===================================
bad_signature         presentation signature has one bit flipped            credential refused: holder_signature
expired               attestation re-issued with an expiry in the past      credential refused: credential_expired
wrong_nonce           presentation signed over another nonce                credential refused: nonce_mismatch
replayed_response     replays an AUTHENTICATE answer recorded earlier       capture_error decrypt_failed
replayed_presentation an old presentation, correctly re-encrypted           credential refused: nonce_mismatch
slow                  answers AUTHENTICATE after ``slow_s`` (WTX meanwhile) capture_error timeout
pulled_away           leaves the field after the first response chunk       capture_error removed
garbage_apdu          answers AUTHENTICATE with one byte (no status word)   capture_error bad_apdu
oversized_apdu        answers AUTHENTICATE in one 400+-byte response APDU   capture_error bad_apdu
wrong_aid             app not installed: SELECT → 6A82                      capture_error wrong_aid
bad_crypto            GCM tag altered                                       capture_error decrypt_failed
===================== ===================================================== ===================================

A replayed presentation carries the nonce of the session it was made for: the
verifier checks the nonce before the transcript, so it names the nonce.
"""
from __future__ import annotations

import os
import secrets
import time
from typing import Any, List, Optional

from cryptography.hazmat.primitives.asymmetric import ec
from vitale_spec import nfc as capture
from vitale_spec import reasons as verdict

from . import phone_protocol as pp
from .card import CardRemoved, Delayed

FAULTS = ("bad_signature", "expired", "wrong_nonce", "replayed_response", "replayed_presentation", "slow",
          "pulled_away", "garbage_apdu", "oversized_apdu", "wrong_aid", "bad_crypto")

#: the outcome a correct reader reports for each fault: ("credential", verdict reason) when a
#: presentation reaches the verifier, ("capture_error", capture reason) when none does
EXPECTED = {
    None: ("credential", verdict.OK),
    "bad_signature": ("credential", verdict.HOLDER_SIGNATURE),
    "expired": ("credential", verdict.CREDENTIAL_EXPIRED),
    "wrong_nonce": ("credential", verdict.NONCE_MISMATCH),
    "replayed_presentation": ("credential", verdict.NONCE_MISMATCH),
    "replayed_response": ("capture_error", capture.DECRYPT_FAILED),
    "slow": ("capture_error", capture.TIMEOUT),
    "pulled_away": ("capture_error", capture.REMOVED),
    "garbage_apdu": ("capture_error", capture.BAD_APDU),
    "oversized_apdu": ("capture_error", capture.BAD_APDU),
    "wrong_aid": ("capture_error", capture.WRONG_AID),
    "bad_crypto": ("capture_error", capture.DECRYPT_FAILED),
}

ATS = bytes.fromhex("0578807002")


def _load_wallet(wallet: Any) -> Any:
    if isinstance(wallet, (str, os.PathLike)):
        from .issuer.wallet import Wallet

        return Wallet.load(wallet)
    return wallet


class SimPhone:
    """A phone with the Vitale app. ``wallet``: a wallet file path or a ``Wallet``-like object
    (anything with ``nfc_presentation(nonce, transcript_hash, now)``)."""

    sens_res = b"\x00\x04"
    sel_res = 0x20

    def __init__(self, wallet: Any, fault: Optional[str] = None, slow_s: float = 3.0, pki: Any = None,
                 chunk: int = 256) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown phone fault {fault!r} (choose from {', '.join(FAULTS)})")
        self.wallet = _load_wallet(wallet)
        self.fault = fault
        self.slow_s = slow_s
        self.chunk = chunk
        self._uid = b""
        self.powered = False
        self.app: Optional[pp.PhoneApp] = None
        self.taps = 0  # power-ups
        self.log: List[tuple] = []  # (command, response) per APDU
        self.sessions: List[dict] = []  # what the phone encrypted: nonce, transcript_hash, presentation...
        self._recorded: Optional[bytes] = None
        self._old_presentation: Optional[bytes] = None
        if fault == "expired":
            self.wallet = self._expired_wallet(pki)
        if fault == "replayed_response":
            # an answer the phone gave to some earlier reader: recorded by an eavesdropper
            reader = ec.generate_private_key(ec.SECP256R1())
            self._recorded, _ = pp.authenticate_answer(self._present, pp.pub65(reader), secrets.token_bytes(16))
        if fault == "replayed_presentation":
            self._old_presentation = self.wallet.nfc_presentation(secrets.token_bytes(16), secrets.token_bytes(32),
                                                                  int(time.time()))

    def _expired_wallet(self, pki: Any) -> Any:
        from .issuer import forge
        from .issuer.profile import C_EXP, C_IAT, C_NBF

        if pki is None:
            from . import testpki

            pki = testpki.load()
        now = int(time.time())

        def mutate(c: dict) -> None:
            c[C_IAT] = now - 400 * 86400
            c.pop(C_NBF, None)
            c[C_EXP] = now - 30 * 86400

        return forge.reissue(self.wallet, pki, mutate)

    def __repr__(self) -> str:
        return f"SimPhone(fault={self.fault!r}, taps={self.taps})"

    # -- what the presentation is --------------------------------------------------------
    def _present(self, nonce: bytes, th: bytes) -> bytes:
        now = int(time.time())
        if self.fault == "wrong_nonce":
            return self.wallet.nfc_presentation(secrets.token_bytes(len(nonce)), th, now)
        if self.fault == "replayed_presentation" and self._old_presentation is not None:
            return self._old_presentation
        p = self.wallet.nfc_presentation(nonce, th, now)
        if self.fault == "bad_signature":
            from .issuer.forge import flip_signature

            p = flip_signature(p)
        return p

    # -- card interface (see vitale_sim.card) --------------------------------------------
    def power_on(self) -> None:
        self.powered = True
        self.taps += 1
        self._uid = b"\x08" + secrets.token_bytes(3)  # ISO 14443-3 random UID
        self.app = pp.PhoneApp(self._present, self.chunk)
        self.app.answer_hook = self._answer_hook

    def power_off(self) -> None:
        self.powered = False
        self.app = None

    def deselect(self) -> None:
        self.app = None

    def uid(self) -> bytes:
        return self._uid

    def ats(self) -> bytes:
        return ATS

    def _answer_hook(self, answer: bytes) -> bytes:
        if self.app is not None and self.app.sessions:
            self.sessions.append(self.app.sessions[-1])
        if self.fault == "replayed_response" and self._recorded is not None:
            return self._recorded
        if self.fault == "bad_crypto":
            return answer[:-1] + bytes([answer[-1] ^ 0x01])
        return answer

    def apdu(self, command: bytes) -> Any:
        command = bytes(command)
        app = self.app
        if app is None:  # deselected or unpowered: the HCE service is gone
            self.log.append((command, None))
            return None
        ins = command[1] if len(command) > 1 else None
        if self.fault == "wrong_aid" and ins == pp.INS_SELECT:
            rsp = pp.SW_NOT_FOUND  # what Android answers when no service claims the AID
        else:
            rsp = app.handle(command)
        self.log.append((command, rsp))
        if ins == pp.INS_AUTHENTICATE and len(rsp) >= 2 and (rsp[-2:] == pp.SW_OK or rsp[-2] == 0x61):
            if self.fault == "slow":
                return Delayed(self.slow_s, rsp, wtx=True)
            if self.fault == "garbage_apdu":
                return b"\x42"
            if self.fault == "oversized_apdu":
                whole = rsp[:-2] + app._pending
                app._pending = b""
                return whole + pp.SW_OK
            if self.fault == "pulled_away" and not app._pending:
                raise CardRemoved()
        if self.fault == "pulled_away" and ins == pp.INS_GET_RESPONSE:
            raise CardRemoved()
        return rsp


class EchoCard:
    """A bare ISO-DEP card for driver tests: answers ``data`` + 9000 (or ``reply(data)``)."""

    sens_res = b"\x00\x04"
    sel_res = 0x20

    def __init__(self, reply=None, uid_len: int = 4) -> None:
        self.reply = reply or (lambda data: bytes(data) + b"\x90\x00")
        self.uid_len = uid_len
        self._uid = b""
        self.received: List[bytes] = []

    def power_on(self) -> None:
        self._uid = b"\x08" + secrets.token_bytes(self.uid_len - 1)

    def power_off(self) -> None:
        pass

    def deselect(self) -> None:
        pass

    def uid(self) -> bytes:
        return self._uid

    def ats(self) -> bytes:
        return ATS

    def apdu(self, command: bytes) -> Any:
        self.received.append(bytes(command))
        return self.reply(bytes(command))
