"""The board modules (firmware/board) on both runtimes, against a fake ``machine``: each imports,
builds its buses on the pins its wiring table documents, and offers the HAL the firmware uses."""
import os

from support import FIRMWARE_CHECKS, check


def test_boards_build_on_their_documented_pins(runtime, tmp_path):
    out = check(runtime, "boards.py", str(tmp_path), paths=(os.path.join(FIRMWARE_CHECKS, "fake_machine"),))
    hal = {"host_link": "UsbCdcLink", "storage": "FlashStorage", "device_id": "e661410403225b2a", "pinned_root": None}
    # firmware/board/pico.py: PN532 on UART0 (GP0 TX, GP1 RX) at 115200 (HSU), GM65 on UART1 (GP4, GP5) at 9600
    assert out["pico"] == dict(hal, name="pico", pn532="uart", scanner="gm65", made=[
        ["UART", 0, 115200, 0, 1, 0, 512], ["UART", 1, 9600, 4, 5, 0, 1024]])
    # ... or the PN532 on I2C1 (GP6 SDA, GP7 SCL) at 100 kHz
    assert out["pico_i2c"] == dict(hal, name="pico", pn532="i2c", scanner="gm65", made=[
        ["I2C", 1, 6, 7, 100000, 50000], ["UART", 1, 9600, 4, 5, 0, 1024]])
    # firmware/board/esp32_devkit.py: PN532 on I2C0 (GPIO21 SDA, GPIO22 SCL) with a 200 ms clock-stretch
    # timeout, GM65 on UART2 (GPIO17 TX, GPIO16 RX)
    assert out["esp32_devkit"] == dict(hal, name="esp32-devkit", pn532="i2c", scanner="gm65", made=[
        ["I2C", 0, 21, 22, 100000, 200000], ["UART", 2, 9600, 17, 16, 0, 1024]])
    assert out["storage"] == [None, "v2", "ValueError"]
