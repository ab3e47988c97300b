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
        progress: bool = True) -> Results: ...


@overload
def run(scenario: Sequence[ScenarioLike], draws: int = 0, seed: int = 0,
        threads: int | None = None, progress: bool = True) -> list[Results]: ...


def run(scenario: ScenarioLike | Sequence[ScenarioLike], draws: int = 0, seed: int = 0,
        threads: int | None = None, progress: bool = True) -> Results | list[Results]:
    """Project one scenario, or several.

    Args:
        scenario: a :class:`Scenario` (possibly edited), a scenario file's path, or a list or
            tuple of those. For a list, the result is a list of :class:`Results` in the same
            order (one results object per scenario, as each scenario has its own file layout
            and metadata). Compare them with :func:`healthcast.compare`, e.g.
            ``reference, *plans = run([...]); compare(reference, plans)`` (deaths averted and
            indicator differences; the runs need the same years and regions), or put them
            side by side with :func:`healthcast.plot.scenarios_against_targets`.
        draws: number of Monte Carlo draws. Only 0 (the central projection) is available yet.
        seed: seed of the random streams (used once draws are available).
        threads: worker threads; None or 1 (runs are single-threaded for now).
        progress: show a progress bar (tqdm, on stderr) for runs longer than about 2 seconds.

    The engine runs without holding the GIL, so other Python threads keep running; Ctrl-C
    stops it and raises :class:`KeyboardInterrupt`.

    Raises:
        ScenarioError: the scenario or one of its inputs is invalid (with file and line).
        NotImplementedError: draws > 0 or threads > 1.
    """
    if isinstance(scenario, (list, tuple)):
        return [run(s, draws=draws, seed=seed, threads=threads, progress=progress)
                for s in scenario]
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 0:
        raise ValueError(f"draws must be a whole number >= 0, got {draws!r}")
    if draws > 0:
        raise NotImplementedError(
            f"draws={draws}: Monte Carlo draws are not available yet in this version of "
            "healthcast; run with draws=0 for the central projection")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if threads is not None and threads != 1:
        raise NotImplementedError(
            f"threads={threads}: multi-threaded runs are not available yet; use threads=None")

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    bar = _ProgressBar(scenario.name, enabled=progress)
    try:
        dataset = _core.run(scenario.to_yaml(), scenario.path, bar.update)
    finally:
        bar.close()
    return Results(dataset)


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


__all__ = ["run"]
