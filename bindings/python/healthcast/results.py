"""Results of a run: xarray and pandas views, saving, and opening results files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:
    import xarray

PathLike = str | os.PathLike[str]

# Columns of Results.targets(), fixed now so that code written against them keeps working when
# scenarios gain targets.
TARGET_COLUMNS = ["plan", "indicator", "year", "target", "projected", "gap", "status"]
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
        """The scenario's name."""
        return self._dataset.attributes.get("scenario_name", "")

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
        """
        ds = self.to_xarray()
        pieces = []

        def add(indicator: str, data: xarray.DataArray, units: str) -> None:
            frame = data.transpose("region", "sex", "year").to_series().rename("value")
            frame = frame.reset_index()
            frame.insert(3, "indicator", indicator)
            frame["units"] = units
            pieces.append(frame)

        e = ds["life_expectancy"]
        add("life_expectancy_at_birth", e.sel(age=0, drop=True), e.attrs.get("units", ""))
        add("life_expectancy_at_65", e.sel(age=65, drop=True), e.attrs.get("units", ""))
        for name in ["infant_mortality", "under5_mortality"]:
            add(name, ds[name], ds[name].attrs.get("units", ""))
        for name in ["population", "births", "deaths"]:
            data = ds[name].sum("age") if "age" in ds[name].dims else ds[name]
            add(name, data, ds[name].attrs.get("units", ""))
        table = pd.concat(pieces, ignore_index=True)
        return table[INDICATOR_COLUMNS]

    def targets(self) -> pd.DataFrame:
        """The scenario's targets against the projection.

        Columns ``plan, indicator, year, target, projected, gap, status``. Scenarios do not
        carry targets yet, so the table is empty (with these columns).
        """
        return pd.DataFrame({
            "plan": pd.Series(dtype=object), "indicator": pd.Series(dtype=object),
            "year": pd.Series(dtype=np.int64), "target": pd.Series(dtype=float),
            "projected": pd.Series(dtype=float), "gap": pd.Series(dtype=float),
            "status": pd.Series(dtype=object)})[TARGET_COLUMNS]

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


def _attrs(long_name: str, units: str) -> dict[str, str]:
    attrs = {}
    if units:
        attrs["units"] = units
    if long_name:
        attrs["long_name"] = long_name
    return attrs


__all__ = ["Results", "open"]
