"""The catalogue of what a run produces (the engine's results/catalogue.h): every result
variable with its dimensions, units and names in English and Chinese, and every indicator a
plan's target can name. Plots, reports and docs take their names from here.

    from healthcast import catalogue
    catalogue.variable("life_expectancy")["units"]      # 'years'
    catalogue.title("premature_ncd_mortality", "zh")    # '重大慢性病过早死亡率'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import _core

SUFFIXES = ("_summary", "_draws", "_difference")


@lru_cache(maxsize=1)
def variables() -> dict[str, dict[str, Any]]:
    """Every result variable by name: dims, units, long_name, title, title_zh."""
    return {v["name"]: v for v in _core.catalogue_variables()}


@lru_cache(maxsize=1)
def indicators() -> dict[str, dict[str, Any]]:
    """Every indicator a target can name, by id: variable, units, title, title_zh, better."""
    return {i["id"]: i for i in _core.catalogue_indicators()}


def variable(name: str) -> dict[str, Any]:
    """The entry of a variable; derived variables (V_summary, V_draws, V_difference) give V's."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in variables():
            name = name[: -len(suffix)]
            break
    try:
        return variables()[name]
    except KeyError:
        raise KeyError(f"{name!r} is not a healthcast result variable; see "
                       f"healthcast.catalogue.variables()") from None


def title(name: str, lang: str = "en") -> str:
    """The short title of a variable or indicator in English ("en") or Chinese ("zh")."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    key = "title_zh" if lang == "zh" else "title"
    entry = indicators().get(name) or variable(name)
    return entry[key]


def markdown() -> str:
    """The catalogue as the Markdown tables of docs/results-format.md (tools/catalogue_doc.py
    writes them there; a test checks that the doc is current)."""
    lines = ["| variable | dimensions | units | content | 中文 |", "|---|---|---|---|---|"]
    for v in variables().values():
        lines.append(f"| `{v['name']}` | {', '.join(v['dims'])} | {v['units'] or '-'} | "
                     f"{v['long_name']} | {v['title_zh']} |")
    lines += ["", "| indicator (targets) | variable | units | better | title | 中文 |",
              "|---|---|---|---|---|---|"]
    for i in indicators().values():
        where = f"`{i['variable']}`" + (f" ({i['selector']})" if i["selector"] else "")
        lines.append(f"| `{i['id']}` | {where} | {i['units']} | {i['better']} | {i['title']} | "
                     f"{i['title_zh']} |")
    return "\n".join(lines) + "\n"
