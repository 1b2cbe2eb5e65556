"""The TEST issuer (vitale_sim.issuer, ``vitale-issuer``) and the built-in test PKI."""
import json
import os
import random
import subprocess
import sys
import time

import pytest

from support import ROOT

from vitale_sim import testpki
from vitale_sim.issuer import Pki, Wallet, nir_key, random_identity
from vitale_sim.issuer.identity import TestIdentity
from vitale_sim.issuer.profile import TEST_ONLY
from vitale_reader.credential import HostVerifier, load_trust_anchor


def issuer(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "vitale_sim.issuer.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_cli_init_wallet_qr_revoke(tmp_path):
    pki_dir = tmp_path / "pki"
    issuer("init", pki_dir)
    for name in ("TEST-ONLY.txt", "pki.json", "root.pem", "root.pub.pem", "issuer.pem", "issuer-retired.pem",
                 "trustlist.cose", "trustlist-v1.cose"):
        assert (pki_dir / name).exists(), name
    assert "TEST ONLY" in (pki_dir / "TEST-ONLY.txt").read_text()
    state = json.loads((pki_dir / "pki.json").read_text())
    assert state["warning"] == TEST_ONLY and state["version"] == 1
    assert issuer("init", pki_dir, check=False).returncode == 1  # refuses to overwrite

    wallet = tmp_path / "w.json"
    proc = issuer("wallet", pki_dir, "--out", wallet, "--matricule", "185072A004012", "--birth-name", "DUPONT",
                  "--first-names", "JEAN PAUL", "--sex", "M", "--birth-date", "1985-07-00", "--birthplace", "2A004")
    assert "TEST ONLY" in proc.stderr
    w = Wallet.load(wallet)
    state = json.loads(wallet.read_text())
    assert state["format"] == "vitale-wallet/1" and state["warning"] == TEST_ONLY
    assert w.identity.key == nir_key("185072A004012") and w.identity.birth_date == "1985-07-00"
    assert "DUPONT" not in repr(w) and "185072" not in repr(w)

    png = tmp_path / "qr.png"
    text = issuer("qr", wallet, "--out", png, "--text").stdout.strip()
    assert text.startswith("VT1:")
    import zxingcpp
    from PIL import Image

    decoded = zxingcpp.read_barcodes(Image.open(png))
    assert [d.text for d in decoded] == [text]

    anchor = load_trust_anchor(pki_dir)
    now = int(time.time())
    assert HostVerifier(anchor).verify_qr(text, now).ok

    issuer("revoke", pki_dir, w.app_id.hex())
    assert json.loads((pki_dir / "pki.json").read_text())["version"] == 2
    assert (pki_dir / "trustlist-v2.cose").exists()
    revoked = load_trust_anchor(pki_dir)
    assert revoked.version == 2 and w.app_id in revoked.revoked
    assert HostVerifier(revoked).verify_qr(w.qr_text(now), now).reason == "revoked"
    assert issuer("revoke", pki_dir, "zz", check=False).returncode == 1

    show = issuer("show", wallet).stdout
    assert w.app_id.hex() in show and "DUPONT" in show  # the tool shows test data on request


def test_cli_random_expired_and_testpki(tmp_path):
    now = int(time.time())
    anchor_v = HostVerifier(load_trust_anchor())
    w1 = tmp_path / "r.json"
    # --now: the CLI runs later than this test's clock reading (a loaded machine may take seconds)
    issuer("wallet", "--testpki", "--out", w1, "--random", "--seed", "3", "--now", now - 60)
    assert anchor_v.verify_qr(Wallet.load(w1).qr_text(now), now).ok
    w2 = tmp_path / "e.json"
    issuer("wallet", "--testpki", "--out", w2, "--random", "--expired", "--now", now)
    assert anchor_v.verify_qr(Wallet.load(w2).qr_text(now), now).reason == "credential_expired"
    w3 = tmp_path / "n.json"
    issuer("wallet", "--testpki", "--out", w3, "--random", "--not-yet-valid", "--now", now)
    assert anchor_v.verify_qr(Wallet.load(w3).qr_text(now), now).reason == "credential_not_yet_valid"
    assert issuer("wallet", "--out", w3, "--random", check=False).returncode == 2  # neither DIR nor --testpki
    bad = issuer("wallet", "--testpki", "--out", w3, "--matricule", "123", "--birth-name", "X", "--first-names", "Y",
                 "--sex", "M", "--birth-date", "2000-01-01", "--birthplace", "75056", check=False)
    assert bad.returncode != 0


def test_random_identities_have_valid_keys_and_test_oid():
    rng = random.Random(7)
    seen_corsica = False
    for _ in range(300):
        ident = random_identity(rng)
        assert len(ident.matricule) == 13 and ident.key == nir_key(ident.matricule)
        assert 1 <= ident.key <= 97
        assert ident.oid == "1.2.250.1.213.1.4.10"
        assert ident.sex in "MF" and len(ident.birthplace) == 5
        assert all(c.isupper() or c in " '-" for c in ident.birth_name + ident.first_names)
        seen_corsica |= ident.matricule[5:7] in ("2A", "2B")
    assert seen_corsica
    # 2A -> 19 and 2B -> 18 before the arithmetic
    assert nir_key("185072A004012") == 97 - 1850719004012 % 97
    assert nir_key("185072B004012") == 97 - 1850718004012 % 97
    with pytest.raises(ValueError):
        TestIdentity(matricule="185072A004012", birth_name="X", first_names="Y", sex="X", birth_date="2000-01-01",
                     birthplace="75056")


def test_typical_presentation_fits_qr_version_15_m():
    from vitale_sim.issuer.qr import version

    pki = testpki.load()
    now = int(time.time())
    rng = random.Random(11)
    versions, lengths = [], []
    for _ in range(40):
        w = pki.new_wallet(identity=random_identity(rng), now=now)
        text = w.qr_text(now)
        assert set(text[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
        versions.append(version(text))
        lengths.append(len(text))
    assert max(versions) <= 15, (versions, lengths)
    # and far over what the Tiny Code Reader carries (254 bytes)
    assert min(lengths) > 254


def test_forged_variants_from_the_api():
    from vitale_sim.issuer import forge

    pki = testpki.load()
    now = int(time.time())
    w = pki.new_wallet(now=now)
    v = HostVerifier(load_trust_anchor())
    n, th = os.urandom(16), os.urandom(32)
    cases = {
        "issuer_signature": forge.bad_issuer_signature(w).nfc_presentation(n, th, now),
        "unknown_issuer": forge.unknown_issuer(w, pki).nfc_presentation(n, th, now),
        "issuer_not_valid": forge.retired_issuer(w, pki).nfc_presentation(n, th, now),
        "holder_signature": forge.flip_signature(w.nfc_presentation(n, th, now)),
        "cose_structure": forge.bad_nir_key(w, pki).nfc_presentation(n, th, now),
    }
    for reason, pres in cases.items():
        assert v.verify_nfc(pres, n, th, now).reason == reason
    assert v.verify_nfc(forge.other_holder(w).nfc_presentation(n, th, now), n, th, now).reason == "holder_signature"
    assert v.verify_qr(forge.zip_bomb_text(), now).reason == "inflate"


def test_builtin_test_pki_is_consistent():
    """One test root everywhere: testpki, the firmware's pinned key, the host's shipped anchor, the vectors."""
    import ast

    pki = testpki.load()
    src = open(os.path.join(ROOT, "firmware", "verify", "pinned.py")).read()
    ns: dict = {}
    exec(compile(ast.parse(src), "pinned.py", "exec"), ns)
    assert ns["ROOT_PUB"] == pki.root_public_key and ns["IS_TEST_ROOT"] is True
    from vitale_sim.issuer import keys

    assert ns["ROOT_KID"] == keys.kid(pki.root)
    host_dir = os.path.join(ROOT, "host", "vitale_reader")
    assert open(os.path.join(host_dir, "testpki_root.pub.pem"), "rb").read() == pki.root_public_pem
    assert open(os.path.join(host_dir, "testpki_trustlist.cose"), "rb").read() == pki.trust_list_bytes
    with open(os.path.join(ROOT, "protocol", "vectors", "credential", "vectors.json")) as f:
        vec = json.load(f)
    assert vec["root_public_key"] == pki.root_public_key.hex()
    assert vec["trust_lists"]["v1"] == pki.trust_list_bytes.hex()
    readme = open(os.path.join(testpki.DIR, "README.md")).read()
    assert "TEST ONLY" in readme and "NEVER TRUST" in readme


def test_pki_create_and_load_roundtrip(tmp_path):
    pki = Pki.create(tmp_path, now=1767225600)
    again = Pki.load(tmp_path)
    assert again.root_public_key == pki.root_public_key
    assert again.trust_list_bytes == pki.trust_list_bytes
    assert [i.kid for i in again.issuers] == [i.kid for i in pki.issuers]
    w = pki.new_wallet(now=1767225600)
    path = tmp_path / "w.json"
    w.save(path)
    w2 = Wallet.load(path)
    assert w2.attestation == w.attestation and w2.app_id == w.app_id
