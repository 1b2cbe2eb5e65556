"""Verdict reason codes of the credential profile (CREDENTIAL.md §8), in check order (§7).

A verdict names the first check that failed. The reader's verifier
(``firmware/verify``) and the host's (``vitale_reader.credential``) both
give these strings.
"""
OK = "ok"
# QR text layer
NOT_A_PRESENTATION = "not_a_presentation"  # foreign prefix (URL, payment QR, EU DCC "HC1:")
BASE45 = "base45"
INFLATE = "inflate"  # bad zlib stream, or output over the limit
# structure
CBOR = "cbor"  # malformed / too deep / too long / too large / trailing bytes
COSE_STRUCTURE = "cose_structure"  # well-formed CBOR but not the profile's shape
# trust
NO_TRUST_LIST = "no_trust_list"
UNKNOWN_ISSUER = "unknown_issuer"
ISSUER_NOT_VALID = "issuer_not_valid"
ISSUER_SIGNATURE = "issuer_signature"
CREDENTIAL_NOT_YET_VALID = "credential_not_yet_valid"
CREDENTIAL_EXPIRED = "credential_expired"
REVOKED = "revoked"
# holder binding and freshness
HOLDER_SIGNATURE = "holder_signature"
NONCE_MISMATCH = "nonce_mismatch"
TRANSCRIPT_MISMATCH = "transcript_mismatch"
STALE = "stale"
REPLAY = "replay"
# the verifier itself failed (out of memory...): never a pass
INTERNAL = "internal"
# trust-list updates
TRUST_LIST_SIGNATURE = "trust_list_signature"
TRUST_LIST_ROLLBACK = "trust_list_rollback"
TRUST_LIST_MALFORMED = "trust_list_malformed"

# Every verdict reason, in check order (CREDENTIAL.md §7).
VERDICT_REASONS = (
    OK,
    NOT_A_PRESENTATION,
    BASE45,
    INFLATE,
    CBOR,
    COSE_STRUCTURE,
    NO_TRUST_LIST,
    UNKNOWN_ISSUER,
    ISSUER_NOT_VALID,
    ISSUER_SIGNATURE,
    CREDENTIAL_NOT_YET_VALID,
    CREDENTIAL_EXPIRED,
    REVOKED,
    HOLDER_SIGNATURE,
    NONCE_MISMATCH,
    TRANSCRIPT_MISMATCH,
    STALE,
    REPLAY,
    INTERNAL,
)
# Reasons a trust-list update can fail with.
TRUST_LIST_REASONS = (TRUST_LIST_SIGNATURE, TRUST_LIST_ROLLBACK, TRUST_LIST_MALFORMED)
ALL = VERDICT_REASONS + TRUST_LIST_REASONS
