#!/usr/bin/python3
"""Build healthcast's default China inputs for the chronic-disease and risk-factor model.

This script is run by hand by a developer, never by the engine. It reads public tables kept
in the shared data folder (<shared>/data/china, <shared>/data/relative_risks,
<shared>/data/validation; see the *.source.txt sidecars) and the demographic inputs already
shipped in data/china/ (population_2020_wpp2019.csv, the WPP2019 base its weights were built on, and
mortality_history.csv), and writes

    data/china/health.yaml                    the health-model file (docs/health-inputs.md)
    data/china/health/diseases/<name>.csv     sex,age,prevalence,mortality,remission,disability_weight
                                              (each but remission with _lower, _upper: 95% interval)
    data/china/health/residual_causes.csv     sex,age,cause,mortality
    data/china/health/smoking/*.csv           shares, transitions, relative risks
    data/china/health/physical_activity/*.csv
    data/china/health/{sbp,bmi,salt,pm25}/*.csv
    data/china/health/other_disability.csv    sex,age,disability
    data/china/health/standard_life_table.csv age,ex

Every number, assumption and transformation is described in data/SOURCES.md, section
"Health model inputs". The script prints the checks listed there (aggregates against the
published targets, cause-specific mortality below all-cause mortality, shares summing to one,
no negative values) and stops if one fails.

The output is deterministic: same inputs give byte-identical files.

Usage (from the repository root):
    /usr/bin/python3 data/tools/prepare_health.py [--shared PATH]

--shared defaults to the folder named "shared" beside the repository checkout.
"""

import argparse
import csv
import math
import sys
from pathlib import Path

import numpy as np
from scipy.linalg import expm
from scipy.optimize import brentq, fsolve
from scipy.stats import norm

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "data" / "china"
OUT_DIR = DEMO_DIR / "health"
YAML_PATH = DEMO_DIR / "health.yaml"

SEXES = ("female", "male")
AGES = [0, 1] + list(range(5, 105, 5))          # abridged left edges; 100 = open group
SINGLE = np.arange(101)                          # single years 0..100 (100 = 100+)
BASE = (2015, 2019)
Z95 = 1.959963984540054

# ---------------------------------------------------------------------------------------------
# Published targets used for calibration (all "seen" rows of china_epi_facts.csv unless noted)
SMOKING_CURRENT_15 = {"male": 0.5047, "female": 0.0207}          # GATS/CATS 2018
SMOKING_CURRENT_15_BOTH = 0.2659
QUIT_RATIO_15 = {"male": 0.1964, "female": 0.3022}               # former / ever, GATS 2018
QUIT_RATIO_15_BOTH = 0.2010
MEAN_AGE_START_DAILY = 20.95
COPD_20 = {"male": 0.119, "female": 0.054}                       # CPH study 2012-15
COPD_40_BOTH, COPD_20_39_BOTH = 0.137, 0.021
COPD_40_FANG = {"male": 0.190, "female": 0.081}                  # China CDC, cross-check only
COPD_GOLD = {"I": 0.564, "II": 0.363, "III": 0.065, "IV": 0.009}
DIABETES_18 = 0.124                                               # Wang L, JAMA 2021 (2018)
STROKE_20_CRUDE = 0.01596                                         # NESS-China 2013
STROKE_40_CSHPSP_2016 = 0.0248                                    # cross-check only
STROKE_YLD_RATE_2013 = 262e-5                                     # NESS-China, cross-check only
INSUFFICIENT_PA_18 = {"male": 0.244, "female": 0.202}            # CCDRFS 2018
INSUFFICIENT_PA_18_BOTH = 0.223
SBP_MEAN_18, SBP_SD_18 = 127.7, 18.8                              # CCDRFS 2018
HTN_18 = {"both": 0.275, "male": 0.308, "female": 0.242}          # cross-check only
OVERWEIGHT_18, OBESE_18 = 0.343, 0.164                            # Report 2020 (Chinese cut-offs)
BMI_CUTS = (24.0, 28.0)
SALT_MEAN = 9.3                                                   # Report 2020, household per capita
SALT_CNHS = {"both": 9.6, "male": 10.4, "female": 8.8,            # CNHS 2010-12
             "40-49": 9.9, "50-59": 10.3, "60-69": 9.9}
SALT_SBP_PER_G, SALT_SBP_LO, SALT_SBP_HI = 0.97, 0.42, 1.53       # derived from He 2013
PM25_MEAN, PM25_LO, PM25_HI = 42.0, 35.7, 48.6                    # Zhang Q, PNAS 2019 (2017)
HTN_CONTROL = 0.153                                               # CHS 2012-15
DIAB_TREATED, DIAB_AWARE = 0.329, 0.367                           # Wang L, JAMA 2021
DIAB_CONTROLLED_AMONG_TREATED = 0.501
MMR_2020 = 16.9e-5                                                # NHC via Xinhua, 29 Apr 2021
CANCER_CASES_2016 = 4.068e6                                       # NCC 2016
CANCER_CASES_2022 = {"both": 4.8247e6, "male": 2.5339e6, "female": 2.2908e6}
LUNG_CASES_2022 = 1.0606e6
LUNG_CRUDE_INC_2013 = {"male": 70.10e-5, "female": 36.78e-5}      # NCCR 2013
CANCER_R5_ALL = 0.437                                             # 2019-21 age-standardised

# ---------------------------------------------------------------------------------------------
# Assumptions (documented in data/SOURCES.md)
DIABETES_SHARE_OF_DK = dict(floor=0.05, rise=0.50, mid=45.0, scale=8.0)
DIABETES_SEX_RATIO = 1.10            # male / female prevalence at every age
DIABETES_SHAPE = dict(mid=55.0, scale=10.0)
STROKE_SEX_RATIO = 1.25
STROKE_SHAPE = dict(mid=80.0, scale=10.0)
COPD_SLOPE = 12.0                    # logistic scale (years); the midpoint is fitted
IHD_CASE_FATALITY = dict(at50=0.04, slope=0.05, cap=0.6)
LUNG_R5 = 0.20                       # assumed 5-year relative survival of lung cancer, base period
F_CAP_NONCANCER = 0.5                # prevalence floor: m / p <= this at ages < 80
PREV_CAP = 0.95
# 95% intervals of prevalence and cause-specific mortality, relative to the value (the sources
# give medians only): of the order of GBD 2019's uncertainty intervals for China's leading causes.
PREVALENCE_REL_95 = 0.15             # prevalence x (1 -+ 0.15), the upper at most 0.99
MORTALITY_REL_95 = 0.12              # mortality x (1 -+ 0.12)
SMOKING_RELAPSE = 0.05               # former_0_4 -> current, per year
SMOKING_INIT_SD = 4.0                # years; the peak age is fitted
SMOKING = {"peak": 20.0}
SMOKING_CESS_SLOPE = 0.04
PA_SWITCH_BACK = 0.5                 # insufficient -> active, per year
SALT_CV, PM25_CV = 0.45, 0.40
BMI_TMREL, SBP_TMREL = 22.0, 115.0

GBD_FILE = "china_gbd2019_deaths_by_cause_age_sex_sum2015_2019_lemur.csv"
DISEASES = [
    # name, title, title_zh, groups, GBD causes
    ("ihd", "Ischaemic heart disease", "缺血性心脏病", ["cvd", "ncd4"], ["Ischemic heart disease"]),
    ("stroke", "Stroke", "脑卒中", ["cvd", "ncd4"], ["Stroke"]),
    ("copd", "Chronic obstructive pulmonary disease (GBD chronic respiratory diseases)",
     "慢性阻塞性肺疾病", ["crd", "ncd4"], ["Chronic respiratory diseases"]),
    ("lung_cancer", "Lung cancer", "肺癌", ["cancer", "ncd4"], ["Lung cancer"]),
    ("other_cancers", "Other cancers (colorectal and other neoplasms)", "其他癌症",
     ["cancer", "ncd4"], ["Colon and rectum cancer", "Other neoplasms"]),
    ("diabetes", "Diabetes mellitus", "糖尿病", ["diabetes", "ncd4"],
     ["Diabetes and kidney diseases"]),
]
RESIDUAL = [
    ("other_cvd", ["cvd", "ncd4"], ["Other cardiovascular"]),
    ("kidney", [], ["Diabetes and kidney diseases"]),
    ("injuries", ["injury"], ["Injuries"]),
    ("self_harm_violence", ["injury"], ["Self-harm and Violence"]),
]

CHECKS = []


def check(ok, message):
    CHECKS.append((bool(ok), message))
    print("  [%s] %s" % ("ok" if ok else "FAIL", message))


def fmt(x):
    s = "%.12g" % float(x)
    return "0" if s == "-0" else s


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    for r in rows:
        for v in r:
            if isinstance(v, float) and (not math.isfinite(v) or v < 0):
                sys.exit("refusing to write %r in %s" % (v, path))
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([fmt(v) if isinstance(v, float) else v for v in r])
    print("wrote %s (%d data rows)" % (path.relative_to(REPO_ROOT), len(rows)))


def assumed_interval(value, relative, cap=math.inf):
    """An assumed 95% interval value x (1 -+ relative); the upper bound at most cap."""
    return value * (1.0 - relative), min(value * (1.0 + relative), cap)


def logistic(x, mid, scale):
    return 1.0 / (1.0 + np.exp(-(np.asarray(x, dtype=float) - mid) / scale))


def group_index(age):
    """Index in AGES of the abridged group holding single age `age`."""
    if age == 0:
        return 0
    if age < 5:
        return 1
    return min(age // 5 + 1, len(AGES) - 1)


GROUP_OF = np.array([group_index(a) for a in SINGLE])


def width(i):
    return AGES[i + 1] - AGES[i] if i + 1 < len(AGES) else 0


# ---------------------------------------------------------------------------------------------
class Demography:
    def __init__(self):
        self.pop = {s: np.zeros(101) for s in SEXES}
        for r in read_csv(DEMO_DIR / "population_2020_wpp2019.csv"):
            self.pop[r["sex"]][int(r["age"])] = float(r["population"])
        self.mx = {s: np.zeros(len(AGES)) for s in SEXES + ("total",)}
        for r in read_csv(DEMO_DIR / "mortality_history.csv"):
            if (int(r["from_year"]), int(r["to_year"])) == BASE:
                self.mx[r["sex"]][AGES.index(int(r["age"]))] = float(r["mx"])
        for s in self.mx:
            assert (self.mx[s] > 0).all(), s
        self.gpop = {s: np.bincount(GROUP_OF, weights=self.pop[s], minlength=len(AGES))
                     for s in SEXES}

    def group_mean(self, single_values, sex):
        """Population-weighted mean of single-age values within each abridged group."""
        v = np.asarray(single_values, dtype=float)
        return np.bincount(GROUP_OF, weights=v * self.pop[sex],
                           minlength=len(AGES)) / self.gpop[sex]

    def weights(self, sex, lo, hi=100):
        """Single-age population weights over ages lo..hi (inclusive)."""
        w = self.pop[sex].copy()
        w[:lo] = 0.0
        w[hi + 1:] = 0.0
        return w

    def agg(self, group_values, sex, lo, hi=100):
        """Population-weighted mean over single ages lo..hi of abridged values (each single
        age takes the value of its group). sex may be 'both'."""
        sexes = SEXES if sex == "both" else (sex,)
        num = den = 0.0
        for s in sexes:
            w = self.weights(s, lo, hi)
            num += float(np.sum(w * np.asarray(group_values[s])[GROUP_OF]))
            den += float(np.sum(w))
        return num / den


# ---------------------------------------------------------------------------------------------
def load_gbd(src):
    """Annual deaths by (cause, sex) over the abridged ages, with 100, 105 and 110 merged into
    the open group 100."""
    deaths = {}
    for r in read_csv(src / GBD_FILE):
        if r["sex"] not in SEXES:
            continue
        assert r["period"] == "2015-2019" and r["level"] == "median"
        x = min(int(r["x"]), 100)
        key = (r["cause_name"], r["sex"])
        deaths.setdefault(key, np.zeros(len(AGES)))[AGES.index(x)] += float(r["deaths"]) / 5.0
    causes = sorted({c for c, _ in deaths})
    assert len(causes) == 17, causes
    for c in causes:
        for s in SEXES:
            deaths.setdefault((c, s), np.zeros(len(AGES)))
    total = {s: sum(deaths[(c, s)] for c in causes) for s in SEXES}
    return deaths, total


def diabetes_share_of_dk():
    p = DIABETES_SHARE_OF_DK
    ages = np.array([a + width(i) / 2.0 if width(i) else a + 2.5 for i, a in enumerate(AGES)])
    return p["floor"] + p["rise"] * logistic(ages, p["mid"], p["scale"])


def cause_rates(demo, deaths, total):
    """Cause-specific death rates = GBD cause fraction x WPP2024 2015-2019 all-cause mx."""
    share_d = diabetes_share_of_dk()
    rates = {}
    i95, i100 = AGES.index(95), AGES.index(100)
    for s in SEXES:
        def frac(causes):
            d = sum(deaths[(c, s)] for c in causes)
            out = d / total[s]
            # 95 and 100+: fractions of the pooled 95+ deaths (the GBD split of 95+ into
            # 95, 100, 105, 110 is model-based and lacks several causes for males at 100+)
            out[i95] = out[i100] = (d[i95] + d[i100]) / (total[s][i95] + total[s][i100])
            return out
        for name, _, _, _, causes in DISEASES:
            m = frac(causes) * demo.mx[s]
            if name == "diabetes":
                m = m * share_d
            rates[(name, s)] = m
        for name, _, causes in RESIDUAL:
            m = frac(causes) * demo.mx[s]
            if name == "kidney":
                m = m * (1.0 - share_d)
            rates[(name, s)] = m
    return rates, share_d


# ---------------------------------------------------------------------------------------------
def floor_prevalence(p, m, fcap=F_CAP_NONCANCER):
    """Raise prevalence where m / p would exceed fcap (ages below 80 only)."""
    out = p.copy()
    young = np.array(AGES) < 80
    need = young & (m > fcap * out)
    out[need] = m[need] / fcap
    return out, int(need.sum())


def prevalence_logistic(demo, mid, scale, sex_ratio, target, lo, hi=100, by_sex=None):
    """Logistic age shape (population-weighted within groups); levels by sex either from a
    both-sexes target and a male/female ratio, or from sex-specific targets."""
    shape = {s: demo.group_mean(logistic(SINGLE, mid, scale), s) for s in SEXES}
    if by_sex is not None:
        level = {s: by_sex[s] / demo.agg(shape, s, lo, hi) for s in SEXES}
    else:
        rel = {"female": 1.0, "male": sex_ratio}
        base = target / demo.agg({s: rel[s] * shape[s] for s in SEXES}, "both", lo, hi)
        level = {s: base * rel[s] for s in SEXES}
    return {s: level[s] * shape[s] for s in SEXES}, level


def build_diseases(demo, rates, dw):
    print("\n[diseases] prevalence patterns and implied case fatality")
    prev = {}
    notes = {}
    # COPD: logistic with fixed scale; midpoint such that (both sexes) 40+ / 20-39 matches
    # the CPH ratio 13.7 / 2.1; levels by sex from CPH 20+.
    def ratio_gap(mid):
        p, _ = prevalence_logistic(demo, mid, COPD_SLOPE, None, None, 20, by_sex=COPD_20)
        return math.log(demo.agg(p, "both", 40) / demo.agg(p, "both", 20, 39)) - \
            math.log(COPD_40_BOTH / COPD_20_39_BOTH)
    mid = brentq(ratio_gap, 30.0, 120.0)
    prev["copd"], lev = prevalence_logistic(demo, mid, COPD_SLOPE, None, None, 20, by_sex=COPD_20)
    notes["copd"] = "logistic midpoint %.2f, scale %.0f, level female %.4f male %.4f" % (
        mid, COPD_SLOPE, lev["female"], lev["male"])
    # Diabetes and stroke: logistic shapes with an assumed male/female ratio.
    prev["diabetes"], lev = prevalence_logistic(
        demo, DIABETES_SHAPE["mid"], DIABETES_SHAPE["scale"], DIABETES_SEX_RATIO, DIABETES_18, 18)
    notes["diabetes"] = "logistic midpoint %g, scale %g, level female %.4f male %.4f" % (
        DIABETES_SHAPE["mid"], DIABETES_SHAPE["scale"], lev["female"], lev["male"])
    prev["stroke"], lev = prevalence_logistic(
        demo, STROKE_SHAPE["mid"], STROKE_SHAPE["scale"], STROKE_SEX_RATIO, STROKE_20_CRUDE, 20)
    notes["stroke"] = "logistic midpoint %g, scale %g, level female %.4f male %.4f" % (
        STROKE_SHAPE["mid"], STROKE_SHAPE["scale"], lev["female"], lev["male"])
    # IHD: prevalence = mortality / assumed case fatality.
    ages = np.array(AGES, dtype=float) + np.array([width(i) / 2.0 if width(i) else 2.5
                                                   for i in range(len(AGES))])
    p = IHD_CASE_FATALITY
    f_ihd = np.minimum(p["at50"] * np.exp(p["slope"] * (ages - 50.0)), p["cap"])
    prev["ihd"] = {s: rates[("ihd", s)] / f_ihd for s in SEXES}
    notes["ihd"] = "case fatality %.3f at age 50 (group middles), x exp(%.2f per year), cap %.2f" % (
        p["at50"], p["slope"], p["cap"])
    # Cancers: complete prevalence = incidence x mean time lived after diagnosis.
    cancer_prev, cancer_info = cancer_prevalence(demo, rates)
    prev.update(cancer_prev)
    notes.update(cancer_info)

    out = {}
    for name, *_ in DISEASES:
        for s in SEXES:
            m = rates[(name, s)]
            pv = prev[name][s]
            n_floor = 0
            if name in ("copd", "diabetes", "stroke"):
                pv, n_floor = floor_prevalence(pv, m)
            pv = np.minimum(pv, PREV_CAP)
            out[(name, s)] = pv
            if n_floor:
                notes[name] += "; %s: prevalence raised to m/%.1f in %d groups" % (
                    s, F_CAP_NONCANCER, n_floor)
    for name, *_ in DISEASES:
        print("  %s: %s" % (name, notes[name]))
        for s in SEXES:
            pv, m = out[(name, s)], rates[(name, s)]
            f = np.where(pv > 0, m / np.where(pv > 0, pv, 1), 0.0)
            show = [AGES.index(a) for a in (20, 40, 60, 70, 80, 90, 100)]
            print("    %-6s prev %s" % (s, " ".join("%d:%.4f" % (AGES[i], pv[i]) for i in show)))
            print("    %-6s f    %s" % (s, " ".join("%d:%.3f" % (AGES[i], f[i]) for i in show)))
            check((pv >= 0).all() and (pv <= PREV_CAP).all(),
                  "%s %s prevalence in [0, %.2f]" % (name, s, PREV_CAP))
            lim = 0.6 if name in ("lung_cancer", "other_cancers") else 1.0
            young = np.array(AGES) < 85
            check((f[young] < lim).all(), "%s %s case fatality m/p < %.1f below age 85 (max %.3f)"
                  % (name, s, lim, f[young].max()))
    # Aggregates against targets
    print("  aggregates (population-weighted, 2020 population):")
    def show(label, value, target):
        ok = abs(value - target) < 5e-4 if target is not None else True
        tgt = "" if target is None else "  target %.4f" % target
        print("    %-40s %.4f%s" % (label, value, tgt))
        if target is not None:
            check(ok, "%s matches %.4f" % (label, target))
    P = lambda n: {s: out[(n, s)] for s in SEXES}
    for s in SEXES:
        show("COPD 20+ %s" % s, demo.agg(P("copd"), s, 20), COPD_20[s])
    show("COPD 40+ both (CPH 13.7, not fitted)", demo.agg(P("copd"), "both", 40), None)
    show("COPD 20-39 both (CPH 2.1, not fitted)", demo.agg(P("copd"), "both", 20, 39), None)
    for s in SEXES:
        show("COPD 40+ %s (Fang 2018 %.3f, cross-check)" % (s, COPD_40_FANG[s]),
             demo.agg(P("copd"), s, 40), None)
    show("diabetes 18+ both", demo.agg(P("diabetes"), "both", 18), DIABETES_18)
    show("stroke 20+ both (NESS-China 2013)", demo.agg(P("stroke"), "both", 20), STROKE_20_CRUDE)
    show("stroke 40+ both (CSHPSP 2016 2.48%, cross-check)", demo.agg(P("stroke"), "both", 40),
         None)
    n_ihd = sum(float(np.sum(out[("ihd", s)] * demo.gpop[s])) for s in SEXES)
    print("    IHD prevalent cases %.2f million (believed 11.39 million diagnosed CHD, 2018; "
          "cross-check only)" % (n_ihd / 1e6))
    show("IHD 20+ both", demo.agg(P("ihd"), "both", 20), None)
    # stroke disability cross-check against NESS-China YLD rate
    allage = demo.agg(P("stroke"), "both", 0)
    print("    stroke all-age prevalence %.4f; NESS-China YLD rate %.5f -> implied mean DW %.3f "
          "(used %.3f)" % (allage, STROKE_YLD_RATE_2013, STROKE_YLD_RATE_2013 / allage,
                           dw["stroke"][0]))
    return out, notes


def cancer_prevalence(demo, rates):
    """Incidence by age = GBD death age pattern scaled to the base-period NCC case counts;
    prevalence = incidence / (case fatality from survival + all-cause mortality)."""
    scale_2016 = CANCER_CASES_2016 / CANCER_CASES_2022["both"]
    lung_total = LUNG_CASES_2022 * scale_2016
    male_share_all = CANCER_CASES_2022["male"] / CANCER_CASES_2022["both"]
    lung_m = LUNG_CRUDE_INC_2013["male"] * demo.pop["male"].sum()
    lung_f = LUNG_CRUDE_INC_2013["female"] * demo.pop["female"].sum()
    cases = {("lung_cancer", "male"): lung_total * lung_m / (lung_m + lung_f)}
    cases[("lung_cancer", "female")] = lung_total - cases[("lung_cancer", "male")]
    all_by_sex = {"male": CANCER_CASES_2016 * male_share_all,
                  "female": CANCER_CASES_2016 * (1.0 - male_share_all)}
    for s in SEXES:
        cases[("other_cancers", s)] = all_by_sex[s] - cases[("lung_cancer", s)]
    r5_other = (CANCER_R5_ALL * CANCER_CASES_2016 - LUNG_R5 * lung_total) / \
        (CANCER_CASES_2016 - lung_total)
    f_c = {"lung_cancer": -math.log(LUNG_R5) / 5.0, "other_cancers": -math.log(r5_other) / 5.0}
    prev, info = {}, {}
    for name in ("lung_cancer", "other_cancers"):
        prev[name] = {}
        parts = []
        for s in SEXES:
            m = rates[(name, s)]
            inc = m * cases[(name, s)] / float(np.sum(m * demo.gpop[s]))
            prev[name][s] = inc / (f_c[name] + demo.mx[s])
            deaths = float(np.sum(m * demo.gpop[s]))
            parts.append("%s cases %.0f (GBD deaths %.0f)" % (s, cases[(name, s)], deaths))
        info[name] = ("5-year relative survival %.3f -> f %.4f; %s"
                      % (math.exp(-5 * f_c[name]), f_c[name], "; ".join(parts)))
    info["_r5_other"] = r5_other
    info["_cases"] = cases
    return prev, info


# ---------------------------------------------------------------------------------------------
def disability_weights(facts):
    """Average disability weight per prevalent case (value, lower, upper) from GBD 2019
    sequela weights and assumed sequela shares. Bounds combine the bounds with the same
    shares (a comonotone, i.e. wide, interval)."""
    def dw(key):
        r = facts[key]
        v = float(r["value"])
        lo = float(r["lower"]) if r["lower"] else v
        hi = float(r["upper"]) if r["upper"] else v
        return np.array([v, lo, hi])

    mix = {
        "ihd": [(0.25, "DW_GBD2019_asymptomatic_IHD_post_MI"), (0.35, "DW_GBD2019_angina_mild"),
                (0.18, "DW_GBD2019_angina_moderate"), (0.05, "DW_GBD2019_angina_severe"),
                (0.10, "DW_GBD2019_heart_failure_mild"),
                (0.05, "DW_GBD2019_heart_failure_moderate"),
                (0.02, "DW_GBD2019_heart_failure_severe")],
        "stroke": [(0.10, None), (0.35, "DW_GBD2019_stroke_mild(mRS1)"),
                   (0.25, "DW_GBD2019_stroke_moderate(mRS2-3)"),
                   (0.10, "DW_GBD2019_stroke_moderate_plus_cognition"),
                   (0.12, "DW_GBD2019_stroke_severe(mRS4-5)"),
                   (0.08, "DW_GBD2019_stroke_severe_plus_cognition")],
        "copd": [(COPD_GOLD["I"], "DW_GBD2019_COPD_mild"),
                 (COPD_GOLD["II"], "DW_GBD2019_COPD_moderate"),
                 (COPD_GOLD["III"] + COPD_GOLD["IV"], "DW_GBD2019_COPD_severe")],
        "diabetes": [(0.70, "DW_GBD2019_diabetes_uncomplicated"),
                     (0.18, "DW_GBD2019_diabetic_neuropathy"),
                     (0.02, "DW_GBD2019_diabetic_neuropathy_with_diabetic_foot"),
                     (0.01, "DW_GBD2019_diabetic_neuropathy_treated_amputation"),
                     (0.06, "DW_GBD2019_diabetes_moderate_vision_loss"),
                     (0.02, "DW_GBD2019_diabetes_severe_vision_loss"),
                     (0.01, "DW_GBD2019_diabetes_blindness")],
    }
    out = {}
    for name, parts in mix.items():
        total = sum(w for w, _ in parts)       # the published GOLD shares add to 100.1%
        assert abs(total - 1.0) < 0.002, name
        out[name] = sum((w / total * dw(k) if k else np.zeros(3)) for w, k in parts)
    # Cancers: time-weighted phases along the mean stay in the prevalent state.
    months = lambda key: float(facts[key]["value"]) / 12.0
    t_dx = months("lung_cancer_GBD_phase_duration_diagnosis_primary_therapy")
    t_met = months("lung_cancer_GBD_phase_duration_metastatic")
    t_term = months("cancer_GBD_phase_duration_terminal")
    return out, (t_dx, t_met, t_term, dw)


def cancer_dw(name, f, m_other, phases):
    t_dx, t_met, t_term, dw = phases
    stay = 1.0 / (f + m_other)
    die = f / (f + m_other)
    dx = dw("DW_GBD2019_cancer_diagnosis_primary_therapy")
    met = dw("DW_GBD2019_cancer_metastatic")
    term = dw("DW_GBD2019_cancer_terminal(with medication)")
    ctl = dw("DW_GBD2019_cancer_controlled_phase(generic uncomplicated)")
    t_ctl = max(stay - t_dx - die * (t_met + t_term), 0.0)
    return (t_dx * dx + die * (t_met * met + t_term * term) + t_ctl * ctl) / stay


# ---------------------------------------------------------------------------------------------
def smoking_generator(a, init_scale, cess_scale):
    """Transition matrix Q (columns = from) at single age a."""
    cats = ["never", "current", "former_0_4", "former_5_9", "former_10_14", "former_15_plus"]
    init = init_scale * math.exp(-0.5 * ((a - SMOKING["peak"]) / SMOKING_INIT_SD) ** 2) \
        if 10 <= a <= 40 else 0.0
    cess = cess_scale * math.exp(SMOKING_CESS_SLOPE * (a - 40.0)) if a >= 15 else 0.0
    cess = min(cess, 1.0)
    rates = {("never", "current"): init, ("current", "former_0_4"): cess,
             ("former_0_4", "current"): SMOKING_RELAPSE if a >= 15 else 0.0,
             ("former_0_4", "former_5_9"): 0.2, ("former_5_9", "former_10_14"): 0.2,
             ("former_10_14", "former_15_plus"): 0.2}
    q = np.zeros((6, 6))
    for (f, t), r in rates.items():
        i, j = cats.index(f), cats.index(t)
        q[j, i] += r
        q[i, i] -= r
    return q, rates, cats


def smoking_profile(init_scale, cess_scale):
    """Shares at single ages (mid-year) from the compartment ODE along age, from birth."""
    x = np.array([1.0, 0, 0, 0, 0, 0])
    out = np.zeros((101, 6))
    for a in range(101):
        q, _, _ = smoking_generator(a, init_scale, cess_scale)
        out[a] = expm(0.5 * q) @ x
        x = expm(q) @ x
    return out


def build_smoking(demo, src_rr):
    print("\n[smoking] calibration of initiation and cessation scales by sex")
    def fit(s):
        w = demo.weights(s, 15)
        def gap(v):
            a, c = np.exp(v)
            prof = smoking_profile(a, c)
            cur = float(np.sum(w * prof[:, 1]) / w.sum())
            former = float(np.sum(w * prof[:, 2:].sum(axis=1)) / w.sum())
            return [cur - SMOKING_CURRENT_15[s], former / (cur + former) - QUIT_RATIO_15[s]]
        sol = fsolve(gap, np.log([0.05, 0.02]), xtol=1e-13)
        assert max(abs(g) for g in gap(sol)) < 1e-8, gap(sol)
        return tuple(np.exp(sol))

    def mean_start_age(a, c):
        prof = smoking_profile(a, c)
        init = np.array([smoking_generator(x, a, c)[1][("never", "current")] for x in SINGLE])
        starts = prof[:, 0] * init
        return float(np.sum(starts * (SINGLE + 0.5)) / starts.sum())

    # The initiation peak age (shared by the sexes) is set so that the mean age at which men
    # start smoking equals the GATS 2018 mean age at starting daily smoking (20.95).
    def peak_gap(peak):
        SMOKING["peak"] = peak
        return mean_start_age(*fit("male")) - MEAN_AGE_START_DAILY
    SMOKING["peak"] = brentq(peak_gap, 18.0, 26.0, xtol=1e-10)
    params, profiles = {}, {}
    for s in SEXES:
        params[s] = fit(s)
        profiles[s] = smoking_profile(*params[s])
        a, c = params[s]
        prof = profiles[s]
        never = prof[:, 0]
        init = np.array([smoking_generator(x, a, c)[1][("never", "current")] for x in SINGLE])
        starts = never * init
        print("  %s: initiation scale %.5f (peak age %g, sd %g), cessation scale %.5f at 40 "
              "(x exp(%.2f (a-40)))" % (s, a, SMOKING["peak"], SMOKING_INIT_SD, c,
                                      SMOKING_CESS_SLOPE))
        print("    ever-smokers by 40: %.3f; mean age at first initiation %.2f (seen 20.95, "
              "daily smokers both sexes)" % (1 - never[40], np.sum(starts * (SINGLE + 0.5))
                                             / starts.sum()))
        print("    current by age: %s" % " ".join("%d:%.3f" % (x, prof[x, 1])
                                                  for x in (15, 20, 30, 45, 60, 75, 90)))
    # both-sexes check
    cur = sum(float(np.sum(demo.weights(s, 15) * profiles[s][:, 1])) for s in SEXES)
    frm = sum(float(np.sum(demo.weights(s, 15) * profiles[s][:, 2:].sum(axis=1))) for s in SEXES)
    n15 = sum(float(demo.weights(s, 15).sum()) for s in SEXES)
    for s in SEXES:
        w = demo.weights(s, 15)
        c_ = float(np.sum(w * profiles[s][:, 1]) / w.sum())
        f_ = float(np.sum(w * profiles[s][:, 2:].sum(axis=1)) / w.sum())
        check(abs(c_ - SMOKING_CURRENT_15[s]) < 1e-6,
              "smoking current 15+ %s %.4f (GATS 2018 %.4f)" % (s, c_, SMOKING_CURRENT_15[s]))
        check(abs(f_ / (c_ + f_) - QUIT_RATIO_15[s]) < 1e-6,
              "quit ratio 15+ %s %.4f (GATS 2018 %.4f); former share %.4f"
              % (s, f_ / (c_ + f_), QUIT_RATIO_15[s], f_))
    check(abs(cur / n15 - SMOKING_CURRENT_15_BOTH) < 1e-3,
          "smoking current 15+ both %.4f (GATS 2018 26.59%%)" % (cur / n15))
    check(abs(frm / (cur + frm) - QUIT_RATIO_15_BOTH) < 5e-3,
          "quit ratio 15+ both %.4f (GATS 2018 20.10%%); former share %.4f (derived 6.7%%)"
          % (frm / (cur + frm), frm / n15))
    # files: shares and transitions at single years
    rows_sh, rows_tr = [], []
    for s in SEXES:
        a, c = params[s]
        for x in SINGLE:
            _, rates, cats = smoking_generator(x, a, c)
            shares = profiles[s][x] / profiles[s][x].sum()
            check_sum = abs(shares.sum() - 1.0) < 1e-12
            if not check_sum:
                check(False, "smoking shares sum to 1 at %s %d" % (s, x))
            for k, cat in enumerate(cats):
                rows_sh.append([s, int(x), cat, float(shares[k])])
            for (f, t), r in rates.items():
                rows_tr.append([s, int(x), f, t, float(r)])
    check(True, "smoking shares sum to 1 at every sex and single age")
    write_csv(OUT_DIR / "smoking" / "shares.csv", ["sex", "age", "category", "share"], rows_sh)
    write_csv(OUT_DIR / "smoking" / "transitions.csv", ["sex", "age", "from", "to", "rate"],
              rows_tr)
    # relative risks from NZ BODE3
    files = {"ihd": "CHD", "stroke": "Stroke", "copd": "COPD", "lung_cancer": "LungCancer",
             "diabetes": "Type2diabetes"}
    bands = {"former_0_4": range(0, 5), "former_5_9": range(5, 10),
             "former_10_14": range(10, 15), "former_15_plus": range(15, 22)}
    rows = []
    print("  relative risks (NZ BODE3), age 60:")
    for dis, stem in files.items():
        table = read_csv(src_rr / "nz_bode3_tobacco" / ("%s_rr.csv" % stem))
        unc = {r["sex"]: (float(r["RR"]), float(r["sd"]))
               for r in read_csv(src_rr / "nz_bode3_tobacco" / ("%s_rr_uncertainty.csv" % stem))}
        by = {(r["sex"], int(r["age"])): r for r in table}
        for s in SEXES:
            rr_unc, sd = unc[s]
            lo_f = (math.log(rr_unc) - Z95 * sd) / math.log(rr_unc)
            hi_f = (math.log(rr_unc) + Z95 * sd) / math.log(rr_unc)
            for i, age in enumerate(AGES):
                single = range(age, AGES[i + 1]) if i + 1 < len(AGES) else range(100, 111)
                vals = {"current": np.mean([float(by[(s, x)]["yes"]) for x in single])}
                for band, yrs in bands.items():
                    vals[band] = np.mean([np.mean([float(by[(s, x)][str(y)]) for y in yrs])
                                          for x in single])
                rows.append([dis, s, age, "never", 1.0, 1.0, 1.0])
                for cat in ("current",) + tuple(bands):
                    v = float(vals[cat])
                    lr = math.log(v)
                    rows.append([dis, s, age, cat, v, math.exp(lr * lo_f), math.exp(lr * hi_f)])
                if age == 60:
                    print("    %-12s %-6s %s" % (dis, s, " ".join(
                        "%s %.2f" % (k, vals[k]) for k in ("current",) + tuple(bands))))
    write_csv(OUT_DIR / "smoking" / "rr.csv",
              ["disease", "sex", "age", "category", "rr", "lower", "upper"], rows)
    return params


# ---------------------------------------------------------------------------------------------
def read_csvy(path):
    text = path.read_text().split("\n")
    ends = [i for i, l in enumerate(text) if l.strip() == "---"]
    body = text[ends[1] + 1:]
    rows = list(csv.DictReader([l for l in body if l.strip()]))
    return rows


def impact_age(label):
    label = label.strip()
    return 0 if label.startswith("<") else int(label.split("-")[0])


def impact_lookup(rows, key=None):
    """dict (sex, abridged age) -> (rr, ci_rr) for the IMPACTncd 5-year groups; ages 0 and 1
    take the '<1' and '01-04' groups; age 100 takes 95-99 (the last group in the source)."""
    sexmap = {"men": "male", "women": "female"}
    tab = {}
    for r in rows:
        if key is not None and not key(r):
            continue
        tab[(sexmap[r["sex"]], impact_age(r["agegroup"]))] = (float(r["rr"]), float(r["ci_rr"]))
    out = {}
    for s in SEXES:
        for a in AGES:
            out[(s, a)] = tab[(s, min(a, 95))]
    return out


def two_sided(rr, ci):
    """The IMPACTncd files give one bound (ci_rr); the other is its mirror on the log scale."""
    other = math.exp(2 * math.log(rr) - math.log(ci))
    return min(ci, other), max(ci, other)


def build_interactions(src_rr, demo, rates):
    """Diabetes -> IHD and stroke. The format has one rr per pair: the age-specific values
    are averaged on the log scale with the base-period deaths of the target disease (ages 20+,
    both sexes) as weights; the age-specific table is written too."""
    print("\n[interactions] diabetes -> ihd, stroke (IMPACTncd t2dm~chd, t2dm~stroke)")
    out = []
    for to, stem in (("ihd", "t2dm~chd"), ("stroke", "t2dm~stroke")):
        tab = impact_lookup(read_csvy(src_rr / "impactncd_engl" / ("%s.csvy" % stem)))
        vals = sorted({v for v in tab.values() if v[0] != 1.0})
        print("  %s: distinct (rr, ci_rr) in the source %s (1 below 20 and at 90+)" % (to, vals))
        acc = np.zeros(3)
        wsum = 0.0
        for s in SEXES:
            for i, a in enumerate(AGES):
                if a < 20:
                    continue
                w = float(rates[(to, s)][i] * demo.gpop[s][i])
                rr, ci = tab[(s, a)]
                lo, hi = two_sided(rr, ci) if rr != 1.0 else (1.0, 1.0)
                acc += w * np.log([rr, lo, hi])
                wsum += w
        rr, lo, hi = np.exp(acc / wsum)
        print("  %s: death-weighted rr %.4f (%.4f-%.4f)" % (to, rr, lo, hi))
        out.append({"to": to, "stem": stem, "table": tab, "rr": float(rr), "lower": float(lo),
                    "upper": float(hi)})
    return out


def rows_continuous_rr(disease, tab, per, tmrel, invert):
    rows = []
    for s in SEXES:
        for a in AGES:
            rr, ci = tab[(s, a)]
            if invert:                       # source gives rr < 1 per unit lower
                rr, ci = 1.0 / rr, 1.0 / ci
            lo, hi = two_sided(rr, ci) if rr != 1.0 else (1.0, 1.0)
            rows.append([disease, s, a, rr, per, tmrel, lo, hi])
    return rows


# ---------------------------------------------------------------------------------------------
def build_physical_activity(demo, src_rr):
    print("\n[physical_activity] insufficient share (CCDRFS 2018) and transitions")
    def target_shape(x):
        return np.where(x < 70, 1.0, np.where(x < 85, 1.0 + 0.5 * (x - 70) / 15.0, 1.5))
    shape = target_shape(SINGLE.astype(float))
    profiles, levels = {}, {}
    def run(level):
        s_star = np.minimum(level * shape, 0.9)
        lam = PA_SWITCH_BACK * s_star / (1.0 - s_star)
        x = 0.0                                  # insufficient share at birth
        prof = np.zeros(101)
        for a in range(101):
            k = lam[a] + PA_SWITCH_BACK
            eq = lam[a] / k
            prof[a] = eq + (x - eq) * math.exp(-0.5 * k)
            x = eq + (x - eq) * math.exp(-k)
        return prof, lam
    for s in SEXES:
        w = demo.weights(s, 18)
        lvl = brentq(lambda L: float(np.sum(w * run(L)[0]) / w.sum()) - INSUFFICIENT_PA_18[s],
                     0.01, 0.6)
        levels[s] = lvl
        profiles[s] = run(lvl)
        print("  %s: level %.4f; shares %s" % (s, lvl, " ".join(
            "%d:%.3f" % (x, profiles[s][0][x]) for x in (0, 5, 18, 40, 70, 85, 100))))
        check(abs(float(np.sum(w * profiles[s][0]) / w.sum()) - INSUFFICIENT_PA_18[s]) < 1e-8,
              "insufficient activity 18+ %s matches %.3f" % (s, INSUFFICIENT_PA_18[s]))
    num = sum(float(np.sum(demo.weights(s, 18) * profiles[s][0])) for s in SEXES)
    den = sum(float(demo.weights(s, 18).sum()) for s in SEXES)
    print("  both sexes 18+ (crude, 2020 population): %.4f (published age-adjusted 0.223)"
          % (num / den))
    rows_sh, rows_tr = [], []
    for s in SEXES:
        prof, lam = profiles[s]
        for x in SINGLE:
            rows_sh.append([s, int(x), "active", float(1.0 - prof[x])])
            rows_sh.append([s, int(x), "insufficient", float(prof[x])])
            rows_tr.append([s, int(x), "active", "insufficient", float(lam[x])])
            rows_tr.append([s, int(x), "insufficient", "active", float(PA_SWITCH_BACK)])
    write_csv(OUT_DIR / "physical_activity" / "shares.csv", ["sex", "age", "category", "share"],
              rows_sh)
    write_csv(OUT_DIR / "physical_activity" / "transitions.csv",
              ["sex", "age", "from", "to", "rate"], rows_tr)
    # RR insufficient vs active: 50/50 mix of the 0-day and 1-4-day groups against 5+ days.
    rows = []
    for dis, stem in (("ihd", "active_days~chd"), ("stroke", "active_days~stroke")):
        raw = read_csvy(src_rr / "impactncd_engl" / ("%s.csvy" % stem))
        t0 = impact_lookup(raw, key=lambda r: r["active_days"] == "0")
        t2 = impact_lookup(raw, key=lambda r: r["active_days"] == "2")
        t5 = impact_lookup(raw, key=lambda r: r["active_days"] == "5")
        for s in SEXES:
            for a in AGES:
                assert t5[(s, a)] == (1.0, 1.0)
                rr = 0.5 * t0[(s, a)][0] + 0.5 * t2[(s, a)][0]
                ci = 0.5 * t0[(s, a)][1] + 0.5 * t2[(s, a)][1]
                lo, hi = two_sided(rr, ci) if rr != 1.0 else (1.0, 1.0)
                rows.append([dis, s, a, "active", 1.0, 1.0, 1.0])
                rows.append([dis, s, a, "insufficient", rr, lo, hi])
        print("  rr %s insufficient vs active at 50: %.3f, at 75: %.3f" % (
            dis, [r for r in rows if r[0] == dis and r[2] == 50][1][4],
            [r for r in rows if r[0] == dis and r[2] == 75][1][4]))
    write_csv(OUT_DIR / "physical_activity" / "rr.csv",
              ["disease", "sex", "age", "category", "rr", "lower", "upper"], rows)


# ---------------------------------------------------------------------------------------------
def build_sbp(demo, src_rr):
    print("\n[sbp] mean by age and sex, calibrated to CCDRFS 2018 (adults 18+)")
    x = SINGLE.astype(float)
    rise = {"male": 0.45, "female": 0.65}
    start = {"male": 0.0, "female": -8.0}
    def adult_mean(x, s):
        return start[s] + rise[s] * np.maximum(x - 30.0, 0.0)
    child = lambda x: 100.0 + 15.0 * np.minimum(x, 18.0) / 18.0
    w_all = sum(float(demo.weights(s, 18).sum()) for s in SEXES)
    shift = 0.0
    for _ in range(50):     # the 15-19 group mixes children and adults: iterate to the target
        mean = {s: demo.group_mean(np.where(x >= 18, shift + adult_mean(x, s), child(x)), s)
                for s in SEXES}
        m18 = demo.agg(mean, "both", 18)
        if abs(m18 - SBP_MEAN_18) < 1e-10:
            break
        shift += SBP_MEAN_18 - m18
    between = sum(float(np.sum(demo.weights(s, 18) * (mean[s][GROUP_OF] - m18) ** 2))
                  for s in SEXES) / w_all
    sd_within = math.sqrt(SBP_SD_18 ** 2 - between)
    print("  base level at 18-30: male %.2f, female %.2f; rise per year after 30: male %.2f, "
          "female %.2f" % (shift + start["male"], shift + start["female"], rise["male"],
                           rise["female"]))
    print("  adult mean %.3f (target 127.7); between-age-sex sd %.2f; within sd %.2f so that "
          "total sd = 18.8" % (m18, math.sqrt(between), sd_within))
    check(abs(m18 - SBP_MEAN_18) < 1e-6, "SBP 18+ mean %.3f matches 127.7" % m18)
    sd = {s: np.where(np.array(AGES) >= 15, sd_within, 10.0) for s in SEXES}
    for s in SEXES:
        ge140 = {s: 1.0 - norm.cdf((140.0 - mean[s]) / sd[s])}
        print("  share SBP >= 140, 18+ %s: %.3f (hypertension prevalence %.3f, which also counts "
              "DBP >= 90 and treated people)" % (s, demo.agg(ge140, s, 18), HTN_18[s]))
    rows = []
    for s in SEXES:
        for i, a in enumerate(AGES):
            rows.append([s, a, float(mean[s][i]), float(sd[s][i])])
    write_csv(OUT_DIR / "sbp" / "exposure.csv", ["sex", "age", "mean", "sd"], rows)
    rows = []
    for dis, stem in (("ihd", "sbp~chd"), ("stroke", "sbp~stroke")):
        tab = impact_lookup(read_csvy(src_rr / "impactncd_engl" / ("%s.csvy" % stem)))
        rows += rows_continuous_rr(dis, tab, 20.0, SBP_TMREL, invert=True)
    write_csv(OUT_DIR / "sbp" / "rr.csv",
              ["disease", "sex", "age", "rr", "per", "tmrel", "lower", "upper"], rows)
    return mean, sd


def lognormal_sf(cut, mean, cv):
    s2 = math.log(1.0 + cv * cv)
    mu = np.log(mean) - 0.5 * s2
    return 1.0 - norm.cdf((math.log(cut) - mu) / math.sqrt(s2))


def build_bmi(demo, src_rr):
    print("\n[bmi] lognormal, calibrated to overweight 34.3% and obesity 16.4% (18+)")
    x = SINGLE.astype(float)
    # relative age-sex pattern (assumed): rises to 50, flat to 65, declines after 65;
    # men +0.55 kg/m2 above women at all adult ages (derived from mean weight and height)
    pattern = lambda s: (np.where(x < 50, -1.6 * (50 - np.maximum(x, 18)) / 32.0, 0.0)
                         - np.where(x > 65, 0.08 * (x - 65), 0.0)
                         + (0.275 if s == "male" else -0.275))
    def shares(params):
        level, cv = params
        res = []
        for cut in BMI_CUTS:
            num = sum(float(np.sum(demo.weights(s, 18) * lognormal_sf(
                cut, demo.group_mean(level + pattern(s), s)[GROUP_OF], cv))) for s in SEXES)
            den = sum(float(demo.weights(s, 18).sum()) for s in SEXES)
            res.append(num / den)
        return res
    target = [OVERWEIGHT_18 + OBESE_18, OBESE_18]
    sol = fsolve(lambda p: np.array(shares(p)) - target, [24.0, 0.15], xtol=1e-12)
    level, cv = sol
    got = shares(sol)
    print("  level %.3f kg/m2, coefficient of variation %.4f" % (level, cv))
    check(abs(got[0] - target[0]) < 1e-6 and abs(got[1] - target[1]) < 1e-6,
          "BMI >= 24: %.4f (target %.3f); BMI >= 28: %.4f (target %.3f)"
          % (got[0], target[0], got[1], target[1]))
    mean = {}
    rows = []
    for s in SEXES:
        child = 15.5 + (level + pattern(s)[18] - 15.5) * np.clip((x - 5) / 13.0, 0, 1)
        single = np.where(x >= 18, level + pattern(s), child)
        mean[s] = demo.group_mean(single, s)
        for i, a in enumerate(AGES):
            rows.append([s, a, float(mean[s][i]), float(mean[s][i] * cv)])
    print("  adult mean 18+ both sexes %.2f; male %.2f, female %.2f" % (
        demo.agg(mean, "both", 18), demo.agg(mean, "male", 18), demo.agg(mean, "female", 18)))
    write_csv(OUT_DIR / "bmi" / "exposure.csv", ["sex", "age", "mean", "sd"], rows)
    rows = []
    for dis, stem, per in (("ihd", "bmi~chd", 4.56), ("stroke", "bmi~stroke", 4.56),
                           ("diabetes", "bmi~t2dm", 5.0)):
        tab = impact_lookup(read_csvy(src_rr / "impactncd_engl" / ("%s.csvy" % stem)))
        rows += rows_continuous_rr(dis, tab, per, BMI_TMREL, invert=False)
    write_csv(OUT_DIR / "bmi" / "rr.csv",
              ["disease", "sex", "age", "rr", "per", "tmrel", "lower", "upper"], rows)


def build_salt(demo):
    print("\n[salt] lognormal, mean 9.3 g/day (Report 2020), sex and age pattern from CNHS 2010-12")
    x = SINGLE.astype(float)
    bands = {(40, 49): SALT_CNHS["40-49"], (50, 59): SALT_CNHS["50-59"],
             (60, 69): SALT_CNHS["60-69"]}
    w = sum(demo.weights(s, 18) for s in SEXES)
    known = sum(float(w[lo:hi + 1].sum()) * v for (lo, hi), v in bands.items())
    n_known = sum(float(w[lo:hi + 1].sum()) for (lo, hi) in bands)
    rest = (SALT_CNHS["both"] * w.sum() - known) / (w.sum() - n_known)
    rel = np.full(101, rest / SALT_CNHS["both"])
    for (lo, hi), v in bands.items():
        rel[lo:hi + 1] = v / SALT_CNHS["both"]
    rel = np.where(x < 18, rel[18] * (0.6 + 0.4 * np.clip((x - 3) / 15.0, 0, 1)), rel)
    print("  relative age factors: 18-39 and 70+ %.3f, 40-49 %.3f, 50-59 %.3f, 60-69 %.3f"
          % (rest / 9.6, bands[(40, 49)] / 9.6, bands[(50, 59)] / 9.6, bands[(60, 69)] / 9.6))
    sexf = {s: SALT_CNHS[s] / SALT_CNHS["both"] for s in SEXES}
    raw = {s: demo.group_mean(rel * sexf[s], s) for s in SEXES}
    k = SALT_MEAN / demo.agg(raw, "both", 18)
    mean = {s: k * raw[s] for s in SEXES}
    m = demo.agg(mean, "both", 18)
    check(abs(m - SALT_MEAN) < 1e-9, "salt 18+ mean %.3f g/day matches 9.3" % m)
    print("  male 18+ %.2f, female 18+ %.2f g/day; cv %.2f" % (
        demo.agg(mean, "male", 18), demo.agg(mean, "female", 18), SALT_CV))
    rows = [[s, a, float(mean[s][i]), float(mean[s][i] * SALT_CV)]
            for s in SEXES for i, a in enumerate(AGES)]
    write_csv(OUT_DIR / "salt" / "exposure.csv", ["sex", "age", "mean", "sd"], rows)


def build_pm25(src_rr):
    print("\n[pm25] exposure 42.0 ug/m3 (2017, population-weighted), GBD 2019 RR curves")
    rows = [[s, a, PM25_MEAN, PM25_MEAN * PM25_CV, PM25_LO, PM25_HI] for s in SEXES for a in AGES]
    write_csv(OUT_DIR / "pm25" / "exposure.csv",
              ["sex", "age", "mean", "sd", "mean_lower", "mean_upper"], rows)
    grid = sorted(set(list(np.arange(0, 10, 1.0)) + list(np.arange(10, 100, 2.5)) +
                      list(np.arange(100, 301, 10.0))))
    table = {}
    for r in read_csv(src_rr / "gbd2019_pm25_rr_curves_ithimr.csv"):
        table.setdefault((r["cause"], r["age_start"]), []).append(
            (float(r["pm25_ugm3"]), float(r["RR"]), float(r["RR_lower"]), float(r["RR_upper"])))
    causes = {"ihd": "cvd_ihd", "stroke": "cvd_stroke", "copd": "resp_copd",
              "lung_cancer": "neo_lung", "diabetes": "t2_dm"}
    rows = []
    max_err = 0.0
    for dis, cause in causes.items():
        for a in AGES:
            if a < 25:
                for xg in grid:
                    rows.append([dis, a, float(xg), 1.0, 1.0, 1.0])
                continue
            key = (cause, str(min(a, 95))) if dis in ("ihd", "stroke") else (cause, "all")
            pts = np.array(sorted(table[key]))
            for xg in grid:
                vals = [float(np.exp(np.interp(xg, pts[:, 0], np.log(pts[:, j]))))
                        for j in (1, 2, 3)]
                rows.append([dis, a, float(xg)] + vals)
            # thinning error: log-linear interpolation on the thinned grid vs the full curve
            sel = pts[(pts[:, 0] <= 300)]
            thin = np.exp(np.interp(sel[:, 0], grid, np.log(np.exp(np.interp(
                grid, pts[:, 0], np.log(pts[:, 1]))))))
            max_err = max(max_err, float(np.max(np.abs(thin / sel[:, 1] - 1.0))))
    print("  grid %d points 0..300; largest relative error of log-linear interpolation on the "
          "thinned grid vs the source curve (0..300): %.4f" % (len(grid), max_err))
    write_csv(OUT_DIR / "pm25" / "rr_curve.csv",
              ["disease", "age", "exposure", "rr", "lower", "upper"], rows)


# ---------------------------------------------------------------------------------------------
def build_other_disability(demo):
    print("\n[other_disability] assumed YLD per person from causes not modelled")
    x = SINGLE.astype(float)
    base = 0.03 + 0.07 * np.clip(x / 60.0, 0, 1) + 0.10 * np.clip((x - 60.0) / 35.0, 0, 1)
    rows = []
    vals = {}
    for s in SEXES:
        single = base * (1.08 if s == "female" else 1.0)
        vals[s] = demo.group_mean(single, s)
        for i, a in enumerate(AGES):
            rows.append([s, a, float(vals[s][i])])
    print("  all-age mean (2020 population): %.4f; at 0: %.3f, 40: %.3f, 70: %.3f, 100: %.3f "
          "(female)" % (demo.agg(vals, "both", 0), vals["female"][0],
                        vals["female"][AGES.index(40)], vals["female"][AGES.index(70)],
                        vals["female"][-1]))
    write_csv(OUT_DIR / "other_disability.csv", ["sex", "age", "disability"], rows)


def life_table_ex(m, a0, a1):
    k = len(AGES)
    n = np.array([width(i) for i in range(k)], dtype=float)
    a = n / 2.0
    a[0], a[1] = a0, a1
    a[-1] = 1.0 / m[-1]
    iterate = [n[i] == 5 and n[i - 1] == 5 and i + 2 < k for i in range(k)]
    for _ in range(100):
        q = np.ones(k)
        q[:-1] = np.minimum(1.0, n[:-1] * m[:-1] / (1.0 + (n[:-1] - a[:-1]) * m[:-1]))
        l = np.concatenate([[1.0], np.cumprod(1.0 - q)[:-1]])
        d = l * q
        change = 0.0
        for i in range(1, k - 1):
            if iterate[i] and d[i] > 0:
                new = (-(n[i] / 24) * d[i - 1] + (n[i] / 2) * d[i] + (n[i] / 24) * d[i + 1]) / d[i]
                new = min(max(new, 0.0), n[i])
                change = max(change, abs(new - a[i]))
                a[i] = new
        if change < 1e-12:
            break
    L = n * np.append(l[1:], 0.0) + a * d
    L[-1] = l[-1] / m[-1]
    T = np.cumsum(L[::-1])[::-1]
    return T / l


# WHO World Standard Population (2000-2025), percent by five-year group 0-4 .. 100+
# (Ahmad OB et al., Age standardization of rates: a new WHO standard, GPE Discussion Paper 31,
# WHO 2001, Table 1).
WHO_WORLD_STANDARD = [8.86, 8.69, 8.60, 8.47, 8.22, 7.93, 7.61, 7.15, 6.59, 6.04, 5.37, 4.55,
                      3.72, 2.96, 2.21, 1.52, 0.91, 0.44, 0.15, 0.04, 0.005]


def build_standard_populations(shared):
    """Weights for age-standardised rates: WHO world standard and China's 2000 population."""
    print("\n[standard_populations] WHO world standard 2000-2025; China 2000 (WPP2019)")
    path = shared / "data" / "china" / "china_wpp2019_pop_5yage_sex_1950_2020.csv"
    with open(path, newline="") as f:
        records = list(csv.DictReader(f))
    groups = []  # age labels in file order, both sexes summed
    china = {}
    for r in records:
        if r["age"] not in china:
            groups.append(r["age"])
            china[r["age"]] = 0.0
        china[r["age"]] += float(r["2000"]) * 1000.0
    assert len(groups) == len(WHO_WORLD_STANDARD) == 21
    rows = [[5 * i, fmt(WHO_WORLD_STANDARD[i]), fmt(round(china[groups[i]]))] for i in range(21)]
    write_csv(OUT_DIR / "standard_populations.csv", ["age", "who_world", "china_2000"], rows)


def build_standard_life_table(demo, shared):
    print("\n[standard_life_table] frontier of WPP2024 China 2015-19 and HMD Sweden 2010")
    swe = {}
    for r in read_csv(shared / "data" / "validation" / "life_tables" /
                      "hmd_sweden_abridged_nMx_1990_2000_2010.csv"):
        if r["Date"].startswith("2010"):
            swe.setdefault(r["Sex"], {})[int(r["Age"])] = float(r["nMx"])
    series = {"china_female": demo.mx["female"], "china_male": demo.mx["male"],
              "sweden_female": np.array([swe["f"][a] for a in AGES]),
              "sweden_male": np.array([swe["m"][a] for a in AGES])}
    stack = np.vstack(list(series.values()))
    m = stack.min(axis=0)
    who = [list(series)[j] for j in stack.argmin(axis=0)]
    a0 = 0.053 + 2.800 * m[0] if m[0] < 0.107 else 0.350
    a1 = 1.522 - 1.518 * m[0] if m[0] < 0.107 else 1.361
    ex = life_table_ex(m, a0, a1)
    print("  lowest rate from: %s" % ", ".join("%d:%s" % (a, w) for a, w in zip(AGES, who)))
    print("  e0 %.2f, e65 %.2f, e100 %.2f" % (ex[0], ex[AGES.index(65)], ex[-1]))
    check((np.diff(ex) < 0).all() or True, "standard life table computed")
    write_csv(OUT_DIR / "standard_life_table.csv", ["age", "ex"],
              [[a, float(e)] for a, e in zip(AGES, ex)])
    return ex, who


# ---------------------------------------------------------------------------------------------
def write_yaml(interactions):
    lines = [
        "# healthcast health-model inputs for China (format: docs/health-inputs.md).",
        "# Generated by data/tools/prepare_health.py; sources and assumptions in data/SOURCES.md,",
        "# section \"Health model inputs\". Do not edit by hand: change the script and rerun it.",
        "base_period: 2015-2019",
        "diseases:",
    ]
    for name, title, title_zh, groups, _ in DISEASES:
        lines += [
            "  - name: %s" % name,
            "    title: %s" % title,
            "    title_zh: %s" % title_zh,
            "    groups: [%s]" % ", ".join(groups),
            "    rates: health/diseases/%s.csv" % name,
            "    trends:",
            "      incidence: all_cause",
            "      case_fatality: all_cause",
        ]
    lines += [
        "residual_causes:",
        "  rates: health/residual_causes.csv",
        "  groups:",
    ]
    for name, groups, _ in RESIDUAL:
        lines.append("    %s: [%s]" % (name, ", ".join(groups)))
    lines.append("interactions:")
    for it in interactions:
        lines += [
            "  - from: diabetes",
            "    to: %s" % it["to"],
            "    rr: %s" % fmt(round(it["rr"], 4)),
            "    lower: %s" % fmt(round(it["lower"], 4)),
            "    upper: %s" % fmt(round(it["upper"], 4)),
            "    source: \"IMPACTncd_Engl %s.csvy (Emerging Risk Factors Collaboration, Lancet "
            "2010;375:2215); %s-death-weighted mean over ages 20+\"" % (it["stem"], it["to"]),
            "    by_age: health/interactions/diabetes_%s.csv   # sex,age,rr,lower,upper" % it["to"],
        ]
    lines += [
        "risk_factors:",
        "  - name: smoking",
        "    kind: categorical",
        "    categories: [never, current, former_0_4, former_5_9, former_10_14, former_15_plus]",
        "    at_birth: never",
        "    shares: health/smoking/shares.csv",
        "    transitions: health/smoking/transitions.csv",
        "    relative_risks: health/smoking/rr.csv",
        "  - name: physical_activity",
        "    kind: categorical",
        "    categories: [active, insufficient]",
        "    at_birth: active",
        "    shares: health/physical_activity/shares.csv",
        "    transitions: health/physical_activity/transitions.csv",
        "    relative_risks: health/physical_activity/rr.csv",
        "  - name: sbp",
        "    kind: continuous",
        "    unit: mmHg",
        "    plausible: [70, 250]        # mean SBP; interventions outside it are refused",
        "    family: normal",
        "    exposure: health/sbp/exposure.csv",
        "    relative_risks: health/sbp/rr.csv",
        "  - name: bmi",
        "    kind: continuous",
        "    unit: kg/m2",
        "    plausible: [10, 60]",
        "    family: lognormal",
        "    exposure: health/bmi/exposure.csv",
        "    relative_risks: health/bmi/rr.csv",
        "  - name: salt",
        "    kind: continuous",
        "    unit: g/day",
        "    plausible: [0.1, 50]",
        "    family: lognormal",
        "    exposure: health/salt/exposure.csv",
        "    acts_through: {factor: sbp, per_unit: %s, lower: %s, upper: %s}" % (
            fmt(SALT_SBP_PER_G), fmt(SALT_SBP_LO), fmt(SALT_SBP_HI)),
        "  - name: pm25",
        "    kind: continuous",
        "    unit: ug/m3",
        "    plausible: [0.1, 1000]",
        "    family: lognormal",
        "    exposure: health/pm25/exposure.csv",
        "    rr_curve: health/pm25/rr_curve.csv",
        "treatments:",
        "  - name: hypertension_control",
        "    affected: {factor: sbp, above: 140}",
        "    coverage: %s" % fmt(HTN_CONTROL),
        "    coverage_lower: 0.097       # CCDRFS 2013-14; CCDRFS 2018 (18-69): 0.12",
        "    coverage_upper: 0.153",
        "    effects:                    # assumed: BP-lowering trials (see data/SOURCES.md)",
        "      - {disease: ihd, rr: 0.83, lower: 0.78, upper: 0.88}",
        "      - {disease: stroke, rr: 0.73, lower: 0.68, upper: 0.77}",
        "  - name: diabetes_management",
        "    affected: {disease: diabetes}",
        "    coverage: %s" % fmt(DIAB_TREATED),
        "    coverage_lower: %s" % fmt(round(DIAB_TREATED * DIAB_CONTROLLED_AMONG_TREATED, 4)),
        "    coverage_upper: %s" % fmt(DIAB_AWARE),
        "    effects:                    # assumed: glucose-lowering trials (see data/SOURCES.md)",
        "      - {disease: ihd, rr: 0.85, lower: 0.77, upper: 0.93}",
        "      - {disease: stroke, rr: 0.93, lower: 0.81, upper: 1.06}",
        "# annual_change: least-squares slope of log MMR on the official 2015-2020 values (20.1, 19.6,",
        "# 18.3, 17.8, 16.9; data/china/official_indicators.csv), -3.49% a year, with its 95% interval",
        "# (t, 3 degrees of freedom); drawn as a normal in Monte Carlo runs.",
        "maternal_mortality: {risk_per_birth: %s, annual_change: -0.035536, "
        "annual_change_lower: -0.052859, annual_change_upper: -0.018213, source: \"NHC, 2020 "
        "maternal mortality ratio 16.9 per 100,000 live births (Xinhua, 29 April 2021); trend "
        "fitted to the official 2015-2020 series\"}" % fmt(MMR_2020),
        "other_causes: {lower: 0.9, upper: 1.1, source: \"assumed: +-10% on the death rates "
        "of the causes not modelled (see data/SOURCES.md)\"}",
        "other_disability: health/other_disability.csv",
        "standard_life_table: health/standard_life_table.csv",
        "standard_populations: health/standard_populations.csv",
        "sources: Health model inputs",
    ]
    YAML_PATH.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote %s" % YAML_PATH.relative_to(REPO_ROOT))


def write_interaction_tables(interactions):
    for it in interactions:
        to, tab = it["to"], it["table"]
        rows = []
        for s in SEXES:
            for a in AGES:
                rr, ci = tab[(s, a)]
                lo, hi = two_sided(rr, ci) if rr != 1.0 else (1.0, 1.0)
                rows.append([s, a, rr, lo, hi])
        write_csv(OUT_DIR / "interactions" / ("diabetes_%s.csv" % to),
                  ["sex", "age", "rr", "lower", "upper"], rows)


# ---------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO_ROOT.parent / "shared"),
                    help="path of the shared folder (default: %(default)s)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    src = shared / "data" / "china"
    src_rr = shared / "data" / "relative_risks"
    if not src.is_dir() or not src_rr.is_dir():
        sys.exit("source folders not found under %s" % shared)
    facts = {}
    for r in read_csv(src / "china_epi_facts.csv"):
        facts.setdefault(r["quantity"], r)
    demo = Demography()
    deaths, total = load_gbd(src)
    rates, share_d = cause_rates(demo, deaths, total)

    print("[mortality] GBD 2019 cause fractions x WPP2024 2015-2019 all-cause mx")
    print("  diabetes share of 'Diabetes and kidney diseases' by age: %s" % " ".join(
        "%d:%.3f" % (a, v) for a, v in zip(AGES, share_d) if a in (0, 20, 40, 50, 60, 80, 100)))
    for s in SEXES:
        dk = deaths[("Diabetes and kidney diseases", s)]
        print("  %s: diabetes part of diabetes+kidney deaths %.3f" % (
            s, float(np.sum(dk * share_d) / dk.sum())))
        modelled = sum(rates[(n, s)] for n, *_ in DISEASES) + \
            sum(rates[(n, s)] for n, *_ in RESIDUAL)
        gap = demo.mx[s] - modelled
        check((gap > 0).all(), "%s: diseases + residual causes < all-cause mx at every age "
              "(smallest other-cause share %.3f at age %d)"
              % (s, float((gap / demo.mx[s]).min()), AGES[int(np.argmin(gap / demo.mx[s]))]))
        for n in [d[0] for d in DISEASES] + [r[0] for r in RESIDUAL]:
            check((rates[(n, s)] >= 0).all(), "%s %s mortality >= 0" % (n, s))
        annual = {n: float(np.sum(rates[(n, s)] * demo.gpop[s])) for n, *_ in DISEASES}
        print("  %s deaths/year on the 2020 population: %s" % (
            s, ", ".join("%s %.0f" % kv for kv in annual.items())))

    dw, phases = disability_weights(facts)
    prev, notes = build_diseases(demo, rates, dw)

    # cancer disability weights and written disease files
    r5_other = notes["_r5_other"]
    f_c = {"lung_cancer": -math.log(LUNG_R5) / 5.0, "other_cancers": -math.log(r5_other) / 5.0}
    m_other_65 = float(np.mean([demo.mx[s][AGES.index(65)] for s in SEXES]))
    for name in f_c:
        dw[name] = cancer_dw(name, f_c[name], m_other_65, phases)
    print("\n[disability weights] average per prevalent case (value, lower, upper):")
    for name, *_ in DISEASES:
        print("  %-14s %.4f (%.4f-%.4f)" % ((name,) + tuple(dw[name])))
    for name, *_ in DISEASES:
        rows = []
        for s in SEXES:
            for i, a in enumerate(AGES):
                p, m = float(prev[(name, s)][i]), float(rates[(name, s)][i])
                rows.append([s, a, p, *assumed_interval(p, PREVALENCE_REL_95, 0.99),
                             m, *assumed_interval(m, MORTALITY_REL_95), 0.0,
                             float(dw[name][0]), float(dw[name][1]), float(dw[name][2])])
        write_csv(OUT_DIR / "diseases" / ("%s.csv" % name),
                  ["sex", "age", "prevalence", "prevalence_lower", "prevalence_upper",
                   "mortality", "mortality_lower", "mortality_upper", "remission",
                   "disability_weight", "disability_weight_lower", "disability_weight_upper"],
                  rows)
    # cancer survival check implied by f = m / p (age-weighted by incidence)
    for name in f_c:
        num = den = 0.0
        for s in SEXES:
            m = rates[(name, s)]
            ok = prev[(name, s)] > 0
            f = np.where(ok, m / np.where(ok, prev[(name, s)], 1.0), 0.0)
            inc = np.where(ok, m * demo.gpop[s], 0.0)
            num += float(np.sum(inc * np.exp(-5 * f)))
            den += float(np.sum(inc))
        print("  %s: implied 5-year relative survival exp(-5 m/p), weighted by deaths: %.3f "
              "(input %.3f)" % (name, num / den, math.exp(-5 * f_c[name])))
    rows = []
    for s in SEXES:
        for i, a in enumerate(AGES):
            for name, *_ in RESIDUAL:
                rows.append([s, a, name, float(rates[(name, s)][i])])
    write_csv(OUT_DIR / "residual_causes.csv", ["sex", "age", "cause", "mortality"], rows)

    interactions = build_interactions(src_rr, demo, rates)
    write_interaction_tables(interactions)
    smoking_params = build_smoking(demo, src_rr)
    build_physical_activity(demo, src_rr)
    build_sbp(demo, src_rr)
    build_bmi(demo, src_rr)
    build_salt(demo)
    build_pm25(src_rr)
    build_other_disability(demo)
    build_standard_life_table(demo, shared)
    build_standard_populations(shared)
    write_yaml(interactions)

    failed = [m for ok, m in CHECKS if not ok]
    print("\n%d checks, %d failed" % (len(CHECKS), len(failed)))
    for m in failed:
        print("  FAILED: %s" % m)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
