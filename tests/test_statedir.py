"""The host's state directory: where it is, atomic replacement, owner-only files."""
import os
import stat

import pytest
from vitale_reader.statedir import StateDir, StateError, default_path


def test_location_order(monkeypatch, tmp_path):
    monkeypatch.delenv("VITALE_READER_HOME", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "vitale_reader"
    monkeypatch.setenv("VITALE_READER_HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home"
    assert StateDir(tmp_path / "given").path == tmp_path / "given"
    monkeypatch.delenv("VITALE_READER_HOME")
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert default_path() == tmp_path / "user" / ".local" / "state" / "vitale_reader"


def test_json_round_trip_owner_only(tmp_path):
    state = StateDir(tmp_path / "s")
    assert state.read_json("pairings/abc.json") is None
    state.write_json("pairings/abc.json", {"pair_id": 1})
    state.write_json("pairings/abc.json", {"pair_id": 2})
    assert state.read_json("pairings/abc.json") == {"pair_id": 2}
    path = tmp_path / "s" / "pairings" / "abc.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == ["abc.json"]  # no temporary file left behind
    state.delete("pairings/abc.json")
    state.delete("pairings/abc.json")
    assert state.read_json("pairings/abc.json") is None


def test_a_failed_write_keeps_the_old_content(tmp_path, monkeypatch):
    state = StateDir(tmp_path)
    state.write_bytes("f", b"old")

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StateError):
        state.write_bytes("f", b"new")
    assert state.read_bytes("f") == b"old"
    assert os.listdir(tmp_path) == ["f"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", ""])
def test_names_stay_inside(tmp_path, name):
    with pytest.raises(StateError):
        StateDir(tmp_path).write_bytes(name, b"x")


def test_corrupt_json_is_a_typed_error(tmp_path):
    (tmp_path / "r.json").write_bytes(b"{not json")
    with pytest.raises(StateError):
        StateDir(tmp_path).read_json("r.json")
