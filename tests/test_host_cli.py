"""The vitale-reader command against a simulated reader."""
import os
import subprocess
import sys

from vitale_sim.harness import SimReader

CLI = os.path.join(os.path.dirname(sys.executable), "vitale-reader")


def test_info_and_ports(tmp_path):
    with SimReader(str(tmp_path / "link")) as sim:
        out = subprocess.run([CLI, "info", sim.link_path], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert "board: sim" in out.stdout and f"device_id: {sim.device_id.hex()}" in out.stdout
    assert subprocess.run([CLI, "ports"], capture_output=True, timeout=60).returncode == 0


def test_missing_port_is_a_clean_error(tmp_path):
    out = subprocess.run([CLI, "info", str(tmp_path / "none")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "error: cannot open" in out.stderr
