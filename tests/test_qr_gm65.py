"""GM65 driver (firmware, both runtimes) against the simulated module over a socketpair.

Byte-exact configuration frames with CRC-CCITT, codes with their tail,
de-duplication, overlong / unreadable codes and a dead module as typed
outcomes. Every step waits on what the module model or the firmware
reports (tests/rigs.py), never on the clock.
"""
from rigs import configured, outcomes, run_gm65
from support import wait_until
from vitale_sim.scan_engine import ACK, command_frame, crc16

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def presentation_like(n=700, seed=1):
    """A text shaped like a QR presentation (prefix + Base45 alphabet)."""
    out = ["VC1:"]
    x = seed
    for _ in range(n - 4):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(ALNUM[x % 45])
    return "".join(out)


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
    def scenario(rig):
        wait_until(lambda: rig.model.sessions >= 2, what="a second trigger after an empty session")

    out, rig = run_gm65(runtime, {"session_ms": 1000}, scenario)
    model = rig.model
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
    assert outcomes(rig) == []


def test_presentation_text_with_tail_and_dedup(runtime):
    """A code held in view is read again and again: one event; the next code is a new one.
    (A code coming back after the hold-off counts again: tests/test_qr_units.py, with a clock by hand.)"""
    code1 = presentation_like(700, 1)
    code2 = presentation_like(650, 2)

    def scenario(rig):
        configured(rig)
        rig.model.present(code1, hold=1.5)  # held in view: read many times, one event
        wait_until(lambda: len(rig.model.emitted) >= 3, what="code 1 read three times")
        wait_until(lambda: rig.model.in_view == 0, what="code 1 out of view")
        rig.model.present(code2)
        wait_until(lambda: len(outcomes(rig)) >= 2, what="code 2 reported")

    out, rig = run_gm65(runtime, {"session_ms": 1000}, scenario)
    assert outcomes(rig) == [{"kind": "code", "text": code1}, {"kind": "code", "text": code2}]
    # every read of code 1 reached the capture before code 2: all but one were duplicates
    reads = sum(1 for e in rig.events if e["kind"] == "read")
    assert reads == len(rig.model.emitted) >= 4 and out["duplicates"] == reads - 2
    # byte for byte on the wire: text + CR LF, only after a trigger
    assert rig.model.emitted[0] == code1.encode() + b"\r\n"


def test_overlong_and_garbage_are_typed(runtime):
    good = "HC1:NOT-OURS-BUT-READABLE"

    def scenario(rig):
        configured(rig)
        for n, shown in enumerate(("A" * 600, b"\xff\xfe\x00garbage", b"ABC\x01DEF", good), 1):
            rig.model.present(shown)  # over max_len 512; not UTF-8; a control byte; fine
            wait_until(lambda n=n: len(outcomes(rig)) >= n, what=f"outcome {n}")

    out, rig = run_gm65(runtime, {"session_ms": 1000, "max_len": 512}, scenario)
    got = outcomes(rig)
    assert [(e["kind"], e.get("code")) for e in got] == [("error", "too_long"), ("error", "bad_encoding"),
                                                         ("error", "bad_encoding"), ("code", None)]
    assert got[3]["text"] == good
    # details are technical, never the content
    assert [e["detail"] for e in got[:3]] == ["code of 600 bytes, max 512", "control byte 0 at 2",
                                              "control byte 1 at 3"]


def test_dead_module_is_engine_error_once(runtime):
    """Nothing answers: the driver keeps trying to configure it, and says so once."""
    first_write = bytes.fromhex(with_crc(EXPECTED_CONFIG[0]))

    def scenario(rig):
        # the firmware's frames pile up unanswered on our end: wait for two rounds of 3 tries
        wait_until(lambda: rig.unanswered().count(first_write) >= 6, what="two configuration rounds")

    out, rig = run_gm65(runtime, {"ack_ms": 100, "retry_ms": 300}, scenario, model=False)
    assert [(e["kind"], e["code"]) for e in outcomes(rig)] == [("error", "engine_error")]
    assert out["state"] == "failed"


def test_continuous_mode(runtime):
    code = presentation_like(120, 3)

    def scenario(rig):
        wait_until(lambda: rig.model.config.mode == "continuous" and 0x0054 in rig.model.config.written,
                   what="continuous mode configured")
        rig.model.present(code, hold=1.2)  # output again every repeat_interval (1 s): one event
        wait_until(lambda: sum(1 for e in rig.events if e["kind"] == "read") >= 2, what="two reads")

    out, rig = run_gm65(runtime, {"mode": "continuous"}, scenario)
    assert outcomes(rig) == [{"kind": "code", "text": code}]
    assert rig.model.config.mode == "continuous" and out["duplicates"] >= 1


def test_pause_stops_triggering(runtime):
    """Paused, the driver sends no trigger: a code in view is not read until capture resumes."""
    code = presentation_like(200, 4)
    seen = {}

    def handler(rig, event):
        if event["kind"] == "paused":
            # a session triggered just before the pause runs out by itself (session_ms)
            wait_until(lambda: not rig.model.session_active, what="the last session over")
            seen["sessions_paused"] = rig.model.sessions
            rig.model.present(code)  # in view while paused
        elif event["kind"] == "resuming":  # after 800 ms of the firmware's own time, paused
            seen["emitted_paused"] = list(rig.model.emitted)
            seen["sessions_resumed"] = rig.model.sessions

    def scenario(rig):
        configured(rig)
        rig.push("pause", for_ms=800)
        wait_until(lambda: len(outcomes(rig)) >= 1, what="the code read after resuming")

    out, rig = run_gm65(runtime, {"session_ms": 200}, scenario, handler)
    assert outcomes(rig) == [{"kind": "code", "text": code}]
    assert seen["emitted_paused"] == [] and seen["sessions_resumed"] == seen["sessions_paused"]
