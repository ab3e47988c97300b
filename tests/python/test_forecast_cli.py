"""Mortality forecasts from the command line: the lee_carter and improvement methods against an
independent NumPy reading of the history file, the back-test table, and their bad input."""

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
HISTORY = SOURCE / "data" / "china" / "mortality_history.csv"

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=300)


def history(sex):
    """log m as ages x periods, the ages, and the periods' middle years."""
    d = pd.read_csv(HISTORY)
    d = d[d.sex == sex].pivot_table(index="age", columns="from_year", values="mx")
    return np.log(d.values), d.index.values, d.columns.values + 2.0


def lee_carter_log_m(sex, first, last, year):
    """Lee-Carter by SVD written out here, from the observed jump-off, at mid-year `year`."""
    log_m, ages, mids = history(sex)
    keep = (mids - 2 >= first) & (mids + 2 <= last)
    log_m, mids = log_m[:, keep], mids[keep]
    a = log_m.mean(axis=1)
    u, s, vt = np.linalg.svd(log_m - a[:, None])
    b = u[:, 0] / u[:, 0].sum()
    k = s[0] * vt[0] * u[:, 0].sum()
    drift_per_year = (k[-1] - k[0]) / (len(k) - 1) / (mids[1] - mids[0])
    return log_m[:, -1] + b * drift_per_year * (year - mids[-1]), ages


def modelled_rate(out, year, sex, age):
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        cell = dict(year=year, region="china", sex=sex, age=age)
        return float(ds["deaths"].sel(cell) / ds["person_years"].sel(cell))


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """The reference scenario's all-cause forecast: without its health model, whose diseases
    would move mortality away from the all-cause trend by their own dynamics."""
    folder = tmp_path_factory.mktemp("run")
    (folder / "data").symlink_to(SOURCE / "data")
    (folder / "scenarios").mkdir()
    scenario = folder / "scenarios" / "reference.yaml"
    text = (SOURCE / "scenarios" / "china_reference.yaml").read_text()
    assert "  health: ../data/china/health.yaml\n" in text
    text = text.replace("  health: ../data/china/health.yaml\n", "")
    # The Lee-Carter method itself (the reference uses BMS with rotation, tested elsewhere).
    text = text.replace("method: bms", "method: lee_carter").replace("    rotate_bx: true\n", "")
    # ... without the age-0 scaling to the official infant mortality (tested elsewhere).
    assert "    infant_mortality: 5.4\n" in text
    text = text.replace("    infant_mortality: 5.4\n", "")
    scenario.write_text(text)
    out = folder / "reference.h5"
    result = healthcast("run", scenario, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("sex", ["female", "male"])
@pytest.mark.parametrize("year,age", [(2020, 0), (2030, 52), (2050, 82), (2050, 100)])
def test_reference_rates_are_the_lee_carter_forecast(reference_run, sex, year, age):
    log_m, ages = lee_carter_log_m(sex, 1970, 2019, year)
    group = np.searchsorted(ages, age, side="right") - 1
    # Deaths over person-years of a cell is its rate: the within-year integration holds m fixed.
    assert modelled_rate(reference_run, year, sex, age) == pytest.approx(np.exp(log_m[group]),
                                                                         rel=1e-7)


def test_improvement_method_is_still_available(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("method: bms", "method: improvement")
    text = text.replace("    rotate_bx: true\n", "")
    text = re.sub(r"fit_period: .*", "jump_off: 2015-2019\n    improvement_from: 2000-2004", text)
    text = text.replace("  health: ../data/china/health.yaml\n", "")  # all-cause only
    scenario_copy.write_text(text)
    out = tmp_path / "out.h5"
    result = healthcast("run", scenario_copy, "-o", out)
    assert result.returncode == 0, result.stderr
    log_m, ages, _ = history("male")
    # Periods 2000-2004 and 2015-2019 are columns 10 and 13; mid-points 2002.5 and 2017.5.
    rate = (log_m[:, 10] - log_m[:, 13]) / 15.0
    group = list(ages).index(60)
    expected = np.exp(log_m[group, 13] - rate[group] * (2040.5 - 2017.5))
    assert modelled_rate(out, 2040, "male", 62) == pytest.approx(expected, rel=1e-7)


def backtest_csv(*args):
    result = healthcast("backtest", *args, "--format", "csv")
    assert result.returncode == 0, result.stderr
    from io import StringIO
    return pd.read_csv(StringIO(result.stdout))


def test_backtest_central_errors_match_an_independent_calculation():
    # One origin (data to 2009) without draws: the errors of Lee-Carter, constant rates and
    # constant improvement at 2015-2019 (mid-year 2017) against NumPy.
    rows = backtest_csv(SOURCE / "scenarios" / "china_reference.yaml", "--origins", 2009,
                        "--draws", 0, "--detail",
                        "--methods", "constant_rates,constant_improvement,lee_carter")
    rows = rows[rows.year == 2017].set_index(["sex", "method"])
    assert len(rows) == 6
    for sex in ("female", "male"):
        observed, _, _ = history(sex)
        target = observed[:, -1]
        forecasts = {
            "lee_carter": lee_carter_log_m(sex, 1970, 2009, 2017.0)[0],
            "constant_rates": observed[:, -3],  # 2005-2009
            # improvement from 1990-1994 to 2005-2009, carried 10 years on
            "constant_improvement": observed[:, -3] + (observed[:, -3] - observed[:, -6]) / 1.5,
        }
        for name, log_m in forecasts.items():
            row = rows.loc[(sex, name)]
            assert row.logm_rmse == pytest.approx(np.sqrt(((log_m - target) ** 2).mean()),
                                                  abs=6e-6), name
            assert row.e0_error == pytest.approx(row.e0_forecast - row.e0_observed, abs=2e-4)
            assert np.isnan(row.e0_low95)  # no draws, no interval
        # Rates that stop falling must lose life expectancy against what happened.
        assert rows.loc[(sex, "constant_rates")].e0_error < -1.0


def test_backtest_summary_has_every_method_and_the_naive_forecasts():
    table = backtest_csv(SOURCE / "scenarios" / "china_reference.yaml", "--draws", 40)
    assert set(table.method) == {"constant_rates", "constant_improvement", "lee_carter",
                                 "lee_miller", "bms", "li_lee"}
    assert set(table.sex) == {"female", "male"}
    # Default origins: every period end with four fitted periods from 1970 and a later one,
    # 1989 ... 2014: 6 + 5 + ... + 1 = 21 forecasts per method and sex.
    assert (table.pairs == 21).all()
    naive = table[table.method.str.startswith("constant")]
    assert naive.e0_cover95.isna().all()
    models = table[~table.method.str.startswith("constant")]
    assert models[["e0_cover80", "e0_cover95", "logm_cover80", "logm_cover95"]].notna().all().all()
    assert (models.e0_cover95 >= models.e0_cover80).all()


def test_backtest_sex_option_and_bad_years():
    scenario = SOURCE / "scenarios" / "china_reference.yaml"
    table = backtest_csv(scenario, "--origins", "2000", "--sex", "male", "--draws", 0)
    assert set(table.sex) == {"male"}
    result = healthcast("backtest", scenario, "--origins", 2019)
    assert result.returncode == 2
    assert "leaves no later period" in result.stderr and "2015-2019" in result.stderr
    result = healthcast("backtest", scenario, "--fit-until", 1980)
    assert result.returncode == 2 and "at least 3" in result.stderr


def test_fit_period_with_too_few_periods_lists_the_file_periods(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("fit_period: 1970-2019", "fit_period: 2010-2019")
    scenario_copy.write_text(text)
    result = healthcast("validate", scenario_copy)
    assert result.returncode == 2
    for fragment in ("s.yaml:", "fit_period", "at least 3", "1950-1954", "2015-2019"):
        assert fragment in result.stderr, (fragment, result.stderr)


def test_fit_period_belongs_to_lee_carter_only(scenario_copy, tmp_path):
    text = scenario_copy.read_text().replace("method: bms", "method: rates")
    text = text.replace("    rotate_bx: true\n", "")
    scenario_copy.write_text(text)
    result = healthcast("validate", scenario_copy)
    assert result.returncode == 2
    assert "fit_period" in result.stderr
    assert "only used by methods 'lee_carter, lee_miller, bms, li_lee'" in result.stderr


def test_info_reports_the_base_year_calibration(reference_run):
    result = healthcast("info", reference_run)
    assert result.returncode == 0, result.stderr
    assert "calibration, base year 2020, region china" in result.stdout
    pop = pd.read_csv(SOURCE / "data" / "china" / "population_2020.csv")
    line = next(l for l in result.stdout.splitlines() if "population, input file" in l)
    female, male, total = (float(v) for v in line.split()[-3:])
    assert female == pytest.approx(pop[pop.sex == "female"].population.sum() / 1e6, abs=6e-4)
    assert total == pytest.approx(pop.population.sum() / 1e6, abs=6e-4)
    # Deaths implied by the Lee-Carter input rates of 2020 over the modelled person-years.
    log_m, ages = lee_carter_log_m("male", 1970, 2019, 2020)
    single = np.exp(log_m[np.searchsorted(ages, np.arange(101), side="right") - 1])
    with xr.open_dataset(reference_run, engine="h5netcdf") as ds:
        py = ds["person_years"].sel(year=2020, region="china", sex="male").values
        stored = float(ds["calibration_deaths_input"].sel(region="china", sex="male"))
    assert stored == pytest.approx(float((single * py).sum()), rel=1e-9)
