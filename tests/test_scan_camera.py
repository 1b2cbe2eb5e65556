"""The simulated camera: ``scan_image`` on QR images made by segno and by ``vitale-issuer qr``,
degraded like photos taken at a counter; an image without a code gives ``[]``."""
import os
import random
import subprocess
import sys
import time

import pytest
from PIL import Image
from vitale_reader.credential import HostVerifier, load_trust_anchor

from vitale_sim.camera import degrade, render_qr, scan_image
from vitale_sim.issuer.wallet import Wallet

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
BIN = os.path.dirname(sys.executable)


def presentation_like(n, seed):
    rng = random.Random(seed)
    return "VT1:" + "".join(rng.choice(ALNUM) for _ in range(n - 4))


@pytest.fixture(scope="module")
def presentation():
    """A real signed QR presentation of a random test identity (the issuer's Python API)."""
    from vitale_sim import testpki
    from vitale_sim.issuer import random_identity

    now = int(time.time())
    wallet = testpki.load().new_wallet(identity=random_identity(random.Random(5)), now=now - 60)
    return wallet.qr_text(now)


PHOTOS = [
    dict(),
    dict(scale=0.5),
    dict(scale=1.6, rotate=17),
    dict(rotate=90),
    dict(rotate=-135),
    dict(blur=1.0),
    dict(noise=35, seed=3),
    dict(contrast=0.3),
    dict(contrast=0.5, brightness=1.3),
    dict(perspective=0.08),
    dict(jpeg_quality=40),
    dict(scale=0.7, rotate=-21, blur=0.7, noise=12, contrast=0.6, perspective=0.05, jpeg_quality=75, seed=1),
    dict(scale=0.9, rotate=33, blur=0.5, noise=15, contrast=0.7, perspective=0.03, seed=2),
]


@pytest.mark.parametrize("photo", PHOTOS, ids=[",".join(p) or "clean" for p in PHOTOS])
def test_degraded_presentation_decodes_exactly(presentation, photo):
    img = render_qr(presentation, scale=6)
    assert scan_image(degrade(img, **photo)) == [presentation]


def test_segno_texts_of_many_sizes(tmp_path):
    for n, seed in ((20, 1), (300, 2), (700, 3), (1200, 4)):
        text = presentation_like(n, seed)
        path = tmp_path / f"qr{n}.png"
        render_qr(text, str(path), scale=4)
        assert scan_image(str(path)) == [text]
        jpg = tmp_path / f"qr{n}.jpg"
        degrade(Image.open(path), rotate=7, noise=8, jpeg_quality=80).convert("RGB").save(jpg)
        assert scan_image(str(jpg)) == [text]


def test_vitale_issuer_qr_png(tmp_path):
    """The CLI path the README shows: vitale-issuer init / wallet --random / qr --out (installed by
    `make setup`): the image holds exactly the text printed, a presentation of that wallet."""
    issuer = os.path.join(BIN, "vitale-issuer")
    pki = tmp_path / "pki"
    wallet = tmp_path / "w.json"
    png = tmp_path / "qr.png"
    run = lambda *a: subprocess.run([issuer, *a], check=True, capture_output=True, timeout=120)  # noqa: E731
    run("init", str(pki))
    run("wallet", str(pki), "--out", str(wallet), "--random", "--seed", "4")
    now = int(time.time())
    text = run("qr", str(wallet), "--out", str(png), "--text", "--now", str(now)).stdout.decode().strip()
    assert scan_image(str(png)) == [text] and len(text) > 254
    verdict = HostVerifier(load_trust_anchor(str(pki))).verify_qr(text, now)
    assert verdict.ok and verdict.identity.matricule == Wallet.load(wallet).identity.matricule
    photo = degrade(Image.open(png), scale=1.5, rotate=-12, blur=0.6, noise=10, contrast=0.7, seed=4)
    assert scan_image(photo) == [text]


def test_unreadable_images_give_nothing(tmp_path):
    text = presentation_like(600, 9)
    img = render_qr(text, scale=4)
    assert scan_image(degrade(img, blur=5)) == []  # hopelessly out of focus
    assert scan_image(Image.new("L", (400, 300), 255)) == []  # blank
    noise = Image.effect_noise((300, 300), 80)
    assert scan_image(noise) == []
    half = img.crop((0, 0, img.width // 2, img.height))  # half the code out of the frame
    assert scan_image(half) == []
    bad = tmp_path / "not-an-image.png"
    bad.write_bytes(b"this is not a PNG")
    with pytest.raises(OSError):
        scan_image(str(bad))


def test_two_codes_in_one_image():
    a, b = presentation_like(80, 1), "HC1:NCFOXN%TS3DH"
    ia, ib = render_qr(a, scale=4), render_qr(b, scale=4)
    canvas = Image.new("L", (ia.width + ib.width + 40, max(ia.height, ib.height) + 20), 255)
    canvas.paste(ia, (10, 10))
    canvas.paste(ib, (ia.width + 30, 10))
    assert sorted(scan_image(canvas)) == sorted([a, b])
