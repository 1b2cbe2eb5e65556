"""Firmware entry point. On a board, MicroPython runs this file at boot.

``run(board)`` is also what the simulator calls with its simulated board.
"""


def _detect_board():
    import sys
    if sys.platform == "rp2":
        from board.pico import make_board
    elif sys.platform == "esp32":
        from board.esp32_devkit import make_board
    else:
        raise OSError("no board definition for platform " + sys.platform)
    return make_board()


def make_app(board=None):
    from app.reader import ReaderApp
    return ReaderApp(board if board is not None else _detect_board())


def run(board=None, stop=None):
    make_app(board).run(stop)


if __name__ == "__main__":
    run()
