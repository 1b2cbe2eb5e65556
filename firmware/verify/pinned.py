"""The trust-list root key pinned in the firmware.

THIS IS THE TEST ROOT of the built-in TEST-ONLY PKI
(simulator/vitale_sim/testpki/, whose private key is public): a reader
built with it accepts trust lists signed by anyone. A production build
replaces ``ROOT_PUB`` with its own root (65-byte uncompressed P-256 point)
and sets ``IS_TEST_ROOT = False``. The simulator may override it with
``board.pinned_root``; a board never does.
"""
IS_TEST_ROOT = True
ROOT_KID = b"\xd0\x7e\x55\x20\x20\xbd\x9c\x0f"  # SHA-256(DER SPKI)[:8]
ROOT_PUB = (
    b"\x04\x42\x40\x3c\x14\x72\xe7\xe9\x00\x96\x97\xc7\xe6\xb3\x19\x57"
    b"\x51\x48\xf1\x77\x7c\xa6\x08\xd5\x12\xa1\x84\x75\xb1\x74\x06\x98"
    b"\xb0\xfb\x7e\xaf\x5b\x5a\x5d\xfe\xb4\x5a\x1a\x2b\x64\x8b\xc5\xf0"
    b"\x56\x66\x33\x08\x14\x2a\x22\xb2\xc3\xb5\x91\xe1\x7e\x44\x22\xcc"
    b"\x15"
)


def root_key(board=None):
    """The root key to verify trust lists with: ``board.pinned_root`` if set, else ``ROOT_PUB``."""
    override = getattr(board, "pinned_root", None) if board is not None else None
    return override if override else ROOT_PUB
