"""The QR path end to end: a real image -> simulated camera and GM65 -> firmware -> host, both runtimes."""
import time

import pytest
from vitale_reader import CredentialEvent, InsDatamatrixEvent, Reader
from vitale_sim import camera, datamatrix
from vitale_sim.harness import SimReader
from vitale_sim.issuer import forge
from vitale_sim.issuer.pki import Pki
from vitale_sim.testpki import DIR as TEST_PKI

from support import firmware_constant, wait_until

HOLD_OFF_MS = firmware_constant("qr/__init__.py", "HOLD_OFF_MS")  # the same code within it: one showing


@pytest.fixture(scope="module")
def pki():
    return Pki.load(TEST_PKI)


@pytest.fixture
def setup(runtime, tmp_path):
    with SimReader(str(tmp_path / "link"), runtime=runtime) as sim, Reader(sim.link_path) as reader:
        yield sim, reader, tmp_path


def show(sim, tmp_path, text, name="code.png", **degradation):
    path = str(tmp_path / name)
    img = camera.load(camera.render_qr(text, path))
    if degradation:
        camera.degrade(img, **degradation).save(path)
    return sim.command(f"scan {path}")


def next_event(reader, kind=None):
    event = reader.next_event(timeout=20)
    if kind is not None:
        assert isinstance(event, kind), event
    return event


def test_valid_presentation_from_a_photo(setup, pki):
    sim, reader, tmp = setup
    wallet = pki.new_wallet()
    reply = show(sim, tmp, wallet.qr_text(int(time.time())), scale=0.8, rotate=7, blur=0.6, noise=8)
    assert reply.startswith("ok")
    event = next_event(reader, CredentialEvent)
    assert (event.source, event.verified, event.reason, event.reader_ok) == ("qr", True, None, True)
    assert event.identity.matricule == wallet.identity.matricule
    assert event.identity.is_test
    assert wallet.identity.birth_name not in repr(event)
    with pytest.raises(TimeoutError):  # the same code held in view: one event only
        sim.command(f"scan {tmp / 'code.png'}")
        reader.next_event(timeout=1.5)


@pytest.mark.parametrize("case", ["expired", "forged", "unknown_issuer", "url", "hc1", "payment", "truncated"])
def test_bad_codes_get_the_right_reason(setup, pki, case):
    sim, reader, tmp = setup
    now = int(time.time())
    good = pki.new_wallet()
    text, reason = {
        "expired": (pki.new_wallet(now=now - 400 * 86400, valid_days=30).qr_text(now), "credential_expired"),
        "forged": (forge.bad_issuer_signature(good).qr_text(now), "issuer_signature"),
        "unknown_issuer": (forge.unknown_issuer(good, pki).qr_text(now), "unknown_issuer"),
        "url": ("HTTPS://EXAMPLE.ORG/PAY?ID=1234", "not_a_presentation"),
        "hc1": ("HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DC9I0%YB/VM$*SBAKYE9*FJ7ID$0HY5SJ9N$IX*02B9K8A/WA1EJ",
                "not_a_presentation"),
        "payment": ("00020101021129370016A000000677010111011300669123456785802TH530376454064000.006304DDC9",
                    "not_a_presentation"),
        "truncated": (good.qr_text(now)[:-40], None),
    }[case]
    show(sim, tmp, text)
    event = next_event(reader, CredentialEvent)
    assert event.verified is False and event.reader_ok is False
    if reason is None:  # truncated: the Base45/zlib/CBOR layers each may notice first; host and reader agree
        assert event.reason == event.reader_reason and event.reason in ("base45", "inflate", "cbor")
    else:
        assert event.reason == reason == event.reader_reason


def test_replayed_code_is_refused_after_dedup_lapses(setup, pki):
    sim, reader, tmp = setup
    text = pki.new_wallet().qr_text(int(time.time()))
    show(sim, tmp, text)  # shown once: read once
    first = next_event(reader, CredentialEvent)
    assert first.verified
    # A second showing once the reader's own clock is past the camera's de-duplication hold-off
    # since that read (the event is stamped after it).
    lapsed = first.reader_time.timestamp() * 1000 + HOLD_OFF_MS
    wait_until(lambda: reader.info().reader_unix_ms > lapsed, what="the hold-off over on the reader's clock",
               every=0.5)
    show(sim, tmp, text, name="again.png")
    event = next_event(reader, CredentialEvent)
    assert (event.verified, event.reader_reason) == (False, "replay")


def test_no_code_in_the_picture(setup):
    sim, reader, tmp = setup
    from PIL import Image

    path = tmp / "blank.png"
    Image.new("L", (300, 300), 255).save(path)
    assert sim.command(f"scan {path}") == "no code found"


def test_ins_datamatrix_is_reported_unsigned(setup, pki):
    sim, reader, tmp = setup
    identity = pki.new_wallet().identity
    path = tmp / "ins.png"
    datamatrix.make_ins_image(identity, str(path))
    assert sim.command(f"scan {path}").startswith("ok")
    event = next_event(reader, InsDatamatrixEvent)
    assert event.valid and event.signed is False
    assert event.identity.matricule == identity.matricule and event.identity.coverage is None
    assert identity.birth_name not in repr(event)


def test_reader_reboot_while_the_host_is_connected(setup, pki):
    """The board resets under a connected host: the link carries on, the host sets the clock
    again on the reader's boot event, and the next code is verified."""
    sim, reader, tmp = setup
    before = time.time()
    assert sim.command("reboot") == "ok rebooted"
    reader.ping(b"after reboot")  # raises unless echoed
    show(sim, tmp, pki.new_wallet().qr_text(int(time.time())))
    event = next_event(reader, CredentialEvent)
    assert event.verified and event.reader_reason == "ok", event
    # the host set the rebooted reader's clock again, from its own, after `before`
    assert int(before * 1000) <= reader.info().reader_unix_ms <= int(time.time() * 1000) + 2  # ms rounding
