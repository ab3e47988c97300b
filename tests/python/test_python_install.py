"""`import healthcast` from anywhere (the .pth file ./hc installs), and Ctrl-C during a run."""

import os
import signal
import site
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PYTHON = "/usr/bin/python3"


def pth_file():
    local = [p for p in site.getsitepackages() if p.startswith("/usr/local/")]
    return Path(local[0]) / "healthcast.pth" if local else None


def env_without_pythonpath():
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture()
def installed():
    pth = pth_file()
    if pth is None or not pth.is_file():
        pytest.skip("no healthcast.pth in /usr/local: ./hc run or ./hc test installs it")
    return Path(pth.read_text().strip())


def test_import_from_any_folder(installed, tmp_path):
    result = subprocess.run(
        [PYTHON, "-c", "import healthcast, sys; print(healthcast.__file__); "
                       "print(healthcast.life_table([0.01, 0.5])['ex'][0])"],
        cwd=tmp_path, env=env_without_pythonpath(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.splitlines()[0]).parent == installed / "healthcast"


def test_import_in_a_venv_with_system_site_packages(installed, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", venv],
                   check=True, timeout=120)
    result = subprocess.run([venv / "bin" / "python", "-c", "import healthcast, sys; "
                             "print(sys.prefix); print(healthcast.__file__)"],
                            cwd=tmp_path, env=env_without_pythonpath(), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    prefix, module = result.stdout.splitlines()
    assert Path(prefix) == venv
    assert Path(module).parent == installed / "healthcast"


CHILD = textwrap.dedent("""
    import signal, sys, time
    import healthcast as hc
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    scenario = hc.load_scenario(sys.argv[1])
    scenario.horizon = 2150
    scenario.regions[:] = [{"name": f"r{i}"} for i in range(200)]
    print("ready", flush=True)
    start = time.monotonic()
    try:
        hc.run(scenario, progress=False)
        print("finished", time.monotonic() - start, flush=True)
    except KeyboardInterrupt:
        print("interrupted", time.monotonic() - start, flush=True)
""")


def test_ctrl_c_interrupts_a_long_run():
    # 200 regions over 131 years take several seconds; SIGINT one second in must stop the run
    # well before its end and surface as KeyboardInterrupt.
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(SOURCE / "scenarios" /
                                                               "china_reference.yaml")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert out.startswith("interrupted"), (out, err)
    assert float(out.split()[1]) < 5.0
