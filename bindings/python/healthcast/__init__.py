"""healthcast: population and health projections for city and provincial health plans.

Typical use::

    import healthcast as hc

    scenario = hc.load_scenario("scenarios/china_reference.yaml")
    scenario.horizon = 2035
    results = hc.run(scenario)
    results.indicators()          # tidy pandas table
    ds = results.to_xarray()      # xarray.Dataset, as in the results file
    results.save("out.h5")
    hc.open("out.h5")             # the same results, from the file
    results.targets()             # the plan's targets judged on the run
    hc.compare(reference, results).indicators()   # deaths averted, differences
    hc.LeeCarter.fit(mx, ages, years).forecast(30)
    hc.report(results, reference, lang="zh", path="report.html")  # one file to hand over
    hc.batch("counties.yaml", "out/", workers=8)   # scenarios x units x draws on Dask

Plots are in :mod:`healthcast.plot`. Errors are :class:`HealthcastError` and its subclasses
:class:`ScenarioError` (bad input, with file and line) and :class:`ResultsFileError`.
"""

from __future__ import annotations

from . import _core
from .batch import batch
from .demography import healthy_life_expectancy, life_table, prob_dying
from .errors import HealthcastError, ResultsFileError, ScenarioError
from .forecast import LeeCarter, LeeCarterForecast
from .report import report
from .results import Results, compare, open
from .runs import merge, run, solve
from .scenario import Scenario, load_scenario

__version__: str = _core.__version__

__all__ = [
    "HealthcastError",
    "LeeCarter",
    "LeeCarterForecast",
    "Results",
    "ResultsFileError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "batch",
    "compare",
    "healthy_life_expectancy",
    "life_table",
    "load_scenario",
    "merge",
    "open",
    "prob_dying",
    "report",
    "run",
    "solve",
]
