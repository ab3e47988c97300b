"""The command line as a user meets it: runs, files, and what bad input produces."""

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args, cwd=None):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "reference.h5"
    result = healthcast("run", SOURCE / "scenarios" / "china_reference.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_run_prints_a_summary_and_the_results_path(reference_run):
    out, stdout = reference_run
    assert "life expectancy at birth" in stdout
    assert re.search(r"^\s+2050\s", stdout, re.MULTILINE)
    assert str(out) in stdout


def test_results_open_in_xarray_with_named_dimensions(reference_run):
    out, _ = reference_run
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["year"] == 31 and ds.sizes["age"] == 101
        assert list(ds["sex"].values) == ["female", "male", "total"]
        assert list(ds["region"].values) == ["china"]
        assert ds["year"].values[0] == 2020 and ds["age"].values[-1] == 100
        for name in ["population", "births", "deaths", "net_migration", "person_years",
                     "life_expectancy", "infant_mortality", "under5_mortality"]:
            assert name in ds.data_vars, name
        assert ds["life_expectancy"].dims == ("year", "region", "sex", "age")
        assert ds.attrs["filetype"] == "healthcast-results"
        assert list(ds.attrs["format_version"]) == [2, 0]
        for key in ["software_version", "git_revision", "creation_time", "scenario_text"]:
            assert key in ds.attrs, key
        assert "healthcast: 1" in ds.attrs["scenario_text"]


def test_population_balances_in_the_written_file(reference_run):
    out, _ = reference_run
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        pop = ds["population"].sum("age")
        change = pop.diff("year", label="lower")
        flows = (ds["births"] - ds["deaths"].sum("age") + ds["net_migration"].sum("age"))
        flows = flows.isel(year=slice(0, -1))
        np.testing.assert_allclose(change.values, flows.values, rtol=0, atol=1e-6 * 1.5e9)


def test_life_expectancy_and_population_match_published_levels(reference_run):
    # WPP2024 e0 for 2020 (annual estimates): female 81.00, male 75.25 years. The model starts
    # from the 2020 census moved to 1 January 2020: the census counted 1,409.78 million on
    # 1 November 2020; ten months of growth (WPP2024: +1.3 million in 2020) and the under-count
    # added at young ages (+1.6 million) leave the base within 0.3% of the count.
    out, _ = reference_run
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        e0 = ds["life_expectancy"].sel(year=2020, region="china", age=0)
        assert abs(float(e0.sel(sex="female")) - 81.00) < 0.5
        assert abs(float(e0.sel(sex="male")) - 75.25) < 0.5
        total = float(ds["population"].sel(year=2020, sex="total").sum())
        assert abs(total / 1.409778724e9 - 1) < 0.003


def test_validate_and_info_succeed(reference_run):
    out, _ = reference_run
    result = healthcast("validate", SOURCE / "scenarios" / "china_reference.yaml")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    result = healthcast("info", out)
    assert result.returncode == 0, result.stderr
    assert "population" in result.stdout and "life expectancy" in result.stdout


@pytest.mark.parametrize("command", ["run", "validate", "info", "lifetable"])
def test_every_command_has_help(command):
    result = healthcast(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout or "usage" in result.stdout.lower()


def test_lifetable_command_reproduces_the_un_1982_example(tmp_path):
    source = SOURCE / "tests" / "data" / "life_tables" / "un1982_p34_male_abridged_mx_ex.csv"
    rows = source.read_text().splitlines()[1:]
    mx = tmp_path / "mx.csv"
    mx.write_text("age,mx\n" + "\n".join(",".join(r.split(",")[:2]) for r in rows) + "\n")
    result = healthcast("lifetable", mx, "--sex", "male")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "age,n,mx,qx,ax,lx,dx,Lx,Tx,ex"
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert abs(float(first["ex"]) - 35.000) < 0.01
    assert lines[-1].split(",")[1] == ""  # the open interval has no width


def expect_bad_input(result, output, *fragments):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert not output.exists(), "a failed run left a results file"
    assert not list(output.parent.glob("*.tmp*")), "a failed run left a temporary file"


def test_malformed_yaml_names_the_line(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("horizon: 2050", "horizon: [2050")
    scenario_copy.write_text(text)
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", scenario_copy, "-o", out), out, "s.yaml:", "not valid YAML")


def test_missing_input_file_is_named(scenario_copy, tmp_path):
    (tmp_path / "data" / "china" / "fertility.csv").unlink()
    out = tmp_path / "out.h5"
    result = healthcast("run", scenario_copy, "-o", out)
    expect_bad_input(result, out, "s.yaml:", "fertility", "not found")
    line = scenario_copy.read_text().splitlines().index(
        "    rates: ../data/china/fertility.csv") + 1
    assert f"s.yaml:{line}:" in result.stderr


def test_negative_death_rate_names_file_line_and_field(scenario_copy, tmp_path):
    rates = tmp_path / "data" / "china" / "mortality_history.csv"
    lines = rates.read_text().splitlines()
    target = next(i for i, l in enumerate(lines) if l.startswith("2015,2019,female,60,"))
    lines[target] = "2015,2019,female,60,-0.001"
    rates.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", scenario_copy, "-o", out), out,
                     f"mortality_history.csv:{target + 1}:", "'mx'", "-0.001", "allowed: 0")


def test_population_ages_that_stop_before_100_are_rejected(scenario_copy, tmp_path):
    pop = tmp_path / "data" / "china" / "population_2020.csv"
    kept = [l for l in pop.read_text().splitlines()
            if not re.match(r"^(female|male),(8[6-9]|9\d|100),", l)]
    pop.write_text("\n".join(kept) + "\n")
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", scenario_copy, "-o", out), out,
                     "population_2020.csv", "age 86", "0..100")


def test_death_rates_that_stop_before_the_open_group_100_are_rejected(scenario_copy, tmp_path):
    rates = tmp_path / "data" / "china" / "mortality_history.csv"
    kept = [l for l in rates.read_text().splitlines()
            if not re.match(r"^\d+,\d+,\w+,(90|95|100),", l)]
    rates.write_text("\n".join(kept) + "\n")
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", scenario_copy, "-o", out), out,
                     "mortality_history.csv", "stop at age 85", "100+")


def test_unknown_key_suggests_the_nearest_allowed_key(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("horizon: 2050", "horizen: 2050")
    scenario_copy.write_text(text)
    out = tmp_path / "out.h5"
    result = healthcast("run", scenario_copy, "-o", out)
    line = text.splitlines().index("horizen: 2050") + 1
    expect_bad_input(result, out, f"s.yaml:{line}:1", "horizen", "did you mean 'horizon'")


def test_year_out_of_range_says_what_is_allowed(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("horizon: 2050", "horizon: 2010")
    scenario_copy.write_text(text)
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("validate", scenario_copy), out, "'horizon'", "2010",
                     "allowed: 2020 to")


def test_unknown_mortality_method_lists_the_registry(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("method: bms", "method: lee-carter")
    text = re.sub(r"\n *(fit_period|rotate_bx): .*", "", text)
    scenario_copy.write_text(text)
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", scenario_copy, "-o", out), out,
                     "unknown mortality method 'lee-carter'",
                     "bms, improvement, lee_carter, lee_miller, li_lee, rates")


def test_a_missing_scenario_file_is_bad_input(tmp_path):
    out = tmp_path / "out.h5"
    expect_bad_input(healthcast("run", tmp_path / "nowhere.yaml", "-o", out), out, "not found")


def test_info_rejects_a_file_that_is_not_a_results_file(tmp_path):
    other = tmp_path / "other.h5"
    other.write_bytes(b"not hdf5 at all")
    result = healthcast("info", other)
    assert result.returncode == 2
    assert "other.h5" in result.stderr
