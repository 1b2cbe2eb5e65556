"""The Vitale NFC application protocol, version 1 (protocol/NFC.md): its constants.

The reader firmware (``firmware/nfc/session.py``), the host's PC/SC
backend (``vitale_reader.pcsc``) and the simulated phone
(``vitale_sim.phone_protocol``) all take them from here.
"""
AID = b"\xf0VITALE"  # F0 56 49 54 41 4C 45: proprietary (first nibble F), §2
VERSION = 1
SUITE_P256_HKDF_AESGCM = 0x01  # ECDH P-256 + HKDF-SHA256 + AES-256-GCM, §3.1
CLA_PROPRIETARY = 0x80
INS_SELECT = 0xA4
INS_AUTHENTICATE = 0x50
INS_GET_RESPONSE = 0xC0
NONCE_LEN = 16
PUB_LEN = 65  # uncompressed P-256 point 04 || X || Y
TAG_LEN = 16
KEY_INFO = b"VitaleNFC1 SKPhone"  # HKDF info, §3.3
# GCM IV: 4-byte identifier 0, 4-byte "phone" id 1, 4-byte message counter 1 (as ISO 18013-5 9.1.1.5)
GCM_IV = b"\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x01"

# Short APDUs (§1): the largest response APDU, and the reader's bounds on a chained answer.
MAX_RAPDU = 258  # 256 data bytes + SW1 SW2
MAX_GET_RESPONSE = 32  # GET RESPONSE rounds
MAX_RESPONSE = 4096  # bytes of one chained response

# Reader budgets (§1).
EXCHANGE_MS = 1000  # one command
TAP_MS = 2000  # the whole session
RELAY_MS = 2000  # one relayed APDU, unless the host says otherwise

# capture_error reasons (§4).
REMOVED = "removed"
TIMEOUT = "timeout"
WRONG_AID = "wrong_aid"
BAD_APDU = "bad_apdu"
PROTOCOL = "protocol"
DECRYPT_FAILED = "decrypt_failed"
RF_ERROR = "rf_error"
UNSUPPORTED_CARD = "unsupported_card"
CHIP_ERROR = "chip_error"
INTERNAL = "internal"
CAPTURE_REASONS = (REMOVED, TIMEOUT, WRONG_AID, BAD_APDU, PROTOCOL, DECRYPT_FAILED, RF_ERROR, UNSUPPORTED_CARD,
                   CHIP_ERROR, INTERNAL)
