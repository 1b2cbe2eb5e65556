"""NFC tap figures: frames and bytes per tap, modelled transfer time, reader compute under MicroPython.

One tap of a good simulated phone (built-in TEST PKI wallet) through the
firmware's capture task on the real MicroPython interpreter (wasm), against
the simulated PN532 on HSU. "Per tap" = from the InListPassiveTarget that
finds the phone to the last response of the session (SELECT, AUTHENTICATE,
GET RESPONSE...), both directions; polling before, InRelease and presence
checks after are not counted.

Transfer-time model (``nfc_modeled_ms``), sequential because the PN532 stores
and forwards each exchange:

* host interface, HSU 115200 baud 8N1: 10 bit times per byte, every byte of
  every frame (preamble, start code, LEN/LCS, TFI, DCS, postamble, ACKs):
  ``t_hsu = host_bytes * 10 / 115200``;
* RF, ISO 14443-A at fc/128 = 105.9 kbit/s: 9 bit times per byte (8 + odd
  parity) plus 2 per frame (SOF, EOF), and a frame delay time per frame
  (~86 µs, 1172/fc; the phone's own processing is not modelled):
  ``t_rf = (rf_bytes * 9 + rf_frames * 2) / 105_937.5 + rf_frames * 86.4e-6``.
  RF bytes count every I-block's PCB and CRC_A, the R(ACK)s of chaining, and
  the activation (REQA/ATQA, anticollision, SELECT/SAK, RATS/ATS).
* plus a nominal PN532 turnaround of 1 ms per command.
"""
import fcntl
import json
import os
import tempfile
import tty

from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

HSU_BAUD = 115200
RF_BPS = 13.56e6 / 128
FDT_S = 1172 / 13.56e6
CHIP_TURNAROUND_S = 0.001
VECTOR = os.path.join(ROOT, "protocol", "vectors", "nfc", "session_v1.json")
TRUST_LIST = os.path.join(ROOT, "simulator", "vitale_sim", "testpki", "trustlist.cose")


def _nonblocking(fd: int) -> None:
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)


def one_tap(runtime: str = "micropython") -> dict:
    from vitale_sim import testpki
    from vitale_sim.phone import SimPhone
    from vitale_sim.pn532 import Pn532Model

    with tempfile.TemporaryDirectory() as tmp:
        wallet = os.path.join(tmp, "wallet.json")
        testpki.load().new_wallet().save(wallet)
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        _nonblocking(slave)
        model = Pn532Model(master, "uart").start()
        phone = SimPhone(wallet)
        model.tap(phone)
        model.reset_counters()
        try:
            fw = runtimes.run_json(runtime, os.path.join(HERE, "fw_nfc.py"),
                                   json.dumps({"fd": slave, "vector": VECTOR, "trustlist": TRUST_LIST}),
                                   pass_fds=(slave,), timeout=120)
            frames = list(model.frames)
            rf = model.counters()
        finally:
            model.stop()
            os.close(master)
            os.close(slave)
    # the tap starts at the last InListPassiveTarget before the first InDataExchange
    def cmd_of(fr: bytes) -> int:
        i = 8 if fr[3:5] == b"\xff\xff" else 5
        return fr[i + 1] if len(fr) > i + 1 else -1

    first_x = next(i for i, (d, fr) in enumerate(frames) if d == "in" and len(fr) > 6 and cmd_of(fr) == 0x40)
    start = max(i for i, (d, fr) in enumerate(frames[:first_x]) if d == "in" and len(fr) > 6 and cmd_of(fr) == 0x4A)
    tap = frames[start:]
    host_bytes = sum(len(fr) for _, fr in tap)
    commands = sum(1 for d, fr in tap if d == "in" and len(fr) > 6)
    return {"fw": fw, "host_frames": len(tap), "host_bytes": host_bytes, "commands": commands,
            "rf_bytes": rf["rf_bytes_to_card"] + rf["rf_bytes_from_card"], "rf_frames": rf["rf_frames"],
            "phone_ok": bool(phone.sessions)}


def figures() -> dict:
    t = one_tap("micropython")
    fw = t["fw"]
    if fw["events"] != ["card_present", "nfc_presentation"] or fw.get("verdict") != "ok":
        raise RuntimeError(f"the tap failed: {fw['events']} {fw.get('verdict')}")
    t_hsu = t["host_bytes"] * 10 / HSU_BAUD
    t_rf = (t["rf_bytes"] * 9 + t["rf_frames"] * 2) / RF_BPS + t["rf_frames"] * FDT_S
    t_chip = t["commands"] * CHIP_TURNAROUND_S
    return {
        "nfc_frames_per_tap": t["host_frames"],
        "nfc_bytes_per_tap": t["host_bytes"],
        "nfc_rf_frames_per_tap": t["rf_frames"],
        "nfc_rf_bytes_per_tap": t["rf_bytes"],
        "nfc_apdus_per_tap": fw["apdus"],
        "nfc_apdu_bytes_per_tap": fw["apdu_bytes"],
        "nfc_presentation_bytes": fw["presentation_len"],
        "nfc_modeled_hsu_ms": round(1000 * t_hsu, 2),
        "nfc_modeled_rf_ms": round(1000 * t_rf, 2),
        "nfc_modeled_ms": round(1000 * (t_hsu + t_rf + t_chip), 2),
        "nfc_decrypt_ms_micropython": round(fw["open_ms"], 2),
        "nfc_tap_verify_ms_micropython": round(fw["verify_ms"], 2),
        "nfc_tap_compute_ms_micropython": round(fw["open_ms"] + fw["verify_ms"], 2),
        "nfc_keygen_ms_micropython": round(fw["keygen_ms"], 2),
        "nfc_tap_sim_wall_ms_micropython": fw["tap_wall_ms"],
    }


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))
