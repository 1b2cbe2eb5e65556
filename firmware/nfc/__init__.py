"""NFC path: PN532 driver (pn532 + one transport module per bus), ISO-DEP/APDU
layer (isodep), the phone application protocol (session, spec in
protocol/NFC.md) and the capture task the application runs (capture)."""


def make_pn532(spec, ack_timeout_ms=None):
    """Build a ``pn532.Pn532`` from a board's ``pn532`` tuple.

    ``("uart", uart)`` | ``("i2c", i2c)`` | ``("spi", spi, cs_pin)``; the bus
    objects are shaped like ``machine.UART`` / ``machine.I2C`` / ``machine.SPI``
    + ``machine.Pin``. Imports only the transport in use. ``ack_timeout_ms``:
    None for the chip's own (``pn532.ACK_TIMEOUT_MS``, UM0701); a simulator whose
    chip model shares a busy machine may ask for more (a resend re-executes the command).
    """
    from nfc.pn532 import Pn532

    kind = spec[0]
    if kind == "uart":
        from nfc.pn532_uart import Pn532Uart
        transport = Pn532Uart(spec[1])
    elif kind == "i2c":
        from nfc.pn532_i2c import Pn532I2c
        transport = Pn532I2c(spec[1])
    elif kind == "spi":
        from nfc.pn532_spi import Pn532Spi
        transport = Pn532Spi(spec[1], spec[2])
    else:
        raise ValueError("unknown PN532 bus")
    return Pn532(transport, ack_timeout_ms)
