"""Property tests (hypothesis, CPython): bad input never escapes as an exception.

The firmware modules are imported in-process here (firmware/ and the
CPython stand-ins appended to sys.path); the same code runs under the real
MicroPython interpreter on a fixed fuzz batch in test_credential_firmware.py.
"""
import importlib
import os
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtimes import FUZZ, ROOT
from verdicts import same_reason


def _firmware():
    """Import firmware/verify (and firmware/crypto) in this process, after the CPython stand-ins."""
    for p in (os.path.join(ROOT, "firmware"), os.path.join(ROOT, "simulator", "cpython")):
        if p not in sys.path:
            sys.path.append(p)
    mods = {n: importlib.import_module("verify." + n) for n in ("cbor", "verifier", "trustlist", "replay",
                                                                   "reasons")}
    return mods


FW = _firmware()
cbor = FW["cbor"]


class MemStorage:
    def __init__(self, files=None):
        self.files = dict(files or {})

    def read(self, name):
        return self.files.get(name)

    def write_atomic(self, name, data):
        self.files[name] = bytes(data)


@pytest.fixture(scope="module")
def setup():
    from vitale_reader.credential import HostVerifier, load_trust_anchor
    from vitale_sim import testpki

    pki = testpki.load()
    store = FW["trustlist"].TrustStore(pki.root_public_key, MemStorage({"trustlist.cose": pki.trust_list_bytes}))
    store.load()
    fw = FW["verifier"].Verifier(store, FW["replay"].ReplayCache())
    host = HostVerifier(load_trust_anchor())
    now = int(time.time())
    wallet = pki.new_wallet(now=now)
    return fw, host, wallet, now


@settings(max_examples=400 * FUZZ, deadline=None)
@given(st.binary(max_size=200))
def test_cbor_decoder_random_bytes(data):
    try:
        cbor.decode(data)
    except cbor.CborError as err:
        assert isinstance(err, ValueError) and err.code == "cbor"


# well-formed-ish CBOR: random heads with plausible arguments, to get past the first byte
_head = st.tuples(st.integers(0, 7), st.sampled_from([0, 1, 5, 23, 24, 25, 26, 27, 28, 31]),
                  st.binary(min_size=0, max_size=9))


@settings(max_examples=400 * FUZZ, deadline=None)
@given(st.lists(_head, max_size=40))
def test_cbor_decoder_structured_noise(heads):
    data = b"".join(bytes([mt << 5 | ai]) + arg for mt, ai, arg in heads)
    try:
        cbor.decode(data)
    except cbor.CborError:
        pass


@settings(max_examples=200 * FUZZ, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.binary(max_size=20)
                    | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.integers(-30, 30) | st.text(max_size=4),
                                                                         c, max_size=4),
                    max_leaves=30))
def test_cbor_encoder_decoder_roundtrip(value):
    import cbor2

    data = cbor.encode(value)
    try:
        back = cbor.decode(data)
    except cbor.CborError as err:  # only the limits may refuse what the encoder wrote
        assert "deep" in str(err) or "items" in str(err)
        return
    assert back == value
    assert cbor2.loads(data) == value  # and another decoder agrees


@settings(max_examples=300 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120) | st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=200)
       .map(lambda t: "VT1:" + t))
def test_verify_qr_random_text(setup, text):
    fw, host, _, now = setup
    a = fw.verify_qr(text, now)
    b = host.verify_qr(text, now)
    assert not a.ok and not b.ok
    assert same_reason(a.reason, b.reason) and a.reason != "internal"


@settings(max_examples=150 * FUZZ, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_verify_mutated_presentations(setup, data):
    """Bit flips, cuts and insertions in a genuine NFC presentation: both verifiers agree, neither raises."""
    fw, host, wallet, now = setup
    nonce, th = bytes(16), bytes(32)
    pres = bytearray(wallet.nfc_presentation(nonce, th, now))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(pres) - 1))
        op = data.draw(st.integers(0, 2))
        if op == 0:
            pres[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == 1:
            del pres[i:i + data.draw(st.integers(1, 5))]
        else:
            pres[i:i] = data.draw(st.binary(min_size=1, max_size=3))
    a = fw.verify_nfc(bytes(pres), nonce, th, now)
    b = host.verify_nfc(bytes(pres), nonce, th, now)
    assert not (a.ok and not b.ok) and not (b.ok and not a.ok) and "internal" not in (a.reason, b.reason)
    assert same_reason(a.reason, b.reason), (a.reason, b.reason)


def test_internal_reason_when_the_verifier_itself_fails(setup):
    """A failing dependency (here a broken trust store) gives 'internal', never an exception or a pass."""
    fw, host, wallet, now = setup

    class Broken:
        loaded = True

        def issuer(self, kid):
            raise MemoryError

    v = FW["verifier"].Verifier(Broken(), FW["replay"].ReplayCache())
    r = v.verify_qr(wallet.qr_text(now), now)
    assert (r.ok, r.reason) == (False, "internal")
    r = v.verify_nfc(wallet.nfc_presentation(bytes(16), bytes(32), now), bytes(16), bytes(32), now)
    assert (r.ok, r.reason) == (False, "internal")

    from vitale_reader.credential import HostVerifier

    class BrokenAnchor:
        loaded = True
        revoked = frozenset()

        @property
        def issuers(self):
            raise MemoryError

    h = HostVerifier(BrokenAnchor())  # type: ignore[arg-type]
    assert h.verify_qr(wallet.qr_text(now), now).reason == "internal"
