"""healthcast.plot: every plot renders to PNG in English and Chinese without warnings (a
missing glyph would be a warning, hence an error here). Set HEALTHCAST_PLOT_DIR to keep the
PNGs for looking at."""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import healthcast as hc  # noqa: E402
from healthcast import plot  # noqa: E402

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="module")
def results():
    scenario = hc.load_scenario(SOURCE / "scenarios" / "china_reference.yaml")
    scenario.horizon = 2040
    return hc.run(scenario, progress=False)


@pytest.fixture()
def out_dir(tmp_path):
    keep = os.environ.get("HEALTHCAST_PLOT_DIR")
    path = Path(keep) if keep else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(ax, path):
    ax.figure.savefig(path, dpi=80)
    plt.close(ax.figure)
    assert path.stat().st_size > 5000


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_plot_renders(results, out_dir, lang):
    save(plot.fan_chart(results, "life_expectancy", lang=lang), out_dir / f"fan_{lang}.png")
    other = hc.load_scenario(SOURCE / "scenarios" / "china_reference.yaml")
    other.name, other.horizon = "to_2030", 2030
    targets = pd.DataFrame({"indicator": ["life_expectancy"] * 2, "year": [2030, 2040],
                            "target": [79.0, 81.0]})
    save(plot.scenarios_against_targets({"reference": results,
                                         "to 2030": hc.run(other, progress=False)},
                                        targets=targets, lang=lang),
         out_dir / f"targets_{lang}.png")
    save(plot.population_pyramid(results, [2020, 2040], lang=lang),
         out_dir / f"pyramid_{lang}.png")
    save(plot.deaths_over_time(results, lang=lang), out_dir / f"deaths_{lang}.png")


def test_fan_chart_shades_draws_and_quantiles(results, out_dir):
    ds = results.to_xarray()
    rng = np.random.default_rng(1)
    e = ds["life_expectancy"]
    noise = xr.DataArray(rng.normal(0, 1, 40), dims="draw") * (e["year"] - 2020) / 10
    draws = ds.assign(life_expectancy=e + noise)
    ax = plot.fan_chart(draws, "life_expectancy")
    assert len(ax.collections) == 2  # the 95% and 50% bands
    save(ax, out_dir / "fan_draws.png")
    quantiles = ds.assign(life_expectancy=e + xr.DataArray([-1.0, 0.0, 1.0], dims="quantile",
                                                          coords={"quantile": [0.025, 0.5,
                                                                               0.975]}))
    ax = plot.fan_chart(quantiles, "life_expectancy")
    assert len(ax.collections) == 1
    plt.close(ax.figure)


def test_fan_chart_of_a_run_with_draws_shades_its_95_percent_interval(out_dir):
    scenario = hc.load_scenario(SOURCE / "scenarios" / "china_reference.yaml")
    scenario.horizon = 2025
    run = hc.run(scenario, draws=5, seed=1, progress=False)
    ax = plot.fan_chart(run, "life_expectancy")
    (band,) = ax.collections
    summary = run.to_xarray()["life_expectancy_summary"].sel(region="china", sex="total", age=0)
    # The band's outline runs along the lower and then the upper quantiles.
    y = band.get_paths()[0].vertices[:, 1]
    lower, upper = summary.sel(statistic="lower_95").values, summary.sel(statistic="upper_95")
    assert np.isclose(y.min(), lower.min()) and np.isclose(y.max(), float(upper.max()))
    assert [line.get_label() for line in ax.get_lines()] == ["Median", "Central projection"]
    save(ax, out_dir / "fan_summary.png")


def test_deaths_by_another_dimension(results, out_dir):
    ds = results.to_xarray()
    setting = xr.DataArray([0.3, 0.7], dims="setting", coords={"setting": ["urban", "rural"]})
    by_setting = (ds["deaths"] * setting).rename("deaths").to_dataset()
    ax = plot.deaths_over_time(by_setting, "deaths", by="setting", lang="zh")
    # Ages are summed; the legend lists the top layer first.
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rural", "urban"]
    save(ax, out_dir / "deaths_by_setting_zh.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_deaths_by_cause_of_the_health_model(results, out_dir, lang):
    ds = results.to_xarray()
    assert ds["deaths_by_cause"].dims == ("year", "region", "sex", "age", "cause")
    ax = plot.deaths_over_time(results, by="cause", lang=lang)
    # One layer per cause, each the cause's deaths summed over age, in thousands.
    by_cause = ds["deaths_by_cause"].sel(region="china", sex="total").sum("age") / 1000.0
    tops = np.cumsum(by_cause.transpose("cause", "year").values, axis=0)
    assert len(ax.collections) == ds.sizes["cause"]
    np.testing.assert_allclose(ax.get_ylim()[1] >= tops[-1].max(), True)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == ds.sizes["cause"] and len(set(legend)) == len(legend)
    expected = {"en": "Ischaemic heart disease", "zh": "缺血性心脏病"}[lang]
    assert legend[-1] == expected  # the bottom layer, ihd, is listed last
    # The causes add up to all deaths (within the ODE's round-off).
    np.testing.assert_allclose(tops[-1], ds["deaths"].sel(region="china", sex="total")
                               .sum("age").values / 1000.0, rtol=1e-6)
    save(ax, out_dir / f"deaths_by_cause_{lang}.png")


def test_targets_are_drawn_at_their_levels(results, out_dir):
    targets = pd.DataFrame({
        "indicator": ["life_expectancy"] * 3, "year": [2030, 2035, 2040], "sex": "total",
        "comparator": [">=", "relative_change", "natural"], "target": [79.0, 0.05, np.nan],
        "modelled": [80.0, 82.0, 81.0], "judged": [80.0, 0.025, 81.0],
        "status": ["met", "not_met", "not_met"], "basis": "modelled"})
    ax = plot.scenarios_against_targets(results, targets=targets, lang="zh")
    points = [c.get_offsets() for c in ax.collections]
    assert len(points) == 2  # met and not met; 'natural' has no level
    np.testing.assert_allclose(points[0], [[2030, 79.0]])
    # +5% on a baseline of 82 / 1.025 = 80: a level of 84.
    np.testing.assert_allclose(points[1], [[2035, 84.0]])
    assert [t.get_text() for t in ax.texts] == ["79", "+5%"]
    save(ax, out_dir / "targets_levels_zh.png")


def test_bad_arguments_are_explained(results):
    with pytest.raises(ValueError, match="lang"):
        plot.fan_chart(results, lang="fr")
    with pytest.raises(ValueError, match="no region"):
        plot.fan_chart(results, region="atlantis")
    with pytest.raises(TypeError):
        plot.population_pyramid(results, year=2020)
    plt.close("all")
