"""The simulator's host bridge under the MicroPython unix port (see simulator/cpython/simhost.py).

Only what the firmware scripts run here need: their arguments, files, randomness
and sleeps (the port has a real ``cryptolib``, so no AES stand-in).
"""
import json
import os
import time

_argv = []


def set_argv(argv):
    _argv[:] = argv


def argv():
    return json.dumps(_argv)


def random(n):
    return os.urandom(n)


def sleep_ms(ms):
    if ms > 0:
        time.sleep_ms(ms)


def file_read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None
