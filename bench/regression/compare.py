#!/usr/bin/python3
"""Compares two folders of results files written by run_all.sh, variable by variable.

For every file present in both, every variable (numbers and labels) must exist in both and be
bitwise identical, or, with --rtol, equal within that relative tolerance (for restructurings
that had to change the order of floating-point sums: say so when you use it). Root attributes
that differ between builds by nature (creation time, git revision, paths) are ignored; the
others must match. Prints one line per file and exits 1 on any difference.
Usage: compare.py BEFORE_DIR AFTER_DIR [--rtol 1e-12] [--ignore-new NAME ...]
"""
import argparse
import pathlib
import sys

import h5py
import numpy as np

VOLATILE_ATTRIBUTES = {"creation_time", "git_revision", "software_version",
                       "scenario_path", "history"}

# Attributes that hold HDF5 object references (dimension scales), which differ between files.
REFERENCE_ATTRIBUTES = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid",
                        "_Netcdf4Coordinates"}


def leaves(group, prefix=""):
    out = {}
    for name, item in group.items():
        path = f"{prefix}{name}"
        if isinstance(item, h5py.Dataset):
            out[path] = item
        else:
            out.update(leaves(item, path + "/"))
    return out


def same(a, b, rtol):
    if a.dtype.kind in "SOU" or b.dtype.kind in "SOU":
        return a.shape == b.shape and a.tobytes() == b.tobytes() if a.dtype.kind == "S" else (
            a.shape == b.shape and list(np.ravel(a)) == list(np.ravel(b))), 0.0
    if a.shape != b.shape:
        return False, np.inf
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.tobytes() == b.tobytes():
        return True, 0.0
    both_nan = np.isnan(a) & np.isnan(b)
    diff = np.where(both_nan, 0.0, np.abs(a - b))
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.where(diff == 0.0, 0.0, diff / np.where(scale > 0, scale, 1.0))
    worst = float(np.nanmax(rel)) if rel.size else 0.0
    return rtol > 0 and worst <= rtol, worst


def compare_file(before, after, rtol, ignore_new):
    problems = []
    with h5py.File(before, "r") as fa, h5py.File(after, "r") as fb:
        for key in sorted(set(fa.attrs) | set(fb.attrs)):
            if key in VOLATILE_ATTRIBUTES:
                continue
            if key not in fa.attrs or key not in fb.attrs:
                problems.append(f"attribute {key} only in {'after' if key in fb.attrs else 'before'}")
            elif not np.array_equal(np.asarray(fa.attrs[key]), np.asarray(fb.attrs[key])):
                problems.append(f"attribute {key} differs")
        la, lb = leaves(fa), leaves(fb)
        for name in sorted(set(la) | set(lb)):
            if name not in la:
                if name.split("/")[-1] not in ignore_new:
                    problems.append(f"{name}: new")
                continue
            if name not in lb:
                problems.append(f"{name}: missing after")
                continue
            ok, worst = same(la[name][()], lb[name][()], rtol)
            if not ok:
                problems.append(f"{name}: max relative difference {worst:.3g}")
            for key in sorted(set(la[name].attrs) | set(lb[name].attrs)):
                if key in REFERENCE_ATTRIBUTES:
                    continue
                va, vb = la[name].attrs.get(key), lb[name].attrs.get(key)
                if va is None or vb is None or not np.array_equal(np.asarray(va), np.asarray(vb)):
                    problems.append(f"{name}: attribute {key}: {va!r} -> {vb!r}")
    return problems


def compare_text(before, after):
    """Printed output must be the same, but for lines that name builds, times or paths.
    `info` listings are compared as sets of lines: they list variables in the order the run
    added them, which a restructuring may change."""
    volatile = ("git revision", "created", "creation_time", "software_version", "scenario_path",
                "written to", "git_revision")

    def keep(path):
        text = path.read_text().replace(str(path.parent), "OUT")
        lines = [l for l in text.splitlines() if not any(v in l for v in volatile)]
        return sorted(lines) if path.name.endswith(".info.txt") else lines

    a, b = keep(before), keep(after)
    if a == b:
        return []
    diff = [f"line {i + 1}: {x!r} -> {y!r}" for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(a) != len(b):
        diff.append(f"{len(a)} lines -> {len(b)} lines")
    return diff


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("before", type=pathlib.Path)
    p.add_argument("after", type=pathlib.Path)
    p.add_argument("--rtol", type=float, default=0.0)
    p.add_argument("--ignore-new", nargs="*", default=[])
    args = p.parse_args()
    files = sorted(f.name for f in args.before.glob("*.h5")) + sorted(
        f.name for f in args.before.glob("*.txt"))
    failed = 0
    for name in files:
        after = args.after / name
        if not after.exists():
            print(f"{name}: missing after")
            failed += 1
            continue
        problems = (compare_text(args.before / name, after) if name.endswith(".txt") else
                    compare_file(args.before / name, after, args.rtol, set(args.ignore_new)))
        print(f"{name}: {'identical' if not problems else 'DIFFERENT'}")
        for line in problems[:20]:
            print("   ", line)
        failed += bool(problems)
    print(f"{len(files) - failed} of {len(files)} files equal"
          f"{' (bitwise)' if args.rtol == 0 else f' (rtol {args.rtol:g})'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
