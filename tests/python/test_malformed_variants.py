"""The second part of the malformed-input catalogue (tests/scenarios/malformed/variants.csv):
each row changes one thing (or a few, separated by " && ") in a copy of a short reference scenario, one of its CSV inputs, its
health model or a results file, and says which exit status and message fragment the program must
give. Inputs that are refused name the file and line ("file:line:"); none may crash, hang, or
echo a terminal escape sequence."""

import codecs
import csv
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
TABLE = SOURCE / "tests" / "scenarios" / "malformed" / "variants.csv"

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def rows():
    with open(TABLE, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expand(text: str) -> bytes:
    """Escapes (\\n, \\x00, \\xff) to bytes; <<c*N>> to N copies of c."""
    text = re.sub(r"<<(.)\*(\d+)>>", lambda m: m.group(1) * int(m.group(2)), text)
    return codecs.escape_decode(text.encode("utf-8"))[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A short reference scenario and a results file it wrote."""
    folder = tmp_path_factory.mktemp("sample")
    shutil.copytree(SOURCE / "data" / "china", folder / "data" / "china",
                    ignore=shutil.ignore_patterns("units", "population_2020_wpp2019.csv"))
    # The census units (read-only, 2 MB) are linked rather than copied for every case.
    (folder / "data" / "china" / "units").symlink_to(SOURCE / "data" / "china" / "units")
    (folder / "scenarios").mkdir()
    text = (SOURCE / "scenarios" / "china_reference.yaml").read_text(encoding="utf-8")
    text = text.replace("horizon: 2050", "horizon: 2022", 1)
    (folder / "scenarios" / "s.yaml").write_text(text, encoding="utf-8")
    out = folder / "good.h5"
    r = subprocess.run([BIN, "run", folder / "scenarios" / "s.yaml", "-o", out, "-q"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return folder


def changed(path: Path, find: bytes, replace: bytes):
    data = path.read_bytes()
    if find == b"<<all>>":
        data = replace
    elif not find:
        data = data + (b"" if data.endswith(b"\n") else b"\n") + replace
    else:
        assert find in data, f"{find!r} not in {path}"
        data = data.replace(find, replace, 1)
    path.write_bytes(data)


def damaged_results(good: Path, target: Path, how: str) -> Path:
    data = good.read_bytes()
    if how in ("truncate", "empty", "text"):
        target.write_bytes({"truncate": data[: len(data) // 2], "empty": b"",
                            "text": b"year,population\n2020,1\n"}[how])
    elif how == "plain":
        h5py = pytest.importorskip("h5py")
        with h5py.File(target, "w") as f:
            f.attrs["filetype"] = "healthcast-results"
    elif how == "crafted_heap":
        # Crafted, not damaged: the first global heap object (the filetype text) claims 2^40
        # bytes and the header's CRC-32 is recomputed (docs/results-format.md), so the file
        # reaches libhdf5, which crashed in H5HG_read.
        heap = data.index(b"GCOL")
        crafted = bytearray(data)
        crafted[heap + 24:heap + 32] = struct.pack("<Q", 1 << 40)
        body = bytes(crafted[512:])
        header = b"healthcast results file\ncrc32 %08x length %d\n" % (zlib.crc32(body), len(body))
        target.write_bytes(header.ljust(512, b"\0") + body)
    elif how == "directory":
        target.mkdir()
    elif how == "missing":
        pass
    else:
        offset = len(data) // 2 if how == "50%" else int(how) % len(data)
        flipped = bytearray(data)
        flipped[offset] ^= 0x20
        target.write_bytes(bytes(flipped))
    return target


def test_the_catalogue_has_at_least_100_cases_with_the_scenario_files():
    scenarios = list((TABLE.parent).glob("*.yaml"))
    assert len(rows()) + len(scenarios) >= 100
    ids = [r["id"] for r in rows()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("row", rows(), ids=[r["id"] for r in rows()])
def test_each_variant_is_refused_as_the_table_says(sample, tmp_path, row):
    work = tmp_path / "w"
    shutil.copytree(sample, work, symlinks=True)
    scenario = work / "scenarios" / "s.yaml"
    find, replace = expand(row["find"]), expand(row["replace"])
    if row["input"] == "results":
        target = damaged_results(work / "good.h5", work / "bad.h5", row["find"])
        args = ["info", target]
    else:
        if row["input"] == "scenario":
            path = scenario
        elif row["input"] == "health.yaml":
            path = work / "data" / "china" / "health.yaml"
        elif "/" in row["input"]:
            path = work / "data" / "china" / "health" / row["input"]
        else:
            path = work / "data" / "china" / row["input"]
        # Several changes are separated by " && " in both columns.
        for f, r in zip(find.split(b" && "), replace.split(b" && ")):
            changed(path, f, r)
        args = ["validate", scenario]
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, timeout=60,
                       cwd=work / "scenarios")
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == int(row["exit"]), (r.returncode, err)
    assert "terminate called" not in err and "\x1b" not in err, err
    assert row["fragment"] in err, f"{row['fragment']!r} not in: {err}"
    if row["at"]:
        assert re.search(rf"{re.escape(row['at'])}:\d+(:\d+)?: ", err), f"no file:line in {err}"
    assert len(err) < 2000, "the message echoes too much"
