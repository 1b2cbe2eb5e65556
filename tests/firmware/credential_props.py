"""Property tests of the firmware's CBOR decoder and verifier against the host's (tests/test_credential_fuzz.py).

Runs as firmware on the CPython runtime (props.py); ``verdicts`` comes from
tests/ (passed on the path). Bad input never escapes as an exception, and
both verifiers give the same reason. The same code runs under the real
MicroPython interpreter on a fixed fuzz batch (test_credential_firmware.py).
"""
import time

import cbor2
from hypothesis import given, settings
from hypothesis import strategies as st
from props import FUZZ, prop, report
from vitale_reader.credential import HostVerifier, load_trust_anchor
from vitale_sim import testpki

from verdicts import same_reason
from verify import cbor, replay, trustlist, verifier


class MemStorage:
    def __init__(self, files=None):
        self.files = dict(files or {})

    def read(self, name):
        return self.files.get(name)

    def write_atomic(self, name, data):
        self.files[name] = bytes(data)


PKI = testpki.load()
STORE = trustlist.TrustStore(PKI.root_public_key, MemStorage({"trustlist.cose": PKI.trust_list_bytes}))
STORE.load()
FW = verifier.Verifier(STORE, replay.ReplayCache())
HOST = HostVerifier(load_trust_anchor())
NOW = int(time.time())
WALLET = PKI.new_wallet(now=NOW)


@prop
@settings(max_examples=400 * FUZZ, deadline=None)
@given(st.binary(max_size=200))
def cbor_decoder_random_bytes(data):
    try:
        cbor.decode(data)
    except cbor.CborError as err:
        assert isinstance(err, ValueError) and err.code == "cbor"


# well-formed-ish CBOR: random heads with plausible arguments, to get past the first byte
_head = st.tuples(st.integers(0, 7), st.sampled_from([0, 1, 5, 23, 24, 25, 26, 27, 28, 31]),
                  st.binary(min_size=0, max_size=9))


@prop
@settings(max_examples=400 * FUZZ, deadline=None)
@given(st.lists(_head, max_size=40))
def cbor_decoder_structured_noise(heads):
    data = b"".join(bytes([mt << 5 | ai]) + arg for mt, ai, arg in heads)
    try:
        cbor.decode(data)
    except cbor.CborError:
        pass


@prop
@settings(max_examples=200 * FUZZ, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.binary(max_size=20)
                    | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.integers(-30, 30) | st.text(max_size=4),
                                                                         c, max_size=4),
                    max_leaves=30))
def cbor_encoder_decoder_roundtrip(value):
    data = cbor.encode(value)
    try:
        back = cbor.decode(data)
    except cbor.CborError as err:  # only the limits may refuse what the encoder wrote
        assert "deep" in str(err) or "items" in str(err)
        return
    assert back == value
    assert cbor2.loads(data) == value  # and another decoder agrees


@prop
@settings(max_examples=300 * FUZZ, deadline=None)
@given(st.text(max_size=120) | st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=200)
       .map(lambda t: "VT1:" + t))
def verify_qr_random_text(text):
    a = FW.verify_qr(text, NOW)
    b = HOST.verify_qr(text, NOW)
    assert not a.ok and not b.ok
    assert same_reason(a.reason, b.reason) and a.reason != "internal", (a.reason, b.reason)


@prop
@settings(max_examples=150 * FUZZ, deadline=None)
@given(st.data())
def verify_mutated_presentations(data):
    """Bit flips, cuts and insertions in a genuine NFC presentation: both verifiers agree, neither raises."""
    nonce, th = bytes(16), bytes(32)
    pres = bytearray(WALLET.nfc_presentation(nonce, th, NOW))
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(pres) - 1))
        op = data.draw(st.integers(0, 2))
        if op == 0:
            pres[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == 1:
            del pres[i:i + data.draw(st.integers(1, 5))]
        else:
            pres[i:i] = data.draw(st.binary(min_size=1, max_size=3))
    a = FW.verify_nfc(bytes(pres), nonce, th, NOW)
    b = HOST.verify_nfc(bytes(pres), nonce, th, NOW)
    assert a.ok == b.ok and "internal" not in (a.reason, b.reason), (a.reason, b.reason)
    assert same_reason(a.reason, b.reason), (a.reason, b.reason)


@prop
def internal_reason_when_the_verifier_itself_fails():
    """A failing dependency (here a broken trust store) gives 'internal', never an exception or a pass."""
    class Broken:
        loaded = True

        def issuer(self, kid):
            raise MemoryError

    v = verifier.Verifier(Broken(), replay.ReplayCache())
    r = v.verify_qr(WALLET.qr_text(NOW), NOW)
    assert (r.ok, r.reason) == (False, "internal")
    r = v.verify_nfc(WALLET.nfc_presentation(bytes(16), bytes(32), NOW), bytes(16), bytes(32), NOW)
    assert (r.ok, r.reason) == (False, "internal")

    class BrokenAnchor:
        loaded = True
        revoked = frozenset()

        @property
        def issuers(self):
            raise MemoryError

    assert HostVerifier(BrokenAnchor()).verify_qr(WALLET.qr_text(NOW), NOW).reason == "internal"


report()
