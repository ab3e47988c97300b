"""The catalogue of result variables (engine/results/catalogue.h) is the one list of names:
every variable a run writes is in it with the same dimensions, units and description, the doc's
tables are generated from it, and the plots take their titles from it."""

import importlib.util
import os
from pathlib import Path

import pytest

hc = pytest.importorskip("healthcast")
from healthcast import catalogue  # noqa: E402
from healthcast.results import units_of  # noqa: E402

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def short(path, horizon=2022):
    scenario = hc.load_scenario(SOURCE / path)
    scenario.horizon = horizon
    return scenario


@pytest.fixture(scope="module")
def runs():
    plan = hc.run(short("scenarios/plans/xiangfu.yaml", 2030))   # targets and monitored
    reference = short("scenarios/china_reference.yaml", 2030)
    reference["regions"] = [{"name": "xiangfu", "unit": "410212"}]   # the plan's own unit
    reference = hc.run(reference)
    return {"plan": plan, "reference": reference, "compare": hc.compare(reference, plan),
            "draws": hc.run(short("scenarios/china_reference.yaml"), draws=2, seed=1,
                            keep_draws=True)}


@pytest.mark.parametrize("run", ["plan", "reference", "compare", "draws"])
def test_every_variable_of_a_run_is_in_the_catalogue_as_written(runs, run):
    ds = runs[run].to_xarray()
    for name, data in ds.data_vars.items():
        entry = catalogue.variable(name)
        base = entry["name"]
        if name == base:
            assert list(data.dims) == entry["dims"], name
            if data.dtype.kind == "f":
                # The catalogue's words; the file's CF `units` keep them in units_label.
                assert units_of(data.attrs) == entry["units"], name
                assert data.attrs.get("long_name", "") == entry["long_name"], name
        elif name.endswith(("_summary", "_draws")):
            # V_summary over (statistic, V's dims), V_draws over (draw, V's dims).
            assert list(data.dims[1:]) == entry["dims"], name
        else:
            # V_difference: scenario minus reference at birth or crude, over (year, region, sex).
            assert list(data.dims) == entry["dims"][:3], name


def test_unknown_names_are_refused_with_where_to_look():
    with pytest.raises(KeyError, match="catalogue.variables"):
        catalogue.variable("life_expectancy_at_70")


def test_the_results_format_doc_holds_the_catalogue_tables():
    spec = importlib.util.spec_from_file_location("catalogue_doc", SOURCE / "tools" /
                                                  "catalogue_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (SOURCE / "docs" / "results-format.md").read_text()
    assert module.with_catalogue(doc) == doc, "run tools/catalogue_doc.py and commit the doc"
    for entry in catalogue.variables().values():
        assert f"| `{entry['name']}` |" in doc


def test_indicators_name_existing_variables_and_the_direction_they_improve():
    for entry in catalogue.indicators().values():
        assert entry["variable"] in catalogue.variables()
        assert entry["better"] in ("higher", "lower")
    assert catalogue.indicators()["life_expectancy"]["better"] == "higher"
    assert catalogue.indicators()["premature_ncd_mortality"]["better"] == "lower"


def test_plots_take_their_titles_from_the_catalogue():
    from healthcast import plot

    for lang in ("en", "zh"):
        words = plot._labels(lang)
        for name in catalogue.variables():
            assert words[name] == catalogue.title(name, lang)
    assert catalogue.title("premature_ncd_mortality", "zh") == "重大慢性病过早死亡率"
