"""The coherent reference (issue 13): with the shipped health model the reference's e0 is the
mortality method's, and the scenario key that splits a disease's trend is checked."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import xarray as xr

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300)


def e0(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds["life_expectancy"].sel(region="china", age=0).load()


@pytest.fixture
def scenarios(tmp_path):
    shutil.copytree(SOURCE / "data" / "china", tmp_path / "data" / "china")
    (tmp_path / "scenarios").mkdir()
    text = (SOURCE / "scenarios" / "china_reference.yaml").read_text()
    assert "  health: ../data/china/health.yaml\n" in text
    return tmp_path / "scenarios", text


def run(folder, name, text):
    path = folder / f"{name}.yaml"
    path.write_text(text)
    out = folder / f"{name}.h5"
    return healthcast("run", path, "-o", out, "-q"), out


@pytest.mark.parametrize("share", ["0", "0.5", "1"])
def test_reference_e0_with_the_health_model_is_the_methods_to_2050(scenarios, share):
    folder, text = scenarios
    without, out0 = run(folder, "without", text.replace("  health: ../data/china/health.yaml\n", ""))
    assert without.returncode == 0, without.stderr
    with_health = text.replace(
        "  health: ../data/china/health.yaml\n",
        f"  health: {{model: ../data/china/health.yaml, case_fatality_share: {share}}}\n")
    result, out1 = run(folder, "with", with_health)
    assert result.returncode == 0, result.stderr
    a, b = e0(out1), e0(out0)
    assert int(a.year[-1]) == 2050
    for sex in ("female", "male"):
        gap = abs(a.sel(sex=sex) - b.sel(sex=sex)).max().item()
        assert gap <= 0.05, (sex, gap)


def test_a_case_fatality_share_outside_0_to_1_is_bad_input(scenarios):
    folder, text = scenarios
    bad = text.replace("  health: ../data/china/health.yaml\n",
                       "  health: {model: ../data/china/health.yaml, case_fatality_share: 1.5}\n")
    result, out = run(folder, "bad", bad)
    assert result.returncode == 2, result.stderr
    assert "case_fatality_share" in result.stderr
    assert not out.exists()
