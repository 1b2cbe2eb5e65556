"""Raspberry Pi Pico (RP2040) with a PN532 on UART0 (HSU) and a GM65 scan engine on UART1.

Wiring (3V3 logic everywhere; the PN532 module's mode switches set to HSU):

| signal          | Pico pin      | module pin        |
|-----------------|---------------|-------------------|
| PN532 TX -> RX  | GP1 (UART0 RX)| PN532 TXD         |
| PN532 RX <- TX  | GP0 (UART0 TX)| PN532 RXD         |
| PN532 RSTPDN    | GP2           | RSTO/RSTPDN       |
| GM65 TX -> RX   | GP5 (UART1 RX)| GM65 TXD          |
| GM65 RX <- TX   | GP4 (UART1 TX)| GM65 RXD          |
| power           | 3V3 / VSYS    | VCC (GM65: 5 V)   |
| ground          | GND           | GND               |

The host link is the USB CDC port. For I2C instead of HSU: PN532 SDA GP6,
SCL GP7 (I2C1, 100 kHz, pull-ups on the module), switch the module to I2C.
"""
import machine
import time

from board.storage import FlashStorage
from board.usb_link import UsbCdcLink


class PicoBoard:
    name = "pico"
    pinned_root = None

    def __init__(self, pn532_bus="uart"):
        self.host_link = UsbCdcLink()
        if pn532_bus == "i2c":
            self.pn532 = ("i2c", machine.I2C(1, sda=machine.Pin(6), scl=machine.Pin(7), freq=100000,
                                             timeout=50000))
        else:
            self.pn532 = ("uart", machine.UART(0, baudrate=115200, tx=machine.Pin(0), rx=machine.Pin(1),
                                               timeout=0, rxbuf=512))
        self.scanner = ("gm65", machine.UART(1, baudrate=9600, tx=machine.Pin(4), rx=machine.Pin(5),
                                             timeout=0, rxbuf=1024))
        self.storage = FlashStorage()

    def random_bytes(self, n):
        import os
        return os.urandom(n)  # the RP2040 port seeds this from the ring oscillator

    def device_id(self):
        return machine.unique_id()

    def idle(self, ms):
        time.sleep_ms(ms)


def make_board():
    return PicoBoard()
