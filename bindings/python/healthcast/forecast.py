"""Mortality forecasting on arrays (no scenario needed): the Lee-Carter model.

The model (Lee & Carter 1992) is ``log m(x, t) = a_x + b_x k_t``, fitted by the singular value
decomposition of the centred log rates with ``sum(b_x) = 1`` and ``sum(k_t) = 0``, so ``a_x``
is the mean log rate over the fitted years. ``k_t`` is forecast as a random walk with drift.
This is the same C++ code that scenario runs use for ``mortality: {method: lee_carter}``.

Example::

    lc = healthcast.LeeCarter.fit(mx, ages, years)   # mx: ages x years
    lc.drift, lc.sigma                                # per time step
    f = lc.forecast(30, draws=1000, seed=1)
    f.kt, f.mx, f.kt_draws
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import _core

ArrayLike = npt.ArrayLike
JUMP_OFFS = ("observed", "fitted")


@dataclass(frozen=True)
class LeeCarterForecast:
    """A Lee-Carter forecast for the years after the last fitted year (annual steps).

    Attributes:
        years: the forecast years, ``T + 1, ..., T + horizon`` (T: the last fitted time; times
            are floats because a five-year period's time is its middle, which may be a half).
        kt: the mean path of k (the drift line through the last fitted k), one per year.
        kt_sd: standard deviation of k, from the innovations and the drift's standard error.
        kt_sd_innovation: the innovations' part of it only (Lee & Carter's Table 2).
        mx: death rates of the mean path, ages x years (per person-year).
        kt_draws: k paths of the draws, draws x years (0 rows without draws). Draw j depends
            only on (seed, j), so the same seed gives the same draws.
    """

    years: np.ndarray
    kt: np.ndarray
    kt_sd: np.ndarray
    kt_sd_innovation: np.ndarray
    mx: np.ndarray
    kt_draws: np.ndarray

    @property
    def draws(self) -> int:
        """Number of draws."""
        return int(self.kt_draws.shape[0])


class LeeCarter:
    """A fitted Lee-Carter model. Make one with :meth:`LeeCarter.fit`."""

    def __init__(self, model: _core.LeeCarter) -> None:
        if not isinstance(model, _core.LeeCarter):
            raise TypeError("use LeeCarter.fit(mx, ages, years) to make a LeeCarter model")
        self._model = model

    @classmethod
    def fit(cls, mx: ArrayLike, ages: ArrayLike, years: ArrayLike) -> LeeCarter:
        """Fit the model to observed death rates.

        Args:
            mx: positive central death rates per person-year, a 2-D array with one row per
                age and one column per year (or period).
            ages: the rows' ages (single years or the left edges of abridged groups).
            years: the columns' times, increasing in equal steps (1 for annual data; 5 for
                five-year periods, each at its middle year, e.g. 2017 for 2015-2019).
                At least 3 columns.

        Raises:
            HealthcastError: a rate that is not positive and finite, sizes that do not match,
                fewer than 3 years or uneven steps (the message says which).
            ValueError: ``mx`` is not 2-D or ``ages`` are not whole numbers.
        """
        m = np.asarray(mx, dtype=float)
        if m.ndim != 2:
            raise ValueError(f"mx must be 2-D (ages x years), got shape {m.shape}")
        x = np.asarray(ages)
        if x.ndim != 1 or not np.all(np.equal(np.mod(x, 1), 0)):
            raise ValueError("ages must be a 1-D array of whole numbers")
        t = np.asarray(years, dtype=float)
        if t.ndim != 1:
            raise ValueError(f"years must be 1-D, got shape {t.shape}")
        return cls(_core.LeeCarter.fit(m, [int(a) for a in x], t.tolist()))

    @property
    def ages(self) -> np.ndarray:
        """The ages of the rows."""
        return np.asarray(self._model.ages, dtype=int)

    @property
    def years(self) -> np.ndarray:
        """The fitted times (columns)."""
        return np.asarray(self._model.years, dtype=float)

    @property
    def ax(self) -> np.ndarray:
        """a_x: the mean log death rate at each age over the fitted years."""
        return self._model.ax

    @property
    def bx(self) -> np.ndarray:
        """b_x: each age's share of the change in log rates (sums to 1)."""
        return self._model.bx

    @property
    def kt(self) -> np.ndarray:
        """k_t: the mortality index of each fitted year (sums to 0)."""
        return self._model.kt

    @property
    def step(self) -> float:
        """Years between fitted columns (the model's time step)."""
        return float(self._model.step)

    @property
    def drift(self) -> float:
        """Drift of k per time step: (k_T - k_1) / (T - 1)."""
        return float(self._model.drift)

    @property
    def drift_per_year(self) -> float:
        """Drift of k per calendar year (drift / step)."""
        return float(self._model.drift_per_year)

    @property
    def sigma(self) -> float:
        """Standard deviation of k's innovations per time step (about the drift)."""
        return float(self._model.sigma)

    @property
    def drift_se(self) -> float:
        """Standard error of the drift: sigma / sqrt(T - 1)."""
        return float(self._model.drift_se)

    @property
    def explained(self) -> float:
        """Share of the centred log rates' variance that the first singular vector explains."""
        return float(self._model.explained)

    def fitted(self) -> np.ndarray:
        """Fitted death rates exp(a_x + b_x k_t), ages x fitted years."""
        return self._model.fitted()

    def k_at(self, year: float) -> float:
        """Mean k at any time: the drift line through the last fitted k."""
        return float(self._model.k_at(float(year)))

    def rates(self, k: float, jump_off: str = "observed") -> np.ndarray:
        """Death rates by age for a value of k.

        ``jump_off="observed"`` moves the last observed rates by b_x (k - k_T) (Lee & Miller
        2001); ``"fitted"`` gives the model's own exp(a_x + b_x k).
        """
        return self._model.rates(float(k), _jump_off(jump_off))

    def forecast(self, horizon: int, draws: int = 0, seed: int = 0,
                 jump_off: str = "observed") -> LeeCarterForecast:
        """Forecast k and the death rates for ``horizon`` years after the last fitted year.

        Args:
            horizon: number of years (annual, whatever the fitted time step).
            draws: number of simulated k paths (drift drawn from its sampling distribution,
                then annual innovations); 0 for the mean path only.
            seed: seed of the random streams; draw j depends only on (seed, j).
            jump_off: where the forecast rates start: "observed" (the last observed rates) or
                "fitted" (the model's rates); see :meth:`rates`.
        """
        for name, value, least in (("horizon", horizon, 1), ("draws", draws, 0),
                                   ("seed", seed, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
                    value < least:
                raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
        f = self._model.forecast(int(horizon), int(draws), int(seed), _jump_off(jump_off))
        # Without draws the C++ matrix is 0 x 0; 0 x years keeps shapes uniform.
        kt_draws = f["kt_draws"] if draws > 0 else np.empty((0, len(f["years"])))
        return LeeCarterForecast(years=f["years"], kt=f["kt"], kt_sd=f["kt_sd"],
                                 kt_sd_innovation=f["kt_sd_innovation"], mx=f["mx"],
                                 kt_draws=kt_draws)

    def __repr__(self) -> str:
        years = self._model.years
        return (f"<healthcast.LeeCarter {len(self._model.ages)} ages, {years[0]:g}-{years[-1]:g} "
                f"(step {self.step:g}), drift {self.drift:.4g}, sigma {self.sigma:.4g}>")


def _jump_off(name: str) -> str:
    if name not in JUMP_OFFS:
        raise ValueError(f"jump_off must be one of {list(JUMP_OFFS)}, got {name!r}")
    return name


__all__ = ["LeeCarter", "LeeCarterForecast"]
