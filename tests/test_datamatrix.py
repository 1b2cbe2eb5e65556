"""Datamatrix INS: generated C40 images decode (zxing-cpp) and parse on both runtimes.

Also: wrong NIR keys and bad traits give the right typed errors, and foreign
codes (URL, EU DCC ``HC1:``, EMV payment QR, a signed presentation) are not
taken for a Datamatrix INS. The end-to-end case goes image -> scan_image ->
simulated GM65 -> firmware driver -> parser.
"""
import json
import random

from rigs import configured, outcomes, run_gm65
from support import check, wait_until
from vitale_sim import datamatrix as dm
from vitale_sim.camera import degrade, scan_image
from vitale_sim.issuer.identity import TestIdentity, random_identity

GS = "\x1d"
OID_TEST = "1.2.250.1.213.1.4.10"


def identity(**over):
    base = dict(matricule="1850775056123", birth_name="DUPONT--LAJOIE", first_names="JEAN PIERRE", sex="M",
                birth_date="1985-07-14", birthplace="75056")
    base.update(over)
    return TestIdentity(**base)


def expected(ident):
    return {"matricule": ident.matricule, "key": ident.key, "oid": ident.oid, "birth_name": ident.birth_name,
            "first_names": ident.first_names, "sex": ident.sex, "birth_date": ident.birth_date,
            "birthplace": ident.birthplace}


def parse_all(runtime, texts):
    return check(runtime, "qr_ins_parse.py", json.dumps(texts))


# -- the generator: C40 really, and zxing-cpp reads it back --------------------------------

def test_symbol_is_c40_and_decodes():
    rng = random.Random(7)
    for _ in range(12):
        ident = random_identity(rng)
        text = dm.ins_text(ident)
        assert ident.oid == OID_TEST and text.startswith("IS01S1")
        matrix = dm.encode(text)
        cws = dm.codewords_of(matrix)
        assert cws[0] == 230  # latch to C40 first
        assert cws[:len(dm.c40_codewords(text))] == dm.c40_codewords(text)
        assert scan_image(dm.render(matrix, module_px=6)) == [text]


def test_generator_edge_lengths_and_sizes():
    # every C40 end-of-data case (0, 1, 2 values left; a shifted char split) and symbol sizes 10..64
    for n in range(1, 40):
        for text in ("A" * n, "A" * (n - 1) + "'", "A" * (n - 1) + GS, "9" * n):
            assert scan_image(dm.make_text_image(text, module_px=4)) == [text], repr(text)
    sizes = set()
    for text in [("IS01 ABC-'" * 50)[:n] for n in (100, 150, 250)] + [("IS01 ABC 0123" * 40)[:400]]:
        matrix = dm.encode(text)
        sizes.add(len(matrix))
        assert scan_image(dm.render(matrix, module_px=4)) == [text]
    assert {52, 64} <= sizes  # the interleaved-block symbols


def test_photo_like_datamatrix_decodes():
    ident = identity(birthplace="2A004", matricule="2690299341732")
    text = dm.ins_text(ident)
    img = dm.make_ins_image(ident, module_px=8)
    for seed in range(4):
        photo = degrade(img, scale=0.7, rotate=-21 + 13 * seed, blur=0.7, noise=12, contrast=0.6,
                        perspective=0.05, jpeg_quality=75, seed=seed)
        assert scan_image(photo) == [text]


# -- the firmware parser, both runtimes ------------------------------------------------------

def test_parse_valid_identities(runtime):
    rng = random.Random(11)
    idents = [identity(), identity(birthplace="2B033", matricule="1850775056123"),
              identity(matricule="2690299341732", birth_name="D'ALMEIDA", first_names="", sex="F",
                       birth_date="1969-00-00", birthplace="99134")]  # lunar date, no first name, born abroad
    idents += [random_identity(rng) for _ in range(6)]
    texts = [dm.ins_text(i) for i in idents]
    texts.append(dm.ins_text(idents[0], gs_after_fixed=False))  # 2D-Doc style: no GS after fixed fields
    texts.append(dm.ins_text(idents[0], order=("S7", "S6", "S5", "S4", "S3", "S2", "S1")))  # any order
    texts.append(dm.ins_text(idents[0]) + GS)  # trailing GS
    results = parse_all(runtime, texts)
    for ident, res in zip(idents + [idents[0]] * 3, results):
        assert res["error"] is None, (res["error"], res["detail"])
        assert res["looks_like"] is True
        assert res["ok"] == expected(ident)
        assert res["signed"] is False
        # no personal data in the repr
        assert ident.birth_name not in res["repr"] and ident.matricule not in res["repr"]


def corsica_key_case():
    # 2A counts as 19: the key computed with "19" must be accepted, the one with "20" rejected
    m = "185072A004123"
    good = identity(matricule=m, birthplace="2A004")
    as_digits = 97 - int(m.replace("2A", "20")) % 97
    return good, as_digits


def test_typed_errors(runtime):
    ok = dm.ins_text(identity())
    good = identity()
    wrong_key = (good.key % 97) + 1
    corsica, naive_key = corsica_key_case()
    c_text = dm.ins_text(corsica)
    cases = [
        (ok.replace("S1" + good.matricule + "%02d" % good.key, "S1" + good.matricule + "%02d" % wrong_key),
         "bad_key"),
        (c_text.replace("%02d" % corsica.key + GS, "%02d" % naive_key + GS, 1), "bad_key"),
        (ok.replace("S11850775056123", "S11850775X56123"), "bad_matricule"),
        (ok.replace(OID_TEST, "1.2.250.1.213.1.4.99"), "bad_oid"),
        (ok.replace("DUPONT--LAJOIE", "DUPONT-LAJOIÉ"), "bad_birth_name"),  # diacritics
        (ok.replace("DUPONT--LAJOIE", "Dupont"), "bad_birth_name"),  # lower case
        (ok.replace("S3DUPONT--LAJOIE", "S3"), "bad_birth_name"),  # empty
        (ok.replace("JEAN PIERRE", "JEAN,PIERRE"), "bad_first_names"),
        (ok.replace("S5M", "S5X"), "bad_sex"),
        (ok.replace("S614071985", "S61407198A"), "bad_birth_date"),
        (ok.replace("S775056", "S77505Z"), "bad_birthplace"),
        (ok.replace("IS01", "IS02"), "unsupported_version"),
        (ok.replace(GS + "S4JEAN PIERRE", ""), "malformed"),  # a field missing
        (ok + GS + "S5F", "malformed"),  # a field twice
        (ok + GS + "Z9XX", "malformed"),  # unknown field
        (ok[:20], "malformed"),  # cut
        ("IS01" + "S1" + "1" * 600, "too_long"),
    ]
    results = parse_all(runtime, [c[0] for c in cases])
    for (text, code), res in zip(cases, results):
        assert res["error"] == code, (code, res)
        assert res["ok"] is None
        # the error detail never carries the identity
        for secret in ("DUPONT", "JEAN", "1850775056123", "75056"):
            assert secret not in res["detail"]


def foreign_codes():
    from vitale_sim import testpki
    from vitale_sim.issuer import random_identity as rid

    pki = testpki.load()
    import time
    now = int(time.time())
    presentation = pki.new_wallet(identity=rid(random.Random(3)), now=now - 60).qr_text(now)
    return [
        "https://example.org/ISIS01",
        "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NL",
        "00020101021126360014A000000677010111011234567890125802FR5909LA POSTE6005PARIS63041D2F",  # EMV QR
        "ISBN 978-2-07-036822-8",
        "IS",
        "is01S1" + "1" * 15,
        presentation,
        "DC04FR000001" + "1E581E58B201FRF0JEAN" + GS + "F1DUPONT",  # a 2D-Doc header, not INS
    ]


def test_foreign_codes_are_not_ins(runtime):
    texts = foreign_codes()
    results = parse_all(runtime, texts)
    for text, res in zip(texts, results):
        assert res["looks_like"] is False, text[:20]
        assert res["error"] == "not_ins", (text[:20], res)


def test_foreign_code_images_decode_as_themselves():
    from vitale_sim.camera import render_qr

    for text in foreign_codes():
        assert scan_image(render_qr(text, scale=5)) == [text]


# -- end to end: image -> camera -> simulated GM65 -> firmware driver -> parser -------------

def test_image_to_firmware_parse(runtime):

    ident = identity(matricule="2690299341732", birthplace="99134", sex="F", first_names="MARIE ANNE")
    photo = degrade(dm.make_ins_image(ident, module_px=8), scale=0.8, rotate=12, blur=0.6, noise=10, seed=1)
    bad = identity()
    bad_text = dm.ins_text(bad).replace("%02d" % bad.key + GS, "%02d" % (bad.key % 97 + 1) + GS, 1)
    texts = scan_image(photo) + scan_image(dm.make_text_image(bad_text))
    assert len(texts) == 2

    def scenario(rig):
        configured(rig)
        for n, text in enumerate(texts, 1):
            rig.model.present(text)
            wait_until(lambda n=n: len(outcomes(rig)) >= n, what=f"code {n} parsed")

    out, rig = run_gm65(runtime, {"session_ms": 1000, "parse_ins": True}, scenario)
    assert outcomes(rig) == [{"kind": "ins", "identity": expected(ident)}, {"kind": "ins_error", "code": "bad_key"}]
    assert rig.model.emitted[0] == texts[0].encode() + b"\r\n" and b"\x1d" in rig.model.emitted[0]
