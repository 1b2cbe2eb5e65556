"""The NFC path end to end: simulated phone -> PN532 model -> firmware -> host, both runtimes."""
import time

import pytest
from vitale_reader import CaptureErrorEvent, CardEvent, CommandFailed, CredentialEvent, Reader
from vitale_reader.events import Event
from vitale_sim.harness import SimReader
from vitale_sim.phone import EXPECTED, FAULTS


@pytest.fixture
def setup(runtime, tmp_path):
    with SimReader(str(tmp_path / "link"), runtime=runtime) as sim, Reader(sim.link_path) as reader:
        yield sim, reader


def outcome(reader, timeout=20.0) -> Event:
    """The tap's result: the first credential or capture error (card events are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        event = reader.next_event(timeout=max(0.1, deadline - time.monotonic()))
        if not isinstance(event, CardEvent):
            return event


def test_tap_gives_a_verified_credential(setup, wallet_path):
    sim, reader = setup
    assert {"nfc", "relay"} <= reader.info().features
    assert sim.command(f"tap {wallet_path}").startswith("ok")
    first = reader.next_event(timeout=20)
    assert isinstance(first, CardEvent) and first.present
    event = outcome(reader)
    assert isinstance(event, CredentialEvent), event
    assert (event.source, event.verified, event.reason, event.reader_ok) == ("nfc", True, None, True)
    assert event.identity.is_test
    sim.command("remove")
    gone = reader.next_event(timeout=10)
    assert isinstance(gone, CardEvent) and not gone.present


def removed(reader, timeout=20.0) -> CardEvent:
    """Wait for the reader to report the phone gone (events of the tap before are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        event = reader.next_event(timeout=max(0.1, deadline - time.monotonic()))
        if isinstance(event, CardEvent) and not event.present:
            return event


@pytest.mark.parametrize("fault", FAULTS)
def test_faulty_phone_then_a_good_tap(setup, wallet_path, fault):
    sim, reader = setup
    sim.command(f"tap {wallet_path} --fault {fault}")
    event = outcome(reader)
    kind, reason = EXPECTED[fault]
    if kind == "capture_error":
        assert isinstance(event, CaptureErrorEvent), event
        assert (event.source, event.reason) == ("nfc", reason)
    else:  # a presentation reached both verifiers, which refuse it for the same, one reason
        assert isinstance(event, CredentialEvent), event
        assert (event.source, event.verified, event.reader_ok) == ("nfc", False, False)
        assert (event.reason, event.reader_reason) == (reason, reason)
    sim.command("remove")
    removed(reader)  # the reader saw the phone go: the next tap is a new one
    sim.command(f"tap {wallet_path}")
    event = outcome(reader)
    assert isinstance(event, CredentialEvent) and event.verified, event
    sim.command("remove")


def test_transparent_relay(setup, wallet_path):
    """Host-driven APDUs: software running its own (e.g. licensed) flow over our hardware."""
    sim, reader = setup
    reader.relay(True)
    sim.command(f"tap {wallet_path}")
    assert isinstance(reader.next_event(timeout=20), CardEvent)
    response = reader.transmit(bytes.fromhex("00A4040007F056495441 4C4500".replace(" ", "")))
    assert response[-2:] == b"\x90\x00"
    with pytest.raises(TimeoutError):
        outcome(reader, timeout=1.0)  # relay mode: the reader runs no session of its own
    sim.command("remove")
    assert isinstance(reader.next_event(timeout=10), CardEvent)
    with pytest.raises(CommandFailed) as err:
        reader.transmit(bytes.fromhex("00A4040007F0564954414C4500"))
    assert err.value.code == "no_card"
    reader.relay(False)
