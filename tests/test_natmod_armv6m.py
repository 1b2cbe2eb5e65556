"""The RP2040 build of the native P-256, run on an emulated Cortex-M0+ core.

The x64 build of natmod/p256 runs the firmware's crypto tests in the MicroPython
unix port; the RP2040's differs by its Thumb-1 assembly (p256_armv6m.S). Here the
module's sources (without the MicroPython bindings) are compiled by
arm-none-eabi-gcc with the module's flags, linked at the start of SRAM, and called
on rp2040py's Cortex-M0+ core: registers set, a return address, instructions
stepped until it is reached. The assembly kernels are checked against Python
integers (Hypothesis), and whole operations against ``cryptography``. Cycle counts
are printed (``pytest -s``), never asserted. The whole module on the emulated
board, through MicroPython, is `make bench-pico-p256`.
"""
import hashlib
import os
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from vitale_sim.runtimes import native_module_dir

from support import ROOT

SRC = os.path.join(ROOT, "natmod", "p256")
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
SRAM = 0x20000000
DATA = 0x20010000  # operands and results (the code takes ~16 KB)
SCRATCH = 0x20018000
RETURN = 0x20020000  # holds `b .`; the called function returns here
STACK_TOP = 0x20040000

# random 256-bit values, and ones whose 16-bit digits hit single columns of the products
u256 = st.one_of(st.integers(0, (1 << 256) - 1),
                 st.sampled_from([(1 << 256) - 1] + [0xFFFF << (16 * d) for d in range(16)] + [1 << (16 * d) for d in range(16)]))
below_p = st.one_of(st.integers(0, P - 1), st.sampled_from([0, 1, P - 1, P - 2, (1 << 255), P >> 1]))


class Core:
    """The compiled library in an emulated RP2040's SRAM, its functions callable by name."""

    def __init__(self, image: bytes, symbols: dict):
        from rp2040py.rp2040 import RP2040

        self.mcu = RP2040()
        self.mcu.sram[0:len(image)] = image
        self.mcu.sram[RETURN - SRAM:RETURN - SRAM + 2] = b"\xfe\xe7"
        self.symbols = symbols

    def call(self, name: str, *args: int) -> tuple:
        """(r0 on return, cycles)"""
        core = self.mcu.core
        for i, value in enumerate(args):
            core.registers[i] = value
        core.sp = STACK_TOP
        core.lr = RETURN | 1
        core.pc = self.symbols[name] & ~1
        start = core.cycles
        for _ in range(50_000_000):
            if core.pc == RETURN:
                return core.registers[0], core.cycles - start
            core.execute_instruction()
        raise AssertionError(f"{name} did not return")

    def put(self, addr: int, data: bytes) -> None:
        self.mcu.sram[addr - SRAM:addr - SRAM + len(data)] = data

    def get(self, addr: int, size: int) -> bytes:
        return bytes(self.mcu.sram[addr - SRAM:addr - SRAM + size])

    def put_int(self, addr: int, value: int, words: int = 8) -> None:
        self.put(addr, value.to_bytes(4 * words, "little"))

    def get_int(self, addr: int, words: int = 8) -> int:
        return int.from_bytes(self.get(addr, 4 * words), "little")


@pytest.fixture(scope="module")
def core(tmp_path_factory):
    native_module_dir("armv6m")  # the armv6m module builds: the cross compiler is installed
    out = tmp_path_factory.mktemp("armv6m")
    elf = str(out / "p256.elf")
    subprocess.run(["arm-none-eabi-gcc", "-mthumb", "-mcpu=cortex-m0", "-std=c99", "-Os", "-fpic", "-fno-common",
                    "-Wall", "-Werror", "-fno-strict-aliasing", "-fno-tree-loop-distribute-patterns",
                    "-ffreestanding", "-nostdlib", f"-Wl,-Ttext={SRAM:#x}", "-Wl,-e,0", "-o", elf,
                    os.path.join(SRC, "p256.c"), os.path.join(SRC, "p256_armv6m.S")], check=True)
    subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", elf, str(out / "p256.bin")], check=True)
    nm = subprocess.run(["arm-none-eabi-nm", elf], capture_output=True, text=True, check=True).stdout
    symbols = {parts[2]: int(parts[0], 16) for parts in (line.split() for line in nm.splitlines())
               if len(parts) == 3 and parts[1] == "T"}
    image = (out / "p256.bin").read_bytes()
    assert len(image) < DATA - SRAM
    return Core(image, symbols)


A, B, R = DATA, DATA + 0x100, DATA + 0x200


@settings(max_examples=300)
@given(a=u256, b=u256)
def test_products(core, a, b):
    core.put_int(A, a)
    core.put_int(B, b)
    core.call("p256_mul256", R, A, B)
    assert core.get_int(R, 16) == a * b
    core.call("p256_sqr256", R, A)
    assert core.get_int(R, 16) == a * a


@settings(max_examples=300)
@given(c=st.one_of(st.integers(0, (1 << 512) - 1), st.sampled_from([0, P, (P - 1) ** 2, (1 << 512) - 1, P << 256])))
def test_reduce(core, c):
    core.put_int(B, c, 16)
    core.call("p256_reduce", A, B)
    assert core.get_int(A) == c % P


@settings(max_examples=300)
@given(a=below_p, b=below_p)
def test_field_additions(core, a, b):
    core.put_int(A, a)
    core.put_int(B, b)
    core.call("p256_fe_add", R, A, B)
    assert core.get_int(R) == (a + b) % P
    core.call("p256_fe_sub", R, A, B)
    assert core.get_int(R) == (a - b) % P


@settings(max_examples=200)
@given(a=u256, b=u256, mask=st.sampled_from([0, 0xFFFFFFFF]))
def test_word_additions(core, a, b, mask):
    core.put_int(A, a)
    core.put_int(B, b)
    carry, _ = core.call("p256_add8", R, A, B)
    assert (core.get_int(R), carry) == ((a + b) % (1 << 256), (a + b) >> 256)
    borrow, _ = core.call("p256_sub8", R, A, B)
    assert (core.get_int(R), borrow) == ((a - b) % (1 << 256), int(a < b))
    carry, _ = core.call("p256_add8_masked", R, A, B, mask)
    addend = b if mask else 0
    assert (core.get_int(R), carry) == ((a + addend) % (1 << 256), (a + addend) >> 256)


def _xy(k: int) -> bytes:
    n = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
    return n.x.to_bytes(32, "big") + n.y.to_bytes(32, "big")


def test_operations(core):
    """Key generation, ECDH (with the scalar whose last window addition is a doubling),
    verification with an arbitrary key and with a comb table, against ``cryptography``."""
    k, peer = N - 1, 0x5EED5EED
    core.put(DATA, k.to_bytes(32, "big"))
    rc, cycles = core.call("p256_public_key", DATA + 0x40, DATA)
    assert (rc, core.get(DATA + 0x40, 64)) == (0, _xy(k))
    print(f"\narmv6m p256_public_key: {cycles} cycles ({cycles / 125e3:.1f} ms at 125 MHz)")

    k = N - 2  # k odd: the regular window's last digit d has k = n - 2|d|
    core.put(DATA, k.to_bytes(32, "big"))
    core.put(DATA + 0x40, _xy(peer))
    rc, cycles = core.call("p256_ecdh", DATA + 0x100, DATA, DATA + 0x40, SCRATCH)
    assert (rc, core.get(DATA + 0x100, 32)) == (0, _xy(k * peer % N)[:32])
    print(f"armv6m p256_ecdh: {cycles} cycles ({cycles / 125e3:.1f} ms)")

    key = ec.derive_private_key(peer, ec.SECP256R1())
    r, s = decode_dss_signature(key.sign(b"tap", ec.ECDSA(hashes.SHA256())))
    core.put(DATA + 0x100, hashlib.sha256(b"tap").digest())
    core.put(DATA + 0x140, r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    rc, cycles = core.call("p256_verify", DATA + 0x40, DATA + 0x100, DATA + 0x140, SCRATCH)
    assert rc == 0
    print(f"armv6m p256_verify: {cycles} cycles ({cycles / 125e3:.1f} ms)")

    table = SCRATCH + 0x2000
    rc, cycles = core.call("p256_comb_table", table, DATA + 0x40, SCRATCH)
    assert rc == 0
    print(f"armv6m p256_comb_table: {cycles} cycles ({cycles / 125e3:.1f} ms)")
    core.put(DATA + 0x140, r.to_bytes(32, "big") + ((s + 1) % N).to_bytes(32, "big"))
    rc, cycles = core.call("p256_verify_comb", table, DATA + 0x100, DATA + 0x140)
    assert rc == 3  # P256_BAD_SIG: s changed
    print(f"armv6m p256_verify_comb: {cycles} cycles ({cycles / 125e3:.1f} ms)")
