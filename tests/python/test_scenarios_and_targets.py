"""Scenario files with interventions and targets, run from the command line: every shipped
scenario runs, each lever does what its definition says, targets are judged as specified, and a
comparison adds up."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCENARIOS = sorted((SOURCE / "scenarios").rglob("*.yaml"))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=600)


def run(scenario, out):
    result = healthcast("run", scenario, "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    return xr.open_dataset(out, engine="h5netcdf")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A scratch folder beside the shipped data, so that scenarios written here find it."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "data").symlink_to(SOURCE / "data")
    (folder / "scenarios").symlink_to(SOURCE / "scenarios")
    (folder / "mine").mkdir()
    return folder


@pytest.fixture(scope="module")
def reference(workdir):
    return run(SOURCE / "scenarios" / "china_reference.yaml", workdir / "reference.h5")


def write(workdir, name, text):
    path = workdir / "mine" / f"{name}.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: str(p.relative_to(SOURCE)))
def test_every_shipped_scenario_validates_and_runs(scenario, tmp_path):
    assert healthcast("validate", scenario).returncode == 0
    with run(scenario, tmp_path / "out.h5") as ds:
        assert ds.sizes["year"] >= 1
        if "target" in ds.dims:
            table = healthcast("targets", tmp_path / "out.h5", "--lang", "zh")
            assert table.returncode == 0, table.stderr
            assert len(table.stdout.splitlines()) > ds.sizes["target"]


def test_prevalence_scale_holds_each_cohort_at_half_its_reference_share(workdir, reference):
    with run(SOURCE / "scenarios" / "examples" / "smoking_halved.yaml", workdir / "half.h5") as ds:
        share = ds["risk_factor_share"].sel(region="china", category="smoking/current")
        ref = reference["risk_factor_share"].sel(region="china", category="smoking/current")
        for year in [2021, 2030, 2050]:
            for sex in ["female", "male"]:
                a = share.sel(year=year, sex=sex, age=slice(15, 99)).values
                b = ref.sel(year=year, sex=sex, age=slice(15, 99)).values
                # Both shares come out of separate integrations, each within the default
                # relative tolerance of 1e-8 (demography/cohort_year.h).
                np.testing.assert_allclose(a, 0.5 * b, rtol=2e-8, atol=1e-12)
        # Before the start year nothing changes.
        np.testing.assert_allclose(share.sel(year=2020).values, ref.sel(year=2020).values)


def test_residual_cause_multiplier_scales_that_cause_only(workdir, reference):
    text = """healthcast: 1
name: safer_roads
extends: ../scenarios/china_reference.yaml
interventions:
  - {name: roads, kind: other_mortality, causes: [injuries], multiply: 0.7, start: 2025, full: 2025}
"""
    with run(write(workdir, "roads", text), workdir / "roads.h5") as ds:
        cell = dict(year=2030, region="china", sex="male", age=slice(20, 80))
        rate = ds["deaths_by_cause"].sel(cause="injuries", **cell) / ds["person_years"].sel(**cell)
        ref = (reference["deaths_by_cause"].sel(cause="injuries", **cell)
               / reference["person_years"].sel(**cell))
        np.testing.assert_allclose(rate.values, 0.7 * ref.values, rtol=1e-7)
        # Other residual causes keep their rates.
        rate = ds["deaths_by_cause"].sel(cause="kidney", **cell) / ds["person_years"].sel(**cell)
        ref = (reference["deaths_by_cause"].sel(cause="kidney", **cell)
               / reference["person_years"].sel(**cell))
        np.testing.assert_allclose(rate.values, ref.values, rtol=1e-7)


def test_a_lever_that_reaches_a_prevalence_lands_on_it(workdir):
    text = """healthcast: 1
name: twenty
extends: ../scenarios/china_reference.yaml
interventions:
  - {name: tobacco, kind: risk_factor_prevalence, factor: smoking, category: current,
     to: former_0_4, reach: 20, start: 2021, full: 2030}
"""
    with run(write(workdir, "twenty", text), workdir / "twenty.h5") as ds:
        p = ds["smoking_prevalence_15plus"].sel(region="china", sex="total")
        assert float(p.sel(year=2030)) == pytest.approx(20.0, abs=1e-4)
        # Half-way through the ramp the scale is half-way too: between reference and target.
        assert 20.0 < float(p.sel(year=2025)) < float(p.sel(year=2020))


def test_population_scale_gives_the_city_its_population(workdir):
    text = """healthcast: 1
name: city
extends: ../scenarios/china_reference.yaml
population_scale: 9070093
"""
    with run(write(workdir, "city", text), workdir / "city.h5") as ds:
        total = float(ds["population"].sel(year=2020, sex="total").sum())
        assert total == pytest.approx(9070093, rel=1e-12)
        assert "scaled" in ds.attrs["population_scaled"]


def test_monitored_trend_and_targets_match_a_hand_calculation(workdir):
    # History 2010-2013: 10, 12, 13, 15. Least squares: slope 1.6, mean 12.5 at 2011.5, so
    # 2030 -> 12.5 + 1.6 * 18.5 = 42.1. Residuals -0.1, 0.3, -0.3, 0.1: s = sqrt(0.2 / 2); the
    # 95% prediction half-width at 2030 is t(0.975, 2) s sqrt(1 + 1/4 + 18.5^2 / 5)
    # = 4.302653 * 0.316228 * 8.348653 = 11.3593.
    # P(value >= 40) with sd = half-width / 1.959964 = 5.79569: Phi(2.1 / 5.79569) = 0.6414.
    (workdir / "mine" / "literacy.csv").write_text(
        "# made up for the test\nyear,value\n2010,10\n2011,12\n2012,13\n2013,15\n")
    text = """healthcast: 1
name: judged
extends: ../scenarios/china_reference.yaml
monitored:
  - {indicator: health_literacy, unit: percent, history: literacy.csv}
targets:
  - {indicator: health_literacy, year: 2030, comparator: ">=", value: 40, unit: percent}
  - {indicator: life_expectancy, year: 2030, comparator: ">=", value: 70, unit: years}
  - {indicator: life_expectancy, year: 2030, comparator: ">=", value: 95, unit: years}
  - {indicator: life_expectancy, year: 2030, comparator: relative_change, value: 0.01,
     base_year: 2020, unit: fraction}
"""
    out = workdir / "judged.h5"
    with run(write(workdir, "judged", text), out) as ds:
        lower = float(ds["monitored_lower"].sel(monitored="health_literacy", year=2030))
        upper = float(ds["monitored_upper"].sel(monitored="health_literacy", year=2030))
        value = float(ds["monitored_value"].sel(monitored="health_literacy", year=2030))
        assert value == pytest.approx(42.1, abs=1e-9)
        assert (upper - lower) / 2 == pytest.approx(11.3593, abs=1e-4)
        assert float(ds["target_probability"][0]) == pytest.approx(0.6414, abs=1e-4)
        assert list(ds["target_met"].values[:3]) == [1.0, 1.0, 0.0]
        assert list(ds["target_status"].values[:3]) == ["met", "met", "not_met"]
        # e0 +1% on 2020: the official 77.93 (2020) is the baseline; the judged 2030 value is
        # the last official value, 79.25 (2025), plus the modelled difference 2025-2030.
        e0 = ds["life_expectancy"].sel(region="china", sex="total", age=0)
        judged = 79.25 + float(e0.sel(year=2030) - e0.sel(year=2025))
        assert float(ds["target_judged"][3]) == pytest.approx(judged / 77.93 - 1, rel=1e-12)
        assert float(ds["target_baseline_value"][3]) == 77.93
        # First year met for "e0 >= 70": already in the base year.
        assert float(ds["target_first_year_met"][1]) == 2020
    table = healthcast("targets", out)
    assert table.returncode == 0 and "health_literacy" in table.stdout


def test_unknown_indicator_and_cyclic_extends_are_bad_input(workdir):
    bad = write(workdir, "bad_indicator", """healthcast: 1
name: bad
extends: ../scenarios/china_reference.yaml
targets:
  - {indicator: happiness, year: 2030, comparator: ">=", value: 1}
""")
    result = healthcast("validate", bad)
    assert result.returncode == 2 and "unknown indicator 'happiness'" in result.stderr
    write(workdir, "a", "healthcast: 1\nname: a\nextends: b.yaml\n")
    write(workdir, "b", "healthcast: 1\nname: b\nextends: a.yaml\n")
    result = healthcast("validate", workdir / "mine" / "a.yaml")
    assert result.returncode == 2 and "cycle" in result.stderr


def test_comparison_adds_up_to_the_difference_of_the_runs(workdir, reference):
    half = workdir / "half.h5"
    if not half.exists():
        run(SOURCE / "scenarios" / "examples" / "smoking_halved.yaml", half).close()
    out = workdir / "comparison.h5"
    result = healthcast("compare", workdir / "reference.h5", half, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "deaths averted" in result.stdout
    with xr.open_dataset(out, engine="h5netcdf") as diff, \
            xr.open_dataset(half, engine="h5netcdf") as scenario:
        averted = (reference["deaths"] - scenario["deaths"]).sum("age")
        # Differences of sums of about 1e7 deaths: round-off is about 1e-8 persons per 1e7.
        np.testing.assert_allclose(diff["deaths_averted"].values, averted.values, atol=1e-3)
        np.testing.assert_allclose(diff["cumulative_deaths_averted"].values,
                                   averted.cumsum("year").values, atol=1e-2)
        gained = (scenario["person_years"] - reference["person_years"]).sum("age")
        np.testing.assert_allclose(diff["life_years_gained"].values, gained.values, atol=1e-2)


def test_both_sexes_burden_is_the_sum_of_the_sexes(reference):
    for name in ["yld", "yll", "daly"]:
        v = reference[name].sel(region="china")
        np.testing.assert_allclose(v.sel(sex="total").values,
                                   (v.sel(sex="female") + v.sel(sex="male")).values, rtol=1e-12)
    # Healthy life expectancy of both sexes lies between the sexes'.
    h = reference["healthy_life_expectancy"].sel(region="china", age=0)
    assert ((h.sel(sex="total") > h.sel(sex="male")) & (h.sel(sex="total") < h.sel(sex="female"))).all()


def test_a_monitored_target_without_history_is_no_data(workdir):
    """No placeholder is invented: without observed values a target gets neither a verdict nor
    a probability, and the output says what to supply. One observation is held and too short
    for an interval."""
    (workdir / "mine" / "one.csv").write_text("year,value\n2020,91\n")
    text = """healthcast: 1
name: nodata
extends: ../scenarios/china_reference.yaml
horizon: 2025
monitored:
  - {indicator: diabetes_management, unit: percent}
  - {indicator: sewage, unit: percent, history: one.csv}
targets:
  - {indicator: diabetes_management, year: 2025, comparator: ">=", value: 60, unit: percent}
  - {indicator: sewage, year: 2025, comparator: ">=", value: 93, unit: percent}
"""
    out = workdir / "nodata.h5"
    with run(write(workdir, "nodata", text), out) as ds:
        assert str(ds["target_status"].values[0]) == "no_data"
        for name in ("target_met", "target_probability", "target_judged", "target_gap"):
            assert np.isnan(float(ds[name][0])), name
        assert "supply" in str(ds["target_basis"].values[0])
        assert str(ds["monitored_history"].sel(monitored="diabetes_management").values) == "none"
        # One observation: held at 91, judged not met, but no probability and it says why.
        assert float(ds["target_judged"][1]) == 91.0
        assert str(ds["target_status"].values[1]) == "not_met"
        assert np.isnan(float(ds["target_probability"][1]))
        assert "too short for a trend interval" in str(ds["target_basis"].values[1])
    table = healthcast("targets", out, "--lang", "zh")
    assert table.returncode == 0 and "无数据" in table.stdout


def test_targets_are_judged_on_the_official_level_carried_by_the_modelled_change(workdir):
    """A hand-built official series. 30q70: 20.0 (2015) and 18.0 (2017), both before the base
    year 2020, so the level is bridged by the official log-linear trend: 18 x (18/20)^(3/2)
    = 15.368669 in 2020, then moved by the modelled ratio 2020-2030. A target dated 2016 lies
    inside the observations: judged on them (interpolated 19.0), 'observed'. "-30% vs 2015"
    compares with the official 20.0. Life expectancy (a difference): 76.0 (2019) and 77.0 (2022),
    the latest after the base year, so 77.0 + e0(2030) - e0(2022)."""
    (workdir / "mine" / "official.csv").write_text(
        "indicator,year,value\npremature_ncd_mortality,2015,20.0\n"
        "premature_ncd_mortality,2017,18.0\nlife_expectancy,2019,76.0\n"
        "life_expectancy,2022,77.0\n")
    text = """healthcast: 1
name: anchored
extends: ../scenarios/china_reference.yaml
horizon: 2030
inputs:
  official: official.csv
targets:
  - {indicator: premature_ncd_mortality, year: 2030, comparator: "<=", value: 9.5, unit: percent}
  - {indicator: premature_ncd_mortality, year: 2030, comparator: relative_change, value: -0.3,
     base_year: 2015, unit: fraction}
  - {indicator: premature_ncd_mortality, year: 2016, comparator: "<=", value: 19.5, unit: percent}
  - {indicator: life_expectancy, year: 2030, comparator: ">=", value: 95.0, unit: years}
"""
    out = workdir / "anchored.h5"
    with run(write(workdir, "anchored", text), out) as ds:
        q = ds["premature_ncd_mortality"].sel(region="china", sex="total")
        ratio = float(q.sel(year=2030) / q.sel(year=2020))
        bridged = 18.0 * 0.9 ** 1.5
        assert bridged == pytest.approx(15.368669, abs=1e-6)
        assert float(ds["target_start_value"][0]) == pytest.approx(bridged, rel=1e-12)
        assert (float(ds["target_official_year"][0]), float(ds["target_start_year"][0])) == (
            2017, 2020)
        assert float(ds["target_modelled_change"][0]) == pytest.approx(ratio, rel=1e-12)
        assert float(ds["target_judged"][0]) == pytest.approx(bridged * ratio, rel=1e-12)
        assert float(ds["target_projected"][0]) == pytest.approx(float(q.sel(year=2030)))
        assert float(ds["target_gap"][0]) == pytest.approx(bridged * ratio - 9.5, rel=1e-12)
        # Relative: against the official 2015 value.
        assert float(ds["target_baseline_value"][1]) == 20.0
        assert float(ds["target_judged"][1]) == pytest.approx(bridged * ratio / 20.0 - 1,
                                                              rel=1e-12)
        # Observed: 2016 between 20.0 and 18.0.
        assert float(ds["target_judged"][2]) == pytest.approx(19.0, abs=1e-12)
        assert str(ds["target_status"].values[2]) == "observed_met"
        assert np.isnan(float(ds["target_probability"][2]))
        e0 = ds["life_expectancy"].sel(region="china", sex="total", age=0)
        assert str(ds["target_convention"].values[3]) == "difference"
        assert float(ds["target_judged"][3]) == pytest.approx(
            77.0 + float(e0.sel(year=2030) - e0.sel(year=2022)), abs=1e-12)
    for fmt in ["csv", "json"]:
        table = healthcast("targets", out, "--format", fmt)
        assert table.returncode == 0, table.stderr
    rows = healthcast("targets", out, "--format", "csv").stdout.splitlines()
    assert rows[0].startswith("plan,indicator,year,sex,comparator,target,unit,precision,"
                              "modelled,judged,gap,status,probability,first_year_met,"
                              "official_year,official_value,start_year,start_value,"
                              "modelled_change,convention,baseline_year,baseline_value")
    assert len(rows) == 5 and ",observed_met," in rows[3]


def test_a_target_is_met_when_its_value_rounded_to_the_plans_precision_meets_it(workdir,
                                                                                 reference):
    """Healthy life expectancy has no official series: judged on the model. With g its 2030
    value rounded to two decimals, the target g (written with two decimals) is met however the
    unrounded value falls around it, and one step of the precision further is not."""
    h = float(reference["healthy_life_expectancy"].sel(region="china", sex="total", age=0,
                                                       year=2030))
    g = round(h, 2)
    ahead, beyond = ((">=", g + 0.01) if g > h else ("<=", g - 0.01))
    near = ">=" if g > h else "<="
    text = f"""healthcast: 1
name: precise
extends: ../scenarios/china_reference.yaml
horizon: 2030
targets:
  - {{indicator: healthy_life_expectancy, year: 2030, comparator: "{near}", value: {g:.2f}}}
  - {{indicator: healthy_life_expectancy, year: 2030, comparator: "{ahead}", value: {beyond:.2f}}}
"""
    with run(write(workdir, "precise", text), workdir / "precise.h5") as ds:
        assert float(ds["target_projected"][0]) == pytest.approx(h, abs=1e-9)
        assert list(ds["target_status"].values) == ["met", "not_met"]
        assert float(ds["target_precision"][0]) == 2


def test_xiangfu_diabetes_management_is_judged_on_the_levers_coverage(tmp_path):
    """The lever ramps coverage from the health model's 0.329 (data/china/health.yaml) to 0.7
    over 2021-2030: in 2022 w = 2/10, so 100 x (0.8 x 0.329 + 0.2 x 0.7) = 40.32% against the
    plan's 60%; in 2030 the lever is the target itself: set by lever, no probability. Regular
    exercise: 100 - (100 - 37.2 observed in 2020) x (1 + w (0.89 - 1)): 38.5816% in 2022 and
    44.108% in 2030. "Better than national" on national data is not comparable."""
    # On the nation, where the health model's base coverage is the region's own (on Xiangfu's
    # census unit it is another place's level: test_unit_regions.py).
    plan = tmp_path / "xiangfu_on_the_nation.yaml"
    plan.write_text(f"healthcast: 1\nname: xiangfu\nextends: {SOURCE}/scenarios/plans/"
                    "xiangfu.yaml\nregions: [china]\n", encoding="utf-8")
    with run(plan, tmp_path / "x.h5") as ds:
        rows = {(str(i), int(y)): k for k, (i, y) in enumerate(
            zip(ds["target_indicator"].values, ds["target_year"].values))}
        d22, d30 = rows[("diabetes_management", 2022)], rows[("diabetes_management", 2030)]
        assert float(ds["target_judged"][d22]) == pytest.approx(40.32, abs=1e-9)
        assert str(ds["target_status"].values[d22]) == "not_met"
        assert str(ds["target_status"].values[d30]) == "set_by_lever"
        assert np.isnan(float(ds["target_probability"][d30]))
        e22, e30 = rows[("regular_exercise", 2022)], rows[("regular_exercise", 2030)]
        assert float(ds["target_judged"][e22]) == pytest.approx(38.5816, abs=1e-9)
        assert float(ds["target_judged"][e30]) == pytest.approx(44.108, abs=1e-9)
        assert [str(ds["target_status"].values[k]) for k in (e22, e30)] == ["not_met", "met"]
        assert str(ds["target_status"].values[rows[("life_expectancy", 2030)]]) == \
            "not_comparable"


def test_maternal_mortality_follows_the_official_trend_with_drawn_uncertainty(workdir):
    """MMR: 16.9 per 100,000 in 2020 carried by the official log-linear trend, slope -0.035536
    a year (fit to 2015-2020, 95% interval -0.052859 to -0.018213; data/SOURCES.md): 2030 =
    16.9 exp(-0.35536) = 11.8456. Each draw takes its own slope from a normal with that interval
    (sd 0.034646 / 3.919928 = 0.0088385): the 2030/2020 ratio of a draw gives its slope."""
    text = """healthcast: 1
name: mmr
extends: ../scenarios/china_reference.yaml
horizon: 2030
"""
    out = workdir / "mmr.h5"
    result = healthcast("run", write(workdir, "mmr", text), "-o", out, "-q", "--draws", 16,
                        "--seed", 5, "--keep-draws")
    assert result.returncode == 0, result.stderr
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        mmr = ds["maternal_mortality"].sel(region="china")
        assert float(mmr.sel(year=2020)) == pytest.approx(16.9, abs=1e-9)
        assert float(mmr.sel(year=2030)) == pytest.approx(11.8456, abs=1e-4)
        draws = ds["maternal_mortality_draws"].sel(region="china")
        slopes = np.log(draws.sel(year=2030) / draws.sel(year=2020)).values / 10
        sd = (0.052859 - 0.018213) / (2 * 1.959964)
        assert abs(slopes.mean() + 0.035536) < 4 * sd / np.sqrt(len(slopes))
        assert 0.4 * sd < slopes.std(ddof=1) < 1.7 * sd


def test_the_reference_infant_mortality_starts_at_the_official_value(reference):
    """The reference scales age-0 rates so that the 2020 infant mortality of both sexes is the
    official 5.4 per 1,000 (WPP's rates give about 6.2); the ages above are untouched, so
    mortality at 1-4 is WPP's and under-5 mortality exceeds IMR."""
    imr = reference["infant_mortality"].sel(region="china", year=2020)
    assert float(imr.sel(sex="total")) == pytest.approx(5.4, abs=0.05)
    assert float(imr.sel(sex="male")) > float(imr.sel(sex="female"))
    u5 = reference["under5_mortality"].sel(region="china", year=2020, sex="total")
    assert float(u5) > float(imr.sel(sex="total"))
