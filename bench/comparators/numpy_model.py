#!/usr/bin/python3
"""The healthcast projection (MODEL.md §1-2) in NumPy/SciPy, as a researcher would write it in a
notebook: one scipy.integrate.solve_ivp (RK45, Dormand-Prince) per year for the states of all
sex x age cohorts at once, then one for the newborns of both sexes.

Reads the CSV files of healthcast_export_problem (the engine's prepared coefficients) and writes
a tidy CSV: year, sex, quantity, cause, value with quantities life_expectancy (e0), deaths,
deaths_by_cause (summed over age), births and population (1 January).

Usage: numpy_model.py PROBLEM_FOLDER -o OUT.csv [--runs N]
"""

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

S, A = 2, 101  # sexes (female, male) and single ages 0..100+
SEXES = ["female", "male"]


def load(folder):
    """Everything the projection needs, as arrays indexed [year, sex, age, ...]."""

    def read(name):
        return pd.read_csv(os.path.join(folder, name))

    grid = read("grid.csv").set_index("key")["value"]
    base, horizon = int(grid["base_year"]), int(grid["horizon"])
    years = np.arange(base, horizon + 1)
    Y = len(years)
    names = read("names.csv")
    diseases = list(names.query("kind == 'disease'")["name"])
    causes = list(names.query("kind == 'cause'")["name"])
    D, R = len(diseases), len(causes) - len(diseases) - 1
    K = int((names["kind"] == "category").sum())

    def by_year_sex_age(df, columns):
        df = df.sort_values(["year", "sex", "age"])
        return df[columns].to_numpy().reshape(Y, S, A, len(columns))

    p = dict(years=years, diseases=diseases, causes=causes, D=D, R=R, K=K)
    p["newborn_entry"] = float(grid["newborn_entry"])
    p["rtol"], p["atol"] = float(grid["rtol"]), float(grid["atol"])
    pop = read("population.csv").sort_values(["sex", "age"])
    p["population"] = pop["population"].to_numpy().reshape(S, A)
    p["asfr"] = read("fertility.csv").sort_values(["year", "age"])["asfr"].to_numpy().reshape(Y, A)
    p["srb"] = read("sex_ratio_at_birth.csv").sort_values("year")["srb"].to_numpy()
    p["net_migration"] = by_year_sex_age(read("net_migration.csv"), ["net_migrants"])[..., 0]
    init = read("initial_state.csv").sort_values(["sex", "age"])
    p["initial_state"] = init.iloc[:, 2:].to_numpy().reshape(S, A, D + K)
    p["newborn_state"] = read("newborn_state.csv").sort_values("sex").iloc[:, 1:].to_numpy()

    rates = read("rates.csv")
    cols = list(rates.columns)
    p["other_mortality"] = by_year_sex_age(rates, ["other_mortality"])[..., 0]
    for kind in ("incidence", "case_fatality", "remission"):
        p[kind] = by_year_sex_age(rates, [f"{kind}.{d}" for d in diseases])
    p["residual_share"] = by_year_sex_age(rates, [c for c in cols if c.startswith("residual_share.")])

    tr = read("transitions.csv").sort_values("transition")
    T = len(tr)
    p["transition_matrix"] = np.zeros((K, T))  # +1 into `to`, -1 out of `from`
    p["transition_matrix"][tr["to"].to_numpy(), np.arange(T)] += 1.0
    p["transition_matrix"][tr["from"].to_numpy(), np.arange(T)] -= 1.0
    p["transition_from"] = tr["from"].to_numpy()
    p["transition_rate"] = by_year_sex_age(read("transition_rates.csv"), [f"rate_{t}" for t in range(T)])

    ce = read("category_effects.csv").sort_values("effect")
    E = len(ce)
    rr = read("category_rr.csv").sort_values(["effect", "sex", "age"])
    p["category_rr"] = rr[[f"rr_{k}" for k in range(K)]].to_numpy().reshape(E, S, A, K)
    p["category_base"] = rr["base_mean_rr"].to_numpy().reshape(E, S, A)
    p["category_mask"] = ce["disease"].to_numpy()[None, :] == np.arange(D)[:, None]  # D x E

    pe = read("prevalence_effects.csv").sort_values("effect")
    P = len(pe)
    p["prevalence_from"], p["prevalence_to"] = pe["from"].to_numpy(), pe["to"].to_numpy()
    vals = read("prevalence_effect_values.csv")
    p["prevalence_slope"] = by_year_sex_age(vals, [f"slope_{e}" for e in range(P)])
    p["prevalence_base"] = by_year_sex_age(vals, [f"base_{e}" for e in range(P)])
    return p


class Layout:
    """A cohort's ODE state, as in the engine: N, PY, other deaths, deaths (D), incident cases
    (D), prevalences (D), category shares (K); per person alive at entry."""

    def __init__(self, D, K):
        self.D, self.K = D, K
        self.deaths = slice(3, 3 + D)
        self.incidence = slice(3 + D, 3 + 2 * D)
        self.prevalence = slice(3 + 2 * D, 3 + 3 * D)
        self.shares = slice(3 + 3 * D, 3 + 3 * D + K)
        self.size = 3 + 3 * D + K


def cohort_coefficients(p, y, sexes, ages):
    """The coefficients of the cohorts (sexes[i], ages[i]) in year y, cohorts on the last axis."""
    s, a = sexes, ages
    return dict(
        m_o=p["other_mortality"][y, s, a],
        i=p["incidence"][y, s, a].T,
        f=p["case_fatality"][y, s, a].T,
        r=p["remission"][y, s, a].T,
        transition_rate=p["transition_rate"][y, s, a].T,
        category_rr=p["category_rr"][:, s, a, :].transpose(0, 2, 1),  # E x K x C
        category_base=p["category_base"][:, s, a],  # E x C
        prevalence_slope=p["prevalence_slope"][y, s, a].T,  # P x C
        prevalence_base=p["prevalence_base"][y, s, a].T,
    )


def make_rhs(p, L, c, n_cohorts):
    mask = p["category_mask"][:, :, None]  # D x E x 1
    M, t_from = p["transition_matrix"], p["transition_from"]
    pe_from, pe_to = p["prevalence_from"], p["prevalence_to"]

    def rhs(_t, y):
        Yv = y.reshape(L.size, n_cohorts)
        n, pi, sh = Yv[0], Yv[L.prevalence], Yv[L.shares]
        # Incidence scaled by the categorical factors' mean RR and the disease-to-disease effects.
        ratio = np.einsum("kc,ekc->ec", sh, c["category_rr"]) / c["category_base"]
        i = c["i"] * np.prod(np.where(mask, ratio[None], 1.0), axis=1)
        for e in range(len(pe_from)):
            i[pe_to[e]] *= (1.0 + c["prevalence_slope"][e] * pi[pe_from[e]]) / c["prevalence_base"][e]
        fpi = c["f"] * pi
        d = np.empty_like(Yv)
        d[0] = -(c["m_o"] + fpi.sum(axis=0)) * n
        d[1] = n
        d[2] = c["m_o"] * n
        d[L.deaths] = fpi * n
        d[L.incidence] = i * (1.0 - pi) * n
        d[L.prevalence] = i * (1.0 - pi) - c["r"] * pi - fpi * (1.0 - pi)
        d[L.shares] = M @ (c["transition_rate"] * sh[t_from])
        return d.ravel()

    return rhs


def advance(p, L, y, sexes, ages, n0, state, tau0, clock):
    """Carries the cohorts (n0 persons, per-person state) from tau0 to the year end. Returns
    survivors, person-years, deaths by cause (cause x cohort) and the year-end state."""
    C = len(n0)
    c = cohort_coefficients(p, y, sexes, ages)
    y0 = np.zeros((L.size, C))
    y0[0] = 1.0
    y0[L.prevalence] = state[:, : L.D].T
    y0[L.shares] = state[:, L.D :].T
    t0 = time.perf_counter()
    sol = solve_ivp(make_rhs(p, L, c, C), (tau0, 1.0), y0.ravel(), method="RK45",
                    rtol=p["rtol"], atol=p["atol"])
    clock["ode"] += time.perf_counter() - t0
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed in year {y}: {sol.message}")
    Y1 = sol.y[:, -1].reshape(L.size, C)
    alive = n0 > 0.0  # the engine leaves empty cohorts as they are
    survivors = np.where(alive, n0 * Y1[0], np.maximum(n0, 0.0))
    person_years = np.where(alive, n0 * Y1[1], 0.0)
    # Deaths by cause rescaled to sum exactly to n0 - survivors (the population balances).
    integrated = Y1[2] + Y1[L.deaths].sum(axis=0)
    scale = np.where(alive & (integrated > 0.0), (n0 - survivors) / (n0 * integrated), 0.0)
    other = n0 * Y1[2] * scale
    share = p["residual_share"][y, sexes, ages].T  # R x C
    residual = other * share
    deaths = np.vstack([n0 * Y1[L.deaths] * scale, residual, other - residual.sum(axis=0)])
    end = np.hstack([np.clip(Y1[L.prevalence].T, 0.0, 1.0), np.maximum(Y1[L.shares].T, 0.0)])
    end = np.where(alive[:, None], end, state)
    return survivors, person_years, deaths, end


def coale_demeny_a0(m0, sex):
    female = 0.350 if m0 >= 0.107 else 0.053 + 2.800 * m0
    male = 0.330 if m0 >= 0.107 else 0.045 + 2.684 * m0
    return {"female": female, "male": male, "total": (1.05 * male + female) / 2.05}[sex]


def e0(deaths, person_years, sex):
    """Period life expectancy at birth on single years, 100+ open (engine's life_table)."""
    m = np.divide(deaths, person_years, out=np.zeros_like(deaths), where=person_years > 0)
    a = np.full(A, 0.5)
    a[0] = coale_demeny_a0(m[0], sex)
    q = np.minimum(1.0, m / (1.0 + (1.0 - a) * m))
    q[-1] = 1.0
    l = np.concatenate([[1.0], np.cumprod(1.0 - q[:-1])])
    L = np.append(l[1:] + a[:-1] * l[:-1] * q[:-1], l[-1] / m[-1])
    return L.sum() / l[0]


def project(p):
    D, K = p["D"], p["K"]
    L = Layout(D, K)
    Y = len(p["years"])
    n_causes = len(p["causes"])
    sexes, ages = np.repeat(np.arange(S), A), np.tile(np.arange(A), S)  # all cohorts, sex-major
    clock = {"ode": 0.0}
    population = p["population"].copy()
    state = p["initial_state"].copy()  # S x A x (D + K)
    rows = []
    for y in range(Y):
        year = int(p["years"][y])
        half = 0.5 * p["net_migration"][y]
        n0 = np.maximum(population + half, 0.0).ravel()  # never below zero
        surv, py, deaths, end = advance(p, L, y, sexes, ages, n0, state.reshape(S * A, -1), 0.0, clock)
        surv = np.maximum(surv + half.ravel(), 0.0).reshape(S, A)
        py, deaths, end = py.reshape(S, A), deaths.reshape(n_causes, S, A), end.reshape(S, A, -1)
        # Births from women's person-years; boys are srb / (1 + srb) of them.
        births = p["asfr"][y] @ py[0]
        srb = p["srb"][y]
        born = np.array([births / (1.0 + srb), births * srb / (1.0 + srb)])
        nb_surv, nb_py, nb_deaths, nb_end = advance(
            p, L, y, np.arange(S), np.zeros(S, dtype=int), born, p["newborn_state"],
            p["newborn_entry"], clock)
        py[:, 0] += nb_py
        deaths[:, :, 0] += nb_deaths
        # Ageing: a -> a + 1; the open group keeps its survivors and receives the 99-year-olds.
        nxt = np.zeros_like(population)
        nxt_state = np.zeros_like(state)
        nxt[:, 1:A - 1] = surv[:, : A - 2]
        nxt_state[:, 1:A - 1] = end[:, : A - 2]
        w99, w100 = surv[:, A - 2], surv[:, A - 1]
        total = w99 + w100
        mixed = (end[:, A - 2] * w99[:, None] + end[:, A - 1] * w100[:, None]) / np.where(
            total > 0, total, 1.0)[:, None]
        nxt_state[:, A - 1] = np.where((total > 0)[:, None], mixed, end[:, A - 1])
        nxt[:, A - 1] = total
        nxt[:, 0] = nb_surv
        nxt_state[:, 0] = nb_end

        deaths_by_age = deaths.sum(axis=0)  # S x A
        for s, sex in enumerate(SEXES + ["total"]):
            if sex == "total":
                d_age, py_age, by_cause = deaths_by_age.sum(0), py.sum(0), deaths.sum(axis=(1, 2))
                b, n_jan = born.sum(), population.sum()
            else:
                d_age, py_age, by_cause = deaths_by_age[s], py[s], deaths[:, s].sum(axis=1)
                b, n_jan = born[s], population[s].sum()
            rows.append((year, sex, "life_expectancy", "", e0(d_age, py_age, sex)))
            rows.append((year, sex, "deaths", "", d_age.sum()))
            rows.append((year, sex, "births", "", b))
            rows.append((year, sex, "population", "", n_jan))
            for k, cause in enumerate(p["causes"]):
                rows.append((year, sex, "deaths_by_cause", cause, by_cause[k]))
        population, state = nxt, nxt_state
    out = pd.DataFrame(rows, columns=["year", "sex", "quantity", "cause", "value"])
    return out, clock


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("problem", help="folder written by healthcast_export_problem")
    ap.add_argument("-o", "--output", required=True, help="results CSV")
    ap.add_argument("--runs", type=int, default=1, help="project this many times (timing)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    p = load(args.problem)
    read_s = time.perf_counter() - t0
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        out, clock = project(p)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"timing numpy read_s={read_s:.4f} projection_s={total:.4f} cpu_s={cpu:.4f}"
              f" ode_s={clock['ode']:.4f}", file=sys.stderr)
    out.to_csv(args.output, index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
