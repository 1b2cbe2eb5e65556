"""What a contactless card is to the simulator's reader front ends.

The PN532 model (``vitale_sim.pn532``, through the ISO/IEC 14443 card side in
``vitale_sim.iso14443a``) and the PC/SC virtual reader (``vitale_sim.vpcd``)
both talk to a card at the APDU level. A card is any object with::

    sens_res: bytes        ATQA as a PN532 reports it (most significant byte first, e.g. 00 04)
    sel_res: int           SAK (0x20: speaks ISO/IEC 14443-4)
    power_on()             enters a powered field (an HCE phone draws a new random UID here)
    power_off()            leaves the field, or the field goes off
    uid() -> bytes         4, 7 or 10 bytes
    ats() -> bytes         the answer to RATS, TL first (only read when SAK has 0x20)
    apdu(data) -> bytes | Delayed | None     None: silent (the application is gone)
    deselect()             ISO/IEC 14443-4 DESELECT: the application session ends

``apdu()`` may raise :class:`CardRemoved` to leave the field in the middle of an
exchange. This module depends on nothing else in the simulator, so phones
(``vitale_sim.phone``) and readers import it without importing each other.
"""
from __future__ import annotations

from typing import Optional


class CardRemoved(Exception):
    """Raised by a card's ``apdu()`` to leave the field in the middle of an exchange."""


class Delayed:
    """A card answer that comes after ``seconds``.

    ``wtx=True`` (an Android phone): the card asks for waiting-time extensions,
    the reader keeps waiting and its host must abort on its own timeout.
    ``wtx=False``: the card is silent; the reader gives up after the frame
    waiting time and the late answer is lost.
    """

    def __init__(self, seconds: float, response: Optional[bytes], wtx: bool = True) -> None:
        self.seconds = seconds
        self.response = response
        self.wtx = wtx
