"""`healthcast units` and `healthcast import population` as a planner meets them."""

import csv
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

BIN = os.environ.get("HEALTHCAST_BIN")
SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))

pytestmark = pytest.mark.skipif(not BIN, reason="HEALTHCAST_BIN is not set (run through ctest)")


def healthcast(*args, env=None):
    return subprocess.run([BIN, *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=env)


def rows(stdout):
    """The listing's data lines as (code, name, level, parent, population)."""
    lines = stdout.strip().splitlines()
    assert lines[0].split() == ["code", "name", "level", "parent", "population"]
    return [tuple(line.split()) for line in lines[1:]]


# ---- healthcast units -----------------------------------------------------------------------
def test_units_search_by_chinese_name_prints_chinese_names():
    result = healthcast("units", "沈阳")
    assert result.returncode == 0, result.stderr
    found = rows(result.stdout)
    # The census's total for Shenyang (2020): 9,070,093 persons.
    assert ("210100", "沈阳市", "prefecture", "210000", "9070093") in found


def test_units_search_by_code_prefix_lists_a_city_and_its_districts():
    result = healthcast("units", "4102")
    assert result.returncode == 0, result.stderr
    found = rows(result.stdout)
    assert all(r[0].startswith("4102") for r in found)
    codes = {r[0]: r for r in found}
    assert codes["410200"][1] == "开封市" and codes["410200"][4] == "4824016"
    assert codes["410212"][1] == "祥符区" and codes["410212"][3] == "410200"
    # The districts and counties add up to the city (Kaifeng has no uncoded zones).
    assert sum(int(r[4]) for r in found if r[2] == "county") == 4824016


def test_units_level_filter_and_the_whole_list():
    result = healthcast("units", "--level", "province")
    assert result.returncode == 0, result.stderr
    found = rows(result.stdout)
    assert len(found) == 31
    assert sum(int(r[4]) for r in found) == 1409778724  # the nation, 2020 census


def test_units_nothing_matching_exits_2_and_says_how_to_search():
    result = healthcast("units", "不存在的地方")
    assert result.returncode == 2
    assert "no unit matches" in result.stderr and "code prefix" in result.stderr


def test_units_missing_data_exits_2_and_names_the_ways_to_give_it(tmp_path):
    result = healthcast("units", "沈阳", "--data", tmp_path)
    assert result.returncode == 2
    assert str(tmp_path) in result.stderr
    assert "--data" in result.stderr and "HEALTHCAST_DATA_DIR" in result.stderr


def test_units_data_folder_from_the_environment(tmp_path):
    shutil.copytree(SOURCE / "data" / "china" / "units", tmp_path / "china" / "units")
    env = dict(os.environ, HEALTHCAST_DATA_DIR=str(tmp_path))
    result = healthcast("units", "331100", env=env)
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout) == [("331100", "丽水市", "prefecture", "330000", "2507396")]
    assert str(tmp_path) in result.stderr


# ---- healthcast import population ---------------------------------------------------------
GROUP_LABELS_ZH = ["0岁", "1-4岁"] + ["%d-%d岁" % (a, a + 4) for a in range(5, 85, 5)] + [
    "85岁及以上"]


def yearbook_table(labels, header=("年龄", "合计", "男", "女"), total_row="合计"):
    """A table like a city yearbook's: a total row first, counts with thousands separators."""
    groups = []
    for i, label in enumerate(labels):
        male = int(12000 * math.exp(-0.012 * 5 * i)) + 7 * i
        female = int(male * 1.03)
        groups.append((label, male, female))
    lines = [",".join(header)]
    if total_row:
        tm, tf = sum(g[1] for g in groups), sum(g[2] for g in groups)
        lines.append("%s,%d,%d,%d" % (total_row, tm + tf, tm, tf))
    for label, male, female in groups:
        lines.append('%s,%d,"%s",%d' % (label, male + female, format(male, ","), female))
    return "\n".join(lines) + "\n", groups


def read_single_years(path):
    with open(path, newline="") as f:
        out = list(csv.DictReader(f))
    assert [(r["sex"], int(r["age"])) for r in out] == (
        [("female", a) for a in range(101)] + [("male", a) for a in range(101)])
    return {(r["sex"], int(r["age"])): float(r["population"]) for r in out}


def group_sum(single, sex, lo, hi):
    return sum(single[(sex, a)] for a in range(lo, hi + 1))


def test_import_gbk_table_with_chinese_headers(tmp_path):
    text, groups = yearbook_table(GROUP_LABELS_ZH)
    table = tmp_path / "开封人口.csv"
    table.write_bytes(text.encode("gbk"))
    out = tmp_path / "population.csv"
    result = healthcast("import", "population", table, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "GBK" in result.stdout
    single = read_single_years(out)
    bounds = [(0, 0), (1, 4)] + [(a, a + 4) for a in range(5, 85, 5)] + [(85, 100)]
    for (lo, hi), (_, male, female) in zip(bounds, groups):
        assert group_sum(single, "male", lo, hi) == pytest.approx(male, rel=1e-9)
        assert group_sum(single, "female", lo, hi) == pytest.approx(female, rel=1e-9)
    assert single[("male", 0)] == groups[0][1]  # age 0 is counted, kept as it is
    assert min(single.values()) >= 0


def test_import_utf8_table_with_english_headers_and_0_4_groups(tmp_path):
    labels = ["0-4"] + ["%d-%d" % (a, a + 4) for a in range(5, 80, 5)] + ["80+"]
    text, groups = yearbook_table(labels, header=("Age", "Total", "Male", "Female"),
                                  total_row="Total")
    table = tmp_path / "city.csv"
    table.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # with a byte-order mark
    out = tmp_path / "population.csv"
    result = healthcast("import", "population", table, "-o", out)
    assert result.returncode == 0, result.stderr
    single = read_single_years(out)
    for i, (_, male, female) in enumerate(groups):
        lo, hi = 5 * i, (5 * i + 4 if i + 1 < len(groups) else 100)
        assert group_sum(single, "male", lo, hi) == pytest.approx(male, rel=1e-9)
        assert group_sum(single, "female", lo, hi) == pytest.approx(female, rel=1e-9)


def test_import_utf8_table_with_chinese_headers(tmp_path):
    text, groups = yearbook_table(GROUP_LABELS_ZH)
    table = tmp_path / "table.csv"
    table.write_text(text, encoding="utf-8")
    out = tmp_path / "population.csv"
    result = healthcast("import", "population", table, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "UTF-8" in result.stdout
    single = read_single_years(out)
    assert group_sum(single, "female", 85, 100) == pytest.approx(groups[-1][2], rel=1e-9)


def bad_table(tmp_path, text, encoding="utf-8"):
    table = tmp_path / "bad.csv"
    table.write_bytes(text.encode(encoding))
    out = tmp_path / "out.csv"
    result = healthcast("import", "population", table, "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert not out.exists()
    return table, result.stderr


def test_import_a_missing_group_names_file_line_and_column(tmp_path):
    text, _ = yearbook_table(GROUP_LABELS_ZH)
    lines = text.splitlines()
    # Header, total row, then groups: line 9 is 25-29岁 (0, 1-4, 5-9, 10-14, 15-19, 20-24 before).
    assert lines[8].startswith("25-29岁")
    del lines[8]
    table, err = bad_table(tmp_path, "\n".join(lines) + "\n", "gbk")
    assert "%s:9:1" % table in err  # the 30-34 row now at line 9, column 1 (年龄)
    assert "25-29 are missing" in err


def test_import_a_negative_count_names_file_line_and_column(tmp_path):
    text, _ = yearbook_table(GROUP_LABELS_ZH)
    lines = text.splitlines()
    fields = next(csv.reader([lines[5]]))  # 10-14岁 (the male count is quoted: "1,234")
    fields[3] = "-" + fields[3]
    lines[5] = ",".join('"%s"' % f for f in fields)
    table, err = bad_table(tmp_path, "\n".join(lines) + "\n")
    assert "%s:6:4" % table in err  # line 6, column 4 (女)
    assert "negative" in err and "'女'" in err


def test_import_a_table_without_an_open_group_is_refused(tmp_path):
    text, _ = yearbook_table(GROUP_LABELS_ZH[:-1])
    _, err = bad_table(tmp_path, text)
    assert "open group" in err


def test_import_a_table_without_a_female_column_is_refused(tmp_path):
    text = "年龄,男\n0-4,100\n5-9,100\n10-14,100\n15-19,100\n20-24,100\n25+,100\n"
    table, err = bad_table(tmp_path, text)
    assert "%s:1" % table in err and "female column" in err
