"""vitale_link: the reader <-> host wire protocol (see protocol/SPEC.md).

One codec, run unchanged by the firmware (MicroPython) and the host (CPython):
``cobs`` (byte stuffing), ``frame`` (header, AUTH trailer, CRC-32, streaming
decoder), ``messages`` (message types and their fields), ``auth`` (HMAC,
HKDF, the pairing and session key schedule), ``endpoint`` (sans-IO
reliability: sequence numbers, acknowledgements, NAK, retransmission,
fragments, duplicate suppression, authentication and replay rules). No I/O
here: callers feed bytes in and write bytes out, with their own clock.
"""

PROTOCOL_VERSION = 2
