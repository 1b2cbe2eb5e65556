"""Shared set-up of the firmware check scripts tests/firmware/verify_*.py (both runtimes).

* ``args()``: the script's JSON arguments (after the script name).
* ``load_json(path)``: a host file read through ``simhost.file_read``.
* ``MemStorage``: a board ``storage`` in memory.
"""
import json

import simhost

from crypto import p256  # noqa: F401  (firmware/crypto: fail here, loudly, if it is missing)


def args():
    return json.loads(simhost.argv())[1:]


def load_json(path):
    raw = simhost.file_read(path)
    if raw is None:
        raise OSError("cannot read " + path)
    return json.loads(bytes(raw))


def unhex(h):
    return bytes.fromhex(h)


class MemStorage:
    def __init__(self, files=None):
        self.files = dict(files or {})
        self.writes = 0

    def read(self, name):
        return self.files.get(name)

    def write_atomic(self, name, data):
        self.writes += 1
        self.files[name] = bytes(data)
