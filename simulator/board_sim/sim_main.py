"""Entry point of the simulated reader: ``run.py|run.mjs sim_main.py CONFIG_JSON``.

Under CPython the firmware's own loop runs (``ReaderApp.run``). Under the wasm
interpreter the script defines ``pump()`` instead and returns: run.mjs then
calls ``pump()`` from JavaScript's event loop, because this interpreter only
frees memory when control is back in JavaScript (a loop that never returns
would grow its heap with every verification).
"""
import json
import sys

import main
import sim_board
import simhost

board = sim_board.make_board(json.loads(simhost.argv())[1])
_app = main.make_app(board)
print("vitale-sim firmware: running on", board.name)  # the harness's signal: the reader answers from now on

if sys.platform == "webassembly":
    _TURNS = 200  # scheduler turns per call while busy

    def pump():
        """0: stop; 1: busy, call again now; 2: idle, call again in a millisecond."""
        for _ in range(_TURNS):
            if board.should_stop():
                print("vitale-sim firmware: stopped")
                return 0
            if not _app.step():
                return 2
        return 1
else:
    _app.run(stop=board.should_stop)
    print("vitale-sim firmware: stopped")
