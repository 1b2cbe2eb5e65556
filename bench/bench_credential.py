"""Credential figures: presentation verification on both runtimes, QR size, trust-list load.

Runnable alone (``python bench/bench_credential.py`` prints JSON) or through
``bench/run.py``. Everything is measured in this run, side by side:

* ``presentation_verify_ms_micropython`` / ``_cpython``: QR text -> verdict
  (Base45, inflate, CBOR/COSE decoding, claim checks, the issuer signature
  with the trust list's ``TrustedKey`` table, the holder signature with an
  arbitrary key, validity, revocation, freshness, replay), median over
  distinct presentations, under the real MicroPython interpreter (wasm) and
  under CPython (same firmware code);
* ``presentation_verify_ratio_to_p256_verify``: that time over one
  arbitrary-key ``crypto.p256.verify`` measured in the same run (target <= 2.5);
* ``qr_chars`` / ``qr_version_ecc_m``: the median-length QR text of 40
  random test identities, and its version (segno, alphanumeric, ECC M);
  ``qr_version_ecc_m_max``: the largest of the 40;
* board estimates: bench/estimate.py, from the calibration run by bench_ecdsa.py.
"""
import json
import os
import random
import tempfile
import time

from vitale_sim import runtimes

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

RUNS = 24  # 3 rounds of 8 distinct presentations (a QR is accepted once)


def _inputs(tmp: str) -> str:
    import hashlib

    import cbor2

    from vitale_sim import testpki
    from vitale_sim.issuer import random_identity
    from vitale_sim.issuer.keys import decode_sign1, pub65, sig_structure

    pki = testpki.load()
    now = int(time.time())
    w = pki.new_wallet(identity=random_identity(random.Random(42)), now=now - 3600)
    nonce, th = os.urandom(16), os.urandom(32)
    texts = [w.qr_text(now) for _ in range(RUNS)]
    nfc = [w.nfc_presentation(nonce, th, now).hex() for _ in range(RUNS)]
    pres = w.qr_presentation(now)
    pb, _, payload, sig = decode_sign1(pres)
    apb, _, apayload, asig = decode_sign1(cbor2.loads(payload)[1])
    data = {
        "now": now, "root": pki.root_public_key.hex(), "trust_list": pki.trust_list_bytes.hex(),
        "qr_texts": texts, "nfc": nfc, "nonce": nonce.hex(), "transcript_hash": th.hex(),
        "holder_pub": pub65(w.app_key).hex(), "digest": hashlib.sha256(sig_structure(pb, payload)).hexdigest(),
        "holder_sig": sig.hex(), "issuer_kid": pki.issuer().kid.hex(),
        "issuer_digest": hashlib.sha256(sig_structure(apb, apayload)).hexdigest(), "issuer_sig": asig.hex(),
    }
    path = os.path.join(tmp, "bench_credential_inputs.json")
    with open(path, "w") as f:
        json.dump(data, f)
    return path


def _run(runtime: str, path: str) -> dict:
    out = runtimes.run(runtime, os.path.join(HERE, "fw_credential.py"), path).stdout.decode().strip().splitlines()[-1]
    got = json.loads(out)
    if not got["all_ok"]:
        raise RuntimeError(f"{runtime}: a bench presentation did not verify")
    return got


def _qr_size() -> dict:
    from vitale_sim import testpki
    from vitale_sim.issuer import random_identity
    from vitale_sim.issuer.qr import version

    pki = testpki.load()
    now = int(time.time())
    rng = random.Random(7)
    texts = sorted((pki.new_wallet(identity=random_identity(rng), now=now).qr_text(now) for _ in range(40)), key=len)
    typical = texts[len(texts) // 2]
    return {"qr_chars": len(typical), "qr_version_ecc_m": version(typical),
            "qr_version_ecc_m_max": max(version(t) for t in texts), "qr_chars_max": len(texts[-1])}


def _host_ms() -> float:
    from vitale_reader.credential import HostVerifier, load_trust_anchor
    from vitale_sim import testpki

    pki = testpki.load()
    now = int(time.time())
    w = pki.new_wallet(now=now)
    v = HostVerifier(load_trust_anchor())
    texts = [w.qr_text(now) for _ in range(50)]
    t0 = time.perf_counter()
    for t in texts:
        if not v.verify_qr(t, now).ok:
            raise RuntimeError("host verification failed")
    return 1000 * (time.perf_counter() - t0) / len(texts)


def figures() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = _inputs(tmp)
        mp = _run("micropython", path)
        cp = _run("cpython", path)
    fig = {
        "presentation_verify_ms_micropython": float(mp["qr_verify_ms"]),
        "presentation_verify_ms_cpython": float(cp["qr_verify_ms"]),
        "qr_verify_ms_micropython": float(mp["qr_verify_ms"]),
        "nfc_verify_ms_micropython": float(mp["nfc_verify_ms"]),
        "presentation_parse_ms_micropython": float(mp["parse_ms"]),
        "trustlist_load_ms_micropython": float(mp["trustlist_load_ms"]),
        "trustlist_load_ms_cpython": float(cp["trustlist_load_ms"]),
        "credential_p256_verify_ms_micropython": float(mp["p256_verify_ms"]),
        "credential_trusted_verify_ms_micropython": float(mp["trusted_verify_ms"]),
        "presentation_verify_ratio_to_p256_verify": mp["qr_verify_ms"] / mp["p256_verify_ms"],
        "presentation_verify_ratio_to_p256_verify_cpython": cp["qr_verify_ms"] / cp["p256_verify_ms"],
        "host_presentation_verify_ms": _host_ms(),
    }
    fig.update(_qr_size())
    return fig


if __name__ == "__main__":
    print(json.dumps(figures(), indent=1))
