"""Generate the credential test vectors (protocol/vectors/credential/) and the spec's examples.

    vitale-issuer vectors [--out DIR] [--spec protocol/CREDENTIAL.md]

Everything is made with the built-in TEST PKI at a fixed time (``NOW``),
so that the firmware, the host verifier and this issuer can be checked
against the same files. Signatures are randomised (ECDSA): regenerating
changes the bytes, not the verdicts.
"""
from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import cbor2

from . import forge, keys
from .identity import TestIdentity, nir_key, random_identity
from .pki import Pki
from .profile import QR_PREFIX, TEST_ONLY, b45encode, compress, qr_text_of
from .wallet import Wallet

NOW = 1767225600  # 2026-01-01T00:00:00Z
WINDOW = 120
NONCE = bytes.fromhex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0")
TRANSCRIPT = bytes(range(0x40, 0x60))
REPO = Path(__file__).resolve().parents[3]


def _h(b: bytes) -> str:
    return b.hex()


# ------------------------------------------------------------------ CBOR diagnostic notation

_EMBEDDED_KEYS = {"protected", "payload", "attestation"}


def diag(v: Any, indent: int = 0, embed: bool = True) -> str:
    """CBOR diagnostic notation (RFC 8949 §8, with EDN << >> for embedded CBOR), pretty-printed."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(v, cbor2.CBORTag):
        return f"{v.tag}({diag(v.value, indent, embed)})"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        if embed and len(v) > 2:
            try:
                d = cbor2.loads(v)
                if isinstance(d, (Mapping, list, tuple, cbor2.CBORTag)) and cbor2.dumps(d) == v:
                    return "<< " + diag(d, indent, embed) + " >>"
            except Exception:
                pass
        return f"h'{v.hex()}'"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        if all(not isinstance(x, (list, tuple, Mapping, bytes)) or (isinstance(x, bytes) and len(x) <= 16)
               for x in v) and len(v) <= 4:
            return "[" + ", ".join(diag(x, indent, embed) for x in v) + "]"
        return "[\n" + ",\n".join(inner + diag(x, indent + 1, embed) for x in v) + "\n" + pad + "]"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        items = [f"{diag(k, indent + 1, embed)}: {diag(x, indent + 1, embed)}" for k, x in v.items()]
        if sum(len(i) for i in items) < 60 and "\n" not in "".join(items):
            return "{" + ", ".join(items) + "}"
        return "{\n" + ",\n".join(inner + i for i in items) + "\n" + pad + "}"
    raise TypeError(type(v))


# ------------------------------------------------------------------ the vectors


def _wallet(pki: Pki, seed: int, **kw: Any) -> Wallet:
    return Wallet.issue(pki, identity=random_identity(random.Random(seed)), **kw)


def build(pki: Pki) -> dict:
    now = NOW
    iat = now - 86400
    w = _wallet(pki, 2026, now=iat)
    corsica = Wallet.issue(pki, identity=TestIdentity(
        matricule="250002A004012", birth_name="ORSONI--LUCCHINI",
        first_names="MARIE-ANGE PAULE", sex="F", birth_date="1950-00-00", birthplace="2A004"), now=iat)
    other_nonce = bytes(16)
    other_th = bytes(32)

    tl_v1 = pki.trust_list_bytes if pki.version == 1 else pki.sign_trust_list(1, pki.issued_at)
    tl_v2_revoked = pki.sign_trust_list(2, now - 3600, revoked=[w.app_id])
    tl_v2_other = pki.sign_trust_list(2, now - 1800, revoked=[bytes(16)])
    trust_lists = {"v1": tl_v1, "v2_revoked": tl_v2_revoked, "v2_other": tl_v2_other}

    def nfc(name: str, pres: bytes, reason: str, tl: Optional[str] = "v1", nonce: bytes = NONCE,
            th: bytes = TRANSCRIPT, at: int = now, **extra: Any) -> dict:
        step = {"form": "nfc", "presentation": _h(pres), "nonce": _h(nonce), "transcript_hash": _h(th),
                "now": at, "reason": reason}
        return {"name": name, "trust_list": tl, "steps": [step], **extra}

    def qr(name: str, texts: list[tuple[str, str]], tl: Optional[str] = "v1", at: int = now, **extra: Any) -> dict:
        return {"name": name, "trust_list": tl,
                "steps": [{"form": "qr", "text": t, "now": at, "reason": r} for t, r in texts], **extra}

    def ident(wallet: Wallet) -> dict:
        return wallet.identity.as_dict()

    good_nfc = w.nfc_presentation(NONCE, TRANSCRIPT, now)
    good_qr = w.qr_text(now)
    cases = [
        nfc("nfc_valid", good_nfc, "ok", identity=ident(w), app_id=_h(w.app_id)),
        nfc("nfc_valid_corsica_lunar_date", corsica.nfc_presentation(NONCE, TRANSCRIPT, now), "ok",
            identity=ident(corsica), app_id=_h(corsica.app_id)),
        nfc("nfc_wrong_nonce", w.nfc_presentation(other_nonce, TRANSCRIPT, now), "nonce_mismatch"),
        nfc("nfc_wrong_transcript", w.nfc_presentation(NONCE, other_th, now), "transcript_mismatch"),
        nfc("nfc_bad_holder_signature", forge.flip_signature(good_nfc), "holder_signature"),
        nfc("nfc_other_holder_key", forge.other_holder(w).nfc_presentation(NONCE, TRANSCRIPT, now),
            "holder_signature"),
        nfc("nfc_bad_issuer_signature", forge.bad_issuer_signature(w).nfc_presentation(NONCE, TRANSCRIPT, now),
            "issuer_signature"),
        nfc("nfc_issuer_kid_substituted",
            forge.issuer_kid_substituted(w, pki).nfc_presentation(NONCE, TRANSCRIPT, now), "issuer_signature"),
        nfc("nfc_unknown_issuer", forge.unknown_issuer(w, pki).nfc_presentation(NONCE, TRANSCRIPT, now),
            "unknown_issuer"),
        nfc("nfc_retired_issuer", forge.retired_issuer(w, pki).nfc_presentation(NONCE, TRANSCRIPT, now),
            "issuer_not_valid"),
        nfc("nfc_issuer_key_expired_by_clock", good_nfc, "issuer_not_valid", at=pki.issuer().not_after + 1),
        nfc("nfc_expired", _wallet(pki, 7, now=now - 400 * 86400).nfc_presentation(NONCE, TRANSCRIPT, now),
            "credential_expired"),
        nfc("nfc_expires_now", _wallet(pki, 8, now=iat, expires=now).nfc_presentation(NONCE, TRANSCRIPT, now),
            "credential_expired"),
        nfc("nfc_not_yet_valid", _wallet(pki, 9, now=iat, not_before=now + 60).nfc_presentation(
            NONCE, TRANSCRIPT, now), "credential_not_yet_valid"),
        nfc("nfc_revoked", good_nfc, "revoked", tl="v2_revoked"),
        nfc("nfc_not_revoked_other_list", good_nfc, "ok", tl="v2_other"),
        nfc("nfc_no_trust_list", good_nfc, "no_trust_list", tl=None),
        nfc("nfc_truncated", good_nfc[:-10], "cbor"),
        nfc("nfc_trailing_byte", good_nfc + b"\x00", "cbor"),
        nfc("nfc_deep_nesting", forge.deep_cbor(100), "cbor"),
        nfc("nfc_garbage", b"\xff\xfe\xfd", "cbor"),
        nfc("nfc_empty", b"", "cbor"),
        nfc("nfc_float_in_payload", w.sign_presentation({**w.nfc_payload(NONCE, TRANSCRIPT), 7: 1.5}), "cbor"),
        nfc("nfc_indefinite_array", b"\xd2\x9f" + good_nfc[2:] + b"\xff", "cbor"),
        nfc("nfc_qr_form", w.qr_presentation(now), "cose_structure"),
        nfc("nfc_untagged", keys.sign1(w.app_key, cbor2.dumps(w.nfc_payload(NONCE, TRANSCRIPT)), tagged=False),
            "cose_structure"),
        nfc("nfc_alg_es384", keys.sign1(w.app_key, cbor2.dumps(w.nfc_payload(NONCE, TRANSCRIPT)),
                                        protected={1: -35}), "cose_structure"),
        nfc("nfc_not_cose", cbor2.dumps({1: 2}), "cose_structure"),
        nfc("nfc_bad_nir_key", forge.bad_nir_key(w, pki).nfc_presentation(NONCE, TRANSCRIPT, now),
            "cose_structure"),
        nfc("nfc_too_large", b"\x59\x08\x01" + bytes(2049), "cbor"),
        qr("qr_valid", [(good_qr, "ok")], identity=ident(w), app_id=_h(w.app_id)),
        qr("qr_trailing_crlf", [(w.qr_text(now) + "\r\n", "ok")]),
        qr("qr_window_edge_past", [(w.qr_text(now - WINDOW), "ok")]),
        qr("qr_window_edge_future", [(w.qr_text(now + WINDOW), "ok")]),
        qr("qr_stale_past", [(w.qr_text(now - WINDOW - 1), "stale")]),
        qr("qr_stale_future", [(w.qr_text(now + WINDOW + 1), "stale")]),
        qr("qr_url", [("HTTPS://EXAMPLE.ORG/VT1:ABC", "not_a_presentation")]),
        qr("qr_eu_dcc", [("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOO6+IUKRG*I.I5BROCWAAT4V22F/8X*G3M9JUPY0BX/KR96R/S09T./0LWTKD33236J3TA3M*4VV2 73-E3GG396B-43O058YIB73A*G3W19UEBY5:PI0EGSP4*2DN43U*0CEBQ/GXQFY73CIBC:G 7376BXBJBAJ UNFMJCRN0H3PQN*E33H3OA70M3FMJIJN523.K5QZ4A+2XEN QT QTHC31M3+E32R44$28A9H0D3ZCL4JMYAZ+S-A5$XKX6T2YC 35H/ITX8GL2-LH/CJTK96L6SR9MU9RFGJA6Q3QR$P2OIC0JVLA8J3ET3:H3A+2+33U SAAUOT3TPTO4UBZIC0JKQTL*QDKBO.AI9BVYTOCFOPS4IJCOT0$89NT2V457U8+9W2KQ-7LF9-DF07U$B97JJ1D7WKP/HLIJLRKF1MFHJP7NVDEBU1J*Z222E.GJF67Z JA6B.38O4BH*HB0EGLE2%V -3O+J3.PI2G:M1SSP2Y3D38-G9C+Q4*4P7O7ALOL9:N8D+HO+5 8FLNEPS2S47T+1PGQMQFALSA%F+8X.NG2:8V/9SN0:+N5QLZ$D%5", "not_a_presentation")]),
        qr("qr_payment_epc", [("BCD\n002\n1\nSCT\n\nTEST ONLY\nFR7630006000011234567890189\nEUR1.00\n\n\nTEST",
                               "not_a_presentation")]),
        qr("qr_empty", [("", "not_a_presentation")]),
        qr("qr_lowercase_prefix", [("vt1:" + good_qr[4:], "not_a_presentation")]),
        qr("qr_base45_bad_char", [(QR_PREFIX + "ABc", "base45")]),
        qr("qr_base45_dangling", [(QR_PREFIX + "ABCD", "base45")]),
        qr("qr_base45_group_overflow", [(QR_PREFIX + ":::", "base45")]),
        qr("qr_base45_pair_overflow", [(QR_PREFIX + "::", "base45")]),
        qr("qr_zip_bomb", [(forge.zip_bomb_text(1 << 20), "inflate")]),
        qr("qr_corrupt_zlib", [(forge.corrupt_zlib_text(w, now), "inflate")]),
        qr("qr_truncated_zlib", [(QR_PREFIX + b45encode(compress(w.qr_presentation(now))[:-8]), "inflate")]),
        qr("qr_not_zlib", [(QR_PREFIX + b45encode(w.qr_presentation(now)), "inflate")]),
        qr("qr_zlib_preset_dictionary", [(QR_PREFIX + b45encode(bytes([0x78, 0xBB]) + bytes(8)), "inflate")]),
        qr("qr_deep_cbor", [(forge.qr_text_of_bytes(forge.deep_cbor(100)), "cbor")]),
        qr("qr_truncated_cose", [(forge.qr_text_of_bytes(w.qr_presentation(now)[:-1]), "cbor")]),
        qr("qr_nfc_form", [(qr_text_of(good_nfc), "cose_structure")]),
        qr("qr_bad_holder_signature", [(qr_text_of(forge.flip_signature(w.qr_presentation(now))),
                                        "holder_signature")]),
        qr("qr_bad_issuer_signature", [(forge.bad_issuer_signature(w).qr_text(now), "issuer_signature")]),
        qr("qr_unknown_issuer", [(forge.unknown_issuer(w, pki).qr_text(now), "unknown_issuer")]),
        qr("qr_expired", [(_wallet(pki, 7, now=now - 400 * 86400).qr_text(now), "credential_expired")]),
        qr("qr_revoked", [(w.qr_text(now), "revoked")], tl="v2_revoked"),
        qr("qr_no_trust_list", [(w.qr_text(now), "no_trust_list")], tl=None),
        qr("qr_stale_checked_after_holder_signature",
           [(qr_text_of(forge.flip_signature(w.qr_presentation(now - 1000))), "holder_signature")]),
    ]
    # the replay case: the same text twice, then a fresh one (new uid) still passes
    t1 = w.qr_text(now)
    cases.append(qr("qr_replay", [(t1, "ok"), (t1, "replay"), (w.qr_text(now), "ok")]))
    # a replay attempt of a QR whose first showing failed (stale) is not "replay": nothing was cached
    t2 = w.qr_text(now - 500)
    cases.append(qr("qr_failed_not_cached", [(t2, "stale"), (t2, "stale")]))

    other_root = keys.generate()
    updates = [
        {"name": "good_update", "installed": "v1", "update": _h(tl_v2_revoked), "version": 2, "reason": "ok"},
        {"name": "same_list_again", "installed": "v1", "update": _h(tl_v1), "version": 1, "reason": "ok"},
        {"name": "first_install", "installed": None, "update": _h(tl_v1), "version": 1, "reason": "ok"},
        {"name": "rollback", "installed": "v2_revoked", "update": _h(tl_v1), "reason": "trust_list_rollback"},
        {"name": "same_version_other_content", "installed": "v2_revoked", "update": _h(tl_v2_other),
         "reason": "trust_list_rollback"},
        {"name": "signed_by_issuer_key", "installed": "v1",
         "update": _h(pki.sign_trust_list(3, now, signer=pki.issuer().key)), "reason": "trust_list_signature"},
        {"name": "signed_by_other_root", "installed": "v1",
         "update": _h(pki.sign_trust_list(3, now, signer=other_root)), "reason": "trust_list_signature"},
        {"name": "flipped_signature", "installed": "v1", "update": _h(forge.flip_signature(tl_v2_revoked)),
         "reason": "trust_list_signature"},
        {"name": "garbage", "installed": "v1", "update": _h(b"\x00\x01\x02"), "reason": "trust_list_malformed"},
        {"name": "payload_not_a_map", "installed": "v1",
         "update": _h(keys.sign1(pki.root, cbor2.dumps([3]), kid_=keys.kid(pki.root))),
         "reason": "trust_list_malformed"},
        {"name": "kid_does_not_match_key", "installed": "v1",
         "update": _h(pki.sign_trust_list(3, now, payload={
             **pki.trust_list_payload(3, now),
             3: [{**pki.issuer().entry(), 1: bytes(8)}]})), "reason": "trust_list_malformed"},
        {"name": "version_zero", "installed": None,
         "update": _h(pki.sign_trust_list(0, now)), "reason": "trust_list_malformed"},
    ]
    nir = [{"matricule": m, "key": nir_key(m)} for m in (
        "1850775123456", "2500119123012", "185072A004012", "185072B033012", "1991299134001", "2030497105123",
        "1400000000000")]

    return {
        "warning": TEST_ONLY,
        "description": "Credential profile vectors (protocol/CREDENTIAL.md), made by vitale-issuer vectors "
                       "with the built-in TEST PKI. Each case: a fresh verifier (and replay cache) with the "
                       "named trust list installed (null: none), steps run in order; 'reason' is the expected "
                       "verdict reason on the firmware and on the host.",
        "now": now,
        "qr_window_s": WINDOW,
        "root_public_key": _h(pki.root_public_key),
        "trust_lists": {k: _h(v) for k, v in trust_lists.items()},
        "cases": cases,
        "trust_list_updates": updates,
        "nir": nir,
    }


def _examples(pki: Pki) -> str:
    """The spec's worked examples (markdown), from a fresh wallet at ``NOW``."""
    w = _wallet(pki, 1, now=NOW - 86400)
    nfc = w.nfc_presentation(NONCE, TRANSCRIPT, NOW)
    qr_pres = w.qr_presentation(NOW, uid=bytes.fromhex("00112233445566778899aabbccddeeff"))
    text = qr_text_of(qr_pres)
    from .qr import version

    def block(lang: str, s: str) -> str:
        return f"```{lang}\n{s}\n```\n"

    def wrap(h: str, n: int = 96) -> str:
        return "\n".join(h[i:i + n] for i in range(0, len(h), n))

    out = ["All values below were produced by `vitale-issuer vectors` with the built-in TEST PKI "
           f"(`simulator/vitale_sim/testpki`) at `now` = {NOW} (2026-01-01T00:00:00Z). "
           "They are TEST ONLY and fictitious.\n",
           "#### E.1 Issuer attestation (COSE_Sign1, diagnostic notation; `<< >>` is embedded CBOR)\n",
           block("cbor-diag", diag(cbor2.loads(w.attestation))),
           f"Hex ({len(w.attestation)} bytes):\n", block("", wrap(w.attestation.hex())),
           f"#### E.2 NFC presentation (nonce `{NONCE.hex()}`, transcript hash `{TRANSCRIPT.hex()}`)\n",
           "Payload only (the `1:` attestation is E.1):\n",
           block("cbor-diag", diag({k: (v if k != 1 else "<<E.1>>") for k, v in
                                    cbor2.loads(keys.decode_sign1(nfc)[2]).items()}).replace('"<<E.1>>"', "h'...E.1...'")),
           "Whole presentation:\n", block("cbor-diag", diag(cbor2.loads(nfc), embed=False).replace(
               "h'" + w.attestation.hex() + "'", "h'...E.1...'")),
           f"Hex ({len(nfc)} bytes):\n", block("", wrap(nfc.hex())),
           "#### E.3 QR presentation (uid `00112233445566778899aabbccddeeff`)\n",
           "Payload:\n",
           block("cbor-diag", diag({k: (v if k != 1 else "<<E.1>>") for k, v in
                                    cbor2.loads(keys.decode_sign1(qr_pres)[2]).items()}).replace('"<<E.1>>"', "h'...E.1...'")),
           f"COSE {len(qr_pres)} bytes, zlib (window 1 KiB) {len(compress(qr_pres))} bytes, QR text "
           f"{len(text)} characters, QR version {version(text)}-M (alphanumeric mode):\n",
           block("", wrap(text)),
           "#### E.4 Trust list version 1 of the test PKI\n",
           block("cbor-diag", diag(cbor2.loads(pki.trust_list_bytes))),
           ]
    return "\n".join(out)


def generate(out: Optional[str | os.PathLike] = None, spec: Optional[str | os.PathLike] = None,
             pki_dir: Optional[str | os.PathLike] = None) -> dict:
    from .. import testpki

    pki = Pki.load(pki_dir) if pki_dir else testpki.load()
    vec = build(pki)
    out_dir = Path(out) if out else REPO / "protocol" / "vectors" / "credential"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vectors.json").write_text(json.dumps(vec, indent=1) + "\n")
    qr_texts = {c["name"]: c["steps"][0]["text"] for c in vec["cases"] if c["steps"][0]["form"] == "qr"}
    (out_dir / "qr_texts.json").write_text(json.dumps({"warning": TEST_ONLY, "now": NOW, "texts": qr_texts},
                                                      indent=1) + "\n")
    spec_path = Path(spec) if spec else REPO / "protocol" / "CREDENTIAL.md"
    if spec_path.exists():
        s = spec_path.read_text()
        begin, end = "<!-- BEGIN GENERATED EXAMPLES -->", "<!-- END GENERATED EXAMPLES -->"
        if begin in s and end in s:
            s = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: begin + "\n" + _examples(pki) + end, s,
                       flags=re.S)
            spec_path.write_text(s)
    return vec


def main() -> None:
    generate()


if __name__ == "__main__":
    main()
