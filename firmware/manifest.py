# Freeze the reader firmware into a MicroPython build (micropython-lib style):
#   make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=/path/to/firmware/manifest.py
# `make firmware` / `make deploy` instead copy .mpy files to the board's filesystem.
metadata(description="Open e-Carte Vitale reader firmware", version="0.1.0")

include("$(PORT_DIR)/boards/manifest.py")
module("main.py")
package("core")
package("app")
package("board")
package("crypto")
package("verify")
package("nfc")
package("qr")
package("vitale_link", base_path="../protocol")
package("vitale_spec", base_path="../protocol")
