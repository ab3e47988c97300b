"""`import healthcast` through the build's own virtual environment (<build>/venv, made at build
time by tools/make_venv.py), so that each clone imports its own build; and Ctrl-C during a run."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
PYTHON = "/usr/bin/python3"
MAKE_VENV = SOURCE / "tools" / "make_venv.py"
WHERE = "import healthcast, sys; print(sys.prefix); print(healthcast.__file__)"


def env_without_pythonpath():
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture()
def build():
    folder = os.environ.get("HEALTHCAST_BINARY_DIR")
    if not folder:
        pytest.skip("HEALTHCAST_BINARY_DIR is not set; ctest sets it to the build folder")
    return Path(folder)


def python_in(venv, code, cwd):
    result = subprocess.run([venv / "bin" / "python", "-c", code], cwd=cwd,
                            env=env_without_pythonpath(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_build_venv_imports_this_build_and_debians_packages(build, tmp_path):
    venv = build / "venv"
    prefix, module, e0 = python_in(
        venv, WHERE + "; import numpy, xarray, h5py, matplotlib; "
        "print(healthcast.life_table([0.5, 0.5], [0, 1])['ex'][0])", cwd=tmp_path)
    assert Path(prefix) == venv
    assert Path(module).parent == build / "python" / "healthcast"
    # m = 0.5 at every age (the last interval open): e0 = 1 / m.
    assert float(e0) == pytest.approx(2.0, rel=1e-12)


def make_clone(root, package):
    """A build folder as a clone's build leaves it: python/healthcast and, made by the build's
    script, venv."""
    shutil.copytree(package, root / "build" / "python" / "healthcast")
    subprocess.run([PYTHON, MAKE_VENV, root / "build" / "venv", root / "build" / "python"],
                   check=True, timeout=120)
    return root / "build"


def test_two_clones_side_by_side_each_import_their_own(build, tmp_path):
    package = build / "python" / "healthcast"
    a = make_clone(tmp_path / "a", package)
    b = make_clone(tmp_path / "b", package)
    # Making b's venv must not have redirected a's (as one global .pth file did).
    for clone in [a, b]:
        prefix, module = python_in(clone / "venv", WHERE, cwd=tmp_path)
        assert Path(prefix) == clone / "venv"
        assert Path(module).parent == clone / "python" / "healthcast"


def test_the_jupyter_kernel_of_the_venv_imports_this_build(build, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(build / "venv" / "share" / "jupyter"))
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WHERE)])
    nbclient.NotebookClient(book, timeout=60, kernel_name="healthcast",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    prefix, module = book.cells[0].outputs[0]["text"].splitlines()
    assert Path(prefix) == build / "venv"
    assert Path(module).parent == build / "python" / "healthcast"


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
