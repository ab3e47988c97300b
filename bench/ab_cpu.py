#!/usr/bin/env python3
"""Two builds of healthcast side by side on the same command, interleaved, as a CPU-time ratio.

    /usr/bin/python3 bench/ab_cpu.py OLD_BIN NEW_BIN [--reps 5] -- run SCENARIO --draws 40 ...

Each repetition runs OLD then NEW (order alternating between repetitions, so that a machine
getting busier does not favour one), and records each process's user + system CPU seconds
(wall time on a shared machine is noise). Prints the medians and OLD / NEW.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile


def cpu_seconds(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--reps", type=int, default=5)
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("give the healthcast arguments after -- (an -o is added)")
    split = argv.index("--")
    args, rest = parser.parse_args(argv[:split]), argv[split + 1:]
    times = {args.old: [], args.new: []}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            order = [args.old, args.new] if rep % 2 == 0 else [args.new, args.old]
            for binary in order:
                out = os.path.join(tmp, "out.h5")
                times[binary].append(cpu_seconds([binary, *rest, "-q", "-o", out]))
    old, new = statistics.median(times[args.old]), statistics.median(times[args.new])
    print(f"command: healthcast {' '.join(rest)}  ({args.reps} interleaved repetitions)")
    print(f"old {args.old}: median CPU {old:.3f} s  {['%.3f' % t for t in times[args.old]]}")
    print(f"new {args.new}: median CPU {new:.3f} s  {['%.3f' % t for t in times[args.new]]}")
    print(f"old / new: {old / new:.2f} (medians), {min(times[args.old]) / min(times[args.new]):.2f} (fastest runs)")


if __name__ == "__main__":
    sys.exit(main())
