"""`healthcast backtest` on a synthetic history whose log death rates follow a Lee-Carter model
exactly, k_t a random walk with drift: the intervals must cover the held-back years about as
often as they say, and the naive forecasts must be scored beside the model."""

import os
import subprocess
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")

AGES = [0, 1] + list(range(5, 105, 5))


def write_history(path, years, seed):
    """Annual periods; log m = a_x + b_x k_t with k a random walk with drift -1 and sd 0.8."""
    rng = np.random.default_rng(seed)
    k = np.concatenate([[0.0], np.cumsum(-1.0 + 0.8 * rng.standard_normal(len(years) - 1))])
    ages = np.array(AGES, dtype=float)
    a = np.where(ages == 0, -4.0, np.where(ages == 1, -6.5, -9.3 + 0.085 * (ages - 5)))
    b = np.linspace(2.0, 0.5, len(AGES))
    b /= b.sum()
    rows = []
    for t, year in enumerate(years):
        for sex, shift in (("female", 0.0), ("male", 0.3)):
            for x, age in enumerate(AGES):
                rows.append((year, year, sex, age, np.exp(a[x] + shift + b[x] * k[t])))
    pd.DataFrame(rows, columns=["from_year", "to_year", "sex", "age", "mx"]).to_csv(path,
                                                                                  index=False)


def scenario_for(folder, history):
    text = (SOURCE / "scenarios" / "china_reference.yaml").read_text()
    data = SOURCE / "data" / "china"
    text = text.replace("../data/china/mortality_history.csv", str(history))
    text = text.replace("../data/china/", f"{data}/")
    text = text.replace("fit_period: 1970-2019", "fit_period: 1960-2019")
    scenario = folder / "synthetic.yaml"
    scenario.write_text(text)
    return scenario


def backtest(*args):
    result = subprocess.run([BIN, "backtest", *map(str, args), "--format", "csv"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(StringIO(result.stdout)).set_index(["sex", "method"])


ORIGINS = "1975,1983,1991,1999,2007,2015"  # 44 + 36 + 28 + 20 + 12 + 4 = 144 forecasts


def test_random_walk_histories_get_near_nominal_coverage(tmp_path):
    # One path's forecasts are strongly correlated (its coverage ranges from 30% to 100%), so
    # the coverage is averaged over 16 independent paths; intervals without the drift's
    # uncertainty, or with the innovations only, cover far less at long horizons.
    history = tmp_path / "history.csv"
    scenario = scenario_for(tmp_path, history)
    cover = []
    for seed in range(16):
        write_history(history, list(range(1960, 2020)), seed=seed)
        table = backtest(scenario, "--origins", ORIGINS, "--draws", 100, "--sex", "female",
                         "--methods", "lee_carter")
        row = table.loc[("female", "lee_carter")]
        assert row.pairs == 144
        cover.append(row[["e0_cover80", "e0_cover95", "logm_cover80", "logm_cover95"]].values)
    e0_80, e0_95, lm_80, lm_95 = np.mean(np.array(cover, dtype=float), axis=0)
    assert 70 <= e0_80 <= 90 and 70 <= lm_80 <= 90, (e0_80, lm_80)
    assert 85 <= e0_95 <= 100 and 85 <= lm_95 <= 100, (e0_95, lm_95)


def test_naive_forecasts_are_scored_beside_the_model(tmp_path):
    history = tmp_path / "history.csv"
    write_history(history, list(range(1960, 2020)), seed=1)
    table = backtest(scenario_for(tmp_path, history), "--origins", ORIGINS, "--draws", 20,
                     "--methods", "constant_rates,constant_improvement,lee_carter")
    for sex in ("female", "male"):
        for naive in ("constant_rates", "constant_improvement"):
            row = table.loc[(sex, naive)]
            assert row.pairs == 144 and np.isnan(row.e0_cover80) and row.e0_mae > 0
        # Rates that never fall lose against a history whose rates fall every year on average.
        assert table.loc[(sex, "constant_rates")].e0_mae > table.loc[(sex, "lee_carter")].e0_mae
