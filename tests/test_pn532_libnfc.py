"""libnfc, unchanged, against the simulated PN532 and phone over a real pty.

libnfc (Debian ``libnfc-bin``, ``libnfc-examples``, ``libnfc-dev``) is an
independent PN532 host stack: its ``pn532_uart`` driver wakes the chip, reads
and writes CIU registers, lists every modulation, polls with InAutoPoll,
runs ISO/IEC 14443-3 anticollision with raw InCommunicateThru frames and
checks presence with its own ISO-DEP pings. The chip is served as
``vitale-sim pn532 --link PTY [--phone WALLET]`` serves it; the connstring is
``pn532_uart:PTY:115200``.
"""
import os
import subprocess
import sys
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from vitale_sim import phone_protocol as pp
from vitale_sim.cli import run_pn532_alone
from vitale_sim.iso14443a import crc_a

from support import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def serve(tmp_path):
    """``serve(wallet or None)`` -> (libnfc environment, chip model), served until the test ends."""
    stops = []

    def start(wallet):
        link = str(tmp_path / f"pn532-{len(stops)}")
        got, ready, stop = {}, threading.Event(), threading.Event()
        stops.append(stop)
        threading.Thread(target=run_pn532_alone, args=(link, wallet),
                         kwargs={"ready": lambda m: (got.update(model=m), ready.set()), "stop": stop},
                         daemon=True).start()
        assert ready.wait(30)
        env = dict(os.environ, LIBNFC_DEVICE=f"pn532_uart:{link}:115200", LIBNFC_AUTO_SCAN="false",
                   LIBNFC_INTRUSIVE_SCAN="false", LIBNFC_LOG_LEVEL="0")
        return env, got["model"]

    yield start
    for stop in stops:
        stop.set()


def _run(args, env, timeout=120, **kw):
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, **kw)


def _spaced(data):
    return "".join(f"{b:02x}  " for b in data)


def _listed_uids(model):
    """The UIDs in the chip's InListPassiveTarget answers (D5 4B NbTg Tg SENS_RES SEL_RES len UID ...)."""
    uids = []
    for way, fr in model.frames:
        body = fr[5:-2]
        if way == "out" and body[:2] == b"\xd5\x4b" and body[2] >= 1:
            uids.append(bytes(body[8:8 + body[7]]))
    return uids


def _target_lines(uid):
    return ["ISO/IEC 14443A (106 kbps) target:",
            "    ATQA (SENS_RES): 00  04  ",
            f"       UID (NFCID3): {_spaced(uid)}",
            "      SAK (SEL_RES): 20  ",
            "                ATS: 78  80  70  02  "]


def test_nfc_list_sees_exactly_the_phone(serve, wallet_path):
    env, model = serve(wallet_path)
    out = _run(["nfc-list"], env)
    assert out.returncode == 0, out.stderr
    uids = set(_listed_uids(model))  # a phone draws a new UID each time the field comes on
    assert len(uids) == 1
    uid = uids.pop()
    assert out.stdout.splitlines()[1:] == ["NFC device: user defined device opened",
                                           "1 ISO14443A passive target(s) found:"] + _target_lines(uid) + [""]
    assert out.stderr == ""
    assert not model.errors


def test_nfc_list_empty_field(serve):
    env, model = serve(None)
    out = _run(["nfc-list", "-v"], env)
    assert out.returncode == 0, out.stderr
    kinds = ["ISO14443A", "Felica (212 kbps)", "Felica (424 kbps)", "ISO14443B", "ISO14443B'",
             "ISO14443B-2 ST SRx", "ISO14443B-2 ASK CTx", "ISO14443B iClass", "ISO14443A-3 Jewel",
             "ISO14443A-2 NFC Barcode"]
    found = [line for line in out.stdout.splitlines() if "target(s) found" in line]
    assert found == [f"0 {k} passive target(s) found." for k in kinds]
    assert not model.errors


def test_nfc_poll_reports_the_phone_until_it_leaves(serve, wallet_path):
    env, model = serve(wallet_path)
    seen = []
    model.on_command = lambda cmd, params: seen.append((cmd, params))
    proc = subprocess.Popen(["nfc-poll"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # InAutoPoll found the phone; libnfc then pings it (InCommunicateThru R(NAK)) until it is gone
        wait_until(lambda: any(c == 0x42 for c, _ in seen), what="libnfc pinging the phone")
        uid = model.card.uid()
        model.remove()
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    lines = stdout.splitlines()
    assert lines[1:3] == ["NFC reader: user defined device opened",
                          "NFC device will poll during 36000 ms (20 pollings of 300 ms for 6 modulations)"]
    assert lines[3:8] == _target_lines(uid)
    assert lines[8] == "Waiting for card removing...done."
    autopoll = [params for cmd, params in seen if cmd == 0x60]
    assert len(autopoll) == 1 and autopoll[0][:3] == bytes.fromhex("140220")  # 20 polls x 300 ms, ISO-DEP A first
    assert not model.errors


def test_nfc_anticol_completes(serve, wallet_path):
    env, model = serve(wallet_path)
    out = _run(["nfc-anticol"], env)
    assert out.returncode == 0, out.stdout + out.stderr
    uid = model.card.uid()
    bcc = uid[0] ^ uid[1] ^ uid[2] ^ uid[3]
    select = bytes([0x93, 0x70]) + uid + bytes([bcc])
    sak = bytes([0x20]) + crc_a(bytes([0x20]))
    ats = bytes.fromhex("0578807002") + crc_a(bytes.fromhex("0578807002"))
    assert out.stdout.splitlines()[2:] == [
        "Sent bits:     26 (7 bits)",
        "Received bits: 04  00  ",  # ATQA, least significant byte first
        "Sent bits:     93  20  ",
        f"Received bits: {_spaced(uid + bytes([bcc]))}",
        f"Sent bits:     {_spaced(select + crc_a(select))}",
        f"Received bits: {_spaced(sak)}",  # SAK with its CRC_A (the host handles CRC here)
        "Sent bits:     e0  50  bc  a5  ",  # RATS
        f"Received bits: {_spaced(ats)}",
        "Sent bits:     50  00  57  cd  ",  # HLTA: ignored by a card in the ISO-DEP state
        "",
        "Found tag with",
        f" UID: {uid.hex()}",
        "ATQA: 0004",
        " SAK: 20",
        f" ATS: {_spaced(ats)}",
    ]
    assert not model.errors


def test_libnfc_program_runs_the_vitale_protocol(serve, wallet_path, tmp_path):
    """A libnfc initiator (tests/libnfc/nfc_apdu.c) selects the phone and runs the whole Vitale
    exchange through InDataExchange; the presentation decrypted here is the one the phone sent."""
    program = str(tmp_path / "nfc_apdu")
    build = _run(["gcc", "-Wall", "-Werror", "-o", program, os.path.join(HERE, "libnfc", "nfc_apdu.c"), "-lnfc"],
                 os.environ)
    assert build.returncode == 0, build.stderr
    env, model = serve(wallet_path)
    proc = subprocess.Popen([program], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    timer = threading.Timer(120, proc.kill)  # a bound, not a synchronisation
    timer.start()
    try:
        head = proc.stdout.readline().split()
        assert head[0] == "TARGET" and bytes.fromhex(head[1]) == model.card.uid() and head[2] == "78807002"

        def apdu(command):
            proc.stdin.write(command.hex() + "\n")
            line = proc.stdout.readline().split()
            assert line[0] == "R", line
            rsp = bytes.fromhex(line[1])
            return rsp[:-2], (rsp[-2] << 8) | rsp[-1]

        assert apdu(bytes.fromhex("00A4040007F0564954414C4500")) == (pp.SELECT_DATA, 0x9000)
        reader = ec.generate_private_key(ec.SECP256R1())
        nonce = os.urandom(16)
        answer, sw = apdu(bytes([0x80, 0x50, 0x01, 0x00, 81]) + nonce + pp.pub65(reader) + b"\x00")
        while sw >> 8 == 0x61:
            data, sw = apdu(bytes([0x00, 0xC0, 0x00, 0x00, sw & 0xFF]))
            answer += data
        assert sw == 0x9000
        proc.stdin.close()
        assert proc.wait() == 0, proc.stderr.read()
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    presentation, th = pp.reader_open(reader, nonce, pp.SELECT_DATA, answer)
    sent = model.card.sessions[-1]
    assert presentation == sent["presentation"] and th == sent["transcript_hash"]
    assert not model.errors


def test_vitale_sim_pn532_command(tmp_path, wallet_path):
    """``vitale-sim pn532``: the chip on a pty, a phone in its field, ``remove`` / ``tap`` / ``quit`` on stdin."""
    link = str(tmp_path / "pn532")
    sim = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "vitale-sim"), "pn532", "--link", link,
                            "--phone", wallet_path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                           bufsize=1)
    timer = threading.Timer(120, sim.kill)  # a bound, not a synchronisation
    timer.start()
    try:
        assert sim.stdout.readline().strip() == f"simulated PN532 (HSU, 115200 8N1) on {link} with a phone in the field"
        env = dict(os.environ, LIBNFC_DEVICE=f"pn532_uart:{link}:115200", LIBNFC_AUTO_SCAN="false",
                   LIBNFC_INTRUSIVE_SCAN="false", LIBNFC_LOG_LEVEL="0")
        assert "1 ISO14443A passive target(s) found:" in _run(["nfc-list"], env).stdout
        sim.stdin.write("remove\n")
        assert sim.stdout.readline().strip() == "ok phone removed"
        assert "0 ISO14443A passive target(s) found." in _run(["nfc-list", "-v"], env).stdout
        sim.stdin.write(f"tap {wallet_path}\n")
        assert sim.stdout.readline().strip() == "ok phone in the field"
        assert "1 ISO14443A passive target(s) found:" in _run(["nfc-list"], env).stdout
        sim.stdin.write("quit\n")
        assert sim.wait() == 0
        assert not os.path.lexists(link)
    finally:
        timer.cancel()
        if sim.poll() is None:
            sim.kill()
            sim.wait()
