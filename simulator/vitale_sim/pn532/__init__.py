"""A simulated NXP PN532 (firmware v1.6), byte for byte on its host interface (UM0701-02).

The package follows the manual's own parts:

* ``frames``   section 6.2.1: information, extended, ACK, NACK and error frames;
* ``link``     sections 6.2-6.3: HSU, I2C and SPI, LowVbat / PowerDown wake-up;
* ``commands`` section 7: the command set (miscellaneous 7.2, RF, initiator and target 7.3);
* ``radio``    the RF side the commands drive: field, card, ISO/IEC 14443 reader procedures;
* ``ciu``      the Contactless Interface Unit registers (PN532 data sheet) that reflect it;
* ``chip``     :class:`Pn532Model`, the thread that ties them to one file descriptor.

The commands implemented, with their sections, are listed in ``docs/PN532_MODEL.md``.
"""
from .chip import Pn532Model
from .commands import FIRMWARE
from .frames import ACK, ERROR_FRAME, NACK, frame
from .link import BUS_PROTOCOL

__all__ = ["ACK", "BUS_PROTOCOL", "ERROR_FRAME", "FIRMWARE", "NACK", "Pn532Model", "frame"]
