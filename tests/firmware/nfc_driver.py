"""The PN532 driver + ISO-DEP layer against the simulated chip, on one transport.

Prints one JSON object of results; tests/test_pn532_driver.py asserts on it.
"""
import binascii
import json

from nfc import isodep, make_pn532
from rig import Ctl, bus, config, drive, outcome
from sim_board import SimBoard

LIST_MS = 500  # InListPassiveTarget
EXCHANGE_MS = 1000  # one exchange with the card
PRESENCE_MS = 200  # Diagnose 0x06

cfg = config()
ctl = Ctl(cfg["ctl"])
pn = make_pn532(bus(cfg), SimBoard.pn532_ack_timeout_ms)
t = pn.transport
res = {}
hexl = lambda b: binascii.hexlify(bytes(b)).decode()  # noqa: E731

res["begin"] = outcome(lambda: list(drive(pn.begin())))
# the frames the driver sent to wake and set up the chip, and those the chip took whole (a resend after a
# late ACK is taken too; a frame lost to T_osc_start is not)
res["begin_frames"] = {"sent": t.frames_out, "taken": ctl.call("counters")["host_frames_in"]}
drive(pn.rf_max_retries(0xFF, 0x01, 0x02))
res["no_card"] = outcome(lambda: drive(pn.list_passive_target(LIST_MS)))

# a phone-like ISO-DEP card
ctl.call("tap", card="echo")
tg = drive(pn.list_passive_target(LIST_MS))
res["target"] = {"tg": tg.tg, "sens_res": hexl(tg.sens_res), "sel_res": tg.sel_res, "uid_len": len(tg.uid),
                 "ats": hexl(tg.ats), "iso_dep": tg.iso_dep()}
res["exchange_small"] = hexl(drive(pn.exchange(1, b"\x00\xa4\x04\x00\x00", EXCHANGE_MS, 1024)))
big = bytes(i & 0xFF for i in range(600))
out = drive(pn.exchange(1, big, 3000, 1024))
res["exchange_600"] = (out == big + b"\x90\x00", len(out))
res["exchange_too_long"] = outcome(lambda: drive(pn.exchange(1, big, 3000, 400)))

# ISO-DEP: command chaining out, GET RESPONSE in, 6Cxx
ctl.call("tap", card="apdu")
drive(pn.list_passive_target(LIST_MS))
iso = isodep.IsoDep(pn, 1)
data = bytes((i * 7) & 0xFF for i in range(300))
r = drive(iso.send(0x00, 0xE0, 0, 0, data, 256, EXCHANGE_MS))
res["chained"] = {"ok": r.ok, "same": r.data == data, "len": len(r.data), "apdus": iso.apdus,
                  "parts": ctl.call("card")["chained_parts"]}
r = drive(iso.send(0x00, 0xE2, 0, 0, b"", 256, EXCHANGE_MS))
res["wrong_le"] = {"sw": r.sw, "data": hexl(r.data)}
r = drive(iso.send(0x00, 0x99, 0, 0, b"", None, EXCHANGE_MS))
res["sw_typed"] = {"sw": r.sw, "name": r.name, "check": outcome(lambda: r.check("x"))}

# host-interface faults
ctl.call("drop_acks", n=1)
before = pn.resends
res["drop_ack"] = outcome(lambda: list(drive(pn.get_firmware_version())))
res["drop_ack_resends"] = pn.resends - before
ctl.call("corrupt_responses", n=1)
before = pn.nacks_sent
res["corrupt"] = outcome(lambda: list(drive(pn.get_firmware_version())))
res["corrupt_nacks"] = pn.nacks_sent - before
ctl.call("drop_acks", n=5)
res["no_ack"] = outcome(lambda: drive(pn.get_firmware_version()))
ctl.call("drop_acks", n=0)
if cfg["transport"] == "i2c":
    ctl.call("bus_timeouts", n=3)
    before = t.bus_retries
    res["stretch"] = outcome(lambda: list(drive(pn.get_firmware_version())))
    res["stretch_retries"] = t.bus_retries - before
res["error_frame"] = outcome(lambda: drive(pn.command(0x7E, b"", 200, 0)))
ctl.call("reset")  # power cycle: asleep again, "no ACK after reset"
res["after_reset"] = outcome(lambda: list(drive(pn.get_firmware_version())))

# RF-side failures
drive(pn.rf_max_retries(0xFF, 0x01, 0x02))
ctl.call("tap", card="slow", seconds=2.0)
drive(pn.list_passive_target(LIST_MS))
res["slow"] = outcome(lambda: drive(pn.exchange(1, b"\x00\xb0\x00\x00\x00", 300, 1024)))
res["slow_aborts"] = pn.aborts
res["after_abort"] = outcome(lambda: list(drive(pn.get_firmware_version())))
res["slow_present"] = drive(pn.presence(PRESENCE_MS))
ctl.call("tap", card="echo")
drive(pn.list_passive_target(LIST_MS))
ctl.call("remove")
res["removed"] = outcome(lambda: drive(pn.exchange(1, b"\x00\xb0\x00\x00\x00", EXCHANGE_MS, 1024)))
res["removed_present"] = drive(pn.presence(PRESENCE_MS))
ctl.call("tap", card="echo")
drive(pn.list_passive_target(LIST_MS))
drive(pn.release(1))
res["released"] = outcome(lambda: drive(pn.exchange(1, b"\x00\xb0\x00\x00\x00", EXCHANGE_MS, 1024)))
res["rf_off"] = outcome(lambda: drive(pn.rf_field(False)))
res["counters"] = {"frames_out": t.frames_out, "frames_in": t.frames_in}
print(json.dumps(res))
