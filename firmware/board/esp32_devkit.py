"""ESP32 DevKit with a PN532 on I2C and a GM65 scan engine on UART2.

Wiring (3V3 logic; PN532 mode switches set to I2C):

| signal        | ESP32 pin | module pin |
|---------------|-----------|------------|
| PN532 SDA     | GPIO21    | SDA        |
| PN532 SCL     | GPIO22    | SCL        |
| PN532 IRQ     | GPIO4     | IRQ (optional, not needed: status polling) |
| GM65 TX -> RX | GPIO16 (UART2 RX) | TXD |
| GM65 RX <- TX | GPIO17 (UART2 TX) | RXD |
| power/ground  | 3V3, 5V (GM65), GND | VCC, GND |

The ESP32's I2C timeout is raised (``timeout`` in µs) because the PN532
stretches the clock well beyond the default while it works (a known field
failure of other drivers). The host link is the USB-UART bridge (UART0,
the REPL port).
"""
import machine
import time

from board.storage import FlashStorage
from board.usb_link import UsbCdcLink


class Esp32DevkitBoard:
    name = "esp32-devkit"
    pinned_root = None

    def __init__(self):
        self.host_link = UsbCdcLink()
        self.pn532 = ("i2c", machine.I2C(0, sda=machine.Pin(21), scl=machine.Pin(22), freq=100000,
                                         timeout=200000))
        self.scanner = ("gm65", machine.UART(2, baudrate=9600, tx=machine.Pin(17), rx=machine.Pin(16),
                                             timeout=0, rxbuf=1024))
        self.storage = FlashStorage()

    def random_bytes(self, n):
        import os
        return os.urandom(n)  # hardware RNG on the ESP32 port

    def device_id(self):
        return machine.unique_id()

    def idle(self, ms):
        time.sleep_ms(ms)


def make_board():
    return Esp32DevkitBoard()
