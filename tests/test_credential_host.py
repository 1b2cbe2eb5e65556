"""The host verifier (vitale_reader.credential) against the committed vectors and live wallets."""
import json
import os
import time

import pytest

from support import ROOT

from vitale_reader.credential import (ALL_REASONS, CredentialError, HostVerifier, Reason, TrustAnchor,
                                      TrustListError, load_trust_anchor)
from vitale_reader.errors import VitaleError
from vitale_reader.identity import Identity, nir_key

VECTORS = os.path.join(ROOT, "protocol", "vectors", "credential", "vectors.json")


@pytest.fixture(scope="module")
def vec():
    with open(VECTORS) as f:
        return json.load(f)


def anchor_with(vec, name):
    if name is None:
        return TrustAnchor(load_trust_anchor().root)
    return load_trust_anchor(trust_list=bytes.fromhex(vec["trust_lists"][name]))


def run_case(vec, case):
    v = HostVerifier(anchor_with(vec, case["trust_list"]), vec["qr_window_s"])
    out = []
    for s in case["steps"]:
        if s["form"] == "nfc":
            out.append(v.verify_nfc(bytes.fromhex(s["presentation"]), bytes.fromhex(s["nonce"]),
                                    bytes.fromhex(s["transcript_hash"]), s["now"]))
        else:
            out.append(v.verify_qr(s["text"], s["now"]))
    return out


def test_vectors_on_host(vec):
    wrong = []
    for case in vec["cases"]:
        for s, verdict in zip(case["steps"], run_case(vec, case)):
            if verdict.reason != s["reason"]:
                wrong.append((case["name"], verdict.reason, s["reason"], verdict.detail))
            assert verdict.ok == (s["reason"] == "ok")
            assert verdict.source == s["form"]
            if verdict.ok:
                assert verdict.identity is not None
                if "identity" in case:
                    assert verdict.identity.as_dict() == case["identity"]
                    assert verdict.app_id.hex() == case["app_id"]
            else:
                assert verdict.identity is None
    assert not wrong, wrong


def test_trust_list_updates_on_host(vec):
    for u in vec["trust_list_updates"]:
        a = anchor_with(vec, u["installed"])
        before = a.version
        try:
            version = a.update(bytes.fromhex(u["update"]))
            got = "ok"
            assert version == u["version"] == a.version
        except TrustListError as err:
            got = err.code
            assert a.version == before
            assert isinstance(err, VitaleError)
        assert got == u["reason"], u["name"]


def test_every_reason_is_reached_by_a_vector(vec):
    reached = {s["reason"] for c in vec["cases"] for s in c["steps"]}
    reached |= {u["reason"] for u in vec["trust_list_updates"]}
    # "internal" (the verifier itself failed) is reached in test_credential_fuzz.py
    assert set(ALL_REASONS) - reached == {"internal"}
    assert reached - {"ok"} <= set(ALL_REASONS)


def test_reason_codes_are_the_specifications():
    """vitale_spec.reasons (the reader's and the host's) lists CREDENTIAL.md §8's table, in its order."""
    import re

    with open(os.path.join(ROOT, "protocol", "CREDENTIAL.md")) as f:
        text = f.read()
    table = text[text.index("## 8. Reason codes"):text.index("## 9.")]
    assert tuple(re.findall(r"^\| `(\w+)` \|", table, re.M)) == ALL_REASONS
    for code in ALL_REASONS:
        assert getattr(Reason, code.upper()) == code


def test_identity_is_redacted(vec):
    case = next(c for c in vec["cases"] if c["name"] == "nfc_valid")
    verdict = run_case(vec, case)[0]
    ident = verdict.identity
    assert isinstance(ident, Identity)
    d = case["identity"]
    assert (ident.matricule, ident.key, ident.oid, ident.birth_name, ident.first_names, ident.sex, ident.birth_date,
            ident.birthplace) == (d["matricule"], d["key"], d["oid"], d["birth_name"], d["first_names"], d["sex"],
                                  d["birth_date"], d["birthplace"])
    assert ident.is_test and ident.key_valid and ident.nir == d["matricule"] + f"{d['key']:02d}"
    assert ident.coverage.regime == d["coverage"]["regime"]
    for text in (repr(ident), str(ident), repr(verdict), str(verdict), repr(ident.coverage), f"{verdict}"):
        for secret in (d["matricule"], d["birth_name"], d["first_names"], d["birth_date"], d["birthplace"],
                       d["matricule"][1:7]):
            assert secret not in text, (secret, text)
    assert "redacted" in repr(ident)


def test_lunar_birth_date_and_corsica(vec):
    case = next(c for c in vec["cases"] if c["name"] == "nfc_valid_corsica_lunar_date")
    ident = run_case(vec, case)[0].identity
    assert ident.birth_date == "1950-00-00"  # kept as issued, never parsed
    assert ident.matricule[5:7] == "2A" and ident.key_valid


def test_nir_key():
    # 2A -> 19, 2B -> 18 before the arithmetic
    assert nir_key("185072A004012") == 97 - 1850719004012 % 97
    assert nir_key("185072B033012") == 97 - 1850718033012 % 97
    assert nir_key("1850775123456") == 97 - 1850775123456 % 97
    assert nir_key("18507") is None and nir_key("18507X5123456") is None


def test_live_wallet_nfc_and_qr():
    from vitale_sim import testpki

    pki = testpki.load()
    now = int(time.time())
    w = pki.new_wallet(now=now)
    v = HostVerifier(load_trust_anchor())
    nonce, th = os.urandom(16), os.urandom(32)
    assert v.verify_nfc(w.nfc_presentation(nonce, th, now), nonce, th, now).ok
    text = w.qr_text(now)
    assert v.verify_qr(text, now).ok
    assert v.verify_qr(text, now).reason == "replay"
    assert v.verify_qr(text.encode() , now + 1).reason == "replay"
    # what the reader forwards: the presentation bytes and, for NFC, its nonce and transcript
    pres = w.qr_presentation(now)
    assert v.verify_presentation(pres, now, "qr").ok
    assert v.verify_presentation(pres, now, "qr").reason == "replay"
    nfc = w.nfc_presentation(nonce, th, now)
    assert v.verify_presentation(nfc, now, "nfc", nonce, th).ok
    assert v.verify_presentation(nfc, now, "nfc").reason == "nonce_mismatch"


def test_replay_cache_is_bounded():
    from vitale_sim import testpki

    pki = testpki.load()
    now = int(time.time())
    w = pki.new_wallet(now=now)
    v = HostVerifier(load_trust_anchor(), replay_capacity=2)
    texts = [w.qr_text(now) for _ in range(3)]
    assert all(v.verify_qr(t, now).ok for t in texts)
    assert len(v.replay_cache) == 2 and v.replay_cache.evictions == 1
    assert v.verify_qr(texts[2], now).reason == "replay"
    # entries expire with the window: after it, the stale check rejects anyway
    assert v.verify_qr(texts[2], now + 121).reason == "stale"
    assert not v.replay_cache.seen(b"x", now + 121) and len(v.replay_cache) == 0


def test_load_trust_anchor_from_a_pki_dir(tmp_path):
    from vitale_sim.issuer import Pki

    pki = Pki.create(tmp_path / "pki")
    a = load_trust_anchor(tmp_path / "pki")
    assert a.version == 1 and not a.is_test and len(a.issuers) == 2
    assert load_trust_anchor().is_test
    w = pki.new_wallet()
    now = int(time.time())
    assert HostVerifier(a).verify_qr(w.qr_text(now), now).ok
    # the built-in test anchor does not know this PKI's issuer
    assert HostVerifier(load_trust_anchor()).verify_qr(w.qr_text(now), now).reason == "unknown_issuer"
    # revocation: a new list, version + 1
    a.update(pki.revoke(w.app_id))
    assert a.version == 2
    assert HostVerifier(a).verify_qr(w.qr_text(now), now).reason == "revoked"
    # a directory with only the root: no trust list yet
    (tmp_path / "root-only").mkdir()
    (tmp_path / "root-only" / "root.pub.pem").write_bytes(pki.root_public_pem)
    empty = load_trust_anchor(tmp_path / "root-only")
    assert not empty.loaded
    assert HostVerifier(empty).verify_qr(w.qr_text(now), now).reason == "no_trust_list"
    with pytest.raises(CredentialError):
        load_trust_anchor(tmp_path / "nothing-here")
    # a trust list signed by another root does not load
    with pytest.raises(TrustListError) as err:
        load_trust_anchor(tmp_path / "root-only", trust_list=Pki.create().trust_list_bytes)
    assert err.value.code == "trust_list_signature"


def test_bytes_and_odd_inputs_never_raise():
    v = HostVerifier(load_trust_anchor())
    for x in (None, 123, [], b"", "", b"VT1:\xff\xfe", "VT1:" + "A" * 5000, bytearray(b"VT1:BB8")):
        r = v.verify_qr(x, 0)  # type: ignore[arg-type]
        assert not r.ok and r.reason in ALL_REASONS
    for x in (None, 123, "text", b"", bytearray(b"\xd2\x84")):
        r = v.verify_nfc(x, b"n", bytes(32), 0)  # type: ignore[arg-type]
        assert not r.ok and r.reason == "cbor"
