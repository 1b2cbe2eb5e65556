"""vitale_link: the reader <-> host wire protocol (see protocol/SPEC.md).

One codec, run unchanged by the firmware (MicroPython) and the host (CPython):
``cobs`` (byte stuffing), ``frame`` (header, CRC-32, streaming decoder),
``messages`` (message types and their fields), ``endpoint`` (sans-IO
reliability: sequence numbers, acknowledgements, retransmission, duplicate
suppression). No I/O here: callers feed bytes in and write bytes out.
"""

PROTOCOL_VERSION = 1
