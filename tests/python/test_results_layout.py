"""The results file layout as other tools see it (docs/results-format.md).

The example file is written by the program named in HEALTHCAST_EXAMPLE_WRITER (built from
tests/tools/write_example_results.cpp; ctest sets the variable), without which the tests are
skipped. The expected values below mirror example_dataset() in tests/cpp/example_results.h.
"""

import os
import re
import subprocess
import warnings

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
xr = pytest.importorskip("xarray")

WRITER_VAR = "HEALTHCAST_EXAMPLE_WRITER"

SCENARIO_TEXT = '名称: 基线情景\n说明: 按年龄和性别预测人口。\nsecond line, with "quotes"\n'
POPULATION = 1000.0 + 10.5 * np.arange(18, dtype=np.float64).reshape(2, 3, 3)
INCIDENCE = 0.25 * np.arange(1400, dtype=np.float64).reshape(2, 700)


@pytest.fixture(scope="module")
def results_path(tmp_path_factory):
    writer = os.environ.get(WRITER_VAR)
    if not writer:
        pytest.skip(
            f"{WRITER_VAR} is not set; it must name the healthcast_write_example_results "
            "executable, which writes the example results file"
        )
    path = tmp_path_factory.mktemp("results") / "example.h5"
    run = subprocess.run(
        [writer, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert path.is_file(), f"{writer} did not write {path}:\n{run.stdout}{run.stderr}"
    return path


@pytest.fixture
def dataset(results_path):
    # Any warning from xarray or h5netcdf (missing dimension scales, undecodable attributes)
    # is a layout bug: fail on it even without -W error.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_dataset(results_path, engine="h5netcdf")
        with ds:
            ds.load()
            yield ds


def test_no_temporary_file_is_left(results_path):
    assert sorted(p.name for p in results_path.parent.iterdir()) == ["example.h5"]


def test_xarray_sees_named_dimensions_with_coordinates(dataset):
    assert dict(dataset.sizes) == {"year": 2, "sex": 3, "age": 3, "step": 700}
    assert list(dataset.coords) == ["year", "sex", "age", "step"]
    assert dataset["year"].dtype == np.int32
    assert dataset["year"].values.tolist() == [2020, 2021]
    assert dataset["sex"].values.tolist() == ["female", "male", "total"]
    assert all(isinstance(label, str) for label in dataset["sex"].values)
    assert dataset["age"].dtype == np.int32
    assert dataset["age"].values.tolist() == [0, 1, 2]
    assert dataset["step"].values.tolist() == list(range(700))
    assert dataset["year"].attrs == {"long_name": "calendar year"}
    assert dataset["age"].attrs == {"long_name": "age in completed years", "units": "years"}
    assert dataset["step"].attrs == {}


def test_xarray_sees_variables_with_units(dataset):
    assert sorted(dataset.data_vars) == ["incidence", "population"]
    population = dataset["population"]
    assert population.dims == ("year", "sex", "age")
    assert population.dtype == np.float64
    np.testing.assert_array_equal(population.values, POPULATION)
    assert population.sel(year=2021, sex="total", age=0).item() == POPULATION[1, 2, 0]
    # CF: `units` is what UDUNITS-2 parses (counts are "1"), the words stay in units_label.
    assert population.attrs == {"units": "1", "units_label": "persons",
                                "long_name": "population on 1 July"}

    incidence = dataset["incidence"]
    assert incidence.dims == ("year", "step")
    np.testing.assert_array_equal(incidence.values, INCIDENCE)
    assert incidence.attrs == {"long_name": "new cases"}  # empty units are not written


def test_xarray_sees_root_attributes(dataset):
    attrs = dataset.attrs
    assert attrs["filetype"] == "healthcast-results"
    assert attrs["Conventions"] == "CF-1.8"
    assert np.asarray(attrs["format_version"]).tolist() == [2, 0]
    assert isinstance(attrs["software_version"], str) and attrs["software_version"]
    assert isinstance(attrs["git_revision"], str) and attrs["git_revision"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attrs["creation_time"])
    assert attrs["scenario"] == SCENARIO_TEXT
    assert attrs["scenario_name"] == "baseline"


def test_h5py_sees_dimension_scales_and_storage(results_path):
    with h5py.File(results_path, "r") as f:
        assert f.attrs["filetype"] == "healthcast-results"
        version = f.attrs["format_version"]
        assert version.dtype == np.int32 and version.tolist() == [2, 0]
        assert f.attrs["scenario"] == SCENARIO_TEXT

        for name in ["year", "sex", "age", "step"]:
            assert h5py.h5ds.is_scale(f[name].id)
            assert f[name].attrs["CLASS"] == b"DIMENSION_SCALE"
            assert f[name].attrs["NAME"] == name.encode()
        assert f["year"].dtype == np.int32
        string_info = h5py.check_string_dtype(f["sex"].dtype)
        assert string_info.encoding == "utf-8" and string_info.length is None  # variable length
        assert f["sex"].asstr()[:].tolist() == ["female", "male", "total"]

        population = f["population"]
        assert population.dtype == np.float64
        assert [dim[0].name for dim in population.dims] == ["/year", "/sex", "/age"]
        assert population.chunks is None  # small: contiguous, uncompressed
        np.testing.assert_array_equal(population[...], POPULATION)

        incidence = f["incidence"]
        assert [dim[0].name for dim in incidence.dims] == ["/year", "/step"]
        assert incidence.chunks == (1, 700)  # one year per chunk
        assert incidence.compression == "gzip" and incidence.compression_opts == 4
        assert incidence.shuffle


def test_netcdf_c_library_reads_it(results_path):
    netCDF4 = pytest.importorskip("netCDF4")
    with netCDF4.Dataset(results_path) as nc:
        assert {name: len(dim) for name, dim in nc.dimensions.items()} == {
            "year": 2,
            "sex": 3,
            "age": 3,
            "step": 700,
        }
        assert nc["population"].dimensions == ("year", "sex", "age")
        np.testing.assert_array_equal(nc["population"][:], POPULATION)
        assert nc.getncattr("scenario") == SCENARIO_TEXT
