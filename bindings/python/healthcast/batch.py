"""Batches: many scenarios x census units x Monte Carlo draws on Dask distributed, resumable.

``healthcast batch MANIFEST.yaml -o OUTDIR [--workers N | --scheduler ADDRESS] [--force]``,
``healthcast batch status OUTDIR`` and :func:`batch` (docs/batch.md).

A manifest (YAML, checked against batch.schema.json) expands into tasks: scenario x group of
``units_per_task`` units x chunk of ``chunk`` draws. Each task is one engine call (the GIL
released) that writes one immutable, checksummed part file ``OUTDIR/tasks/<key>.h5`` (written
to a temporary name and renamed). The parts of a scenario are then merged into
``OUTDIR/<scenario name>.h5``, exactly the file one run of the scenario on all the units would
write. ``OUTDIR/batch.json`` records the manifest, the engine (version, git revision, SHA-256
of the compiled core) and the SHA-256 of every file each scenario reads; a rerun refuses when
any of them changed (unless forced), else skips every task whose file is intact (checksum) and
is that task's (scenario, units, draws, draw range, seed), so a batch stopped anywhere resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import fcntl
import functools
import hashlib
import json
import os
import socket
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import _core
from .errors import HealthcastError, ResultsFileError, ScenarioError
from .scenario import load_scenario, scenario_files, scenario_layers

PathLike = str | os.PathLike[str]

SCHEMA_PATH = Path(__file__).with_name("batch.schema.json")
RECORD = "batch.json"
LOCK = ".lock"
# A task's file name is its key; keys sort as the tasks run and merge.
TASKS, FAILED, RUNNING = "tasks", "failed", "running"


class BatchChangedError(HealthcastError):
    """The code or the inputs changed since OUTDIR's batch started; rerun with force=True
    (--force) to redo what they affect."""


@dataclass(frozen=True)
class Task:
    """One engine call: a scenario on a group of units, draws first <= j < last of draws."""

    scenario: str  # the scenario's name
    path: str  # the scenario file (absolute)
    group: int  # index of the unit group
    units: tuple[str, ...]
    draws: int
    first: int
    last: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.scenario}.g{self.group:05d}.d{self.first:07d}-{self.last:07d}"


@dataclass(frozen=True)
class Manifest:
    """A checked manifest: scenario files (absolute) and unit codes resolved."""

    path: Path
    scenarios: tuple[Path, ...]
    names: tuple[str, ...]
    units: tuple[str, ...]
    draws: int
    seed: int
    chunk: int
    units_per_task: int
    attempts: int

    def groups(self) -> list[tuple[str, ...]]:
        n = self.units_per_task
        return [tuple(self.units[i:i + n]) for i in range(0, len(self.units), n)]

    def ranges(self) -> list[tuple[int, int]]:
        return [(a, min(a + self.chunk, self.draws)) for a in range(0, self.draws, self.chunk)]

    def tasks(self) -> list[Task]:
        """Every task, in merge order: by scenario, unit group, draw chunk."""
        return [Task(name, str(path), g, units, self.draws, a, b, self.seed)
                for path, name in zip(self.scenarios, self.names)
                for g, units in enumerate(self.groups())
                for a, b in self.ranges()]

    def as_record(self) -> dict[str, Any]:
        return {"file": str(self.path), "scenarios": [str(p) for p in self.scenarios],
                "names": list(self.names), "units": list(self.units), "draws": self.draws,
                "seed": self.seed, "chunk": self.chunk, "units_per_task": self.units_per_task,
                "attempts": self.attempts}


# -- the manifest ------------------------------------------------------------------------------

def _fail(file: Path, line: int | None, field: str | None, problem: str) -> ScenarioError:
    where = f"{file}:{line}" if line else str(file)
    error = ScenarioError(f"{where}: field '{field}': {problem}" if field else
                          f"{where}: {problem}")
    error.file, error.line, error.field, error.problem = str(file), line, field, problem
    return error


def _node_at(node: yaml.Node | None, path: Sequence[Any]) -> yaml.Node | None:
    """The YAML node at a JSON path (keys and indices), or the deepest one that exists."""
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            child = node.value[step]
        if child is None:
            break
        node = child
    return node


def read_manifest(path: PathLike) -> Manifest:
    """Read and check a manifest; unit queries are resolved with the census units table that
    the first scenario names (``inputs.units``).

    Raises:
        ScenarioError: with the manifest's (or a scenario's) file, line and field.
    """
    import jsonschema

    path = Path(os.path.abspath(path))
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as error:
        raise _fail(path, None, None, f"cannot read the manifest: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise _fail(path, mark.line + 1 if mark else None, None,
                    f"not valid YAML: {getattr(error, 'problem', error)}") from None
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        error = errors[0]
        node = _node_at(root, list(error.absolute_path))
        field = ".".join(str(p) for p in error.absolute_path) or None
        message = error.message
        if error.validator == "oneOf":
            message = (f"{json.dumps(error.instance, ensure_ascii=False)} is not a unit: give "
                       "a 6-digit code in quotes (\"330100\"), {counties_of: \"330000\"} or "
                       "all_counties")
        raise _fail(path, node.start_mark.line + 1 if node else None, field, message)

    def line_of(*steps: Any) -> int | None:
        node = _node_at(root, steps)
        return node.start_mark.line + 1 if node else None

    scenarios, names = [], []
    for i, given in enumerate(data["scenarios"]):
        scenario_path = Path(os.path.normpath(path.parent / given))
        if not scenario_path.is_file():
            raise _fail(path, line_of("scenarios", i), f"scenarios.{i}",
                        f"no scenario file {scenario_path}")
        name = load_scenario(scenario_path).name  # checks the scenario and its inputs
        if name in names:
            raise _fail(path, line_of("scenarios", i), f"scenarios.{i}",
                        f"two scenarios are named '{name}' ({scenarios[names.index(name)]} "
                        f"and {scenario_path}); each names its merged file <name>.h5")
        scenarios.append(scenario_path)
        names.append(name)
    table = _units_table(scenarios[0], path, line_of("scenarios", 0))
    units: list[str] = []
    for i, item in enumerate(data["units"]):
        found = _resolve_units(item, table)
        if not found:
            raise _fail(path, line_of("units", i), f"units.{i}",
                        f"{json.dumps(item, ensure_ascii=False)} is not a unit or has no "
                        f"counties in {table.path} (`healthcast units QUERY` finds codes)")
        units.extend(c for c in found if c not in units)
    draws = data["draws"]
    chunk = data.get("chunk", draws)
    return Manifest(path, tuple(scenarios), tuple(names), tuple(units), draws,
                    data.get("seed", 0), chunk, data.get("units_per_task", 1),
                    data.get("attempts", 3))


@dataclass(frozen=True)
class _UnitsTable:
    path: Path
    level: dict[str, str]
    parent: dict[str, str]

    def ancestors(self, code: str) -> Iterator[str]:
        seen = set()
        while code in self.parent and code not in seen:
            seen.add(code)
            code = self.parent[code]
            yield code


def _units_table(scenario: Path, manifest: Path, line: int | None) -> _UnitsTable:
    for layer, data in scenario_layers(scenario):
        folder = (data.get("inputs") or {}).get("units")
        if isinstance(folder, str):
            table = Path(os.path.normpath(layer.parent / folder)) / "units.csv"
            with table.open(encoding="utf-8", newline="") as f:
                rows = list(csv.DictReader(f))
            return _UnitsTable(table, {r["code"]: r["level"] for r in rows},
                               {r["code"]: r["parent"] for r in rows if r["parent"]})
    raise _fail(manifest, line, "scenarios.0",
                f"{scenario} names no census units table (inputs.units, as "
                "scenarios/china_reference.yaml has); the manifest's units need one")


def _resolve_units(item: Any, table: _UnitsTable) -> list[str]:
    if item == "all_counties":
        return [c for c, level in table.level.items() if level == "county"]
    if isinstance(item, dict):
        return [c for c, level in table.level.items()
                if level == "county" and item["counties_of"] in table.ancestors(c)]
    return [item] if item in table.level else []


# -- what a batch depends on ------------------------------------------------------------------

def sha256_file(path: PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _engine() -> tuple[tuple[str, str], ...]:
    return (("version", _core.__version__), ("git_revision", getattr(_core, "GIT_REVISION", "")),
            ("core_sha256", sha256_file(_core.__file__)))


def engine_identity() -> dict[str, str]:
    """The engine that computes the tasks: version, git revision and the compiled core's
    SHA-256 (which changes with any rebuild that changes the code)."""
    return dict(_engine())


def make_record(manifest: Manifest) -> dict[str, Any]:
    return {
        "manifest": manifest.as_record(),
        "engine": engine_identity(),
        "inputs": {name: {str(f): sha256_file(f) for f in scenario_files(path)}
                   for path, name in zip(manifest.scenarios, manifest.names)},
    }


def changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], set[str]]:
    """What differs between two records, as sentences, and the scenarios whose finished tasks
    are no longer valid (engine or input changes: all tasks of the scenario)."""
    said, stale = [], set()
    names = new["manifest"]["names"]
    for key in ("version", "git_revision", "core_sha256"):
        if old.get("engine", {}).get(key) != new["engine"][key]:
            said.append(f"the engine's {key} changed: {old.get('engine', {}).get(key)} -> "
                        f"{new['engine'][key]}")
            stale.update(names)
    for name in names:
        before, now = old.get("inputs", {}).get(name, {}), new["inputs"][name]
        for f in sorted(set(before) | set(now)):
            if before.get(f) != now.get(f):
                what = "is new" if f not in before else "is gone" if f not in now else "changed"
                said.append(f"scenario {name}: input {f} {what}")
                stale.add(name)
    for key, value in new["manifest"].items():
        if old.get("manifest", {}).get(key) != value:
            said.append(f"the manifest's {key} changed")
    return said, stale


# -- tasks (run on the workers) ---------------------------------------------------------------

def _attribute(attrs: Any, name: str) -> Any:
    value = attrs.get(name)
    if isinstance(value, bytes):
        return value.decode()
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def task_file_matches(path: PathLike, task: Task) -> bool:
    """True when `path` is an intact part file of exactly this task: its checksum matches its
    bytes and its attributes say this scenario, units, number of draws, draw range and seed."""
    import h5py

    try:
        _core.verify_results_file(path)
        with h5py.File(path, "r") as f:
            a = f.attrs
            if _attribute(a, "scenario_name") != task.scenario:
                return False
            if [r.decode() if isinstance(r, bytes) else str(r)
                    for r in f["region"][()]] != list(task.units):
                return False
            return (_attribute(a, "draws") == str(task.draws)
                    and _attribute(a, "draw_range") == f"{task.first}:{task.last}"
                    and _attribute(a, "seed") == str(task.seed))
    except (OSError, ResultsFileError, KeyError, TypeError, ValueError):
        return False


def _write_text(path: Path, text: str) -> None:
    """Writes through a temporary name, so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def run_task(task: Task, outdir: str, engine: dict[str, str]) -> str:
    """Runs one task on a worker (or finds it done); returns "done" or "skipped".

    The file is written by the engine to a temporary name and renamed, so a worker killed
    mid-task leaves no file under the task's name; draw j depends only on (seed, j), so a rerun
    on any worker writes the same values.
    """
    from .runs import run

    out = Path(outdir)
    target = out / TASKS / f"{task.key}.h5"
    marker = out / RUNNING / f"{task.key}.json"
    try:
        if target.exists() and task_file_matches(target, task):
            (out / FAILED / f"{task.key}.txt").unlink(missing_ok=True)
            return "skipped"
        target.unlink(missing_ok=True)
        if engine_identity() != engine:
            raise HealthcastError(
                f"worker {socket.gethostname()} runs another healthcast build "
                f"({engine_identity()}) than the batch ({engine}); give every worker the same "
                "build")
        _write_text(marker, json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                        "started": _now()}))
        run(task.path, draws=task.draws, seed=task.seed, draw_range=(task.first, task.last),
            units=list(task.units), path=target, threads=1, progress=False)
    except BaseException as error:
        _note_failure(out, task, f"{_now()} on {socket.gethostname()} (pid {os.getpid()}): "
                                 f"{type(error).__name__}: {error}")
        raise
    finally:
        marker.unlink(missing_ok=True)
    (out / FAILED / f"{task.key}.txt").unlink(missing_ok=True)
    return "done"


def _note_failure(out: Path, task: Task, line: str) -> None:
    """Adds a line to OUTDIR/failed/<task>.txt (one per failed attempt)."""
    note = out / FAILED / f"{task.key}.txt"
    before = note.read_text(encoding="utf-8") if note.exists() else ""
    _write_text(note, before + line + "\n")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


# -- the batch ---------------------------------------------------------------------------------

@contextlib.contextmanager
def _locked(outdir: Path) -> Iterator[None]:
    """One batch at a time in an output folder (an advisory lock that `status` also reads)."""
    with open(outdir / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HealthcastError(f"another batch is running in {outdir} (it holds "
                                  f"{outdir / LOCK}); wait for it or stop it") from None
        yield


def _prepare(manifest: Manifest, outdir: Path, force: bool) -> None:
    """Compares OUTDIR's record with this batch; refuses or (forced) removes stale tasks."""
    new = make_record(manifest)
    record = outdir / RECORD
    if record.exists():
        old = json.loads(record.read_text(encoding="utf-8"))
        said, stale = changes(old, new)
        if said and not force:
            raise BatchChangedError(
                f"{outdir} holds a batch made with other code, inputs or manifest:\n  "
                + "\n  ".join(said)
                + "\nrun it in a new folder, or rerun with --force to redo what changed "
                  "(finished tasks that still match are kept)")
        for name in stale:  # before the new record, so a crash cannot bless them
            for f in (outdir / TASKS).glob(f"{name}.g*.h5"):
                f.unlink()
        if said:  # merged anew from the tasks of the new manifest
            for name in manifest.names:
                (outdir / f"{name}.h5").unlink(missing_ok=True)
    _write_text(record, json.dumps(new, indent=1, ensure_ascii=False) + "\n")
    # Temporary files of writers killed in an earlier batch (this batch holds the lock).
    for stale_temporary in (outdir / TASKS).glob("*.h5.tmp-*"):
        stale_temporary.unlink(missing_ok=True)
    for marker in (outdir / RUNNING).glob("*.json"):
        marker.unlink(missing_ok=True)


def batch(manifest: PathLike, outdir: PathLike, workers: int | None = None,
          scheduler: str | None = None, force: bool = False,
          progress: bool = True) -> dict[str, Path]:
    """Run a batch (``healthcast batch``): every task of the manifest on Dask distributed, then
    one merged results file per scenario.

    Args:
        manifest: the manifest file (YAML; docs/batch.md).
        outdir: the output folder (made if missing). A folder holding an earlier run of the same
            batch resumes it: finished tasks are kept.
        workers: worker processes of the LocalCluster started for the batch (one thread each);
            None: one per CPU the process may use (affinity mask, SLURM_CPUS_PER_TASK).
        scheduler: address of a running Dask scheduler (``tcp://host:8786``) to use instead of
            a LocalCluster; every worker must see OUTDIR and the scenario files at the same
            paths and run the same healthcast build.
        force: redo what changed code or inputs affect instead of refusing.
        progress: a progress bar on stderr.

    Returns {scenario name: merged file}.

    Raises:
        ScenarioError: a bad manifest or scenario (file, line, field).
        BatchChangedError: the folder's batch was made with other code, inputs or manifest.
        HealthcastError: tasks failed after every attempt (OUTDIR/failed/ has their errors);
            the scenarios without failures are merged first.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give workers or scheduler, not both")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    parsed = read_manifest(manifest)
    out = Path(os.path.abspath(outdir))
    out.mkdir(parents=True, exist_ok=True)
    for sub in (TASKS, FAILED, RUNNING):
        (out / sub).mkdir(exist_ok=True)
    with _locked(out):
        _prepare(parsed, out, force)
        tasks = parsed.tasks()
        failed, ran = _run_tasks(parsed, tasks, out, workers, scheduler, progress)
        for marker in (out / RUNNING).glob("*.json"):  # of workers that died
            marker.unlink(missing_ok=True)
        merged = {}
        for name in parsed.names:
            if any(t.scenario == name for t in failed):
                continue
            merged[name] = _merge(name, [t for t in tasks if t.scenario == name], out,
                                  again=name in ran)
    if failed:
        raise HealthcastError(
            f"{len(failed)} of {len(tasks)} tasks failed after {parsed.attempts} attempts "
            f"(errors in {out / FAILED}; `healthcast batch status {out}`); rerun the batch "
            "to retry them")
    return merged


def _cluster(workers: int | None, scheduler: str | None, attempts: int) -> Any:
    try:
        import dask
        import distributed
    except ImportError as error:
        raise HealthcastError(f"healthcast batch needs Dask distributed ({error}): install "
                              "Debian's python3-distributed (./hc installs it)") from None

    # A task whose worker dies is rescheduled up to allowed-failures times (a task that raises:
    # `retries`). Set on the scheduler: for --scheduler, in its own configuration.
    dask.config.set({"distributed.scheduler.allowed-failures": attempts - 1})
    if scheduler is not None:
        return distributed.Client(scheduler), None
    import logging

    n = workers or _core.usable_cpus()  # CPU affinity mask and SLURM_CPUS_PER_TASK
    with warnings.catch_warnings():
        # Debian 12's tornado deprecates an event-loop call its distributed still makes.
        warnings.simplefilter("ignore", DeprecationWarning)
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    return distributed.Client(cluster), cluster


def _run_tasks(manifest: Manifest, tasks: list[Task], out: Path, workers: int | None,
               scheduler: str | None, progress: bool) -> tuple[list[Task], set[str]]:
    """Runs the tasks; returns those that failed every attempt and the scenarios of which
    a task ran (was not found done)."""
    engine = engine_identity()
    client, cluster = _cluster(workers, scheduler, manifest.attempts)
    import distributed

    failed: list[Task] = []
    ran: set[str] = set()
    counts = {"done": 0, "skipped": 0}
    bar = _bar(len(tasks), progress)
    try:
        futures = {client.submit(run_task, t, str(out), engine, key=f"healthcast-{t.key}",
                                 retries=manifest.attempts - 1, pure=False): t for t in tasks}
        for future in distributed.as_completed(futures):
            task = futures[future]
            try:
                outcome = future.result()
                counts[outcome] += 1
                if outcome == "done":
                    ran.add(task.scenario)
            except Exception as error:  # noqa: BLE001 - any task error is recorded, not fatal
                failed.append(task)
                ran.add(task.scenario)
                _note_failure(out, task, f"{_now()} gave up after {manifest.attempts} "
                                         f"attempts: {type(error).__name__}: {error}")
            bar.update(1)
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"healthcast batch: {counts['done']} tasks run, {counts['skipped']} already done, "
          f"{len(failed)} failed", file=sys.stderr)
    return failed, ran


def _bar(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="tasks", unit=" task", disable=not enabled, file=sys.stderr)


def _merge(name: str, tasks: list[Task], out: Path, again: bool) -> Path:
    """OUTDIR/<name>.h5 from the scenario's task files (in task order: units as the manifest
    lists them); kept when no task of it ran and the file is intact."""
    from . import merge

    target = out / f"{name}.h5"
    if again or not target.exists() or not _intact(target):
        merge([out / TASKS / f"{t.key}.h5" for t in tasks], target)
    return target


def _intact(path: Path) -> bool:
    try:
        _core.verify_results_file(path)
        return True
    except ResultsFileError:
        return False


# -- status ------------------------------------------------------------------------------------

def status(outdir: PathLike) -> dict[str, dict[str, int]]:
    """Tasks of the folder's batch by state, per scenario: done (a task file; checked on
    resume), running (a worker is on it and the batch is alive), failed (its last attempt
    failed), pending."""
    out = Path(outdir)
    record_path = out / RECORD
    if not record_path.exists():
        raise HealthcastError(f"{out} holds no batch (no {RECORD}); "
                              "`healthcast batch MANIFEST -o OUTDIR` makes one")
    m = json.loads(record_path.read_text(encoding="utf-8"))["manifest"]
    manifest = Manifest(Path(m["file"]), tuple(Path(p) for p in m["scenarios"]),
                        tuple(m["names"]), tuple(m["units"]), m["draws"], m["seed"], m["chunk"],
                        m["units_per_task"], m["attempts"])
    alive = _batch_alive(out)
    done = {p.stem for p in (out / TASKS).glob("*.h5") if p.is_file()}
    failed = {p.stem for p in (out / FAILED).glob("*.txt")}
    running = {p.stem for p in (out / RUNNING).glob("*.json")} if alive else set()
    counts = {name: {"done": 0, "running": 0, "failed": 0, "pending": 0}
              for name in manifest.names}
    for task in manifest.tasks():
        state = ("done" if task.key in done else "running" if task.key in running
                 else "failed" if task.key in failed else "pending")
        counts[task.scenario][state] += 1
    return counts


def _batch_alive(out: Path) -> bool:
    try:
        with open(out / LOCK, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
    except BlockingIOError:
        return True


# -- command line ------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """`healthcast batch` / `python -m healthcast batch`: 0 on success, 2 for a bad manifest or
    a changed batch, 1 for failed tasks or anything else."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["status"]:
        return _status_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="healthcast batch",
        description="Run every scenario of a manifest on every census unit it names, the draws "
                    "in chunks, as tasks on Dask distributed; resumable; one merged results "
                    "file per scenario in OUTDIR. `healthcast batch status OUTDIR` counts the "
                    "tasks. docs/batch.md")
    parser.add_argument("manifest", help="manifest file (YAML: scenarios, units, draws, seed, "
                                         "chunk, units_per_task, attempts)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                        help="output folder: tasks/, failed/, batch.json, <scenario>.h5")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="worker processes of a LocalCluster (default: one per usable core)")
    where.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a running Dask scheduler, e.g. tcp://node1:8786")
    parser.add_argument("--force", action="store_true",
                        help="redo what changed code or inputs affect instead of refusing")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    try:
        merged = batch(args.manifest, args.output, workers=args.workers,
                       scheduler=args.scheduler, force=args.force,
                       progress=not args.no_progress)
    except (ScenarioError, BatchChangedError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (HealthcastError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in merged.values():
        print(path)
    return 0


def _status_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="healthcast batch status",
                                     description="Tasks of a batch by state, per scenario")
    parser.add_argument("outdir", help="the batch's output folder")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 2 if exit_.code else 0
    try:
        counts = status(args.outdir)
    except HealthcastError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{'scenario':<24} {'done':>8} {'running':>8} {'failed':>8} {'pending':>8}")
    for name, c in counts.items():
        print(f"{name:<24} {c['done']:>8} {c['running']:>8} {c['failed']:>8} {c['pending']:>8}")
    return 0


__all__ = ["BatchChangedError", "Manifest", "Task", "batch", "read_manifest", "status", "main"]
