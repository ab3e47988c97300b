#!/usr/bin/python3
"""Measures a batch (docs/batch.md, "Measured"): wall time, peak memory per worker, output size,
the engine's time per task and the scheduler's overhead per task.

usage: PYTHONPATH=build/python /usr/bin/python3 bench/batch_measure.py MANIFEST OUTDIR [WORKERS]

Starts its own LocalCluster (WORKERS processes, one thread each, default 2), runs the batch on it
through `scheduler=`, then asks every worker for its peak resident memory (ru_maxrss) and runs
1,000 empty tasks to time the scheduler alone. Prints one JSON object.
"""

import json
import logging
import resource
import sys
import time
import warnings
from pathlib import Path

import distributed

import healthcast as hc
from healthcast.batch import read_manifest


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nothing(i: int) -> int:
    return i


def main(argv: list[str]) -> int:
    manifest, outdir = argv[1], Path(argv[2])
    workers = int(argv[3]) if len(argv) > 3 else 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, dashboard_address=None,
                                           silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    tasks = read_manifest(manifest).tasks()
    start = time.perf_counter()
    merged = hc.batch(manifest, outdir, scheduler=cluster.scheduler_address, progress=False)
    wall = time.perf_counter() - start
    rss = client.run(peak_rss_mb)
    start = time.perf_counter()
    client.gather(client.map(nothing, range(1000), pure=False))
    overhead = (time.perf_counter() - start) / 1000 * workers
    task_files = list((outdir / "tasks").glob("*.h5"))
    result = {
        "tasks": len(tasks),
        "workers": workers,
        "wall_seconds": round(wall, 1),
        "seconds_per_task_per_worker": round(wall * workers / len(tasks), 3),
        "scheduler_seconds_per_empty_task_per_worker": round(overhead, 4),
        "peak_rss_mb_per_worker": sorted(round(v) for v in rss.values()),
        "client_peak_rss_mb": round(peak_rss_mb()),
        "task_files_mb": round(sum(f.stat().st_size for f in task_files) / 2**20, 1),
        "merged_mb": {k: round(Path(v).stat().st_size / 2**20, 1) for k, v in merged.items()},
    }
    print(json.dumps(result, indent=1))
    client.close()
    cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
