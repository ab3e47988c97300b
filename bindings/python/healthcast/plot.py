"""Plots of results (matplotlib), labelled in English (``lang="en"``) or Chinese (``lang="zh"``).

Each function draws on ``ax`` (a new figure's axes when None) and returns the axes. They take
a :class:`~healthcast.Results` or an :class:`xarray.Dataset` in the results-file layout, so
they also work on files opened with xarray directly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Union

import numpy as np
import pandas as pd

from . import catalogue
from .errors import HealthcastError
from .results import Results, units_of

if TYPE_CHECKING:
    import xarray
    from matplotlib.axes import Axes

ResultsLike = Union[Results, "xarray.Dataset"]

# Variables that are counts: summed over age when no age is asked for.
# Data reach matplotlib as NumPy arrays (.values): handing it DataArrays makes xarray probe
# optional array libraries (sparse -> numba), which import with DeprecationWarnings on Debian.
COUNTS = frozenset({"population", "deaths", "births", "person_years", "net_migration"})
# Default age groups of deaths_over_time(by="age"): (first age, last age) inclusive.
AGE_GROUPS = ((0, 4), (5, 14), (15, 49), (50, 69), (70, 100))

# Words of the plots other than the result variables' titles (those come from the catalogue).
LABELS = {
    "en": {
        "year": "Year", "age": "Age", "female": "Female", "male": "Male", "total": "Both sexes",
        "at_age": "at age {age}", "at_birth": "at birth", "years": "years",
        "persons": "persons", "per 1000 live births": "per 1000 live births",
        "person-years": "person-years",
        "central": "Central projection", "median": "Median", "interval": "{p:g}% interval",
        "target": "Target", "targets_title": "{indicator}: scenarios and targets",
        "pyramid": "Population pyramid, {region}", "thousands": "Population (thousands)",
        "deaths_by": "{variable} by {by}, {region}", "by_age": "age group",
        "fan_title": "{indicator}, {region}", "cause": "cause",
        "legend_met": "Target (met)", "legend_not_met": "Target (not met)", "percent": "%",
        "g/day": "g/day",
        "per 100000": "per 100,000", "per 100000 live births": "per 100,000 live births",
    },
    "zh": {
        "year": "年份", "age": "年龄", "female": "女性", "male": "男性", "total": "合计",
        "at_age": "{age}岁时", "at_birth": "出生时", "years": "岁", "persons": "人",
        "per 1000 live births": "每千活产", "person-years": "人年",
        "central": "中心预测", "median": "中位数", "interval": "{p:g}%区间",
        "target": "目标", "targets_title": "{indicator}：各情景与目标",
        "pyramid": "人口金字塔（{region}）", "thousands": "人口（千人）",
        "deaths_by": "分{by}{variable}（{region}）", "by_age": "年龄组",
        "fan_title": "{indicator}（{region}）", "cause": "死因",
        "legend_met": "目标（已达到）", "legend_not_met": "目标（未达到）", "percent": "%",
        "g/day": "克/日",
        "per 100000": "每10万人", "per 100000 live births": "每10万活产",
    },
}

# Causes of death of the health model (the `cause` coordinate), for legends.
CAUSES = {
    "en": {
        "ihd": "Ischaemic heart disease", "stroke": "Stroke", "copd": "COPD",
        "lung_cancer": "Lung cancer", "other_cancers": "Other cancers", "diabetes": "Diabetes",
        "other_cvd": "Other cardiovascular", "kidney": "Chronic kidney disease",
        "injuries": "Unintentional injuries", "self_harm_violence": "Self-harm and violence",
        "other": "Other causes",
    },
    "zh": {
        "ihd": "缺血性心脏病", "stroke": "脑卒中", "copd": "慢性阻塞性肺疾病", "lung_cancer": "肺癌",
        "other_cancers": "其他癌症", "diabetes": "糖尿病", "other_cvd": "其他心血管疾病",
        "kidney": "慢性肾脏病", "injuries": "意外伤害", "self_harm_violence": "自伤与暴力",
        "other": "其他死因",
    },
}
# Comparators whose target is a level of the indicator, drawn as it is.
LEVEL_COMPARATORS = frozenset({">=", ">", "<=", "<"})


def fan_chart(results: ResultsLike, indicator: str = "life_expectancy", *,
              region: str | None = None, sex: str = "total", age: int | None = None,
              lang: str = "en", ax: Axes | None = None) -> Axes:
    """An indicator over time with its uncertainty.

    With draws (a ``draw`` dimension, or the ``<indicator>_draws`` of a run with
    ``keep_draws=True``) or quantiles (a ``quantile`` dimension, values in 0..1) the 95% and 50%
    intervals are shaded around the median; with the summaries of a run with draws
    (``<indicator>_summary``) the 95% interval and the median; without them (runs with
    ``draws=0``) only the central projection is drawn. ``age`` selects an age of an
    age-specific indicator (default: at birth for life expectancy; counts are summed over age,
    which needs the draws themselves: quantiles of a sum are not sums of quantiles).
    """
    words = _labels(lang)
    with _fonts(lang):
        ax = _axes(ax)
        ds = _dataset(results)
        region = _region(ds, region)
        summed = age is None and indicator in COUNTS
        if f"{indicator}_draws" in ds.data_vars:
            indicator_data = f"{indicator}_draws"
        elif f"{indicator}_summary" in ds.data_vars and not summed:
            indicator_data = f"{indicator}_summary"
        else:
            indicator_data = indicator
        data = _select(ds, indicator_data, region=region, sex=sex, age=age)
        if "statistic" in data.dims:  # the summaries as quantiles 0.025, 0.5 and 0.975
            data = (data.sel(statistic=["lower_95", "median", "upper_95"])
                    .rename(statistic="quantile").assign_coords(quantile=[0.025, 0.5, 0.975]))
        if "draw" in data.dims:
            data = data.quantile([0.025, 0.25, 0.5, 0.75, 0.975], dim="draw")
        years = data["year"].values
        if "quantile" in data.dims:
            levels = [float(q) for q in data["quantile"].values]
            for low, shade in ((0.025, 0.2), (0.25, 0.4)):
                high = round(1 - low, 6)
                if _has(levels, low) and _has(levels, high):
                    ax.fill_between(years, data.sel(quantile=low, method="nearest").values,
                                    data.sel(quantile=high, method="nearest").values, alpha=shade,
                                    color="C0", linewidth=0,
                                    label=words["interval"].format(p=100 * (high - low)))
            centre = data.sel(quantile=0.5, method="nearest")
            ax.plot(years, centre.values, color="C0", label=words["median"])
            if indicator_data != indicator:  # the central projection beside the draws' median
                central = _select(ds, indicator, region=region, sex=sex, age=age)
                ax.plot(years, central.values, color="C0", linestyle="--", linewidth=1,
                        label=words["central"])
        else:
            ax.plot(years, data.values, color="C0", label=words["central"])
        name = _indicator_label(words, indicator, age, ds)
        ax.set_title(words["fan_title"].format(indicator=name, region=region))
        _year_axis(ax, words)
        ax.set_ylabel(_unit_label(words, ds, indicator))
        ax.legend(loc="best")
    return _finish(ax, lang)


def scenarios_against_targets(results: ResultsLike | Sequence[ResultsLike]
                              | Mapping[str, ResultsLike],
                              indicator: str = "life_expectancy", *,
                              targets: pd.DataFrame | None = None, region: str | None = None,
                              sex: str = "total", age: int | None = None, lang: str = "en",
                              ax: Axes | None = None) -> Axes:
    """Several scenarios' paths of an indicator, with the targets set on it.

    ``results`` is one result, a list (labelled by scenario name) or a mapping label ->
    results. ``targets`` is a table with columns ``year`` and ``target`` (and optionally
    ``indicator``, ``sex``, ``comparator``, ``status`` and the other columns of
    :meth:`Results.targets`); by default the scenarios' own :meth:`Results.targets`.

    Targets on a level (``>=``, ``<=``) are drawn at their value. A relative change (e.g. salt
    -20%) is drawn at the level it implies, the judged run's baseline times (1 + change),
    and labelled with the change; targets that are anchored to an official figure, or judged
    against a reference run or a range (``better_than``, ``natural``, ``decrease``), have no
    level on the model's scale and are left out. With a ``status`` column, met targets are
    filled diamonds and others hollow ones.
    """
    words = _labels(lang)
    if isinstance(results, Mapping):
        runs = dict(results)
    else:
        many = results if isinstance(results, Sequence) else [results]
        runs = {_name(r, i): r for i, r in enumerate(many)}
    with _fonts(lang):
        ax = _axes(ax)
        first = None
        for i, (label, run) in enumerate(runs.items()):
            ds = _dataset(run)
            first = ds if first is None else first
            data = _select(ds, indicator, region=_region(ds, region), sex=sex, age=age)
            ax.plot(data["year"].values, data.values, color=f"C{i}", label=label)
        if targets is None:
            tables = [r.targets() for r in runs.values()
                      if isinstance(r, Results) and len(r.targets())]
            targets = pd.concat(tables, ignore_index=True) if tables else None
        if targets is not None and len(targets):
            _draw_targets(ax, _target_levels(targets, indicator, sex), words)
        name = _indicator_label(words, indicator, age, first)
        ax.set_title(words["targets_title"].format(indicator=name))
        _year_axis(ax, words)
        if first is not None:
            ax.set_ylabel(_unit_label(words, first, indicator))
        ax.legend(loc="best")
    return _finish(ax, lang)


def population_pyramid(results: ResultsLike, years: Sequence[int] | None = None, *,
                       region: str | None = None, lang: str = "en",
                       ax: Axes | None = None) -> Axes:
    """Population by single year of age and sex for two years (default: first and last).

    Males on the left, females on the right, in thousands; the first year as bars, the second
    as an outline over them.
    """
    words = _labels(lang)
    with _fonts(lang):
        ax = _axes(ax)
        ds = _dataset(results)
        region = _region(ds, region)
        all_years = ds["year"].values
        years = [int(all_years[0]), int(all_years[-1])] if years is None else list(years)
        if len(years) != 2:
            raise ValueError(f"population_pyramid needs two years, got {years}")
        pop = ds["population"].sel(region=region) / 1000.0
        ages = pop["age"].values
        for sex, sign, colour in (("male", -1, "C0"), ("female", 1, "C3")):
            first = pop.sel(year=years[0], sex=sex).values
            ax.barh(ages, sign * first, height=1.0, color=colour, alpha=0.45,
                    label=f"{words[sex]} {years[0]}")
            second = pop.sel(year=years[1], sex=sex).values
            ax.step(sign * np.append(second, second[-1]), np.append(ages, ages[-1] + 1) - 0.5,
                    where="post", color=colour, linewidth=1.2, label=f"{words[sex]} {years[1]}")
        ax.axvline(0, color="black", linewidth=0.6)
        limit = float(np.abs(ax.get_xlim()).max())
        ax.set_xlim(-limit, limit)
        ax.xaxis.set_major_formatter(_absolute_formatter())
        ax.set_ylim(-0.5, ages[-1] + 0.5)
        ax.set_ylabel(words["age"])
        ax.set_xlabel(words["thousands"])
        ax.set_title(words["pyramid"].format(region=region))
        ax.legend(loc="upper right", fontsize="small")
    return _finish(ax, lang)


def deaths_over_time(results: ResultsLike, variable: str = "deaths", by: str = "age", *,
                     groups: Sequence[tuple[int, int]] | None = None,
                     region: str | None = None, sex: str = "total", lang: str = "en",
                     ax: Axes | None = None) -> Axes:
    """A count over time, stacked by the groups of one dimension.

    ``by="age"`` stacks age groups (``groups``: (first, last) ages, inclusive; default
    0-4, 5-14, 15-49, 50-69, 70+). ``by="cause"`` stacks causes of death: runs with the health
    model have ``deaths_by_cause`` (dims year, region, sex, age, cause), which is used for
    ``variable="deaths"``; causes are named in the chosen language. Any other dimension of
    ``variable`` stacks its labels. Ages are summed when they are not what is stacked.
    """
    words = _labels(lang)
    with _fonts(lang):
        ax = _axes(ax)
        ds = _dataset(results)
        region = _region(ds, region)
        if variable == "deaths" and by == "cause" and "cause" not in ds["deaths"].dims:
            if "deaths_by_cause" not in ds.data_vars:
                raise ValueError("these results have no deaths by cause (a run without the "
                                 "health model); use by='age'")
            variable = "deaths_by_cause"
        data = ds[variable].sel(region=region)
        if "sex" in data.dims:
            data = data.sel(sex=sex)
        if by not in data.dims:
            raise ValueError(f"{variable} has no dimension {by!r}; it has {list(data.dims)}")
        if by != "age" and "age" in data.dims:
            data = data.sum("age")
        rest = [d for d in data.dims if d not in ("year", by)]
        if rest:
            raise ValueError(f"select {rest} before plotting {variable} by {by}")
        if by == "age":
            layers, labels = [], []
            for low, high in groups or AGE_GROUPS:
                layers.append(data.sel(age=slice(low, high)).sum("age").values)
                top = int(data["age"].values[-1])
                labels.append(f"{low}+" if high >= top else f"{low}-{high}")
            by_label = words["by_age"]
        else:
            names = CAUSES[lang] if by == "cause" else {}
            labels = [names.get(str(v), str(v)) for v in data[by].values]
            layers = [data.sel({by: v}).values for v in data[by].values]
            by_label = words.get(by, by)
        layers = [np.asarray(layer, dtype=float) for layer in layers]
        colours = _colours(len(layers))
        ax.stackplot(data["year"].values, np.vstack(layers) / 1000.0, labels=labels,
                     colors=colours, alpha=0.85)
        name = words.get(variable, variable)
        ax.set_title(words["deaths_by"].format(variable=name, by=by_label, region=region))
        _year_axis(ax, words)
        ax.set_ylabel(f"{name} ({'千人' if lang == 'zh' else 'thousands'})")
        # Legend in stacking order, top layer first, beside the plot when there are many.
        handles, texts = ax.get_legend_handles_labels()
        where = {"loc": "upper left"} if len(layers) <= 6 else \
            {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}
        ax.legend(handles[::-1], texts[::-1], fontsize="small", title=by_label, **where)
    return _finish(ax, lang)


# -- helpers ---------------------------------------------------------------------------------

def _labels(lang: str) -> dict[str, str]:
    """The words of the plots in one language: LABELS, the catalogue's titles of every result
    variable, and the language itself under "lang"."""
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {sorted(LABELS)}, got {lang!r}")
    titles = {name: catalogue.title(name, lang) for name in catalogue.variables()}
    return {**titles, **LABELS[lang], "lang": lang}


def cjk_font() -> str:
    """Name of an installed font with Chinese glyphs (Debian's fonts-noto-cjk provides one)."""
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for wanted in ("Noto Sans CJK SC", "Noto Sans CJK", "Noto Serif CJK", "WenQuanYi",
                   "Droid Sans Fallback"):
        for name in names:
            if name.startswith(wanted):
                return name
    raise HealthcastError("lang='zh' needs a font with Chinese characters; install Debian's "
                          "fonts-noto-cjk package")


@contextlib.contextmanager
def _fonts(lang: str) -> Iterator[None]:
    """Text created inside uses a CJK font for Chinese, DejaVu Sans otherwise."""
    import matplotlib

    if lang != "zh":
        yield
        return
    family = [cjk_font(), "DejaVu Sans"]
    # unicode_minus off: the ASCII hyphen-minus exists in every font.
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False}):
        yield


def _finish(ax: Axes, lang: str) -> Axes:
    """Gives every text of the axes the CJK font for Chinese. Needed besides _fonts() when the
    caller made the axes: their title and axis labels already exist, with the font of then."""
    if lang == "zh":
        from matplotlib.text import Text

        family = [cjk_font(), "DejaVu Sans"]
        for text in ax.findobj(Text):
            text.set_fontfamily(family)
    return ax


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    return ax


def _dataset(results: ResultsLike) -> xarray.Dataset:
    return results.to_xarray() if isinstance(results, Results) else results


def _name(results: ResultsLike, i: int) -> str:
    if isinstance(results, Results):
        return results.name or f"scenario {i + 1}"
    return str(results.attrs.get("scenario_name", f"scenario {i + 1}"))


def _region(ds: xarray.Dataset, region: str | None) -> str:
    regions = [str(r) for r in ds["region"].values]
    if region is None:
        return regions[0]
    if region not in regions:
        raise ValueError(f"no region {region!r}; the results have {regions}")
    return region


def _select(ds: xarray.Dataset, indicator: str, *, region: str, sex: str,
            age: int | None) -> xarray.DataArray:
    if indicator not in ds.data_vars:
        raise ValueError(f"no variable {indicator!r}; the results have {list(ds.data_vars)}")
    data = ds[indicator].sel(region=region)
    if "sex" in data.dims:
        data = data.sel(sex=sex)
    if "standard" in data.dims:  # age-standardised variants: the crude rate
        data = data.sel(standard="crude")
    if "age" in data.dims:
        if age is None and indicator in COUNTS:
            data = data.sum("age")
        else:
            data = data.sel(age=0 if age is None else age)
    return data


def _target_levels(targets: pd.DataFrame, indicator: str, sex: str) -> pd.DataFrame:
    """The targets on `indicator` (and `sex`) that have a level on the model's scale, with
    columns year, level, text and met (None without a status)."""
    rows = []
    for _, row in targets.iterrows():
        if "indicator" in targets.columns and row["indicator"] != indicator:
            continue
        if "sex" in targets.columns and not pd.isna(row["sex"]) and row["sex"] not in (sex, ""):
            continue
        # Judged on an official level carried forward: not on the model's scale.
        if str(row.get("convention", "") or "") in ("ratio", "difference"):
            continue
        comparator = str(row.get("comparator", ">=") or ">=")
        target = float(row["target"])
        if comparator in LEVEL_COMPARATORS:
            level, text = target, f"{target:g}"
        elif comparator == "relative_change" and {"modelled", "judged"} <= set(row.index):
            # judged = modelled / baseline - 1, so the baseline and the level it implies:
            baseline = float(row["modelled"]) / (1.0 + float(row["judged"]))
            level, text = baseline * (1.0 + target), f"{target:+.0%}"
        else:
            continue
        if not np.isfinite(level):
            continue
        status = row.get("status")
        met = None if status is None or pd.isna(status) else status in ("met", "observed_met")
        rows.append({"year": int(row["year"]), "level": level, "text": text, "met": met})
    return pd.DataFrame(rows, columns=["year", "level", "text", "met"])


def _draw_targets(ax: Axes, levels: pd.DataFrame, words: dict[str, str]) -> None:
    if not len(levels):
        return
    if levels["met"].isna().all():
        groups = [(words["target"], levels, "black")]
    else:
        groups = [(words["legend_met"], levels[levels["met"] == True], "black"),  # noqa: E712
                  (words["legend_not_met"], levels[levels["met"] != True], "none")]  # noqa: E712
    for label, rows, face in groups:
        if len(rows):
            ax.scatter(rows["year"], rows["level"], marker="D", s=50, facecolors=face,
                       edgecolors="black", linewidths=1.2, zorder=3, label=label)
    for _, row in levels.iterrows():
        ax.annotate(row["text"], (row["year"], row["level"]), textcoords="offset points",
                    xytext=(6, 6))


def _colours(n: int) -> list:  # type: ignore[type-arg]
    """n distinct colours: matplotlib's default cycle, or tab20 beyond its ten."""
    import matplotlib

    if n <= 10:
        return [f"C{i}" for i in range(n)]
    cmap = matplotlib.colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


def _has(levels: list[float], q: float) -> bool:
    return any(abs(level - q) < 1e-6 for level in levels)


def _indicator_label(words: dict[str, str], indicator: str, age: int | None,
                     ds: xarray.Dataset | None) -> str:
    name = words.get(indicator, indicator)
    if ds is not None and indicator in ds and "age" in ds[indicator].dims and \
            indicator not in COUNTS:
        where = words["at_birth"] if not age else words["at_age"].format(age=age)
        return f"{name}（{where}）" if words["lang"] == "zh" else f"{name} {where}"
    return name


def _unit_label(words: dict[str, str], ds: xarray.Dataset, indicator: str) -> str:
    units = units_of(ds[indicator].attrs)
    return words.get(units, units)


def _year_axis(ax: Axes, words: dict[str, str]) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(words["year"])


def _absolute_formatter():  # type: ignore[no-untyped-def]
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{abs(value):,.0f}")


__all__ = ["fan_chart", "scenarios_against_targets", "population_pyramid", "deaths_over_time",
           "cjk_font"]
