"""Property tests of the GM65 byte assembler and of the de-duplication (tests/test_qr_parser_props.py).

Runs as firmware on the CPython runtime (props.py). However the UART splits
the bytes, the same codes come out; codes are never merged or cut; overlong
codes are reported with their real length; de-duplication matches an
unbounded reference model. Time is passed in explicitly.
"""
from hypothesis import given, settings
from hypothesis import strategies as st
from props import FUZZ, prop, report

from qr import dedup, gm65

codes = st.lists(
    st.binary(min_size=1, max_size=60).filter(lambda b: b"\r\n" not in b and not b.endswith(b"\r")
                                              and not b.startswith(b"\x02")),
    min_size=1, max_size=8)


@prop
@settings(max_examples=150 * FUZZ, deadline=None)
@given(codes=codes, cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=30))
def chunking_does_not_change_codes(codes, cuts):
    stream = b"".join(c + b"\r\n" for c in codes)
    p = gm65.Parser(max_len=40, gap_ms=50)
    i = 0
    for n in cuts:
        p.feed(stream[i:i + n], 0)
        i += n
    p.feed(stream[i:], 0)
    expected = [("code", c) if len(c) <= 40 else ("too_long", len(c)) for c in codes]
    assert [tuple(e) for e in p.events] == expected


@prop
@settings(max_examples=100 * FUZZ, deadline=None)
@given(codes=codes, acks=st.lists(st.booleans(), max_size=8))
def responses_between_codes_are_separated(codes, acks):
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


@prop
@settings(max_examples=100 * FUZZ, deadline=None)
@given(reads=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 2500)), min_size=1, max_size=40))
def dedup_matches_a_reference_model(reads):
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


report()
