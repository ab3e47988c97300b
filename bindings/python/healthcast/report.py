"""A planner's report of a run: one self-contained HTML file (or an xlsx workbook) in Chinese
or English, to hand over as it is.

    import healthcast as hc
    hc.report(hc.open("shenyang.h5"), reference="reference.h5", lang="zh", path="report.html")

From the command line (the build's interpreter and package)::

    healthcast report shenyang.h5 --reference reference.h5 --lang zh -o report.html
    ./hc python -m healthcast report shenyang.h5 --lang en -o report.xlsx --format xlsx

The HTML opens offline: plots are inline SVG with their text drawn as outlines (no font is
needed), styles are inline, and there is no script and no external reference.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import catalogue
from .errors import HealthcastError, ResultsFileError
from .report_words import (BASIS, BASIS_PATTERNS, CHAIN_COLUMNS, COMPARED, COMPARED_UNITS,
                           DIFFERENCE_UNITS, METHODS, STATUS, UNITS, WORDS,
                           translate)
from .results import Results, compare, units_of
from .results import open as open_results

PathLike = str | os.PathLike[str]
FORMATS = ("html", "xlsx")
# Comparison variables shown, cumulative from the first projected year to the last.
COMPARISON = ("cumulative_deaths_averted", "cumulative_life_years_gained",
              "cumulative_dalys_averted")
# What precedes the <svg> element of a saved figure (XML declaration, DOCTYPE): not inline.
_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def report(results: Results | PathLike, reference: Results | PathLike | None = None, *,
           lang: str = "en", path: PathLike = "report.html", format: str | None = None) -> Path:
    """Write a planner's report of ``results`` and return its absolute path.

    Args:
        results: a run (:class:`Results`) or a results file's path.
        reference: the matching reference run (same units, regions and years) or its path;
            with it the report has a comparison (deaths averted, life-years gained, DALYs
            averted, with 95% intervals when the comparison has them).
        lang: ``"en"`` or ``"zh"``: every word of the report in that language (the model's own
            notes on data derivation are quoted as the engine writes them, in English).
        path: the file to write.
        format: ``"html"`` (one self-contained file) or ``"xlsx"`` (the same tables as
            sheets); by default from the suffix of ``path``.

    Raises:
        ResultsFileError: a path that is missing or not a healthcast results file.
        HealthcastError: the reference does not match the run (years, regions, sexes).
    """
    if lang not in WORDS:
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    target = Path(os.path.abspath(path))
    chosen = format or ("xlsx" if target.suffix.lower() == ".xlsx" else "html")
    if chosen not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {chosen!r}")
    run = results if isinstance(results, Results) else open_results(results)
    base = None
    if reference is not None:
        base = reference if isinstance(reference, Results) else open_results(reference)
    content = build(run, base, lang, charts=chosen == "html")
    if chosen == "xlsx":
        write_xlsx(content, target)
    else:
        target.write_text(render_html(content), encoding="utf-8")
    return target


# -- content ---------------------------------------------------------------------------------

def build(run: Results, reference: Results | None, lang: str, *,
          charts: bool = True) -> dict[str, Any]:
    """Everything the report shows, as words and formatted numbers in one language."""
    words = WORDS[lang]
    targets = run.targets()
    content: dict[str, Any] = {
        "lang": lang, "w": words, "plan": _plan(run, lang),
        "provenance": _provenance(run, lang), "levers": _levers(run, lang),
        "methods": METHODS[lang], "targets": _target_rows(targets, lang, run.to_xarray()),
        "chain": _chain_rows(targets, lang), "charts": [], "comparison": None,
    }
    if charts:
        content["charts"] = _charts(run, targets, lang)
    if reference is not None:
        content["comparison"] = _comparison(reference, run, lang)
    return content


def _attrs(run: Results) -> dict[str, str]:
    return {k: str(v) for k, v in run.attrs.items()}


def _scenario_file(run: Results) -> dict[str, Any]:
    """The plan's own YAML (root attribute scenario_text), parsed; {} when unreadable."""
    import yaml

    try:
        parsed = yaml.safe_load(_attrs(run).get("scenario_text", "") or "{}")
    except yaml.YAMLError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _plan(run: Results, lang: str) -> dict[str, str]:
    attrs, text = _attrs(run), _scenario_file(run)
    ds = run.to_xarray()
    years = [int(y) for y in ds["year"].values]
    title = text.get("title_zh") if lang == "zh" else None
    return {
        "name": run.name,
        "title": str(title or run.title or run.name),
        "description": str(text.get("description", "") or "").strip(),
        "regions": ", ".join(str(r) for r in ds["region"].values),
        "years": f"{years[0]}–{years[-1]}" if years else "",
        "draws": attrs.get("draws", "0"), "seed": attrs.get("seed", ""),
        "software": f"{attrs.get('software_version', '')} ({attrs.get('git_revision', '')})",
        "created": attrs.get("creation_time", ""),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _provenance(run: Results, lang: str) -> dict[str, Any]:
    """The unit and where its data came from, and every warning the run recorded."""
    attrs, words = _attrs(run), WORDS[lang]
    units = [_unit_line(line, lang) for line in _lines(attrs.get("units", ""))]
    if units:
        source = words["source_units"]
    elif "population_scaled" in attrs:
        source = words["source_scaled"]
    else:
        source = words["source_national"]
    notes = _lines(attrs.get("unit_notes", ""))
    warnings = []
    if "population_scaled" in attrs:
        warnings.append(attrs["population_scaled"])
    for key, value in attrs.items():
        if "warning" in key.lower():
            warnings.extend(_lines(value))
    bases = run.targets()["basis"].astype(str)
    illustrative = int(bases.str.contains("illustrative").sum())
    if illustrative:
        warnings.append(words["warning_illustrative"].format(count=illustrative))
    if attrs.get("draws", "0") in ("", "0"):
        warnings.append(words["warning_no_draws"])
    return {"units": units, "source": source, "notes": notes, "warnings": warnings}


def _unit_line(line: str, lang: str) -> str:
    """'shenyang: 210100' as 'shenyang: census unit 210100' in the report's language."""
    region, _, codes = line.partition(":")
    return WORDS[lang]["unit_line"].format(region=region.strip(), codes=codes.strip())


def _levers(run: Results, lang: str) -> list[dict[str, str]]:
    """The plan's levers: titles from the plan's file, what they do from the run's record."""
    text = _scenario_file(run)
    listed = {}
    for entry in _lines(_attrs(run).get("interventions", "").replace("; ", "\n")):
        name, _, rest = entry.partition(" (")
        listed[name.strip()] = rest.rstrip(")")
    rows = []
    for item in text.get("interventions", []) or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))
        title = item.get("title_zh") if lang == "zh" else item.get("title")
        rows.append({"name": name, "title": str(title or item.get("title") or name),
                     "kind": translate(str(item.get("kind", "")), lang),
                     "years": f"{item.get('start', '')}–{item.get('full', '')}",
                     "size": _lever_size(item, lang)})
        listed.pop(name, None)
    for name, rest in listed.items():  # levers of a parent scenario (extends)
        kind, _, years = rest.partition(", ")
        rows.append({"name": name, "title": name, "kind": translate(kind, lang),
                     "years": years.replace("-", "–"), "size": ""})
    return rows


def _lever_size(item: dict[str, Any], lang: str) -> str:
    words = WORDS[lang]
    what = item.get("factor") or ", ".join(str(d) for d in item.get("diseases", []) or []) \
        or ", ".join(str(c) for c in item.get("causes", []) or [])
    for key in ("reach", "scale", "multiply", "add", "to_value"):
        if key in item and isinstance(item[key], (int, float)):
            value = float(item[key])
            shown = number(value, _written_decimals(value))
            if key == "reach" and item.get("kind") == "risk_factor_prevalence":
                what, shown = f"{what} prevalence", shown + words["percent_sign"]
            return words[f"lever_{key}"].format(what=translate(str(what), lang), value=shown)
    return translate(str(what), lang)


def _column(table: pd.DataFrame, *names: str) -> pd.Series:
    """The first of these columns present (tables of older and newer engines differ)."""
    for name in names:
        if name in table.columns:
            return table[name]
    return pd.Series([np.nan] * len(table), index=table.index, dtype=float)


def _target_rows(targets: pd.DataFrame, lang: str, ds: Any) -> list[dict[str, str]]:
    words = WORDS[lang]
    modelled = _column(targets, "modelled", "projected")
    baselines = [_baseline_text(row, _decimals(row), ds, lang)
                 for _, row in targets.reset_index(drop=True).iterrows()]
    rows = []
    for i, row in targets.reset_index(drop=True).iterrows():
        decimals = _decimals(row)
        unit = UNITS[lang].get(str(row.get("unit", "")), str(row.get("unit", "")))
        status = _status_code(row.get("status"))
        first = row.get("first_year_met")
        words_text = row.get("text_zh") if lang == "zh" else row.get("text_en")
        rows.append({
            "number": str(i + 1),
            "indicator": _indicator_title(str(row["indicator"]), lang),
            "year": str(int(row["year"])),
            "target": _target_text(row, unit, _target_decimals(row), lang),
            "baseline": baselines[i],
            "modelled": number(modelled.iloc[i], decimals),
            "judged": _judged_text(row, decimals),
            "status": STATUS[lang].get(status, status.replace("_", " ")),
            "status_code": status,
            "probability": percent(row.get("probability")),
            "first_year_met": "–" if first is None or pd.isna(first) else str(int(first)),
            "unit": unit,
            "text": str(words_text or "") if not _missing(words_text) else "",
            "basis": _basis_text(row.get("basis"), lang),
            "words": words,
        })
    return rows


def _chain_rows(targets: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The judging chain (official value, start, modelled change, baseline, proxy, basis) of
    the targets, for the footnote: only the columns this run's table has and that hold a value;
    targets with the same chain share a row."""
    present = [c for c in CHAIN_COLUMNS if c in targets.columns and
               targets[c].map(lambda v: not _missing(v)).any()]
    groups: dict[tuple[str, ...], list[str]] = {}
    for i, row in targets.reset_index(drop=True).iterrows():
        cells = tuple(_chain_cell(row, c, lang) for c in present) + \
            (_basis_text(row.get("basis"), lang) or "–",)
        groups.setdefault(cells, []).append(str(i + 1))
    header = [WORDS[lang]["chain_" + c] for c in present] + [WORDS[lang]["basis"]]
    rows = [{"number": ", ".join(numbers), "cells": list(cells)}
            for cells, numbers in groups.items()]
    return {"header": header, "rows": rows}


def _chain_cell(row: pd.Series, column: str, lang: str) -> str:
    value = row[column]
    if _missing(value):
        return "–"
    if column.endswith("_year"):
        return str(int(value))
    if column == "modelled_change":  # a ratio or a difference: its own sensible decimals
        return number(float(value), 3)
    if isinstance(value, (int, float, np.floating, np.integer)):
        return number(float(value), _decimals(row))
    return translate(str(value), lang)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _status_code(status: Any) -> str:
    """A status as its code: `met`, `not_met`, ... (older engines wrote words: "not met")."""
    if _missing(status):
        return "no_value"
    return str(status).strip().replace(" ", "_")


def _indicator_title(indicator: str, lang: str) -> str:
    try:
        return catalogue.title(indicator, lang)
    except KeyError:  # monitored indicators are the plan's own, outside the catalogue
        words = indicator.replace("_", " ")
        return translate(indicator, lang, fallback=words[:1].upper() + words[1:])


def _decimals(row: pd.Series) -> int:
    """Decimals to show a target's values with: the plan's precision when the table has it,
    else the target's own decimals (at least one for a rate)."""
    precision = row.get("precision")
    if not _missing(precision):
        decimals = int(precision)
    else:
        target = row.get("target")
        decimals = _written_decimals(float(target)) if not _missing(target) else 1
        if row.get("unit") not in ("count", "persons"):  # a rate: one decimal at least
            decimals = max(decimals, 1)
    return max(decimals - 2, 0) if row.get("comparator") == "relative_change" else decimals


def _target_decimals(row: pd.Series) -> int:
    """Decimals of the target as the plan writes it."""
    precision, target = row.get("precision"), row.get("target")
    if not _missing(precision):
        decimals = int(precision)
    else:
        decimals = _written_decimals(float(target)) if not _missing(target) else 0
    return max(decimals - 2, 0) if row.get("comparator") == "relative_change" else decimals


def _written_decimals(value: float) -> int:
    text = f"{value:.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _target_text(row: pd.Series, unit: str, decimals: int, lang: str) -> str:
    comparator, value = str(row.get("comparator", "")), row.get("target")
    words = WORDS[lang]
    if comparator == "relative_change" and not _missing(value):
        change = f"{100 * float(value):+.{decimals}f}%"
        base = row.get("baseline_year")
        return words["relative_from"].format(change=change, year=int(base)) \
            if not _missing(base) else change
    if comparator in (">=", ">", "<=", "<") and not _missing(value):
        sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[comparator]
        return f"{sign} {number(float(value), decimals)} {unit}".strip()
    return words.get("comparator_" + comparator, comparator)


def _baseline_text(row: pd.Series, decimals: int, ds: Any, lang: str) -> str:
    """The value the target starts from: the table's baseline (or start) value when it has
    one; else, for a modelled indicator, its value in the first projected year."""
    relative = row.get("comparator") == "relative_change"
    places = decimals + (2 if relative else 0)
    for year_key, value_key in (("baseline_year", "baseline_value"),
                                ("start_year", "start_value")):
        value = row.get(value_key)
        if not _missing(value):
            year = row.get(year_key)
            return _with_year(number(float(value), places), None if _missing(year) else
                              int(year), lang)
    entry = catalogue.indicators().get(str(row["indicator"]), {})
    unit = UNITS[lang].get(str(entry.get("units", "")), str(entry.get("units", "")))
    modelled = row.get("modelled", row.get("projected"))  # the column's older name
    judged = row.get("judged")
    measured = re.search(r"change measured from (\d+)", str(row.get("basis", "")))
    if relative and not _missing(modelled) and not _missing(judged) and float(judged) != -1:
        # The judge's own baseline: judged = modelled / baseline - 1.
        year = int(measured.group(1)) if measured else None
        value = float(modelled) / (1.0 + float(judged))
        places = 0 if entry.get("units") == "persons" else max(decimals, 1)
        return _with_year(f"{number(value, places)} {unit}".strip(), year, lang)
    variable = _chart_variable(str(row["indicator"]), ds)
    if variable is None or str(row.get("basis", "")).startswith("monitored"):
        return "–"
    from . import plot

    data = plot._select(ds, variable, region=str(ds["region"].values[0]),
                        sex=str(row.get("sex") or "total"), age=None)
    first = int(data["year"].values[0])
    shown = f"{number(float(data.sel(year=first)), max(decimals, 1))} {unit}".strip()
    return _with_year(shown, first, lang)


def _with_year(text: str, year: int | None, lang: str) -> str:
    if year is None:
        return text
    return f"{text}（{year}年）" if lang == "zh" else f"{text} ({year})"


def _judged_text(row: pd.Series, decimals: int) -> str:
    judged = row.get("judged")
    if _missing(judged):
        return "–"
    if row.get("comparator") == "relative_change":
        return f"{100 * float(judged):+.{decimals}f}%"
    return number(float(judged), decimals)


def _basis_text(basis: Any, lang: str) -> str:
    if _missing(basis):
        return ""
    parts = [p.strip() for p in str(basis).split(";") if p.strip()]
    return ("；" if lang == "zh" else "; ").join(_basis_part(p, lang) for p in parts)


def _basis_part(part: str, lang: str) -> str:
    if part in BASIS[lang]:
        return BASIS[lang][part]
    for pattern, words in BASIS_PATTERNS[lang]:
        found = re.fullmatch(pattern, part)
        if found:
            return words.format(*found.groups())
    return translate(part, lang)


# -- numbers ---------------------------------------------------------------------------------

def number(value: Any, decimals: int | None = None) -> str:
    """A number for people: thousands separators and sensible decimals ("–" when missing).
    Without `decimals`: none from 1,000 up, one from 100, two from 1, three significant below."""
    if _missing(value):
        return "–"
    v = float(value)
    if not math.isfinite(v):
        return "–"
    if decimals is None:
        size = abs(v)
        if size >= 1000 or v == 0:
            decimals = 0
        elif size >= 100:
            decimals = 1
        elif size >= 1:
            decimals = 2
        else:
            decimals = max(0, 2 - int(math.floor(math.log10(size))))
    text = f"{v:,.{decimals}f}"
    return "0" if text in ("-0", "-0.0") or re.fullmatch(r"-0\.0+", text) else text


def percent(value: Any) -> str:
    """A probability (0..1) as a whole per cent ("–" when missing)."""
    if _missing(value) or not math.isfinite(float(value)):
        return "–"
    return f"{100 * float(value):.0f}%"


# -- charts ----------------------------------------------------------------------------------

def _charts(run: Results, targets: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    """A fan chart (median and 95%/50% intervals with draws) per modelled indicator with a
    target, the targets marked on it."""
    charts = []
    ds = run.to_xarray()
    seen = set()
    for _, row in targets.iterrows():
        indicator = str(row["indicator"])
        variable = _chart_variable(indicator, ds)
        if variable is None or indicator in seen:
            continue
        seen.add(indicator)
        rows = targets[targets["indicator"] == indicator]
        charts.append({"title": _indicator_title(indicator, lang),
                       "svg": _fan_svg(run, ds, variable, rows, lang)})
    return charts


def _chart_variable(indicator: str, ds: Any) -> str | None:
    """The results variable a fan chart can draw for this indicator, or None (monitored
    indicators, and readings a fan chart has no form for: sums over causes, ratios of births,
    age-standardised rates)."""
    entry = catalogue.indicators().get(indicator)
    if entry is None or entry["variable"] not in ds.data_vars:
        return None
    if entry.get("selector") not in ("", None, "crude") or entry["variable"] in ("births",
                                                                                  "deaths_by_cause"):
        return None
    return str(entry["variable"])


def _fan_svg(run: Results, ds: Any, variable: str, rows: pd.DataFrame, lang: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plot

    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    try:
        plot.fan_chart(ds, variable, lang=lang, ax=ax)
        marks = rows.copy()
        marks["indicator"] = variable
        if "projected" not in marks.columns and "modelled" in marks.columns:
            marks["projected"] = marks["modelled"]
        words = plot._labels(lang)
        with plot._fonts(lang):
            plot._draw_targets(ax, plot._target_levels(marks, variable, "total"), words)
            # Below the axes: a legend inside could cover the target's mark.
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4,
                      fontsize="small", frameon=False)
        plot._finish(ax, lang)
        ax.set_title("")  # the section heading names it
        buffer = io.StringIO()
        # Text as outlines: the SVG needs no font, so it renders the same offline everywhere.
        # A salt of its own per chart: the ids of clip paths stay unique in the one page.
        with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": variable}):
            fig.savefig(buffer, format="svg")
    finally:
        plt.close(fig)
    return _SVG_HEAD.sub("", buffer.getvalue(), count=1)


# -- comparison ------------------------------------------------------------------------------

def _comparison(reference: Results, run: Results, lang: str) -> dict[str, Any]:
    """What the plan's levers change against the reference, cumulative over the projection,
    with the 95% interval when the comparison carries draws' summaries."""
    words = WORDS[lang]
    ds = compare(reference, run).to_xarray()  # type: ignore[union-attr]
    region = str(ds["region"].values[0])
    years = [int(y) for y in ds["year"].values]
    rows = []
    names = [n for n in COMPARISON if n in ds.data_vars]
    names += [f"{i['variable']}_difference" for i in catalogue.indicators().values()
              if f"{i['variable']}_difference" in ds.data_vars]
    names = list(dict.fromkeys(names))
    for name in names:
        data = ds[name].sel(region=region)
        if "sex" in data.dims:
            data = data.sel(sex="total")
        if "age" in data.dims:
            data = data.sel(age=0)
        last = data.sel(year=years[-1])
        low, high = _interval(ds, name, region, years[-1])
        decimals = 0 if name in COMPARISON else 2
        units = units_of(ds[name].attrs)
        unit = COMPARED_UNITS[lang].get(name) or DIFFERENCE_UNITS[lang].get(units) or \
            UNITS[lang].get(units, units)
        rows.append({"name": COMPARED[lang].get(name, _difference_title(name, lang)),
                     "value": number(float(last), decimals),
                     "interval": "–" if low is None else
                     f"{number(low, decimals)} – {number(high, decimals)}", "unit": unit})
    return {"reference": reference.name, "period": f"{years[0]}–{years[-1]}", "rows": rows,
            "note": words["compare_note"].format(first=years[0], last=years[-1])}


def _interval(ds: Any, name: str, region: str, year: int) -> tuple[float | None, float | None]:
    """The 95% interval of a comparison variable from its summaries or draws, when present."""
    for source in (f"{name}_summary", f"{name}_draws"):
        if source not in ds.data_vars:
            continue
        data = ds[source].sel(region=region, year=year)
        if "sex" in data.dims:
            data = data.sel(sex="total")
        if "age" in data.dims:
            data = data.sel(age=0)
        if "statistic" in data.dims:
            return float(data.sel(statistic="lower_95")), float(data.sel(statistic="upper_95"))
        if "draw" in data.dims:
            q = data.quantile([0.025, 0.975], dim="draw").values
            return float(q[0]), float(q[1])
    return None, None


def _difference_title(name: str, lang: str) -> str:
    base = name[: -len("_difference")]
    try:
        title = catalogue.title(base, lang)
    except KeyError:
        title = base.replace("_", " ")
    if lang == "en" and title[1:2].islower():  # "Difference in life expectancy", not "Life"
        title = title[0].lower() + title[1:]
    return WORDS[lang]["difference_of"].format(title=title)


# -- output ----------------------------------------------------------------------------------

def render_html(content: dict[str, Any]) -> str:
    """The report as one HTML page (template templates/report.html.j2)."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return environment.get_template("report.html.j2").render(**content)


def write_xlsx(content: dict[str, Any], path: Path) -> None:
    """The report's tables as sheets: plan, targets, judging chain, comparison, levers."""
    try:
        import openpyxl
        from openpyxl.styles import Alignment, Font
    except ImportError as error:
        raise HealthcastError("--format xlsx needs openpyxl: install Debian's "
                              "python3-openpyxl") from error
    w = content["w"]
    book = openpyxl.Workbook()
    sheets: list[tuple[str, list[str], list[list[str]]]] = [
        (w["sheet_plan"], [w["field"], w["value"]], _plan_table(content)),
        (w["sheet_targets"], [w[c] for c in TARGET_FIELDS],
         [[r[c] for c in TARGET_FIELDS] for r in content["targets"]]),
    ]
    if content["chain"]["rows"]:
        sheets.append((w["sheet_chain"], [w["number"], *content["chain"]["header"]],
                       [[r["number"], *r["cells"]] for r in content["chain"]["rows"]]))
    if content["comparison"]:
        sheets.append((w["sheet_comparison"], [w["measure"], w["value"], w["interval"],
                                               w["measure_unit"]],
                       [[r["name"], r["value"], r["interval"], r["unit"]]
                        for r in content["comparison"]["rows"]]))
    sheets.append((w["sheet_levers"], [w["lever"], w["kind"], w["years"], w["size"]],
                   [[r["title"], r["kind"], r["years"], r["size"]] for r in content["levers"]]))
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):  # as shown in the report
                    decimals = len(str(row[cell.column - 1]).partition(".")[2])
                    cell.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
            for c in column:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?|-?\d+(\.\d+)?")


def _cell_value(text: str) -> str | float:
    """A formatted number back as a number (Excel sums and sorts it); other text as it is.
    Years and target numbers stay text."""
    if _NUMBER.fullmatch(text) and ("," in text or "." in text):
        return float(text.replace(",", ""))
    return text


TARGET_FIELDS = ("number", "indicator", "year", "target", "baseline", "judged", "status",
                 "probability", "first_year_met", "basis", "text")


def _plan_table(content: dict[str, Any]) -> list[list[str]]:
    w, plan, provenance = content["w"], content["plan"], content["provenance"]
    rows = [[w["plan"], plan["title"]], [w["regions"], plan["regions"]],
            [w["years"], plan["years"]], [w["draws"], plan["draws"]],
            [w["data_source"], provenance["source"]]]
    rows += [[w["unit"], u] for u in provenance["units"]]
    rows += [[w["notes"], n] for n in provenance["notes"]]
    rows += [[w["warnings"], n] for n in provenance["warnings"]]
    rows += [[w["software"], plan["software"]]]
    return rows


# -- command line ----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """`healthcast report` / `python -m healthcast report`: 0 on success, 2 for a missing or
    damaged file or bad arguments, 1 for anything else."""
    parser = argparse.ArgumentParser(
        prog="healthcast report",
        description="A planner's report of a results file: one self-contained HTML file "
                    "(or an xlsx workbook) in Chinese or English.")
    parser.add_argument("results", help="results file (HDF5) of the plan's run")
    parser.add_argument("--reference", help="results file of the matching reference run "
                        "(same units, regions and years): adds deaths averted, life-years "
                        "gained and DALYs averted")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("-o", "--output", default=None,
                        help="file to write (default: report.html or report.xlsx)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="html (default) or xlsx; by default from the output's suffix")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    chosen = args.format or ("xlsx" if str(args.output or "").endswith(".xlsx") else "html")
    output = args.output or f"report.{chosen}"
    try:
        written = report(args.results, args.reference, lang=args.lang, path=output,
                         format=chosen)
    except ResultsFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (HealthcastError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(written)
    return 0


__all__ = ["report", "number", "percent", "main"]
