"""The planner's report (healthcast.report, `healthcast report`) as a person sees it: the
Shenyang plan's report in Chinese and English opened in headless Chromium with nothing but the
file (no request leaves the page), no script error, one table row per target, and Chinese
drawn by a font that has its characters (no missing-glyph boxes). Set HEALTHCAST_REPORT_DIR to
keep the reports and full-page screenshots (docs/images/report-shenyang-*.png come from it)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import healthcast as hc
from healthcast.report import number, percent

SOURCE = Path(os.environ.get("HEALTHCAST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BIN = os.environ.get("HEALTHCAST_BIN")
HORIZON = 2030
DRAWS = 4
# Words the report must show in each language (headings of its sections, a status).
EXPECTED = {"zh": ["规划目标", "与基准情景比较", "干预措施", "方法与数据来源", "人均预期寿命", "达标"],
            "en": ["Targets", "Against the reference", "Levers", "Methods and sources",
                   "Life expectancy at birth", "not met"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The Shenyang plan and the reference on the same census unit and years, with draws."""
    folder = tmp_path_factory.mktemp("report")
    plan = hc.load_scenario(SOURCE / "scenarios" / "plans" / "shenyang.yaml")
    plan.horizon = HORIZON
    reference = hc.load_scenario(SOURCE / "scenarios" / "china_reference.yaml")
    reference["regions"] = [{"name": "shenyang", "unit": "210100"}]
    reference.horizon = HORIZON
    run, base = hc.run([plan, reference], draws=DRAWS, seed=7, progress=False)
    return run.save(folder / "shenyang.h5"), base.save(folder / "reference.h5"), folder


@pytest.fixture(scope="module")
def reports(runs):
    results, reference, folder = runs
    keep = os.environ.get("HEALTHCAST_REPORT_DIR")
    out = Path(keep) if keep else folder
    out.mkdir(parents=True, exist_ok=True)
    return {lang: hc.report(results, reference, lang=lang,
                            path=out / f"report-shenyang-{lang}.html") for lang in ("zh", "en")}


def test_numbers_are_for_people():
    assert number(1234567.891) == "1,234,568"
    assert number(81.9196) == "81.92"
    assert number(107.6) == "107.6"
    assert number(1.762e-07) == "0.000000176"
    assert number(-0.0001, 1) == "0"
    assert number(float("nan")) == "–" and number(None) == "–"
    assert number(26248.4, 0) == "26,248"
    assert percent(0.625) == "62%" and percent(float("nan")) == "–"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_is_one_file_without_external_references(reports, lang):
    html = reports[lang].read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    # Namespaces (xmlns) name, they do not fetch; anything that would load is src, href,
    # url() or @import.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html) and "@import" not in html
    assert html.count("<svg") >= 3  # life expectancy, smoking, salt, cancer survival
    for word in EXPECTED[lang]:
        assert word in html, word
    # No number in scientific notation (the 1.762e-07) in any table.
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    assert cells and not [c for c in cells if re.search(r"\de[-+]\d", c)]


def test_report_has_the_unit_and_comparison(reports, runs):
    html = reports["en"].read_text(encoding="utf-8")
    assert "census unit 210100" in html and "沈阳市" in html
    assert "Deaths averted" in html and "DALYs averted" in html
    # Shenyang's monitored targets have no observed history: no data, never a placeholder.
    assert ">no data<" in html and "illustrative (placeholder)" not in html
    comparison = hc.compare(hc.open(runs[1]), hc.open(runs[0])).to_xarray()
    averted = float(comparison["cumulative_deaths_averted"].sel(
        region="shenyang", sex="total", year=HORIZON))
    assert number(averted, 0) in html


def test_xlsx_has_the_same_tables(runs, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    results, reference, _ = runs
    path = hc.report(results, reference, lang="zh", path=tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:2] == ["规划", "规划目标"]
    targets = list(book["规划目标"].values)
    assert targets[0][:3] == ("序号", "指标", "目标年份")
    assert len(targets) - 1 == len(hc.open(results).targets())
    comparison = {row[0]: row[1] for row in book["与基准比较"].values}
    assert isinstance(comparison["避免死亡数"], (int, float))  # a number Excel can sum


@pytest.mark.skipif(BIN is None, reason="HEALTHCAST_BIN (the built program) not set")
def test_command_writes_the_report_and_refuses_bad_files(runs, tmp_path):
    results, reference, _ = runs
    out = tmp_path / "r.html"
    done = subprocess.run([BIN, "report", str(results), "--reference", str(reference), "--lang",
                           "zh", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "规划目标" in out.read_text(encoding="utf-8")
    missing = subprocess.run([BIN, "report", str(tmp_path / "nothing.h5")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "nothing.h5" in missing.stderr
    damaged = tmp_path / "damaged.h5"
    damaged.write_bytes(results.read_bytes()[:4096])
    broken = subprocess.run([BIN, "report", str(damaged), "-o", str(tmp_path / "x.html")],
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2 and "damaged.h5" in broken.stderr
    assert not (tmp_path / "x.html").exists()


# -- in a browser ----------------------------------------------------------------------------

def _chromium():
    """A headless Chromium driven by chromedriver (Debian's chromium, chromium-driver and
    python3-selenium), logging the page's network requests and console."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("chromium and chromium-driver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    service = Service(executable_path=shutil.which("chromedriver"))
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="module")
def browser():
    driver = _chromium()
    yield driver
    driver.quit()


def _requests(driver):
    import json

    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _fonts_of(driver, selector):
    """The fonts Chromium drew the text of the first element matching `selector` with."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root,
                                                        "selector": selector})["nodeId"]
    return driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_in_chromium(browser, reports, runs, lang):
    from selenium.webdriver.common.by import By

    path = reports[lang]
    browser.get_log("performance")  # what an earlier page left
    browser.get(path.as_uri())
    assert browser.title.startswith("“健康沈阳2030”" if lang == "zh" else "Healthy Shenyang")
    # Nothing but the file itself was requested.
    assert _requests(browser) == [path.as_uri()]
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    rows = browser.find_elements(By.CSS_SELECTOR, "table.targets tbody tr")
    assert len(rows) == len(hc.open(runs[0]).targets()) == 16
    assert len(browser.find_elements(By.CSS_SELECTOR, "section#charts svg")) >= 3
    if lang == "zh":
        # Every glyph of Chinese text drawn by a simplified-Chinese CJK font: a character no
        # installed font has is drawn (as a box) by the first font of the list, not a CJK one;
        # without lang="zh-CN" Chromium picks the Japanese forms (Noto Sans CJK JP).
        for selector in ("h1", "section#targets h2"):
            text = browser.find_element(By.CSS_SELECTOR, selector).text
            fonts = _fonts_of(browser, selector)
            chinese = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
            cjk = sum(f["glyphCount"] for f in fonts if "CJK SC" in f["familyName"])
            assert chinese >= 4 and cjk >= chinese, (selector, fonts)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1200, height)
    shot = path.with_suffix(".png")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 50_000
