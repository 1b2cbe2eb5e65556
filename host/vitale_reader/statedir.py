"""Where the host library keeps what must outlive its process: pairings, delivery state, trust lists.

One directory, chosen in this order: the ``state_dir`` argument, ``$VITALE_READER_HOME``,
``$XDG_STATE_HOME/vitale_reader``, ``~/.local/state/vitale_reader``. Files are replaced
atomically (temporary file, fsync, ``os.replace``, fsync of the directory) and readable by
their owner only (0600; directories 0700): they hold link keys and event ids.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional, Union

from .errors import VitaleError

ENV_VAR = "VITALE_READER_HOME"


class StateError(VitaleError):
    """The state directory cannot be used, or a file in it is not what this library wrote."""


def default_path() -> Path:
    """The state directory this process uses when no ``state_dir`` is given."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "vitale_reader"


class StateDir:
    """The host's persistent state. ``name`` arguments are relative paths such as
    ``"pairings/0123abcd.json"``; sub-directories are created on first write."""

    def __init__(self, path: Union[str, "os.PathLike[str]", None] = None):
        self.path = Path(path) if path is not None else default_path()

    def __repr__(self) -> str:
        return f"StateDir({str(self.path)!r})"

    def _file(self, name: str) -> Path:
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise StateError(f"bad state file name {name!r}")
        return self.path / rel

    def read_bytes(self, name: str) -> Optional[bytes]:
        """The file's bytes, or None when it does not exist."""
        try:
            return self._file(name).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StateError(f"cannot read {name}: {err.strerror}") from err

    def write_bytes(self, name: str, data: bytes) -> None:
        """Replace the file atomically: a crash leaves the old or the new content, never a mix."""
        target = self._file(name)
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, target)
            except BaseException:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                raise
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as err:
            raise StateError(f"cannot write {name}: {err.strerror}") from err

    def read_json(self, name: str) -> Optional[Any]:
        """The decoded JSON document, or None when the file does not exist."""
        raw = self.read_bytes(name)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError as err:
            raise StateError(f"{name} is not valid JSON") from err

    def write_json(self, name: str, value: Any) -> None:
        self.write_bytes(name, json.dumps(value, sort_keys=True, indent=1).encode())

    def delete(self, name: str) -> None:
        """Remove the file if it exists."""
        try:
            self._file(name).unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            raise StateError(f"cannot delete {name}: {err.strerror}") from err
