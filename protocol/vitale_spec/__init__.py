"""vitale_spec: the names and numbers the specifications in protocol/ fix, written once.

Used unchanged by the firmware (MicroPython) and the host (CPython), like
``vitale_link``: ``reasons`` (verdict reason codes, CREDENTIAL.md §8) and
``nfc`` (the phone application protocol, NFC.md: AID, instructions, key
schedule constants, budgets, capture_error reasons). Plain constants only:
no imports, no code.
"""
