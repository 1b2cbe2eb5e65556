"""End to end over a real pty: the host library against the firmware on both runtimes."""
import os
import time

import pytest
import serial
from vitale_link import frame, messages
from vitale_reader import CommandFailed, Reader, ReaderTimeout, ReaderUnavailable
from vitale_sim.harness import SimReader


@pytest.fixture
def sim(runtime, tmp_path):
    with SimReader(str(tmp_path / "link"), runtime=runtime) as reader:
        yield reader


def test_handshake_info_ping_time(sim):
    before = time.time()
    with Reader(sim.link_path) as reader:
        assert reader.hello.protocol_version == 1
        assert reader.hello.board == "sim"
        assert reader.hello.device_id == sim.device_id.hex()
        info = reader.info()
        after = time.time()
        assert info.firmware_version == reader.hello.firmware_version
        # Reader() set the clock to the host's time at open: the reader's time lies between
        assert int(before * 1000) <= info.reader_unix_ms <= int(after * 1000) + 2  # ms rounding
        reader.ping(os.urandom(1000))  # raises unless the reader echoes these 1000 bytes
        assert reader.set_time(1_700_000_000_000) >= 1_700_000_000_000
        with pytest.raises(ReaderTimeout):
            reader.next_event(timeout=0.2)


def test_unknown_and_malformed_messages_get_typed_errors(sim):
    with Reader(sim.link_path) as reader:
        with pytest.raises(CommandFailed) as err:
            reader.link.request(0x55, {}, 2.0)
        assert err.value.code == "unknown_message"
        with pytest.raises(CommandFailed) as err:
            reader.link.request(messages.SET_TIME, {}, 2.0)  # lacks unix_ms
        assert err.value.code == "bad_message"
        reader.ping(b"still alive")  # raises unless echoed


def test_noisy_line_and_reconnect(sim):
    # Line noise and corrupt frames straight onto the port, then a normal session.
    with serial.Serial(sim.link_path, timeout=0.2) as port:
        port.write(os.urandom(3000))
        good = frame.encode_frame(frame.Frame(messages.PING, 1, b""))
        port.write(good[:-3] + b"\xff\xfe" + good[-1:])  # bad CRC
        port.write(b"\x01" * (frame.MAX_ENCODED + 50) + b"\x00")  # over-long
        port.read(4096)
    for _ in range(2):  # a host that comes and goes
        with Reader(sim.link_path) as reader:
            reader.ping(b"x")  # raises unless echoed


def test_missing_port_is_reader_unavailable(tmp_path):
    with pytest.raises(ReaderUnavailable):
        Reader(str(tmp_path / "nothing-here"))


def test_unplugged_reader_gives_link_failure(runtime, tmp_path):
    from vitale_reader import LinkFailure, VitaleError

    sim = SimReader(str(tmp_path / "link"), runtime=runtime).start()
    reader = Reader(sim.link_path)
    try:
        sim.stop()  # the firmware stops and the port goes away, as when the cable is pulled
        with pytest.raises(LinkFailure):
            for _ in range(3):
                reader.ping(b"anyone?")
        with pytest.raises(VitaleError):
            reader.next_event(timeout=1)
    finally:
        reader.close()
        reader.close()  # safe twice


def test_trust_list_update_over_the_link(runtime, tmp_path):
    """A new list (a revocation) installs; a rollback and a forged list are refused; flash keeps it."""
    import shutil

    from vitale_sim.issuer.pki import Pki
    from vitale_sim.testpki import DIR as TEST_PKI

    pki_dir = tmp_path / "pki"
    shutil.copytree(TEST_PKI, pki_dir)
    pki = Pki.load(pki_dir)
    v1, base = pki.trust_list_bytes, pki.version
    storage = tmp_path / "flash"
    storage.mkdir()
    with SimReader(str(tmp_path / "link"), runtime=runtime, pki=str(pki_dir), storage_dir=str(storage)) as sim:
        with Reader(sim.link_path, pki=str(pki_dir)) as reader:
            assert reader.info().trust_version == base
            v2 = pki.revoke(os.urandom(16))
            assert reader.update_trust_list(v2) == pki.version == base + 1
            with pytest.raises(CommandFailed) as err:
                reader.update_trust_list(v1)
            assert err.value.code == "trust_list_rollback"
            forged = bytearray(v2)
            forged[-5] ^= 0x40
            with pytest.raises(CommandFailed) as err:
                reader.update_trust_list(bytes(forged))
            assert err.value.code in ("trust_list_signature", "trust_list_malformed")
    # the board restarts: the installed list is still there
    with SimReader(str(tmp_path / "link"), runtime=runtime, pki=str(pki_dir), storage_dir=str(storage)) as sim:
        with Reader(sim.link_path, pki=str(pki_dir)) as reader:
            assert reader.info().trust_version == pki.version
