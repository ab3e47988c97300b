"""Life tables and mortality indicators on arrays (no scenario needed)."""

from __future__ import annotations


import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _core

ArrayLike = npt.ArrayLike
LIFE_TABLE_COLUMNS = ["age", "n", "mx", "qx", "ax", "lx", "dx", "Lx", "Tx", "ex"]


def _ages(ages: ArrayLike | None, size: int) -> list[int]:
    if ages is None:
        return list(range(size))
    values = np.asarray(ages)
    if values.ndim != 1 or values.size != size:
        raise ValueError(f"ages needs one value per rate: got {values.size} for {size} rates")
    if not np.all(np.equal(np.mod(values, 1), 0)):
        raise ValueError("ages must be whole numbers (the left edges of the age intervals)")
    return [int(a) for a in values]


def _rates(values: ArrayLike, name: str) -> list[float]:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array.tolist()


def life_table(mx: ArrayLike, ages: ArrayLike | None = None, sex: str = "total") -> pd.DataFrame:
    """Period life table from central death rates.

    Args:
        mx: death rates per person-year, one per age interval; the last interval is open.
        ages: left edges of the intervals, starting at 0 (default 0, 1, ..., len(mx) - 1).
            Abridged ages (0, 1, 5, 10, ...) are allowed.
        sex: "female", "male" or "total"; picks the Coale-Demeny rules for a0 and 4a1.

    Returns:
        One row per interval, columns ``age, n, mx, qx, ax, lx, dx, Lx, Tx, ex`` (radix
        l0 = 100,000; ``n`` is NaN for the open interval). The separation factors follow
        MODEL.md section 3 (Coale-Demeny at young ages, Keyfitz's iteration for five-year
        groups, 1/m in the open interval).

    Raises:
        ScenarioError: negative or non-finite rates, ages not starting at 0 or not increasing.
    """
    m = _rates(mx, "mx")
    table = pd.DataFrame(_core.life_table(_ages(ages, len(m)), m, sex))[LIFE_TABLE_COLUMNS]
    n = table["n"].astype(float)
    n.iloc[-1] = np.nan
    table["n"] = n
    return table


def prob_dying(rates: ArrayLike, ages: ArrayLike, start: int = 30, end: int = 70) -> float:
    """Probability of dying between exact ages ``start`` and ``end`` (WHO SDG 3.4.1, 30q70).

    ``rates`` are death rates (per person-year) in five-year age groups whose left edges are
    ``ages``; every group from ``start`` to ``end - 5`` must be present (others are ignored).
    Each group gives 5q = 5m / (1 + 2.5m), at most 1, and the result is 1 - prod(1 - 5q).
    """
    m = _rates(rates, "rates")
    return float(_core.prob_dying(_ages(ages, len(m)), m, int(start), int(end)))


def healthy_life_expectancy(mx: ArrayLike, disability: ArrayLike,
                            ages: ArrayLike | None = None, sex: str = "total") -> np.ndarray:
    """Healthy (disability-free) life expectancy by the Sullivan method, at each age.

    Args:
        mx: death rates per person-year, as for :func:`life_table`.
        disability: share of each interval's life lived with disability, in [0, 1].
        ages: left edges of the intervals (default 0, 1, ..., len(mx) - 1).
        sex: "female", "male" or "total".

    Returns:
        Years of healthy life expected at the start of each interval; element 0 is at birth.
    """
    m = _rates(mx, "mx")
    return np.asarray(_core.healthy_life_expectancy(_ages(ages, len(m)), m,
                                                    _rates(disability, "disability"), sex))


__all__ = ["life_table", "prob_dying", "healthy_life_expectancy"]
