"""healthcast.LeeCarter: the fit recovers a model that generated the rates exactly, the mean
forecast continues k along its drift, and the draws follow (seed, draw) and the closed-form
spread of a random walk with an uncertain drift."""

import numpy as np
import pytest

import healthcast as hc

AGES = np.array([0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90])
YEARS = np.arange(1990, 2020, dtype=float)


def known_model(k):
    """a_x, b_x (sum 1) and the rates exp(a_x + b_x k_t) for a given k (sum 0)."""
    a = np.log(np.array([0.02, 0.001, 0.0004, 0.0003, 0.0008, 0.001, 0.002, 0.005, 0.012,
                         0.03, 0.08, 0.2]))
    b = np.array([0.2, 0.15, 0.1, 0.08, 0.07, 0.08, 0.08, 0.07, 0.06, 0.05, 0.04, 0.02])
    assert b.sum() == pytest.approx(1.0, abs=1e-15) and k.sum() == pytest.approx(0.0, abs=1e-9)
    return a, b, np.exp(a[:, None] + b[:, None] * k[None, :])


def wiggly_k():
    """A declining k with year-to-year noise (so the innovations have a spread), summing to 0."""
    rng = np.random.default_rng(7)
    k = -1.5 * (YEARS - YEARS.mean()) + rng.normal(0, 2.0, YEARS.size)
    return k - k.mean()


def test_rates_built_from_known_parameters_are_recovered():
    k = wiggly_k()
    a, b, mx = known_model(k)
    lc = hc.LeeCarter.fit(mx, AGES, YEARS)
    np.testing.assert_allclose(lc.ax, a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(lc.bx, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(lc.kt, k, rtol=0, atol=1e-10)
    np.testing.assert_allclose(lc.fitted(), mx, rtol=1e-12)
    assert lc.explained == pytest.approx(1.0, abs=1e-12)
    assert lc.ages.tolist() == AGES.tolist() and lc.years.tolist() == YEARS.tolist()
    # Drift and innovations by their textbook formulas on the known k.
    n = k.size
    drift = (k[-1] - k[0]) / (n - 1)
    sigma = np.sqrt(np.sum((np.diff(k) - drift) ** 2) / (n - 2))
    assert lc.drift == pytest.approx(drift, rel=1e-10)
    assert lc.drift_per_year == pytest.approx(drift, rel=1e-10)
    assert lc.sigma == pytest.approx(sigma, rel=1e-9)
    assert lc.drift_se == pytest.approx(sigma / np.sqrt(n - 1), rel=1e-9)
    assert lc.step == 1.0
    assert isinstance(lc.ax, np.ndarray) and lc.kt.shape == (n,)


def test_the_mean_forecast_continues_a_linear_k_exactly():
    slope = -2.0
    k = slope * (YEARS - YEARS.mean())
    a, b, mx = known_model(k)
    lc = hc.LeeCarter.fit(mx, AGES, YEARS)
    assert lc.drift == pytest.approx(slope, rel=1e-12)
    assert lc.sigma == pytest.approx(0.0, abs=1e-9)
    f = lc.forecast(15)
    future = np.arange(2020, 2035, dtype=float)
    np.testing.assert_array_equal(f.years, future)
    expected_k = slope * (future - YEARS.mean())
    np.testing.assert_allclose(f.kt, expected_k, rtol=0, atol=1e-9)
    assert f.mx.shape == (AGES.size, 15)
    np.testing.assert_allclose(f.mx, np.exp(a[:, None] + b[:, None] * expected_k[None, :]),
                               rtol=1e-10)
    assert f.draws == 0 and f.kt_draws.shape == (0, 15)
    # Both jump-offs agree when the model fits the last year exactly.
    np.testing.assert_allclose(lc.forecast(15, jump_off="fitted").mx, f.mx, rtol=1e-10)
    assert lc.k_at(2030) == pytest.approx(slope * (2030 - YEARS.mean()), abs=1e-9)


def test_five_year_periods_forecast_annually():
    periods = np.arange(1972.0, 2018.0, 5.0)  # middles of 1970-74, ..., 2015-19
    k = -10.0 * (periods - periods.mean()) / 5.0
    _, _, mx = known_model(k)
    lc = hc.LeeCarter.fit(mx, AGES, periods)
    assert lc.step == 5.0
    assert lc.drift == pytest.approx(-10.0, rel=1e-12)
    assert lc.drift_per_year == pytest.approx(-2.0, rel=1e-12)
    f = lc.forecast(3)
    np.testing.assert_array_equal(f.years, [2018.0, 2019.0, 2020.0])
    np.testing.assert_allclose(f.kt, k[-1] - 2.0 * np.arange(1, 4), atol=1e-9)


def test_draws_are_reproducible_and_spread_as_the_closed_form_says():
    _, _, mx = known_model(wiggly_k())
    lc = hc.LeeCarter.fit(mx, AGES, YEARS)
    first = lc.forecast(20, draws=50, seed=3)
    again = lc.forecast(20, draws=50, seed=3)
    assert first.kt_draws.shape == (50, 20) and first.draws == 50
    np.testing.assert_array_equal(first.kt_draws, again.kt_draws)
    # Draw j depends on (seed, j) only: fewer draws are the first rows of more.
    np.testing.assert_array_equal(lc.forecast(20, draws=10, seed=3).kt_draws,
                                  first.kt_draws[:10])
    assert not np.allclose(lc.forecast(20, draws=50, seed=4).kt_draws, first.kt_draws)
    # A random walk with a drift drawn with standard error se: Var k(T+h) = h s^2 + h^2 se^2.
    h = np.arange(1, 21)
    sd = np.sqrt(h * lc.sigma**2 + h**2 * lc.drift_se**2)
    np.testing.assert_allclose(first.kt_sd, sd, rtol=1e-12)
    np.testing.assert_allclose(first.kt_sd_innovation, lc.sigma * np.sqrt(h), rtol=1e-12)
    many = lc.forecast(20, draws=4000, seed=11).kt_draws
    # 4000 draws: the sample mean is within 4 standard errors, the sample sd within 5%.
    assert np.all(np.abs(many.mean(axis=0) - first.kt) < 4 * sd / np.sqrt(4000))
    np.testing.assert_allclose(many.std(axis=0, ddof=1), sd, rtol=0.05)


def test_bad_input_is_explained():
    _, _, mx = known_model(wiggly_k())
    broken = mx.copy()
    broken[3, 4] = 0.0
    with pytest.raises(hc.HealthcastError, match="positive"):
        hc.LeeCarter.fit(broken, AGES, YEARS)
    with pytest.raises(hc.HealthcastError, match="rows are ages"):
        hc.LeeCarter.fit(mx.T, AGES, YEARS)
    with pytest.raises(hc.HealthcastError, match="equal steps"):
        hc.LeeCarter.fit(mx, AGES, np.r_[YEARS[:-1], 2030.0])
    with pytest.raises(ValueError, match="2-D"):
        hc.LeeCarter.fit(mx[:, 0], AGES, YEARS)
    lc = hc.LeeCarter.fit(mx, AGES, YEARS)
    with pytest.raises(ValueError, match="horizon"):
        lc.forecast(0)
    with pytest.raises(ValueError, match="jump_off"):
        lc.forecast(5, jump_off="last")


def test_unknown_keyword_arguments_raise_type_error():
    _, _, mx = known_model(wiggly_k())
    with pytest.raises(TypeError):
        hc.LeeCarter.fit(mx, AGES, YEARS, period="1990-2019")
    lc = hc.LeeCarter.fit(mx, AGES, YEARS)
    with pytest.raises(TypeError):
        lc.forecast(10, draw=5)
    with pytest.raises(TypeError):
        lc.rates(0.0, jumpoff="fitted")
