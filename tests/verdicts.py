"""Comparing the firmware's and the host's verdict reasons (CREDENTIAL.md §8)."""

# Well-formed but semantically invalid CBOR (a duplicate key, a tag 0 around an array...) is
# "cbor" to one decoder and "cose_structure" to the other; every other reason must be equal.
DECODE_CLASS = {"cbor", "cose_structure"}


def same_reason(firmware: str, host: str) -> bool:
    return firmware == host or {firmware, host} == DECODE_CLASS
