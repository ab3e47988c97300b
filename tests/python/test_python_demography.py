"""healthcast.life_table, prob_dying and healthy_life_expectancy against published tables and
hand calculations."""

import csv
import math
import os
from pathlib import Path

import numpy as np
import pytest

import healthcast as hc

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DATA = SOURCE / "tests" / "data"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("published_sex, sex", [("Both", "total"), ("Male", "male"),
                                                 ("Female", "female")])
def test_wpp2019_china_life_table_from_its_rates(published_sex, sex):
    # UN WPP2019, China 2015-2020, abridged. From the published mx alone, with our separation
    # factors (Coale-Demeny, Keyfitz), e0 agrees within 0.05 year.
    rows = [r for r in read_csv(DATA / "life_tables" / "china_wpp2019_lifetable_2015_2020.csv")
            if r["sex"] == published_sex]
    ages = [int(r["x"]) for r in rows]
    table = hc.life_table([float(r["mxn"]) for r in rows], ages=ages, sex=sex)
    assert table["age"].tolist() == ages
    assert abs(table["ex"].iloc[0] - float(rows[0]["ex"])) < 0.05
    assert abs(table["ex"].iloc[ages.index(65)] - float(rows[ages.index(65)]["ex"])) < 0.05


def test_un_1982_example_to_a_hundredth_of_a_year():
    rows = read_csv(DATA / "life_tables" / "un1982_p34_male_abridged_mx_ex.csv")
    ages = [int(r["age"]) for r in rows]
    table = hc.life_table([float(r["nMx"]) for r in rows], ages, sex="male")
    published = np.array([float(r["ex_published"]) for r in rows])
    upto65 = np.array(ages) <= 65
    np.testing.assert_allclose(table["ex"].to_numpy()[upto65], published[upto65], atol=0.01)


def test_life_table_columns_and_open_interval():
    table = hc.life_table([0.02, 0.01, 0.05, 0.5])
    assert list(table.columns) == ["age", "n", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"]
    assert table["age"].tolist() == [0, 1, 2, 3]
    assert table["n"].tolist()[:3] == [1, 1, 1] and math.isnan(table["n"].iloc[-1])
    assert table["lx"].iloc[0] == 100000 and table["qx"].iloc[-1] == 1
    assert table["Lx"].iloc[-1] == pytest.approx(table["lx"].iloc[-1] / 0.5)


def test_bad_rates_raise_a_scenario_error_naming_the_field():
    with pytest.raises(hc.ScenarioError) as caught:
        hc.life_table([0.02, -0.01, 0.3])
    assert caught.value.field == "mx"
    with pytest.raises(ValueError, match="one value per rate"):
        hc.life_table([0.02, 0.01, 0.3], ages=[0, 1])
    with pytest.raises(hc.ScenarioError, match="allowed: female, male, total"):
        hc.life_table([0.02, 0.3], sex="both")


def test_healthy_life_expectancy_by_hand():
    # Four single-year intervals, females, the last open. By hand, l0 = 1:
    #   a0 = 0.053 + 2.800 x 0.02 = 0.109 (Coale-Demeny, female, m0 < 0.107); a = 0.5 after.
    #   q = m / (1 + (1 - a) m):  q0 = 0.02/1.01782, q1 = 0.01/1.005, q2 = 0.05/1.025, q3 = 1
    #   L = l (1 - q) + a l q, open L3 = l3 / m3
    #   healthy years at x = sum over y >= x of L_y (1 - pi_y), divided by l_x.
    m = [0.02, 0.01, 0.05, 0.5]
    pi = [0.0, 0.1, 0.2, 0.5]
    q = [0.02 / 1.01782, 0.01 / 1.005, 0.05 / 1.025]
    a = [0.109, 0.5, 0.5]
    l = [1.0]
    for i in range(3):
        l.append(l[i] * (1 - q[i]))
    L = [l[i] * (1 - q[i]) + a[i] * l[i] * q[i] for i in range(3)] + [l[3] / 0.5]
    healthy = [sum(L[y] * (1 - pi[y]) for y in range(x, 4)) / l[x] for x in range(4)]
    result = hc.healthy_life_expectancy(m, pi, sex="female")
    assert isinstance(result, np.ndarray) and result.shape == (4,)
    np.testing.assert_allclose(result, healthy, rtol=1e-12)
    # No disability: healthy life expectancy is life expectancy.
    e = hc.life_table(m, sex="female")["ex"].to_numpy()
    np.testing.assert_allclose(hc.healthy_life_expectancy(m, [0] * 4, sex="female"), e)


def test_sullivan_manual_example():
    # EHEMU Sullivan guide (2007), example 1: published e0 = 81.415, DFLE0 = 66.573. The guide
    # takes a0 = 0.2 where we use Coale-Demeny's; that moves e0 by about 0.0005 year.
    rows = read_csv(DATA / "sullivan_manual" / "sullivan_manual_2007_ex1_dfle.csv")
    ages = [int(r["age"]) for r in rows]
    mx = [float(r["mx"]) for r in rows]
    pi = [float(r["pix"]) for r in rows]
    assert abs(hc.life_table(mx, ages)["ex"].iloc[0] - 81.415) < 0.01
    dfle = hc.healthy_life_expectancy(mx, pi, ages=ages)
    assert abs(dfle[0] - 66.573) < 0.01
    published = np.array([float(r["DFLEx"]) for r in rows])
    np.testing.assert_allclose(dfle[1:], published[1:], atol=0.01)


def test_prob_dying_by_hand():
    # WHO 30q70: 5q = 5m / (1 + 2.5m) for x = 30, 35, ..., 65, then 1 - prod(1 - 5q).
    ages = [0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80]
    rates = [0.05] * 7 + [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.010] + [0.9] * 3
    # 5q: 0.005/1.0025, 0.01/1.005, 0.015/1.0075, 0.02/1.01, 0.025/1.0125, 0.03/1.015,
    #     0.04/1.02, 0.05/1.025
    survive = 1.0
    for num, den in [(0.005, 1.0025), (0.01, 1.005), (0.015, 1.0075), (0.02, 1.01),
                     (0.025, 1.0125), (0.03, 1.015), (0.04, 1.02), (0.05, 1.025)]:
        survive *= 1 - num / den
    assert hc.prob_dying(rates, ages) == pytest.approx(1 - survive, rel=1e-12)
    # Only the groups between start and end count.
    assert hc.prob_dying(rates, ages, start=60, end=70) == pytest.approx(
        1 - (1 - 0.04 / 1.02) * (1 - 0.05 / 1.025), rel=1e-12)
    with pytest.raises(hc.ScenarioError):
        hc.prob_dying(rates[:9], ages[:9])  # stops at 40: groups 45..65 missing
