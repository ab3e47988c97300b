"""Hardening (issue 18): output names from file contents, temporary files, damaged results
files, a full disk and signals. Each test failed before its fix."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
REFERENCE = SOURCE / "scenarios" / "china_reference.yaml"

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args, cwd=None, **kwargs):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300, **kwargs)


def short_scenario(folder: Path, name: str, horizon: int = 2023) -> Path:
    """The reference scenario cut to a few years, under another name."""
    text = REFERENCE.read_text(encoding="utf-8")
    text = text.replace("name: china_reference", f"name: {name}", 1)
    text = text.replace("horizon: 2050", f"horizon: {horizon}", 1)
    text = text.replace("../data/", str(SOURCE / "data") + "/")
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    out = {}
    for name in ["base", "other"]:
        out[name] = folder / f"{name}.h5"
        result = healthcast("run", short_scenario(folder, name), "-o", out[name], "-q")
        assert result.returncode == 0, result.stderr
    return out


def set_scenario_name(path: Path, name: str):
    h5py = pytest.importorskip("h5py")
    from healthcast import _core
    with h5py.File(path, "r+") as f:
        f.attrs["scenario_name"] = name
    _core.seal_results_file(str(path))


def test_compare_output_names_from_files_cannot_leave_the_folder(runs, tmp_path):
    victim = tmp_path / "victim" / "precious.txt"
    victim.parent.mkdir()
    victim.write_text("keep me")
    forged = tmp_path / "forged.h5"
    forged.write_bytes(runs["other"].read_bytes())
    set_scenario_name(forged, "x/../../victim/precious")
    out = tmp_path / "cmp" / "c.h5"
    result = healthcast("compare", runs["base"], runs["other"], forged, "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot name an output file" in result.stderr and str(forged) in result.stderr
    assert victim.read_text() == "keep me"
    assert not list(tmp_path.glob("victim/*.tmp-*"))


def test_compare_refuses_two_scenarios_of_one_name(runs, tmp_path):
    out = tmp_path / "c.h5"
    result = healthcast("compare", runs["base"], runs["other"], runs["other"], "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "would overwrite" in result.stderr


def test_run_refuses_two_scenarios_of_one_name(tmp_path):
    a = short_scenario(tmp_path, "same")
    b_folder = tmp_path / "b"
    b_folder.mkdir()
    b = short_scenario(b_folder, "same")
    result = healthcast("run", a, b, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "same" in result.stderr and str(b) in result.stderr and "own name" in result.stderr
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").iterdir())


def test_a_symlink_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out.h5"
    # The old name was <out>.tmp-<pid>: plant links for the next pids the run may get.
    start = os.getpid()
    for pid in range(start, start + 400):
        (tmp_path / f"out.h5.tmp-{pid}").symlink_to(victim)
    result = healthcast("run", short_scenario(tmp_path, "s"), "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me"
    tmp = [p for p in tmp_path.glob("out.h5.tmp-*") if not p.is_symlink()]
    assert tmp == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_no_temporary_file(tmp_path, sig):
    scenario = short_scenario(tmp_path, "long", horizon=2050)
    out = tmp_path / "out.h5"
    proc = subprocess.Popen([BIN, "run", str(scenario), "-o", str(out), "--draws", "200",
                             "--keep-draws", "--threads", "1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("out.h5.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob("out.h5.tmp-*")), "the run never created its temporary file"
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode == -sig
    assert list(tmp_path.glob("out.h5.tmp-*")) == []
    assert not out.exists()


def flipped(source: Path, target: Path, offset: int) -> Path:
    data = bytearray(source.read_bytes())
    data[offset % len(data)] ^= 0x10
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("command", ["info", "targets", "compare"])
def test_a_flipped_bit_is_refused_by_every_reader(runs, tmp_path, command):
    size = runs["base"].stat().st_size
    for k, offset in enumerate([0, 40, 600, 1500, 4000, size // 3, size // 2, size - 9]):
        bad = flipped(runs["base"], tmp_path / f"bad{k}.h5", offset)
        args = [command, bad] if command != "compare" else [command, runs["base"], bad]
        result = healthcast(*args)
        assert result.returncode == 2, (offset, result.returncode, result.stderr)
        assert "damaged or not a healthcast results file" in result.stderr, result.stderr


def test_python_open_refuses_a_damaged_file_without_dying(runs, tmp_path):
    bad = flipped(runs["base"], tmp_path / "bad.h5", runs["base"].stat().st_size // 2)
    code = ("import healthcast\n"
            "try:\n    healthcast.open(%r)\nexcept Exception as e:\n"
            "    print(type(e).__name__, e)\n") % str(bad)
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert "damaged or not a healthcast results file" in result.stdout


def test_a_truncated_file_is_refused(runs, tmp_path):
    bad = tmp_path / "short.h5"
    bad.write_bytes(runs["base"].read_bytes()[:-100])
    result = healthcast("info", bad)
    assert result.returncode == 2 and "damaged" in result.stderr, result.stderr


def test_results_files_keep_opening_in_h5py_and_xarray(runs):
    h5py = pytest.importorskip("h5py")
    xr = pytest.importorskip("xarray")
    with h5py.File(runs["base"], "r") as f:
        assert f.userblock_size == 512
        assert f.attrs["filetype"] == "healthcast-results"
    with xr.open_dataset(runs["base"], engine="h5netcdf") as ds:
        assert ds.sizes["year"] == 4
    assert runs["base"].read_bytes().startswith(b"healthcast results file\n")


def test_a_full_disk_fails_cleanly(tmp_path):
    # A file-size limit stands in for a full disk: writes fail with EFBIG.
    out = tmp_path / "out.h5"
    script = f"ulimit -f 200; exec {BIN} run {short_scenario(tmp_path, 's')} -o {out} -q"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                            preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN))
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "cannot" in result.stderr and str(out) in result.stderr
    assert list(tmp_path.glob("out.h5*")) == []


def test_probability_of_dying_stays_a_probability():
    # Case fatality x100 gave premature NCD mortality of 100.2%: 5q = 5m / (1 + 2.5m) passes
    # 1 above m = 0.4. With m = 1 in every group each 5q would be 5/3.5; the result is 1.
    import healthcast
    ages = [30, 35, 40, 45, 50, 55, 60, 65]
    assert healthcast.prob_dying([1.0] * 8, ages) == 1.0
    # Below m = 0.4 the WHO formula is kept: one group at m = 0.1 gives 0.5 / 1.25 = 0.4.
    assert abs(healthcast.prob_dying([0.1] + [0.0] * 7, ages) - 0.4) < 1e-15


def test_a_symlink_loop_as_input_names_the_scenario_line(tmp_path):
    text = short_scenario(tmp_path, "loop").read_text(encoding="utf-8")
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    scenario = tmp_path / "loop.yaml"
    scenario.write_text(text.replace(str(SOURCE / "data" / "china" / "population_2020.csv"),
                                     str(loop)), encoding="utf-8")
    result = healthcast("validate", scenario)
    assert result.returncode == 2, result.stderr
    assert f"{scenario}:" in result.stderr and "symbolic links" in result.stderr


@pytest.mark.parametrize("first", ["healthcast", "h5py"])
def test_a_full_disk_in_python_raises_and_exits_cleanly(runs, tmp_path, first):
    # The interpreter segfaulted at exit in libhdf5's exit handler: a failed close leaves
    # libhdf5 1.10 listing a file it has freed, and the handler closes it again. healthcast turns
    # the handler off at import, which is too late when h5py was imported first; results are now
    # written in a child process, so the failed file never exists in this one.
    code = (f"import {first}\nimport healthcast\nfrom healthcast import _core\n"
            f"ds = _core.read_results({str(runs['base'])!r})\n"
            "try:\n"
            f"    _core.write_results(ds, {str(tmp_path / 'out.h5')!r})\n"
            "except Exception as e:\n    print('refused:', e)\n")
    result = subprocess.run(["bash", "-c", f"ulimit -f 100; exec {sys.executable} -c \"$0\"", code],
                            capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN))
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert "refused:" in result.stdout and "cannot" in result.stdout
    assert list(tmp_path.glob("out.h5*")) == []


@pytest.mark.parametrize("name", ["yaml_cpp_loop_scenario.yaml", "yaml_cpp_loop_health.yaml"])
def test_inputs_that_made_yaml_cpp_loop_are_refused_at_once(name):
    # Found by fuzz_scenario and fuzz_health: yaml-cpp's LoadAll never returned on these.
    path = SOURCE / "tests" / "data" / "hardening" / name
    start = time.monotonic()
    result = healthcast("validate", path)
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - start < 10
    assert f"{path}:" in result.stderr
