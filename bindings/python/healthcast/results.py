"""Results of a run: xarray and pandas views, saving, and opening results files."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:
    import xarray

PathLike = str | os.PathLike[str]

# Columns of Results.targets() and the results variables (dimension `target`) they come from:
# numbers are target_<name> variables, text are target_<name> labels (engine: add_targets).
TARGET_COLUMNS = ["plan", "indicator", "year", "sex", "comparator", "target", "unit", "precision",
                  "modelled", "judged", "gap", "status", "probability", "first_year_met",
                  "official_year", "official_value", "start_year", "start_value",
                  "modelled_change", "convention", "baseline_year", "baseline_value", "proxy",
                  "basis", "text_zh", "text_en"]
_TARGET_SOURCES = {
    "plan": "target_plan", "indicator": "target_indicator", "year": "target_year",
    "sex": "target_sex", "comparator": "target_comparator", "target": "target_value",
    "unit": "target_unit", "precision": "target_precision", "modelled": "target_projected",
    "judged": "target_judged", "official_year": "target_official_year",
    "official_value": "target_official_value", "start_year": "target_start_year",
    "start_value": "target_start_value", "modelled_change": "target_modelled_change",
    "convention": "target_convention", "baseline_year": "target_baseline_year",
    "baseline_value": "target_baseline_value", "proxy": "target_proxy",
    "gap": "target_gap", "status": "target_status", "first_year_met": "target_first_year_met",
    "probability": "target_probability", "basis": "target_basis", "text_zh": "target_text_zh",
    "text_en": "target_text_en"}
# Years are whole numbers; first_year_met may be missing (pandas' nullable integers).
_TARGET_DTYPES = {"year": "int64", "first_year_met": "Int64", "target": "float64",
                  "precision": "Int64", "modelled": "float64", "judged": "float64",
                  "gap": "float64", "probability": "float64", "official_year": "Int64",
                  "official_value": "float64", "start_year": "Int64", "start_value": "float64",
                  "modelled_change": "float64", "baseline_year": "Int64",
                  "baseline_value": "float64"}
INDICATOR_COLUMNS = ["region", "sex", "year", "indicator", "value", "units"]


class Results:
    """The results of one scenario run, in memory (from :func:`healthcast.run`) or read from a
    results file (:func:`healthcast.open`).

    The data follow the results-file layout (docs/results-format.md): dimensions ``year``,
    ``region``, ``sex`` (female, male, total) and ``age``.
    """

    def __init__(self, dataset: _core.Dataset, path: PathLike | None = None) -> None:
        self._dataset = dataset
        self._path = Path(path) if path is not None else None

    @property
    def name(self) -> str:
        """The scenario's name (for a comparison: the compared scenario's)."""
        attributes = self._dataset.attributes
        return attributes.get("scenario_name", attributes.get("compared_scenario", ""))

    @property
    def is_comparison(self) -> bool:
        """True for a scenario against a reference (from :func:`healthcast.compare`)."""
        return "compared_scenario" in self._dataset.attributes

    @property
    def reference_name(self) -> str | None:
        """For a comparison, the reference scenario's name; None for a run."""
        return self._dataset.attributes.get("reference_scenario") if self.is_comparison \
            else None

    @property
    def title(self) -> str:
        """The scenario's title."""
        return self._dataset.attributes.get("scenario_title", "")

    @property
    def path(self) -> Path | None:
        """The file these results were read from or last saved to (None if never saved)."""
        return self._path

    @property
    def attrs(self) -> dict[str, object]:
        """Root attributes as the results file has them (``creation_time`` only once saved)."""
        attrs: dict[str, object] = {}
        stored = self._dataset.attributes
        if "filetype" not in stored:  # not yet written: the writer's provenance attributes
            attrs["filetype"] = _core.RESULTS_FILETYPE
            attrs["software_version"] = _core.__version__
            attrs["git_revision"] = _core.GIT_REVISION
            attrs["Conventions"] = _core.RESULTS_CONVENTIONS
        # The reader checked the major version; files of this package's writer carry this one.
        attrs["format_version"] = np.array(_core.RESULTS_FORMAT_VERSION, dtype=np.int32)
        attrs.update(stored)
        return attrs

    def to_xarray(self) -> xarray.Dataset:
        """The results as an :class:`xarray.Dataset`: the dimensions, coordinates, variables and
        attributes of the results file. Values are copied, so the dataset may be edited freely.
        """
        import xarray as xr

        coords = {}
        for dim in self._dataset.dims:
            values, long_name, units = self._dataset.coordinate(dim)
            values = np.asarray(values) if isinstance(values, np.ndarray) else np.array(
                values, dtype=object)
            coords[dim] = xr.Variable(dim, values, _attrs(long_name, units))
        data_vars = {}
        for name in self._dataset.variable_names:
            dims, long_name, units = self._dataset.variable(name)
            data_vars[name] = xr.Variable(dims, np.array(self._dataset.values(name)),
                                          _attrs(long_name, units))
        for name in self._dataset.label_names:
            dim, long_name, values = self._dataset.labels(name)
            data_vars[name] = xr.Variable(dim, np.array(values, dtype=object),
                                          _attrs(long_name, ""))
        return xr.Dataset(data_vars, coords, attrs=self.attrs)

    def indicators(self) -> pd.DataFrame:
        """Headline indicators as a tidy table.

        Columns ``region, sex, year, indicator, value, units``. Indicators:
        ``life_expectancy_at_birth``, ``life_expectancy_at_65`` (years), ``infant_mortality``,
        ``under5_mortality`` (per 1000 live births), and the totals over age of ``population``
        (1 January), ``births`` and ``deaths`` (in the year), in persons.

        For a comparison (:func:`healthcast.compare`) the indicators are its variables:
        ``deaths_averted``, ``life_years_gained``, ``dalys_averted`` (when both runs have
        DALYs), their ``cumulative_*`` sums from the first year, and ``<indicator>_difference``
        (scenario minus reference).
        """
        ds = self.to_xarray()
        pieces = []

        def add(indicator: str, data: xarray.DataArray, units: str) -> None:
            frame = data.transpose("region", "sex", "year").to_series().rename("value")
            frame = frame.reset_index()
            frame.insert(3, "indicator", indicator)
            frame["units"] = units
            pieces.append(frame)

        if self.is_comparison:
            for name in self._dataset.variable_names:
                add(name, ds[name], units_of(ds[name].attrs))
            return pd.concat(pieces, ignore_index=True)[INDICATOR_COLUMNS]
        e = ds["life_expectancy"]
        add("life_expectancy_at_birth", e.sel(age=0, drop=True), units_of(e.attrs))
        add("life_expectancy_at_65", e.sel(age=65, drop=True), units_of(e.attrs))
        for name in ["infant_mortality", "under5_mortality"]:
            add(name, ds[name], units_of(ds[name].attrs))
        for name in ["population", "births", "deaths"]:
            data = ds[name].sum("age") if "age" in ds[name].dims else ds[name]
            add(name, data, units_of(ds[name].attrs))
        table = pd.concat(pieces, ignore_index=True)
        return table[INDICATOR_COLUMNS]

    def targets(self) -> pd.DataFrame:
        """The plan's targets judged on this run, one row per target.

        Columns:

        - ``plan``: the scenario (plan) name; ``indicator``: the indicator id
          (docs/scenario-format.md); ``year``: the target year; ``sex``;
        - ``comparator``: ``>=``, ``<=``, ``relative_change``, ``better_than``, ``decrease``,
          ``increase`` or ``natural``; ``target``: the value to reach (for a relative change,
          the change as a fraction, e.g. -0.2); ``unit``;
        - ``precision``: decimals of the target as the plan writes it (a value is met when,
          rounded to them, it satisfies the comparator);
        - ``modelled``: the model's own value in the target year (or the trend of a monitored
          indicator, or the quantity a lever sets); ``judged``: the value compared with the
          target (the official level carried forward by the modelled change, an observation, or
          a relative change); ``gap``: still to go (positive) or ahead by (negative);
        - ``status``: ``met``, ``not_met``, ``observed_met``, ``observed_not_met`` (the year is
          already observed), ``no_data`` (no observed history), ``not_comparable`` (the model
          cannot produce the plan's definition), ``set_by_lever``, ``before_projection``,
          ``after_horizon`` or ``no_value``; ``probability``: of meeting it (NaN until draws
          exist; monitored indicators: from the trend's interval); ``first_year_met``: the
          first year from the base year on in which it is met (missing when never);
        - the chain: ``official_year`` and ``official_value`` (the last official value),
          ``start_year`` and ``start_value`` (the official level where the modelled change starts,
          bridged by the official trend when older than the base year), ``modelled_change``
          (a ratio, or a difference for life expectancies: ``convention``), ``baseline_year``
          and ``baseline_value`` of a relative target; ``proxy``: what stands in for the plan's
          definition; ``basis``: the same in words, or what to supply;
        - ``text_zh``, ``text_en``: the plan's own words and their English translation.

        A run without targets gives an empty table with these columns. ``healthcast targets
        FILE --format csv`` gives the same table.
        """
        ds = self._dataset
        if "target" not in ds.dims:
            return pd.DataFrame({c: pd.Series(dtype=_TARGET_DTYPES.get(c, object))
                                 for c in TARGET_COLUMNS})
        columns = {}
        labels = set(ds.label_names)
        for column, source in _TARGET_SOURCES.items():
            if source in labels:
                columns[column] = pd.Series(ds.labels(source)[2], dtype=object)
            else:
                values = np.array(ds.values(source))
                if _TARGET_DTYPES.get(column) in ("int64", "Int64"):
                    values = pd.array([None if np.isnan(v) else int(round(v)) for v in values],
                                      dtype=_TARGET_DTYPES[column])
                columns[column] = pd.Series(values, dtype=_TARGET_DTYPES.get(column, object))
        return pd.DataFrame(columns)[TARGET_COLUMNS]

    def save(self, path: PathLike) -> Path:
        """Write a results file (HDF5, readable by xarray) and return its absolute path.

        The write is atomic: a temporary file beside ``path`` is renamed over it once
        complete, so a failure never leaves a partial file.

        Raises:
            HealthcastError: the file cannot be written (the message says why).
        """
        target = Path(os.path.abspath(path))
        _core.write_results(self._dataset, target)
        self._path = target
        return target

    def __repr__(self) -> str:
        sizes = ", ".join(f"{d}: {len(self._dataset.coordinate(d)[0])}" for d in self._dataset.dims)
        where = f" from {str(self._path)!r}" if self._path else ""
        return f"<healthcast.Results {self.name!r} ({sizes}){where}>"


def open(path: PathLike) -> Results:  # noqa: A001 - the API's name, as in xarray.open_dataset
    """Open an existing results file.

    Raises:
        ResultsFileError: the file is missing, not a healthcast results file, or of an
            unsupported format version.
    """
    target = Path(os.path.abspath(path))
    return Results(_core.read_results(target), target)


def compare(reference: Results | PathLike,
            scenario: Results | PathLike | Sequence[Results | PathLike]) -> Results | list[Results]:
    """A scenario against a reference run: what the scenario's levers change.

    Args:
        reference: the reference run (a :class:`Results` or a results file's path).
        scenario: the scenario's run (or path), or a list of them.

    Returns:
        A :class:`Results` (a list of them for a list of scenarios) whose dataset has the
        dimensions ``year, region, sex`` and the variables ``deaths_averted`` (reference minus
        scenario, persons), ``life_years_gained`` (scenario minus reference person-years),
        ``dalys_averted`` (when both runs have DALYs), their ``cumulative_*`` sums from the
        first year, and ``<indicator>_difference`` (scenario minus reference) for the headline
        indicators present in both runs (life expectancy and healthy life expectancy at birth,
        premature NCD mortality, ...). Use :meth:`Results.indicators` for a tidy table,
        :meth:`Results.to_xarray` for the dataset and :meth:`Results.save` for a file (the
        same file as ``healthcast compare REFERENCE SCENARIO -o FILE``).

    The runs must cover the same years, regions and sexes: run the reference with the
    scenario's horizon (and, for a scenario with ``population_scale``, the same scale) so that
    counts are comparable. Several runs from :func:`healthcast.run` compare as::

        reference, *others = healthcast.run([ref_path, plan_a, plan_b])
        comparisons = healthcast.compare(reference, others)

    Raises:
        HealthcastError: the runs differ in their years, regions or sexes.
        ResultsFileError: a path that is not a results file.
    """
    base = reference if isinstance(reference, Results) else open(reference)
    if isinstance(scenario, (list, tuple)):
        return [_compare_one(base, s) for s in scenario]
    return _compare_one(base, scenario)


def _compare_one(reference: Results, scenario: Results | PathLike) -> Results:
    other = scenario if isinstance(scenario, Results) else open(scenario)
    for results in (reference, other):
        if results.is_comparison:
            raise ValueError("compare() takes runs, not comparisons")
    return Results(_core.compare(reference._dataset, other._dataset))


def units_of(attrs: Mapping[str, object]) -> str:
    """A variable's units in healthcast's words: ``units_label`` where the file's CF ``units``
    are another form of them ("1" for "persons"), else ``units``."""
    return str(attrs.get("units_label", attrs.get("units", "")))


def _attrs(long_name: str, units: str) -> dict[str, str]:
    # As the file has them (docs/results-format.md): CF units, the words in units_label.
    attrs = {}
    if units:
        attrs["units"] = _core.cf_units(units)
        if attrs["units"] != units:
            attrs["units_label"] = units
    if long_name:
        attrs["long_name"] = long_name
    return attrs


__all__ = ["Results", "compare", "open"]
