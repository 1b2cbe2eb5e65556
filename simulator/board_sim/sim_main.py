"""Entry point of the simulated reader: ``run.py|run.mjs sim_main.py CONFIG_JSON``."""
import json

import main
import sim_board
import simhost

board = sim_board.make_board(json.loads(simhost.argv())[1])
print("vitale-sim firmware: running on", board.name)
main.run(board, stop=board.should_stop)
print("vitale-sim firmware: stopped")
