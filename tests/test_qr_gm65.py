"""GM65 driver (firmware, both runtimes) against the simulated module over a socketpair.

Byte-exact configuration frames with CRC-CCITT, codes with their tail,
de-duplication, overlong / unreadable codes and a dead module as typed
outcomes.
"""
import json
import os
import socket
import threading

import pytest

from runtimes import ROOT, run_script
from vitale_sim.scan_engine import ACK, Gm65Model, command_frame, crc16

SCRIPT = os.path.join(ROOT, "tests", "firmware", "qr_gm65.py")
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def presentation_like(n=700, seed=1):
    """A text shaped like a QR presentation (prefix + Base45 alphabet)."""
    out = ["VC1:"]
    x = seed
    for _ in range(n - 4):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(ALNUM[x % 45])
    return "".join(out)


def run_fw(runtime, cfg, scenario=None, timeout=60):
    """Run the firmware script with a model on the other end; ``scenario(model)`` runs in a thread."""
    fw_sock, model_sock = socket.socketpair()
    fw_sock.setblocking(False)
    model = Gm65Model(model_sock.fileno(), decode_delay=0.01)
    if cfg.get("no_model"):
        model = None
    else:
        model.start()
    cfg = dict(cfg, fd=fw_sock.fileno())
    errors = []

    def drive():
        try:
            scenario(model)
        except Exception as err:  # reported by the test below
            errors.append(err)

    thread = None
    if scenario is not None:
        thread = threading.Thread(target=drive, daemon=True)
        thread.start()
    try:
        proc = run_script(runtime, SCRIPT, json.dumps(cfg), timeout=timeout, pass_fds=(fw_sock.fileno(),))
    finally:
        if thread is not None:
            thread.join(timeout=10)
        if model is not None:
            model.stop()
        fw_sock.close()
        model_sock.close()
    assert not errors, errors
    lines = proc.stdout.decode().strip().splitlines()
    out = json.loads(lines[-1])
    for line in lines[:-1]:
        if line.startswith("{"):
            out.update(json.loads(line))
    return out, model


def configured(model):
    return model.wait_for(lambda m: m.sessions >= 1, timeout=20)


# -- pure, host-side checks of the wire format ------------------------------------

def test_crc_ccitt_known_frames():
    # frames documented for GM65-class modules (vendor manual / field notes)
    assert crc16(bytes.fromhex("000100")) == 0x3331  # the ACK 02 00 00 01 00 33 31
    assert command_frame(0x09, 0x0000, b"\x00") == bytes.fromhex("7E0009010000 00DEC8".replace(" ", ""))
    assert command_frame(0x08, 0x002A, b"\x39\x01") == bytes.fromhex("7E000802002A3901A7EA")
    assert command_frame(0x07, 0x002A, b"\x02") == bytes.fromhex("7E000701002A02D80F")
    assert ACK == bytes.fromhex("02000001003331")


# -- firmware on both runtimes -------------------------------------------------------

EXPECTED_CONFIG = [
    # write zone 0x0000 = D5: LED, beep, aim/light normal, command-trigger mode
    "7E0008010000D5",
    # write zone 0x0060 = 21: raw output, CR LF tail enabled
    "7E000801006021",
    # write zone 0x0006 = 0A: session of 1.0 s
    "7E00080100060A",
    # enable QR (0x003F) and Data Matrix (0x0054)
    "7E000801003F01",
    "7E000801005401",
]
TRIGGER = "7E0008010002" + "01"


def with_crc(hex_body):
    body = bytes.fromhex(hex_body)[2:]
    return (bytes.fromhex(hex_body) + crc16(body).to_bytes(2, "big")).hex().upper()


def test_configuration_frames_byte_exact(runtime):
    def scenario(model):
        assert configured(model)

    out, model = run_fw(runtime, {"session_ms": 1000, "run_ms": 2500}, scenario)
    frames = [f.hex().upper() for f in model.received]
    expected = [with_crc(h) for h in EXPECTED_CONFIG]
    assert frames[:5] == expected
    # the trigger, with its real CRC (not the AB CD wildcard)
    assert frames[5] == with_crc(TRIGGER) == "7E000801000201" + "%04X" % crc16(bytes.fromhex("0801000201"))
    assert all(f == with_crc(TRIGGER) for f in frames[5:])
    assert model.rejected == []
    cfg = model.config
    assert (cfg.mode, cfg.tail, cfg.session_ms, cfg.qr, cfg.datamatrix) == ("trigger", "CRLF", 1000, True, True)
    assert not cfg.saved  # never writes the module's flash
    assert out["state"] == "ready" and out["sessions"] >= 2  # re-triggered after an empty session
    assert out["events"] == []


def test_presentation_text_with_tail_and_dedup(runtime):
    code1 = presentation_like(700, 1)
    code2 = presentation_like(650, 2)

    def scenario(model):
        assert configured(model)
        model.present(code1, hold=1.5)  # held in view: read many times, one event
        model.wait_for(lambda m: len(m.emitted) >= 3, timeout=10)
        model.wait_for(lambda m: not m._in_view, timeout=10)
        model.present(code2)  # a new code: a new event
        model.wait_for(lambda m: len(m.emitted) >= 4, timeout=10)
        import time
        time.sleep(1.6)  # absent longer than the hold-off (1000 ms): counts again
        model.present(code1)

    out, model = run_fw(runtime, {"session_ms": 1000, "hold_off_ms": 1000, "run_ms": 20000, "expect": 3},
                        scenario)
    assert out["events"] == [["code", code1], ["code", code2], ["code", code1]]
    assert out["duplicates"] >= 2
    # byte for byte on the wire: text + CR LF, only after a trigger
    assert model.emitted[0] == code1.encode() + b"\r\n"
    assert len(model.emitted) >= 4


def test_overlong_and_garbage_are_typed(runtime):
    good = "HC1:NOT-OURS-BUT-READABLE"

    def scenario(model):
        assert configured(model)
        model.present("A" * 600)  # over max_len 512
        model.wait_for(lambda m: len(m.emitted) >= 1)
        model.present(b"\xff\xfe\x00garbage")  # not UTF-8
        model.wait_for(lambda m: len(m.emitted) >= 2)
        model.present(b"ABC\x01DEF")  # a control byte
        model.wait_for(lambda m: len(m.emitted) >= 3)
        model.present(good)

    out, _ = run_fw(runtime, {"session_ms": 1000, "max_len": 512, "run_ms": 20000, "expect": 4}, scenario)
    kinds = [e[:2] for e in out["events"]]
    assert kinds == [["error", "too_long"], ["error", "bad_encoding"], ["error", "bad_encoding"],
                     ["code", good]]
    # details are technical, never the content
    for e in out["events"][:3]:
        assert "garbage" not in e[2] and "AAAA" not in e[2]


def test_dead_module_is_engine_error_once(runtime):
    out, _ = run_fw(runtime, {"no_model": True, "ack_ms": 100, "retry_ms": 300, "run_ms": 1500})
    errors = [e for e in out["events"] if e[0] == "error"]
    assert [e[1] for e in errors] == ["engine_error"]
    assert out["state"] == "failed"


def test_continuous_mode(runtime):
    code = presentation_like(120, 3)

    def scenario(model):
        assert model.wait_for(lambda m: m.config.mode == "continuous" and 0x0054 in m.config.written, 20)
        model.present(code, hold=1.2)  # re-output every repeat_interval: one event

    out, model = run_fw(runtime, {"mode": "continuous", "run_ms": 3500}, scenario)
    assert out["events"] == [["code", code]]
    assert model.config.mode == "continuous"
    assert len(model.emitted) >= 2


def test_pause_stops_triggering(runtime):
    code = presentation_like(200, 4)

    def scenario(model):
        assert configured(model)
        import time
        time.sleep(0.6)  # paused now (at 300 ms)
        model.present(code)  # in view while paused: not read
        time.sleep(0.8)
        assert model.emitted == []
        assert model.wait_for(lambda m: len(m.emitted) == 1, 10)  # read after resume

    out, model = run_fw(runtime, {"session_ms": 200, "pause": [300, 2500], "run_ms": 8000, "expect": 1},
                        scenario)
    assert out["events"] == [["code", code]]
    # no trigger while paused (one session may have been running when pause() came)
    assert out["resumed_at_sessions"] - out["paused_at_sessions"] <= 1
