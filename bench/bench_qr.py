"""QR path figures: camera decode, the firmware's GM65 capture path, Datamatrix INS size.

Runnable alone (``python bench/bench_qr.py`` prints JSON) or through
``bench/run.py``. Measured in this run:

* ``scan_image_ms``: ``vitale_sim.camera.scan_image`` on a typical signed
  presentation PNG as ``vitale-issuer qr`` writes it (median of 15, PNG
  load included);
* ``scan_image_datamatrix_ms``: the same for a Datamatrix INS PNG;
* ``gm65_text_ms_micropython`` / ``_cpython``: firmware CPU time to take one
  ~700-character code from the GM65 (trigger, ACK, 32-byte reads, CR LF,
  text checks, dedup hash, delivery), averaged over 20 distinct codes, with
  an in-memory UART so only the firmware's work counts;
* ``gm65_wire_ms_9600_baud``: computed, not measured: transmission time of a
  typical presentation plus its CR LF at the module's default 9600 8N1
  (10 bits per byte) - the dominant latency on a real board;
* ``ins_datamatrix_chars`` / ``ins_datamatrix_modules``: median text length
  and symbol side (C40, ECC 200) over 40 random test identities.

``qr_chars`` / ``qr_version_ecc_m`` (the presentation's size) come from
bench/bench_credential.py and are not repeated here.
"""
import json
import os
import random
import statistics
import tempfile
import time

from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _presentations(n: int) -> list:
    from vitale_sim import testpki
    from vitale_sim.issuer import random_identity

    pki = testpki.load()
    now = int(time.time())
    rng = random.Random(7)
    return [pki.new_wallet(identity=random_identity(rng), now=now - 60).qr_text(now) for _ in range(n)]


def _scan_figures(tmp: str) -> dict:
    from vitale_sim import datamatrix
    from vitale_sim.camera import scan_image
    from vitale_sim.issuer import random_identity
    from vitale_sim.issuer.qr import save_png

    texts = sorted(_presentations(9), key=len)
    typical = texts[len(texts) // 2]
    png = os.path.join(tmp, "presentation.png")
    save_png(typical, png)
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        got = scan_image(png)
        times.append(1000 * (time.perf_counter() - t0))
        if got != [typical]:
            raise RuntimeError("the presentation PNG did not decode to its text")
    rng = random.Random(3)
    idents = [random_identity(rng) for _ in range(40)]
    lengths = sorted(len(datamatrix.ins_text(i)) for i in idents)
    sides = sorted(len(datamatrix.encode(datamatrix.ins_text(i))) for i in idents)
    dm_png = os.path.join(tmp, "ins.png")
    datamatrix.make_ins_image(idents[0], dm_png)
    dm_times = []
    for _ in range(15):
        t0 = time.perf_counter()
        got = scan_image(dm_png)
        dm_times.append(1000 * (time.perf_counter() - t0))
        if got != [datamatrix.ins_text(idents[0])]:
            raise RuntimeError("the Datamatrix INS PNG did not decode to its text")
    return {
        "scan_image_ms": statistics.median(times),
        "scan_image_datamatrix_ms": statistics.median(dm_times),
        "gm65_wire_ms_9600_baud": (len(typical) + 2) * 10 / 9600 * 1000,
        "ins_datamatrix_chars": lengths[len(lengths) // 2],
        "ins_datamatrix_modules": sides[len(sides) // 2],
    }


def _gm65_figures() -> dict:
    rng = random.Random(11)
    codes = ["VT1:" + "".join(rng.choice(ALNUM) for _ in range(696)) for _ in range(20)]
    arg = json.dumps({"codes": codes, "chunk": 32})
    out = {}
    for runtime in ("micropython", "cpython"):
        line = runtimes.run(runtime, os.path.join(HERE, "fw_qr.py"), arg).stdout.decode().strip().splitlines()[-1]
        got = json.loads(line)
        if not got["ok"]:
            raise RuntimeError(f"{runtime}: the GM65 bench did not deliver every code")
        out[runtime] = got
    mp = out["micropython"]
    return {
        "gm65_text_ms_micropython": float(mp["per_code_ms"]),
        "gm65_text_ms_cpython": float(out["cpython"]["per_code_ms"]),
    }


def figures() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        fig = _scan_figures(tmp)
    fig.update(_gm65_figures())
    return fig


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))
