"""QR capture units on both runtimes: dedup, text checks, GM65 parser, Tiny Code Reader, OpenMV fakes."""
import pytest

from support import check


@pytest.fixture(scope="module")
def units(runtime):
    return check(runtime, "qr_units.py")


def test_dedup(units):
    assert units["dedup_seq"] == [True, False, False, True, True, False]
    assert units["dedup_evict"] == [True, True, False]
    assert units["dedup_wrap"] == [True, False, True]
    assert units["key_len"] == 8


def test_text_checks(units):
    assert units["check_ok"] == "HC1:ABC"
    assert units["check_gs"] == "IS01S1\x1dS2"
    assert units["check_utf8"] == "Zoé"
    assert units["check_long"] == "too_long"
    assert units["check_ctrl"] == "bad_encoding"
    assert units["check_del"] == "bad_encoding"
    assert units["check_bad_utf8"] == "bad_encoding"


def test_gm65_parser(units):
    assert units["parser_events"] == [
        ["code", "HELLO"],
        ["code", "WORLD"],
        ["code", "A\nB"],  # a lone LF is data; only CR LF ends a code
        ["response", 0, "00"],
        ["too_long", 20],
        ["empty", 0],
        ["bad_response", "crc"],
        ["response", 0, "d521"],
        ["code", "NOTAIL"],  # ended by the idle gap
        ["bad_response", "truncated"],
        ["code", "\x02Q9"],
    ]
    assert units["parser_n_before_idle"] == 8
    # exactly max_len fits; one more is too long
    assert units["exact_max"] == [["code", "12345678"], ["too_long", 9]]


def test_tiny_code_reader(units):
    # a code held for 4 reads is one event; the 300-byte code is cut by the module: too_long once;
    # the bus failure is engine_error once; a non-UTF-8 payload is bad_encoding; a code seen
    # again within the hold-off is still the same presentation
    assert units["tcr_codes"] == ["VC1:SHORT-CODE"]
    assert units["tcr_errors"] == ["too_long", "engine_error", "bad_encoding"]
    assert "300 bytes, max 253" in units["tcr_error_details"][0]
    assert units["tcr_253"] == 253
    assert units["tcr_254"] == 254  # a full array may be a cut code: never delivered
    assert units["tcr_addr"] == 0x0C
    assert units["tcr_duplicates"] >= 4


def test_openmv(units):
    assert units["openmv_codes"] == ["VC1:QR", "IS01S1X"]
    assert units["openmv_setup"][:4] == ["reset", "pixformat", "framesize", "skip"]


def test_make_qr_capture(units):
    assert units["no_scanner"] is True
    assert units["tcr_kind"] == "TinyCodeReader"
    assert units["gm65_kind"] == ["Gm65", "continuous", 1000]
    assert units["unknown_kind"] == "engine_error"


def test_callback_error_does_not_stop_capture(units):
    assert units["callback_errors"] == [["callback_error", "ValueError"], ["callback_error", "ValueError"]]
    assert units["callback_task_alive"] == ["qr"]
