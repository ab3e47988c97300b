#!/usr/bin/env python3
"""Attack a healthcast build with generated bad inputs (issue 18) and count what goes wrong.

    bench/attack/attack.py BUILD/bin/healthcast [--seed N] [--flips N] [--crafted N]
                           [--only GROUP,...] [--out DIR]

Each case runs the program on one generated input and is classed by what it did:
crash (killed by a signal, "terminate called", a sanitizer report), hang (over the time limit),
exit 0 or exit 1 on bad input (bad input must give exit 2), a message without "file:line"
(for scenario, CSV and health-model cases) and files left behind (temporary files next to the
output). Results files are attacked by flipping bits, truncating them and forging attributes,
and crafted: bytes changed and the checksum header written again (what someone building a bad
file on purpose does), so that the file reaches libhdf5;
valid scenarios with extreme interventions are expected to be refused (exit 2) or to run and
write finite numbers. Prints a table (markdown) of the counts and writes every case to
OUT/cases.csv. Fixed seed: the same cases on every machine.
"""

import argparse
import csv
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2]
TIMEOUT = 30.0


def short_reference(folder: Path, name="attack", horizon=2022, extra="") -> str:
    text = (SOURCE / "scenarios" / "china_reference.yaml").read_text(encoding="utf-8")
    text = text.replace("name: china_reference", f"name: {name}", 1)
    text = text.replace("horizon: 2050", f"horizon: {horizon}", 1)
    text = text.replace("../data/", str(folder / "data") + "/")
    return text + extra


class Attack:
    def __init__(self, binary: str, out: Path, seed: int):
        self.binary = str(Path(binary).resolve())
        self.out = out
        self.rng = random.Random(seed)
        self.rows = []
        self.work = out / "work"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        shutil.copytree(SOURCE / "data" / "china", self.work / "data" / "china")

    # -- running and classing ------------------------------------------------------------------
    def run(self, group, case, args, bad=True, located=True, cwd=None, check_numbers=None):
        start = time.monotonic()
        before = set(p.name for p in self.work.rglob("*tmp-*"))
        try:
            r = subprocess.run([self.binary, *map(str, args)], capture_output=True,
                               timeout=TIMEOUT, cwd=cwd or self.work)
            code, err = r.returncode, r.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            code, err = "hang", ""
        seconds = time.monotonic() - start
        left = set(p.name for p in self.work.rglob("*tmp-*")) - before
        outcome = "ok"
        if code == "hang":
            outcome = "hang"
        elif (isinstance(code, int) and code < 0) or code in (134, 139) or \
                "terminate called" in err or "Sanitizer" in err:
            outcome = "crash"
        elif bad is True and code == 0:  # bad="maybe": the input may still be sound
            outcome = "exit 0 on bad input"
        elif bad and code == 1:
            outcome = "exit 1 on bad input"
        elif bad and located and code == 2 and not re.search(r"\S+:\d+(:\d+)?: ", err):
            outcome = "message without file:line"
        elif not bad and code == 0 and check_numbers is not None and not check_numbers():
            outcome = "exit 0 with non-finite numbers"
        elif not bad and code == 1:
            outcome = "exit 1 on valid input"
        if "\x1b" in err:
            outcome = "terminal escape echoed" if outcome == "ok" else outcome
        self.rows.append({"group": group, "case": case, "exit": code, "outcome": outcome,
                          "left_behind": len(left), "seconds": round(seconds, 2),
                          "message": err.strip().splitlines()[-1][:200] if err.strip() else ""})
        for name in left:
            for p in self.work.rglob(name):
                p.unlink()

    def scenario(self, name, text, bad=True, located=True, command="validate", raw=None):
        path = self.work / f"{name}.yaml"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(text, encoding="utf-8")
        args = [command, path] if command == "validate" else ["run", path, "-o",
                                                              self.work / f"{name}.h5", "-q"]
        self.run("scenario", name, args, bad=bad, located=located)

    # -- scenarios ------------------------------------------------------------------------------
    def scenarios(self):
        base = short_reference(self.work)
        lines = base.splitlines(keepends=True)
        cases = {
            "long_name": base.replace("name: attack", "name: " + "a" * 30000, 1),
            "long_numeric_name": base.replace("name: attack", "name: " + "1" * 30000, 1),
            "nul_in_path": base.replace("population_2020.csv", "population\x00_2020.csv"),
            "second_document": base + "---\nname: other\n",
            "escape_in_name": base.replace("name: attack", "name: \"\\e[31mred\"", 1),
            "tab_indent": base.replace("  population:", "\tpopulation:", 1),
            "horizon_huge": base.replace("horizon: 2022", "horizon: 99999999999999999999", 1),
            "horizon_float": base.replace("horizon: 2022", "horizon: 2022.5", 1),
            "base_year_text": base.replace("base_year: 2020", "base_year: soon", 1),
            "nan_scale": base + "population_scale: .nan\n",
            "inf_scale": base + "population_scale: .inf\n",
            "negative_scale": base + "population_scale: -1\n",
            "alias_bomb": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n"
                          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n" + base,
            "deep_nesting": "x: " + "[" * 5000 + "]" * 5000 + "\n" + base,
            "nonscalar_key": base + "? [a, b]\n: 1\n",
            "duplicate_root_key": base + "horizon: 2030\n",
            "empty": "",
            "only_comment": "# nothing\n",
            "binary": "\x01\x02\x03\xff",
            "missing_file": base.replace("population_2020.csv", "nothere.csv"),
            "directory_as_file": base.replace("data/china/population_2020.csv", "data/china"),
            "very_long_path": base.replace("population_2020.csv", "x/" * 3000 + "p.csv"),
        }
        for name, text in cases.items():
            self.scenario(name, text)
        self.scenario("non_utf8", None, raw=base.replace("title: China", "title: Ch\udcffina")
                      .encode("utf-8", "surrogateescape"))
        # Symlink loop as an input.
        loop = self.work / "loop.csv"
        if not loop.is_symlink():
            loop.symlink_to(loop)
        self.scenario("symlink_loop", base.replace(str(self.work / "data/china/population_2020.csv"),
                                                   str(loop)))
        # extends chains: a cycle and a very long chain.
        (self.work / "ext0.yaml").write_text(base)
        for k in range(1, 200):
            (self.work / f"ext{k}.yaml").write_text(
                f"healthcast: 1\nname: e{k}\nextends: ext{k - 1}.yaml\n")
        self.run("scenario", "extends_200", ["validate", self.work / "ext199.yaml"])
        # Random line deletions and duplications (mostly bad, located).
        for k in range(40):
            mutated = list(lines)
            i = self.rng.randrange(len(mutated))
            op = self.rng.choice(["delete", "duplicate", "garble", "indent"])
            if op == "delete" and mutated[i].strip() and not mutated[i].lstrip().startswith("#"):
                del mutated[i]
            elif op == "duplicate":
                mutated.insert(i, mutated[i])
            elif op == "garble":
                mutated[i] = mutated[i].replace(":", "::", 1)
            else:
                mutated[i] = "   " + mutated[i]
            text = "".join(mutated)
            if text == base:
                continue
            path = self.work / f"mut{k}.yaml"
            path.write_text(text)
            r = subprocess.run([self.binary, "validate", path], capture_output=True, timeout=60)
            # A mutation may leave a valid file; only exits other than 0 and 2 count then.
            bad = r.returncode != 0
            self.run("scenario", f"mutation_{k}_{op}", ["validate", path], bad=bad)

    # -- extreme but in-schema interventions ---------------------------------------------------
    def interventions(self):
        levers = [("bmi", "scale: 0.5"), ("salt", "scale: 100"), ("salt", "shift: 1000"),
                  ("salt", "shift: 1e6"), ("bmi", "reach: 0"), ("sbp", "shift: -200"),
                  ("sbp", "scale: 3"), ("pm25", "scale: 1000"), ("bmi", "scale: 1e-9")]
        for k, (factor, lever) in enumerate(levers):
            iv = ("interventions:\n  - {name: x, kind: risk_factor_mean, start: 2021, full: 2022,"
                  f" factor: {factor}, {lever}}}\n")
            text = short_reference(self.work, name=f"iv{k}", extra=iv)
            path = self.work / f"iv{k}.yaml"
            path.write_text(text)
            v = subprocess.run([self.binary, "validate", path], capture_output=True, timeout=60)
            if v.returncode == 2:
                self.rows.append({"group": "intervention", "case": f"{factor} {lever}",
                                  "exit": 2, "outcome": "ok", "left_behind": 0, "seconds": 0,
                                  "message": v.stderr.decode()[-200:]})
                continue
            out = self.work / f"iv{k}.h5"
            self.run("intervention", f"{factor} {lever}", ["run", path, "-o", out, "-q"],
                     bad=False, check_numbers=lambda out=out: finite(out))
        for k, mult in enumerate(["100", "1e6"]):
            iv = ("interventions:\n  - {name: x, kind: case_fatality, start: 2021, full: 2022,"
                  f" diseases: [ihd], multiply: {mult}}}\n")
            path = self.work / f"cf{k}.yaml"
            path.write_text(short_reference(self.work, name=f"cf{k}", extra=iv))
            out = self.work / f"cf{k}.h5"
            self.run("intervention", f"case fatality x{mult}", ["run", path, "-o", out, "-q"],
                     bad=False, check_numbers=lambda out=out: finite(out))

    # -- CSV inputs and the health model -------------------------------------------------------
    def csv_inputs(self):
        data = self.work / "data" / "china"
        files = ["population_2020.csv", "fertility.csv", "net_migration.csv",
                 "sex_ratio_at_birth.csv", "mortality_history.csv"]
        base = short_reference(self.work)
        for f in files:
            original = (data / f).read_text()
            head, *rows = original.splitlines()
            variants = {
                "dup_column": "\n".join([head + "," + head.split(",")[-1]] +
                                        [r + "," + r.split(",")[-1] for r in rows]),
                "dup_row": "\n".join([head, rows[0], rows[0]] + rows[1:]),
                "nan": "\n".join([head] + [re.sub(r"[0-9.]+$", "nan", rows[0])] + rows[1:]),
                "huge": "\n".join([head] + [re.sub(r"[0-9.]+$", "1e300", rows[0])] + rows[1:]),
                "negative": "\n".join([head] + [re.sub(r"[0-9.]+$", "-5", rows[0])] + rows[1:]),
                "empty": "",
                "header_only": head,
                "binary": "\x00\x01\xff\xfe",
                "nul_in_cell": "\n".join([head] + [rows[0].replace(",", ",\x00", 1)] + rows[1:]),
                "escape_in_cell": "\n".join([head] + ["\x1b[31m" + rows[0]] + rows[1:]),
                "short_row": "\n".join([head] + [rows[0].rsplit(",", 1)[0]] + rows[1:]),
            }
            for name, text in variants.items():
                variant = data / f"{Path(f).stem}.{name}.csv"
                variant.write_text(text, encoding="utf-8", errors="surrogateescape")
                scenario = self.work / f"csv_{Path(f).stem}_{name}.yaml"
                scenario.write_text(base.replace(str(data / f), str(variant)))
                self.run("csv", f"{f} {name}", ["validate", scenario])

    def health_models(self):
        data = self.work / "data" / "china"
        original = (data / "health.yaml").read_text()
        base = short_reference(self.work)
        variants = {
            "dup_key": original.replace("    unit: kg/m2\n", "    unit: kg/m2\n    unit: g\n", 1),
            "self_acting": original.replace("acts_through: {factor: sbp", "acts_through: {factor: salt"),
            "nonscalar_key": original + "? [a]\n: 1\n",
            "second_document": original + "---\nx: 1\n",
            "empty": "",
            "tab": original.replace("  - name: bmi", "\t- name: bmi", 1),
            "unknown_family": original.replace("family: lognormal", "family: weird", 1),
            "negative_coverage": original.replace("coverage: 0.153", "coverage: -1", 1),
        }
        for name, text in variants.items():
            path = data / f"health.{name}.yaml"
            path.write_text(text)
            scenario = self.work / f"health_{name}.yaml"
            scenario.write_text(base.replace(str(data / "health.yaml"), str(path)))
            self.run("health", name, ["validate", scenario])

    # -- results files --------------------------------------------------------------------------
    def results_files(self, flips):
        good = self.work / "good.h5"
        scenario = self.work / "good.yaml"
        scenario.write_text(short_reference(self.work, name="good"))
        r = subprocess.run([self.binary, "run", scenario, "-o", good, "-q"], capture_output=True)
        if r.returncode != 0:
            sys.exit(f"cannot make a results file: {r.stderr.decode()}")
        data = good.read_bytes()
        for k in range(flips):
            offset = self.rng.randrange(len(data))
            bad = bytearray(data)
            bad[offset] ^= 1 << self.rng.randrange(8)
            path = self.work / "flipped.h5"
            path.write_bytes(bytes(bad))
            command = self.rng.choice(["info", "targets", "compare"])
            args = [command, path] if command != "compare" else [command, good, path]
            self.run("results", f"flip {offset} {command}", args, located=False)
        for cut in [10, 1000, len(data) // 2, len(data) - 1]:
            path = self.work / "cut.h5"
            path.write_bytes(data[:cut])
            self.run("results", f"truncated at {cut}", ["info", path], located=False)
        # Forged scenario name: compare -o must not follow it out of the folder.
        try:
            import h5py
            forged = self.work / "forged.h5"
            forged.write_bytes(data)
            with h5py.File(forged, "r+") as f:
                f.attrs["scenario_name"] = "x/../../victim"
            seal(forged)
            (self.work / "victim.h5").write_text("keep")
            self.run("results", "compare -o traversal",
                     ["compare", good, good, forged, "-o", self.work / "cmp" / "c.h5"],
                     located=False)
            if (self.work / "victim.h5").read_text(errors="replace") != "keep":
                self.rows[-1]["outcome"] = "file outside the output folder replaced"
        except ImportError:
            pass

    def crafted_results(self, count):
        """Changed bytes with a correct header: random changes after the header, the global heap
        object sizes (libhdf5 crashed in H5HG_read) and the dimension-scale references."""
        good = self.work / "good.h5"
        if not good.exists():
            scenario = self.work / "good.yaml"
            scenario.write_text(short_reference(self.work, name="good"))
            subprocess.run([self.binary, "run", scenario, "-o", good, "-q"], capture_output=True)
        data = good.read_bytes()
        heap = data.find(b"GCOL")
        for k in range(count):
            bad = bytearray(data)
            how = ["byte", "heap object size", "8 bytes"][k % 3]
            if how == "byte":
                offset = self.rng.randrange(512, len(data))
                bad[offset] ^= 1 << self.rng.randrange(8)
            elif how == "heap object size" and heap >= 0:
                offset = heap + 24
                bad[offset:offset + 8] = struct.pack("<Q", self.rng.choice(
                    [0xff12, 1 << 20, 1 << 40, (1 << 63) - 1, self.rng.randrange(1 << 32)]))
            else:
                offset = self.rng.randrange(512, len(data) - 8)
                bad[offset:offset + 8] = struct.pack("<Q", self.rng.randrange(len(data)))
            body = bytes(bad[512:])
            header = b"healthcast results file\ncrc32 %08x length %d\n" % (zlib.crc32(body),
                                                                         len(body))
            path = self.work / "crafted.h5"
            path.write_bytes(header.ljust(512, b"\0") + body)
            command = self.rng.choice(["info", "targets", "compare"])
            args = [command, path] if command != "compare" else [command, good, path]
            # A crafted change may leave a sound file (exit 0 is fine then); it may never crash.
            self.run("crafted", f"{how} {offset} {command}", args, bad="maybe", located=False)

    # -- signals --------------------------------------------------------------------------------
    def signals(self):
        scenario = self.work / "sig.yaml"
        scenario.write_text(short_reference(self.work, name="sig", horizon=2050))
        for sig in [signal.SIGINT, signal.SIGTERM]:
            out = self.work / "sig.h5"
            p = subprocess.Popen([self.binary, "run", scenario, "-o", out, "--draws", "100",
                                  "--keep-draws", "--threads", "1", "-q"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 60
            while not list(self.work.glob("sig.h5.tmp-*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            p.send_signal(sig)
            p.wait()
            left = list(self.work.glob("sig.h5.tmp-*"))
            self.rows.append({"group": "signal", "case": signal.Signals(sig).name,
                              "exit": p.returncode, "outcome": "ok" if not left else "left behind",
                              "left_behind": len(left), "seconds": 0, "message": ""})
            for f in left:
                f.unlink()


def seal(path):
    """Recompute the checksum header when the build writes one (healthcast >= issue 18)."""
    try:
        sys.path.insert(0, str(Path(os.environ.get("HEALTHCAST_PYTHONPATH", ""))))
        from healthcast import _core
        if hasattr(_core, "seal_results_file"):
            _core.seal_results_file(str(path))
    except ImportError:
        pass


def finite(path):
    try:
        import h5py
        import numpy as np
    except ImportError:
        return True
    with h5py.File(path, "r") as f:
        for name in ["deaths", "births", "population", "premature_ncd_mortality"]:
            if name in f:
                values = f[name][()]
                if not np.all(np.isfinite(values)):
                    return False
                if name == "premature_ncd_mortality" and np.nanmax(values) > 100.0:
                    return False
    return True


def main():
    global SOURCE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--flips", type=int, default=60)
    ap.add_argument("--crafted", type=int, default=90)
    ap.add_argument("--only", default="",
                    help="comma-separated groups: scenarios, interventions, csv, health, "
                         "results, crafted, signals (default: all)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/healthcast-attack"))
    ap.add_argument("--source", type=Path, default=SOURCE,
                    help="the checkout the binary was built from (its data/ and scenarios/)")
    a = ap.parse_args()
    SOURCE = a.source
    attack = Attack(a.binary, a.out, a.seed)
    start = time.monotonic()
    steps = {"scenarios": attack.scenarios, "interventions": attack.interventions,
             "csv": attack.csv_inputs, "health": attack.health_models,
             "results": lambda: attack.results_files(a.flips),
             "crafted": lambda: attack.crafted_results(a.crafted), "signals": attack.signals}
    for name, step in steps.items():
        if not a.only or name in a.only.split(","):
            step()
    rows = attack.rows
    with open(a.out / "cases.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    outcomes = {}
    for r in rows:
        outcomes[r["outcome"]] = outcomes.get(r["outcome"], 0) + 1
    print(f"| cases | {len(rows)} |\n|---|---|")
    for key in ["crash", "hang", "exit 0 on bad input", "exit 1 on bad input",
                "message without file:line", "exit 0 with non-finite numbers",
                "exit 1 on valid input", "terminal escape echoed",
                "file outside the output folder replaced", "left behind"]:
        print(f"| {key} | {outcomes.get(key, 0)} |")
    print(f"| files left behind | {sum(r['left_behind'] for r in rows)} |")
    print(f"| ok | {outcomes.get('ok', 0)} |")
    print(f"({time.monotonic() - start:.0f} s; every case in {a.out / 'cases.csv'})")


if __name__ == "__main__":
    main()
