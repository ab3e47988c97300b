"""Scenarios: read a scenario file, edit it in Python, save it back to YAML.

The YAML mapping is kept whole, so sections this version of the package does not model yet
(interventions, targets, ...) survive a load-edit-save round trip. Checking is left to the C++
engine: :meth:`Scenario.check` and :func:`healthcast.run` hand it the YAML text.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import yaml

from . import _core

PathLike = str | os.PathLike[str]

# Keys whose string values are file (or folder) paths, relative to the scenario file, wherever they occur
# inside an `inputs:` mapping (the scenario's own or a region's).
# Keys whose string values are input paths (fertility's `uncertainty` is a file; mortality's is
# a map, which the walk below descends into instead).
INPUT_PATH_KEYS = frozenset({"population", "fertility", "sex_ratio_at_birth", "net_migration",
                             "rates", "health", "uncertainty", "units", "official"})


def load_scenario(path: PathLike) -> Scenario:
    """Read a scenario file and check it (and every input file it names).

    Raises:
        ScenarioError: the file is missing or invalid; the error's ``file``, ``line`` and
            ``field`` say where.
    """
    info = _core.load_scenario(path)
    return Scenario(yaml.safe_load(info["text"]), path=info["path"], text=info["text"])


class Scenario(MutableMapping[str, Any]):
    """A scenario as an editable YAML mapping, anchored to the folder it came from.

    The common fields are properties (``name``, ``title``, ``description``, ``base_year``,
    ``horizon``, ``regions``, ``inputs``); any other section is reachable as ``scenario[key]``.
    Relative input paths are relative to :attr:`path`'s folder; :meth:`save` rewrites them for
    the new location.
    """

    def __init__(self, data: dict[str, Any], path: PathLike, text: str | None = None) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"a scenario is a YAML mapping, not {type(data).__name__}")
        self._data = data
        self._path = Path(os.path.abspath(path))
        # The text as read, handed to C++ unchanged while the mapping is unchanged, so that
        # error messages point at lines of the real file.
        self._text = text
        self._as_read = copy.deepcopy(data) if text is not None else None

    # -- the mapping ------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    @property
    def data(self) -> dict[str, Any]:
        """The YAML mapping itself (edits are live)."""
        return self._data

    # -- common fields ----------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The scenario file this scenario was read from or last saved to."""
        return self._path

    @property
    def name(self) -> str:
        """Short name (letters, digits, ``_`` and ``-``); names the results."""
        return str(self._data.get("name", ""))

    @name.setter
    def name(self, value: str) -> None:
        self._data["name"] = value

    @property
    def title(self) -> str:
        """One-line human-readable title."""
        return str(self._data.get("title", ""))

    @title.setter
    def title(self, value: str) -> None:
        self._data["title"] = value

    @property
    def description(self) -> str:
        """Free text describing the scenario."""
        return str(self._data.get("description", ""))

    @description.setter
    def description(self, value: str) -> None:
        self._data["description"] = value

    @property
    def base_year(self) -> int:
        """Year of the starting population (1 January)."""
        return int(self._data["base_year"])

    @base_year.setter
    def base_year(self, value: int) -> None:
        self._data["base_year"] = int(value)

    @property
    def horizon(self) -> int:
        """Last projected year."""
        return int(self._data["horizon"])

    @horizon.setter
    def horizon(self, value: int) -> None:
        self._data["horizon"] = int(value)

    @property
    def regions(self) -> list[dict[str, Any]]:
        """The regions, each a mapping with ``name`` and optional ``inputs`` (edits are live)."""
        return self._data.setdefault("regions", [])

    @property
    def inputs(self) -> dict[str, Any]:
        """Default inputs of every region (edits are live); paths relative to :attr:`path`."""
        return self._data.setdefault("inputs", {})

    # -- text, checks, files ----------------------------------------------------------------
    def to_yaml(self) -> str:
        """The scenario as YAML text (the text as read, if nothing was changed)."""
        if self._text is not None and self._data == self._as_read:
            return self._text
        return yaml.safe_dump(self._data, sort_keys=False, allow_unicode=True, width=100)

    def check(self) -> None:
        """Check the scenario and its input files with the engine.

        Raises:
            ScenarioError: what is wrong, where.
        """
        _core.parse_scenario(self.to_yaml(), self._path)

    def save(self, path: PathLike) -> Path:
        """Write the scenario to ``path`` as YAML and make it this scenario's file.

        Relative input paths are rewritten relative to the new file's folder, so that the saved
        file finds the same inputs (absolute paths are kept). Comments of the original file are
        not kept. Returns the absolute path written.
        """
        target = Path(os.path.abspath(path))
        data = copy.deepcopy(self._data)
        _rebase(data, self._path.parent, target.parent)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self._data, self._path, self._text = data, target, text
        self._as_read = copy.deepcopy(data)
        return target

    def copy(self) -> Scenario:
        """An independent copy anchored to the same folder."""
        return Scenario(copy.deepcopy(self._data), self._path)

    def __repr__(self) -> str:
        regions = ", ".join(str(r.get("name")) for r in self._data.get("regions", []))
        return (f"<healthcast.Scenario {self.name!r} {self._data.get('base_year')}-"
                f"{self._data.get('horizon')} regions=[{regions}] from {str(self._path)!r}>")


def _input_entries(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(mapping, key) of every input path in a scenario mapping: string values of
    INPUT_PATH_KEYS inside its `inputs` and its regions' `inputs`."""

    def walk(inputs: Any) -> Iterator[tuple[dict[str, Any], str]]:
        if not isinstance(inputs, dict):
            return
        for key, value in inputs.items():
            if isinstance(value, dict):
                yield from walk(value)
            elif key in INPUT_PATH_KEYS and isinstance(value, str):
                yield inputs, key

    yield from walk(data.get("inputs"))
    for region in data.get("regions") or []:
        if isinstance(region, dict):
            yield from walk(region.get("inputs"))


def _rebase(data: dict[str, Any], old_dir: Path, new_dir: Path) -> None:
    """Rewrites relative input paths of `data` from `old_dir` to `new_dir`, in place."""
    for inputs, key in _input_entries(data):
        if not os.path.isabs(inputs[key]):
            absolute = os.path.normpath(os.path.join(old_dir, inputs[key]))
            inputs[key] = Path(os.path.relpath(absolute, new_dir)).as_posix()


def scenario_layers(path: PathLike) -> list[tuple[Path, dict[str, Any]]]:
    """The scenario file and the files it extends (child first), each with its YAML mapping.
    For a scenario the engine has checked (no cycle, files present)."""
    layers: list[tuple[Path, dict[str, Any]]] = []
    current: Path | None = Path(os.path.abspath(path))
    while current is not None and all(current != p for p, _ in layers):
        data = yaml.safe_load(current.read_text(encoding="utf-8")) or {}
        layers.append((current, data))
        extends = data.get("extends")
        current = Path(os.path.normpath(current.parent / extends)) \
            if isinstance(extends, str) else None
    return layers


def scenario_files(path: PathLike) -> list[Path]:
    """Every file a scenario file reads, sorted: itself, the files it extends, each input file
    named in their `inputs` (the files of an input folder one by one) and, inside a YAML input
    such as health.yaml, every string naming an existing file relative to it."""
    found: set[Path] = set()

    def add(file: Path) -> None:
        if file in found:
            return
        if file.is_dir():
            for child in sorted(file.rglob("*")):
                if child.is_file():
                    add(child)
            return
        if not file.is_file():
            return
        found.add(file)
        if file.suffix in (".yaml", ".yml") and file.stat().st_size < 10_000_000:
            for value in _strings(yaml.safe_load(file.read_text(encoding="utf-8"))):
                if "/" in value or "." in value:
                    candidate = Path(os.path.normpath(file.parent / value))
                    if candidate.is_file():
                        add(candidate)

    for layer, data in scenario_layers(path):
        found.add(layer)
        for inputs, key in _input_entries(data):
            add(Path(os.path.normpath(layer.parent / inputs[key])))
    return sorted(found)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


__all__ = ["Scenario", "load_scenario"]
