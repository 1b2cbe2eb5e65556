"""Property tests (hypothesis, CPython with the firmware's shims) of the GM65 byte assembler and dedup.

However the UART splits the bytes, the same codes come out; codes are never
merged or cut; overlong codes are reported with their real length. The
firmware-on-both-runtimes checks are in test_qr_units.py / test_qr_gm65.py.
"""
import os
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from runtimes import FUZZ, ROOT

# the firmware and the CPython runtime's stand-ins (micropython.const, time.ticks_*), appended so
# nothing installed is shadowed
for _p in (os.path.join(ROOT, "firmware"), os.path.join(ROOT, "simulator", "cpython")):
    if _p not in sys.path:
        sys.path.append(_p)
import mpy_time  # noqa: E402

mpy_time.patch_time_module()

from qr import dedup, gm65  # noqa: E402

codes = st.lists(
    st.binary(min_size=1, max_size=60).filter(lambda b: b"\r\n" not in b and not b.endswith(b"\r")
                                              and not b.startswith(b"\x02")),
    min_size=1, max_size=8)


@settings(max_examples=150 * FUZZ, deadline=None)
@given(codes=codes, cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=30))
def test_chunking_does_not_change_codes(codes, cuts):
    stream = b"".join(c + b"\r\n" for c in codes)
    p = gm65.Parser(max_len=40, gap_ms=50)
    i = 0
    for n in cuts:
        p.feed(stream[i:i + n], 0)
        i += n
    p.feed(stream[i:], 0)
    expected = [("code", c) if len(c) <= 40 else ("too_long", len(c)) for c in codes]
    assert [tuple(e) for e in p.events] == expected


@settings(max_examples=100 * FUZZ, deadline=None)
@given(codes=codes, acks=st.lists(st.booleans(), max_size=8))
def test_responses_between_codes_are_separated(codes, acks):
    stream = b""
    expected = []
    for i, c in enumerate(codes):
        if i < len(acks) and acks[i]:
            stream += gm65.ACK
            expected.append(("response", 0, b"\x00"))
        stream += c + b"\r\n"
        expected.append(("code", c) if len(c) <= 64 else ("too_long", len(c)))
    p = gm65.Parser(max_len=64)
    for i in range(0, len(stream), 7):
        p.feed(stream[i:i + 7], 0)
    assert [tuple(e) for e in p.events] == expected


@settings(max_examples=100 * FUZZ, deadline=None)
@given(reads=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 2500)), min_size=1, max_size=40))
def test_dedup_matches_a_reference_model(reads):
    """Against an unbounded reference: with enough slots, fresh == (never seen or absent >= hold-off)."""
    d = dedup.Dedup(hold_off_ms=3000, capacity=6)
    last = {}
    now = 0
    for code, gap in reads:
        now += gap
        key = dedup.key_of(str(code))
        want = code not in last or now - last[code] >= 3000
        last[code] = now
        assert d.fresh(key, now) == want
