"""The firmware application without hardware, on both runtimes, on a clock advanced by hand."""
from support import check


def test_reader_app_units(runtime):
    out = check(runtime, "app_units.py")
    assert out["boot_outbox"] == ["reader_started"]  # empty flash is no corrupt trust list
    # a long-lived task that dies: reported once, running again on the next turn
    assert out["starts"] == 2 and out["tasks"] == ["flaky", "link"]
    assert out["died"] == [["capture_error", "flaky", "internal", "ValueError"]]
    # 40 events with no host: reader_started (event 1) is in the link, the capture_error (2) and
    # the 40 card events (3..42) wait in an outbox of 32: the 9 oldest (2..10) are dropped, counted
    assert out["queued"] == [32, 1, 9]
    # SPEC.md §4: sent, then resent every 250 ms, 6 sends in all: given up 6 x 250 ms after the first
    assert out["failed_after_ms"] == 1500
    assert out["after_failure"] == [33, 0]  # the failed event waits again, in front of the others
    assert out["offered_again_after_ms"] == 2000  # "offers them again 2 s later"
    # a host says HELLO: every waiting event, once, in order (1, then 11..42)
    assert out["delivered"] == [1] + list(range(11, 43))
