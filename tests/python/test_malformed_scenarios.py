"""The catalogue of malformed scenarios (tests/scenarios/malformed): each one makes
`healthcast validate` fail with exit status 2 and a message that names the file, line and
column and says what is wrong and what is allowed (expected.csv)."""

import csv
import os
import re
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
CATALOGUE = Path(__file__).resolve().parents[1] / "scenarios" / "malformed"
EXIT_BAD_INPUT = 2

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def catalogue_rows():
    with open(CATALOGUE / "expected.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_catalogue():
    cases = []
    for row in catalogue_rows():
        fragments = [v for k, v in row.items() if k.startswith("fragment") and v]
        marks = [pytest.mark.xfail(reason=row["xfail"], strict=False)] if row["xfail"] else []
        cases.append(pytest.param(row, fragments, id=row["file"], marks=marks))
    return cases


def test_the_catalogue_lists_every_file_once():
    listed = [row["file"] for row in catalogue_rows()]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in CATALOGUE.glob("*.yaml"))
    assert len(listed) >= 20


@pytest.mark.parametrize("row, fragments", read_catalogue())
def test_validate_names_the_place_and_the_problem(row, fragments):
    # Run from the catalogue's folder with a relative path, so that the message shows the file
    # name as the user typed it.
    result = subprocess.run([BIN, "validate", row["file"]], capture_output=True, text=True,
                            cwd=CATALOGUE, timeout=120)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout + result.stderr
    message = result.stderr
    assert "Traceback" not in message and "terminate called" not in message
    named = row["at"] or row["file"]
    where = re.search(rf"(?:^|[\s/]){re.escape(named)}:(\d+):(\d+): ", message)
    assert where, f"no '{named}:line:column:' in: {message}"
    if row["line"]:
        assert (where.group(1), where.group(2)) == (row["line"], row["column"]), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"
