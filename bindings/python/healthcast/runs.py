"""Running scenarios."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import overload

from . import _core
from .results import Results
from .scenario import Scenario, load_scenario

PathLike = str | os.PathLike[str]
ScenarioLike = Scenario | PathLike

# Runs shorter than this show no progress bar.
PROGRESS_DELAY_SECONDS = 2.0


@overload
def run(scenario: ScenarioLike, draws: int = 0, seed: int = 0, threads: int | None = None,
        keep_draws: bool = False, progress: bool = True, *,
        draw_range: tuple[int, int] | None = None, units: Sequence[str] | None = None,
        regions: Sequence[str] | None = None, path: PathLike | None = None) -> Results: ...


@overload
def run(scenario: Sequence[ScenarioLike], draws: int = 0, seed: int = 0,
        threads: int | None = None, keep_draws: bool = False,
        progress: bool = True, *, draw_range: tuple[int, int] | None = None,
        units: Sequence[str] | None = None, regions: Sequence[str] | None = None,
        path: None = None) -> list[Results]: ...


def run(scenario: ScenarioLike | Sequence[ScenarioLike], draws: int = 0, seed: int = 0,
        threads: int | None = None, keep_draws: bool = False,
        progress: bool = True, *, draw_range: tuple[int, int] | None = None,
        units: Sequence[str] | None = None, regions: Sequence[str] | None = None,
        path: PathLike | None = None) -> Results | list[Results]:
    """Project one scenario, or several.

    Args:
        scenario: a :class:`Scenario` (possibly edited), a scenario file's path, or a list or
            tuple of those. For a list, the result is a list of :class:`Results` in the same
            order (one results object per scenario, as each scenario has its own file layout
            and metadata). Compare them with :func:`healthcast.compare`, e.g.
            ``reference, *plans = run([...]); compare(reference, plans)`` (deaths averted and
            indicator differences; the runs need the same years and regions), or put them
            side by side with :func:`healthcast.plot.scenarios_against_targets`.
        draws: number of Monte Carlo draws of the uncertain inputs (MODEL.md section 6); 0 runs
            the central projection only. With draws, every variable over years gets
            ``<name>_summary`` (dimension ``statistic``: mean, median, lower_95, upper_95) and
            each modelled target its probability of being met.
        seed: seed of the random streams; draw j depends only on (seed, j).
        threads: worker threads over draws (and regions); None uses one per CPU this process
            may use (its CPU affinity mask and SLURM_CPUS_PER_TASK). Results are identical for
            any number of threads. Without draws, a list of scenarios is run side by side on
            that many threads.
        keep_draws: also keep every draw (variables ``<name>_draws`` with dimension ``draw``,
            and ``target_met_draws`` with each target's outcome per draw); memory grows with
            the number of draws.
        progress: show a progress bar (tqdm, on stderr) for runs longer than about 2 seconds.
        draw_range: ``(a, b)``: only draws a <= j < b of the ``draws`` (a *part* of the run,
            as ``healthcast run --draw-range A:B``); it keeps its draws, and parts that cover
            0..draws-1 combine with :func:`merge` into exactly the whole run.
        units: census unit codes (2020): one region per unit, named by its code, in place of
            the scenario's regions (the scenario needs ``inputs.units``).
        regions: keep only these regions (names), in this order.
        path: also write the results file there (atomically), as ``healthcast run -o``.

    The engine runs without holding the GIL, so other Python threads keep running; Ctrl-C
    stops it and raises :class:`KeyboardInterrupt`.

    Raises:
        ScenarioError: the scenario or one of its inputs is invalid (with file and line).
        ValueError: draws, seed or threads out of range.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise ValueError(f"draws must be a whole number >= 0, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer from 0 to 2**64 - 1, got {seed!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"threads must be None or a whole number >= 1, got {threads!r}")
    if keep_draws and draws == 0:
        raise ValueError("keep_draws=True needs draws > 0")
    if draw_range is not None:
        if (not isinstance(draw_range, tuple) or len(draw_range) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in draw_range)
                or not 0 <= draw_range[0] < draw_range[1] <= draws):
            raise ValueError(f"draw_range must be a tuple (a, b) with 0 <= a < b <= draws "
                             f"({draws}), got {draw_range!r}")
    units = _names(units, "units")
    regions = _names(regions, "regions")
    workers = threads if threads is not None else _core.usable_cpus()

    if isinstance(scenario, (list, tuple)):
        if path is not None or draw_range is not None:
            raise ValueError("path and draw_range are for one scenario, not a list")
        scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenario]
        if draws > 0 or workers == 1 or len(scenarios) < 2:
            return [run(s, draws=draws, seed=seed, threads=threads, keep_draws=keep_draws,
                        progress=progress, units=units, regions=regions) for s in scenarios]
        # Without draws, threads go to the scenarios (the engine releases the GIL).
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(workers, len(scenarios))) as pool:
            return list(pool.map(
                lambda s: run(s, threads=1, progress=False, units=units, regions=regions),
                scenarios))

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    bar = _ProgressBar(scenario.name, enabled=progress)
    target = Path(os.path.abspath(path)) if path is not None else None
    try:
        dataset = _core.run(scenario.to_yaml(), scenario.path, bar.update, draws=draws,
                            seed=seed, threads=workers, keep_draws=keep_draws,
                            draw_range=draw_range, units=units, regions=regions, output=target)
    finally:
        bar.close()
    return Results(dataset, target)


def merge(parts: Sequence[PathLike], path: PathLike, keep_draws: bool = False,
          threads: int | None = None) -> Results:
    """Combine parts of one run into the whole run's results file (``healthcast merge``).

    Args:
        parts: the part files (from ``run(..., draw_range=(a, b), path=...)`` or
            ``healthcast run --draw-range A:B``). Parts with the same regions must cover draws
            0..N-1 exactly once; parts of other regions (``units``/``regions``) are placed
            after them along ``region``, in the order their first part is given.
        path: the merged results file (written atomically).
        keep_draws: keep every draw in the merged file, as ``run(..., keep_draws=True)``.
        threads: threads for the summaries; None: one per usable CPU.

    The merged file equals the whole run bit for bit in every variable, summary, target
    probability and attribute, but for ``creation_time`` and ``merged_from`` (the parts). The
    engine runs without holding the GIL.

    Raises:
        ResultsFileError: a file is not a part, or the parts do not fit together (another
            scenario, seed, number of draws, version or inputs; a gap or an overlap of draws).
    """
    if isinstance(parts, (str, os.PathLike)):
        raise TypeError("parts must be a list of paths, not one path")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"threads must be None or a whole number >= 1, got {threads!r}")
    target = Path(os.path.abspath(path))
    _core.merge([Path(p) for p in parts], target, keep_draws=keep_draws,
                threads=threads if threads is not None else 0)
    from .results import open as open_results

    return open_results(target)


def _names(names: Sequence[str] | None, what: str) -> list[str]:
    """A list of names (units or regions), checked."""
    if names is None:
        return []
    if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"{what} must be a list of non-empty names, got {names!r}")
    return list(names)


def solve(scenario: ScenarioLike, target: str, lever: str,
          range: tuple[float, float] | None = None, probability: float | None = None,
          draws: int = 100, seed: int = 1) -> dict[str, object]:
    """The size of one lever at which a target is just met (``healthcast solve``).

    Args:
        scenario: a :class:`Scenario` or a scenario file's path; it holds the target and the lever.
        target: ``"INDICATOR:YEAR"``, e.g. ``"premature_ncd_mortality:2030"``.
        lever: ``"INTERVENTION.FIELD"``, the field one of scale, shift, reach, multiply,
            reach_tfr, e.g. ``"smoke_free_law.scale"``.
        range: (low, high) searched; default scale and multiply (0, 1), reach (0, 100) or
            treatment coverage (0, 1); shift needs one.
        probability: met with at least this probability across ``draws`` draws (bisection);
            None: centrally (TOMS 748).

    Returns a dict: ``reachable``, ``size`` (the size that just meets the target, or the best in
    the range when unreachable), ``judged`` and ``gap`` at that size (gap positive: still to go),
    ``probability``, ``met_everywhere`` (met at both ends: ``size`` is the end barely meeting it)
    and ``runs``.

    Raises:
        ScenarioError: unknown target or lever, a field the lever does not set, an empty range.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    indicator, _, year = target.partition(":")
    name, _, field = lever.partition(".")
    if not indicator or not year.isdigit():
        raise ValueError(f"target must be 'INDICATOR:YEAR', got {target!r}")
    if not name or not field:
        raise ValueError(f"lever must be 'INTERVENTION.FIELD', got {lever!r}")
    low, high = range if range is not None else (None, None)
    return _core.solve(scenario.to_yaml(), scenario.path, indicator, int(year), name, field,
                       low=low, high=high, probability=probability, draws=draws, seed=seed)


class _ProgressBar:
    """A tqdm bar created only once a run has lasted PROGRESS_DELAY_SECONDS."""

    def __init__(self, name: str, enabled: bool) -> None:
        self._name = name
        self._enabled = enabled
        self._start = time.monotonic()
        self._bar = None

    def update(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if time.monotonic() - self._start < PROGRESS_DELAY_SECONDS:
                return
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self._name, unit=" region-years", leave=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


__all__ = ["merge", "run", "solve"]
