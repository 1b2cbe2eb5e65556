"""PC/SC backend (``vitale_reader.PcscReader``) through the REAL pcscd.

A simulated phone (``SimPhone``) is served as the card of a vsmartcard
virtual reader (``VpcdCard``); pcscd (Debian ``pcscd`` + ``vsmartcard-vpcd``)
and pyscard carry the APDUs exactly as for an ACR122U with a phone on it.

The session fixture starts ``pcscd --foreground`` unless one already runs
(then it is reused, never stopped), and stops it at the end if this test run
started it. Under pytest-xdist each worker uses its own vpcd slot (Debian's
vpcd has two: ``Virtual PCD 00 00`` on port 35963, ``... 00 01`` on 35964);
workers share the daemon and the last one out stops it. If pcscd cannot run
here the tests FAIL with the reason: they never skip.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from vitale_reader import (CaptureErrorEvent, CardEvent, CommandFailed, CredentialEvent, ProtocolError,
                           ReaderTimeout, ReaderUnavailable)
from vitale_reader import nfc_session, pcsc
from vitale_sim.phone import EXPECTED, FAULTS, SimPhone
from vitale_sim.vpcd import VpcdCard

from support import ROOT

VECTOR = os.path.join(ROOT, "protocol", "vectors", "nfc", "session_v1.json")
STATE_DIR = "/tmp/vitale-pcscd-tests"
VPCD_CONF = "/etc/reader.conf.d/vpcd"
VPCD_PORT = 35963
SLOTS = 2  # Debian's vpcd config: two virtual readers
START_TIMEOUT = 30.0  # s, for pcscd to list the virtual readers
EVENT_TIMEOUT = 30.0  # s, for any one event (generous: a loaded 2-core machine)
GENEROUS = dict(exchange_timeout=15.0, tap_timeout=30.0)  # budgets that load cannot break
SELECT = bytes.fromhex("00A4040007F0564954414C4500")


# --- pcscd, shared by the xdist workers ------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _owner_pid(path: str) -> int:
    """The pcscd this test run started (0: none)."""
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def _pcscd_running() -> bool:
    """A pcscd answers, or its pid file names a live process (the file ends in a NUL byte)."""
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr == scard.SCARD_S_SUCCESS:
        scard.SCardReleaseContext(ctx)
        return True
    try:
        with open("/run/pcscd/pcscd.pid") as f:
            return _alive(int(f.read().strip("\x00 \t\r\n") or 0))
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _locked(name: str):
    os.makedirs(STATE_DIR, exist_ok=True)
    with open(os.path.join(STATE_DIR, name), "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _pcscd_path() -> str:
    found = shutil.which("pcscd") or ("/usr/sbin/pcscd" if os.path.exists("/usr/sbin/pcscd") else None)
    if found is None:
        pytest.fail("pcscd is not installed: `make setup` installs Debian's pcscd and vsmartcard-vpcd "
                    "(on a machine set up before, remove .venv/.system first)", pytrace=False)
    if not os.path.exists(VPCD_CONF):
        pytest.fail(f"{VPCD_CONF} missing: the vsmartcard-vpcd package is not installed", pytrace=False)
    return found


def _readers() -> list[str]:
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hr != scard.SCARD_S_SUCCESS:
        return []
    try:
        hr, names = scard.SCardListReaders(ctx, [])
        return [str(n) for n in names] if hr == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(ctx)


def _log_tail(path: str) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-30:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def pcscd():
    """A running pcscd with the vpcd readers; yields this worker's ``(reader name, vpcd port)``."""
    exe = _pcscd_path()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    slot = int(worker[2:]) % SLOTS if worker[2:].isdigit() else 0
    name, port = f"Virtual PCD 00 {slot:02X}", VPCD_PORT + slot
    users = os.path.join(STATE_DIR, "users")
    owner = os.path.join(STATE_DIR, "owner.pid")
    log_path = os.path.join(STATE_DIR, "pcscd.log")
    with _locked("state.lock"):
        os.makedirs(users, exist_ok=True)
        open(os.path.join(users, str(os.getpid())), "w").close()
    try:
        _start(exe, name, owner, log_path)
        yield name, port
    finally:
        _stop(users, owner)


def _start(exe: str, name: str, owner: str, log_path: str) -> None:
    proc = None
    with _locked("state.lock"):  # one worker at a time decides, starts, and waits until pcscd serves
        if not (_pcscd_running() or _alive(_owner_pid(owner))):
            with contextlib.suppress(FileNotFoundError):
                os.remove(owner)
            with open(log_path, "wb") as log:
                proc = subprocess.Popen([exe, "--foreground", "--info"], stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            with open(owner, "w") as f:
                f.write(str(proc.pid))
        deadline = time.monotonic() + START_TIMEOUT
        while name not in _readers():
            if proc is not None and proc.poll() is not None:
                pytest.fail(f"pcscd exited with status {proc.returncode}; its log:\n{_log_tail(log_path)}",
                            pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"pcscd did not list {name!r} within {START_TIMEOUT:.0f} s (readers: {_readers()}); "
                            f"pcscd log:\n{_log_tail(log_path)}", pytrace=False)
            time.sleep(0.2)


def _stop(users: str, owner: str) -> None:
    """The last worker out stops the pcscd this test run started (never a system one)."""
    with _locked("state.lock"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(users, str(os.getpid())))
        for entry in os.listdir(users):  # workers that died without cleaning up
            if not (entry.isdigit() and _alive(int(entry))):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(users, entry))
        if os.listdir(users) or not os.path.exists(owner):
            return
        pid = _owner_pid(owner)
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10.0
            while _alive(pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)  # our child if this worker started it
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        os.remove(owner)


def _card_present(name: str) -> bool:
    from smartcard import scard

    hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        hr, states = scard.SCardGetStatusChange(ctx, 0, [(name, scard.SCARD_STATE_UNAWARE)])
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(ctx)


@pytest.fixture
def slot(pcscd):
    """This worker's virtual reader, held for the test, empty at the start."""
    name, port = pcscd
    with _locked(f"slot{port}.lock"):
        deadline = time.monotonic() + EVENT_TIMEOUT
        while _card_present(name):
            assert time.monotonic() < deadline, f"a card stays in {name!r}"
            time.sleep(0.1)
        yield name, port


@contextlib.contextmanager
def phone_in(port: int, wallet: str, fault=None):
    """A phone on the virtual reader for the block: inserted, then removed."""
    card = VpcdCard(SimPhone(wallet, fault=fault), port=port)
    card.insert()
    try:
        yield card
    finally:
        card.close()


def next_of(reader, kind, timeout=EVENT_TIMEOUT):
    event = reader.next_event(timeout=timeout)
    assert isinstance(event, kind), event
    return event


def tap(reader, port, wallet, fault=None):
    """A whole tap: card present, the outcome, card removed. Returns the outcome event."""
    with phone_in(port, wallet, fault):
        assert next_of(reader, CardEvent).present
        outcome = reader.next_event(timeout=EVENT_TIMEOUT)
    assert not next_of(reader, CardEvent).present
    return outcome


# --- the reader side of the protocol, without pcscd ---------------------------------------------------


def test_session_matches_the_vector_byte_for_byte():
    with open(VECTOR) as f:
        v = json.load(f)
    script = [(bytes.fromhex(a["command"]), bytes.fromhex(a["response"])) for a in v["apdus"]]
    sent = []

    def exchange(apdu):
        expected, response = script[len(sent)]
        sent.append(apdu)
        assert apdu == expected, f"APDU {len(sent)}: {apdu.hex()} != {expected.hex()}"
        return response

    priv = ec.derive_private_key(int(v["reader_priv"], 16), ec.SECP256R1())
    result = pcsc.run_session(exchange, nonce=bytes.fromhex(v["nonce"]), private_key=priv)
    assert len(sent) == len(script)
    assert result.presentation == bytes.fromhex(v["presentation"])
    assert result.transcript_hash == bytes.fromhex(v["transcript_hash"])
    assert result.nonce == bytes.fromhex(v["nonce"])
    assert result.select_data == bytes.fromhex(v["select_data"])
    # every intermediate value
    reader_pub, phone_pub = bytes.fromhex(v["reader_pub"]), bytes.fromhex(v["phone_pub"])
    assert nfc_session.pub65(priv) == reader_pub
    args = (bytes.fromhex(v["select_data"]), reader_pub, bytes.fromhex(v["nonce"]), phone_pub)
    assert nfc_session.transcript(*args) == bytes.fromhex(v["transcript"])
    shared = priv.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), phone_pub))
    assert shared == bytes.fromhex(v["shared_secret"])
    assert nfc_session.session_key(shared, result.transcript_hash) == bytes.fromhex(v["session_key"])
    assert "presentation" not in repr(result) and v["presentation"][:16] not in repr(result)


def test_session_fresh_nonce_and_key_every_time(wallet_path):
    phone = SimPhone(wallet_path)
    seen = set()
    for _ in range(2):
        phone.power_on()
        result = pcsc.run_session(phone.apdu)
        auth = [c for c, _ in phone.log if c[1] == pcsc.INS_AUTHENTICATE][-1]
        seen.add((result.nonce, auth[5 + 16:5 + 16 + 65]))
    assert len(seen) == 2 and len({n for n, _ in seen}) == 2 and len({k for _, k in seen}) == 2


@pytest.mark.parametrize("fault", ["wrong_aid", "bad_crypto", "replayed_response", "garbage_apdu",
                                   "oversized_apdu"])
def test_session_outcomes_without_pcscd(wallet_path, fault):
    phone = SimPhone(wallet_path, fault=fault)
    phone.power_on()
    with pytest.raises(pcsc.CaptureFailed) as info:
        pcsc.run_session(phone.apdu)
    assert info.value.reason == EXPECTED[fault][1]


def test_session_rejects_bad_select_and_endless_chaining():
    with pytest.raises(pcsc.CaptureFailed, match="protocol"):
        pcsc.run_session(lambda apdu: b"\x02\x01\x00\x90\x00")  # version 2
    with pytest.raises(pcsc.CaptureFailed) as info:
        pcsc.run_session(lambda apdu: b"\x00" * 200 + b"\x61\x00")
    assert info.value.reason == "bad_apdu"


def test_pyscard_missing_gives_reader_unavailable(monkeypatch):
    for mod in ("smartcard", "smartcard.scard"):
        monkeypatch.setitem(sys.modules, mod, None)  # `import smartcard` now raises ImportError
    with pytest.raises(ReaderUnavailable, match=r"vitale_reader\[pcsc\]"):
        pcsc.PcscReader()


def test_importing_the_library_needs_no_pyscard():
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'smartcard': raise ImportError('blocked')\n"
            "sys.meta_path.insert(0, Block())\n"
            "import vitale_reader\n"
            "from vitale_reader import *\n"
            "assert 'smartcard' not in sys.modules\n"
            "try:\n"
            "    vitale_reader.PcscReader()\n"
            "except vitale_reader.ReaderUnavailable as err:\n"
            "    print('unavailable', err)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "unavailable" in proc.stdout and "vitale_reader[pcsc]" in proc.stdout


def test_no_pcscd_gives_reader_unavailable(tmp_path):
    """pcscd down (here: the client pointed at a socket nobody serves) is ReaderUnavailable, not a crash."""
    env = dict(os.environ, PCSCLITE_CSOCK_NAME=str(tmp_path / "nobody.comm"))
    code = ("import vitale_reader\n"
            "try:\n"
            "    vitale_reader.PcscReader()\n"
            "except vitale_reader.ReaderUnavailable as err:\n"
            "    print('unavailable', err)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "unavailable" in proc.stdout and "pcscd" in proc.stdout


# --- through the real pcscd -------------------------------------------------------------------------------


def test_pcscd_lists_the_virtual_reader(slot):
    name, _ = slot
    from smartcard.System import readers

    assert name in [str(r) for r in readers()]


def test_no_such_reader(slot):
    with pytest.raises(ReaderUnavailable, match="no PC/SC reader"):
        pcsc.PcscReader("No Such Reader 00 00")


def test_good_phone_gives_a_verified_credential(slot, wallet_path):
    name, port = slot
    from vitale_sim.issuer.wallet import Wallet

    wallet = Wallet.load(wallet_path)
    with pcsc.PcscReader(name, **GENEROUS) as reader:
        info = reader.info()
        assert info.board == name and {"nfc", "relay"} <= info.features
        with phone_in(port, wallet_path):
            first = next_of(reader, CardEvent)
            assert first.present and first.kind == "card_present"
            event = next_of(reader, CredentialEvent)
        assert (event.source, event.verified, event.reason, event.reader_ok, event.reader_reason) == (
            "nfc", True, None, True, "ok")
        assert event.identity.is_test
        assert event.identity.matricule == wallet.identity.matricule
        assert event.identity.key == wallet.identity.key
        assert event.identity.birth_name == wallet.identity.birth_name
        assert event.app_id == wallet.app_id
        for text in (repr(event), str(event), repr(reader)):  # no identity data in reprs
            assert wallet.identity.matricule not in text and wallet.identity.birth_name not in text
        gone = next_of(reader, CardEvent)
        assert not gone.present and gone.kind == "card_removed"
        assert first.event_id < event.event_id < gone.event_id
        with pytest.raises(ReaderTimeout):
            reader.next_event(timeout=0.5)


@pytest.mark.parametrize("fault", FAULTS)
def test_faulty_phone_then_a_good_tap(slot, wallet_path, fault):
    name, port = slot
    budgets = {} if fault == "slow" else GENEROUS  # the slow phone (3 s) against the firmware's 1 s / 2 s
    with pcsc.PcscReader(name, **budgets) as reader:
        event = tap(reader, port, wallet_path, fault)
        kind, reason = EXPECTED[fault]
        if kind == "capture_error":
            assert isinstance(event, CaptureErrorEvent), event
            assert (event.source, event.reason) == ("nfc", reason)
        else:  # a presentation reached the verifier, which refuses it for that one reason
            assert isinstance(event, CredentialEvent), event
            assert (event.source, event.verified, event.reader_ok) == ("nfc", False, False)
            assert (event.reason, event.reader_reason) == (reason, reason)
        reader.exchange_timeout, reader.tap_timeout = GENEROUS["exchange_timeout"], GENEROUS["tap_timeout"]
        again = tap(reader, port, wallet_path)  # the reader keeps working for the next tap
        assert isinstance(again, CredentialEvent) and again.verified, again


def test_transparent_relay(slot, wallet_path):
    name, port = slot
    with pcsc.PcscReader(name, **GENEROUS) as reader:
        reader.relay(True)
        with pytest.raises(CommandFailed) as info:
            reader.transmit(SELECT)
        assert info.value.code == "no_card"
        with phone_in(port, wallet_path) as card:
            assert next_of(reader, CardEvent).present
            response = reader.transmit(SELECT)
            assert response == bytes.fromhex("010100") + b"\x90\x00"
            assert reader.transmit(bytes.fromhex("00B0000000"))[-2:] == b"\x6d\x00"  # INS unknown to the app
            with pytest.raises(ReaderTimeout):  # relay mode: no session of the reader's own
                reader.next_event(timeout=1.0)
            assert card.apdus == 2
        assert not next_of(reader, CardEvent).present
        reader.relay(False)
        with pytest.raises(CommandFailed) as info:
            reader.transmit(SELECT)
        assert info.value.code == "relay_disabled"


def test_close_is_safe_twice_and_final(slot):
    name, _ = slot
    reader = pcsc.PcscReader(name)
    assert "open=True" in repr(reader)
    reader.close()
    reader.close()
    assert "open=False" in repr(reader)
    with pytest.raises(ProtocolError):
        reader.next_event(timeout=0.1)
    with pcsc.PcscReader(name) as idle:
        assert list(idle.events(timeout=0.3)) == []  # nothing in the field: no event
