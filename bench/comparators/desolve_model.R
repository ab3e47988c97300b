#!/usr/bin/env Rscript
# The healthcast projection (MODEL.md §1-2) in R on deSolve: one deSolve::ode (method "ode45",
# Dormand-Prince) per year for the states of all sex x age cohorts at once (rows = cohorts,
# columns = state variables), then one for the newborns of both sexes.
#
# Reads the CSV files of healthcast_export_problem (the engine's prepared coefficients) and
# writes the same tidy CSV as numpy_model.py: year, sex, quantity, cause, value.
#
# Usage: desolve_model.R PROBLEM_FOLDER -o OUT.csv [--runs N]
suppressPackageStartupMessages(library(deSolve))

args <- commandArgs(trailingOnly = TRUE)
usage <- "usage: desolve_model.R PROBLEM_FOLDER -o OUT.csv [--runs N]"
folder <- NULL; output <- NULL; runs <- 1L
i <- 1L
while (i <= length(args)) {
  if (args[i] == "-o" && i < length(args)) { output <- args[i + 1L]; i <- i + 2L }
  else if (args[i] == "--runs" && i < length(args)) { runs <- as.integer(args[i + 1L]); i <- i + 2L }
  else if (is.null(folder)) { folder <- args[i]; i <- i + 1L }
  else stop(usage)
}
if (is.null(folder) || is.null(output)) stop(usage)

S <- 2L; A <- 101L; C <- S * A  # cohorts: female ages 0..100, then male
SEXES <- c("female", "male")

load_problem <- function(folder) {
  rd <- function(name) read.csv(file.path(folder, name), check.names = FALSE,
                                stringsAsFactors = FALSE)
  sorted <- function(df, keys) df[do.call(order, unname(as.list(df[keys]))), , drop = FALSE]
  grid <- rd("grid.csv"); g <- setNames(grid$value, grid$key)
  years <- as.integer(g[["base_year"]]):as.integer(g[["horizon"]])
  nm <- rd("names.csv")
  diseases <- nm$name[nm$kind == "disease"]; causes <- nm$name[nm$kind == "cause"]
  D <- length(diseases); K <- sum(nm$kind == "category"); Y <- length(years)
  p <- list(years = years, diseases = diseases, causes = causes, D = D, K = K,
            R = length(causes) - D - 1L, newborn_entry = as.numeric(g[["newborn_entry"]]),
            rtol = as.numeric(g[["rtol"]]), atol = as.numeric(g[["atol"]]))
  p$population <- sorted(rd("population.csv"), c("sex", "age"))$population  # length C
  p$asfr <- matrix(sorted(rd("fertility.csv"), c("year", "age"))$asfr, nrow = A)  # age x year
  p$srb <- sorted(rd("sex_ratio_at_birth.csv"), "year")$srb
  p$net_migration <- matrix(sorted(rd("net_migration.csv"), c("year", "sex", "age"))$net_migrants,
                            nrow = C)  # cohort x year
  p$initial_state <- as.matrix(sorted(rd("initial_state.csv"), c("sex", "age"))[, -(1:2)])
  p$newborn_state <- as.matrix(sorted(rd("newborn_state.csv"), "sex")[, -1])

  # Per-year coefficients as cohort x column matrices, split by year.
  by_year <- function(df, columns) {
    df <- sorted(df, c("year", "sex", "age"))
    lapply(seq_len(Y), function(y) as.matrix(df[(y - 1L) * C + seq_len(C), columns, drop = FALSE]))
  }
  rates <- rd("rates.csv")
  p$m_o <- by_year(rates, "other_mortality")
  p$inc <- by_year(rates, paste0("incidence.", diseases))
  p$f <- by_year(rates, paste0("case_fatality.", diseases))
  p$r <- by_year(rates, paste0("remission.", diseases))
  p$residual_share <- by_year(rates, grep("^residual_share\\.", names(rates), value = TRUE))

  tr <- sorted(rd("transitions.csv"), "transition"); nT <- nrow(tr)
  B <- matrix(0, nrow = nT, ncol = K)  # flows (rows) into/out of categories (columns)
  B[cbind(seq_len(nT), tr$to + 1L)] <- 1
  B[cbind(seq_len(nT), tr$from + 1L)] <- B[cbind(seq_len(nT), tr$from + 1L)] - 1
  p$transition_B <- B; p$transition_from <- tr$from + 1L
  p$transition_rate <- by_year(rd("transition_rates.csv"), paste0("rate_", seq_len(nT) - 1L))

  ce <- sorted(rd("category_effects.csv"), "effect")
  rr <- sorted(rd("category_rr.csv"), c("effect", "sex", "age"))
  p$category_disease <- ce$disease + 1L
  p$category_rr <- lapply(seq_len(nrow(ce)), function(e)
    as.matrix(rr[(e - 1L) * C + seq_len(C), paste0("rr_", seq_len(K) - 1L)]))
  p$category_base <- matrix(rr$base_mean_rr, nrow = C)  # cohort x effect

  pe <- sorted(rd("prevalence_effects.csv"), "effect")
  p$prevalence_from <- pe$from + 1L; p$prevalence_to <- pe$to + 1L
  vals <- rd("prevalence_effect_values.csv")
  p$prevalence_slope <- by_year(vals, paste0("slope_", seq_len(nrow(pe)) - 1L))
  p$prevalence_base <- by_year(vals, paste0("base_", seq_len(nrow(pe)) - 1L))
  p
}

# State columns of a cohort, as in the engine: N, PY, other deaths, deaths (D), incident cases
# (D), prevalences (D), category shares (K); per person alive at entry.
layout <- function(D, K) list(deaths = 3 + seq_len(D), incidence = 3 + D + seq_len(D),
                              prevalence = 3 + 2 * D + seq_len(D),
                              shares = 3 + 3 * D + seq_len(K), size = 3 + 3 * D + K)

# The coefficients of the cohorts `rows` (1..C) in year y.
coefficients <- function(p, y, rows) {
  list(n = length(rows), m_o = p$m_o[[y]][rows, 1], inc = p$inc[[y]][rows, , drop = FALSE],
       f = p$f[[y]][rows, , drop = FALSE], r = p$r[[y]][rows, , drop = FALSE],
       rate = p$transition_rate[[y]][rows, , drop = FALSE],
       rr = lapply(p$category_rr, function(m) m[rows, , drop = FALSE]),
       rr_base = p$category_base[rows, , drop = FALSE],
       slope = p$prevalence_slope[[y]][rows, , drop = FALSE],
       pbase = p$prevalence_base[[y]][rows, , drop = FALSE])
}

make_rhs <- function(p, L) {
  ce_d <- p$category_disease; pe_from <- p$prevalence_from; pe_to <- p$prevalence_to
  B <- p$transition_B; tf <- p$transition_from
  function(t, y, cf) {
    Y <- matrix(y, nrow = cf$n)
    n <- Y[, 1]; pi <- Y[, L$prevalence, drop = FALSE]; sh <- Y[, L$shares, drop = FALSE]
    # Incidence scaled by the categorical factors' mean RR and the disease-to-disease effects.
    i <- cf$inc
    for (e in seq_along(ce_d))
      i[, ce_d[e]] <- i[, ce_d[e]] * rowSums(sh * cf$rr[[e]]) / cf$rr_base[, e]
    for (e in seq_along(pe_to))
      i[, pe_to[e]] <- i[, pe_to[e]] * (1 + cf$slope[, e] * pi[, pe_from[e]]) / cf$pbase[, e]
    fpi <- cf$f * pi
    list(c(-(cf$m_o + rowSums(fpi)) * n, n, cf$m_o * n, fpi * n, i * (1 - pi) * n,
           i * (1 - pi) - cf$r * pi - fpi * (1 - pi), (cf$rate * sh[, tf, drop = FALSE]) %*% B))
  }
}

# Carries the cohorts `rows` (n0 persons, per-person state rows) from tau0 to the year end.
advance <- function(p, L, rhs, y, rows, n0, state, tau0, clock) {
  cf <- coefficients(p, y, rows)
  nc <- length(rows)
  y0 <- matrix(0, nrow = nc, ncol = L$size)
  y0[, 1] <- 1
  y0[, L$prevalence] <- state[, seq_len(p$D)]
  y0[, L$shares] <- state[, p$D + seq_len(p$K)]
  t0 <- proc.time()[["elapsed"]]
  out <- ode(y = as.vector(y0), times = c(tau0, 1), func = rhs, parms = cf, method = "ode45",
             rtol = p$rtol, atol = p$atol)
  clock$ode <- clock$ode + proc.time()[["elapsed"]] - t0
  if (nrow(out) < 2 || out[2, 1] != 1) stop(sprintf("ode failed in year %d", p$years[y]))
  Y1 <- matrix(out[2, -1], nrow = nc)
  alive <- n0 > 0  # the engine leaves empty cohorts as they are
  survivors <- ifelse(alive, n0 * Y1[, 1], pmax(n0, 0))
  person_years <- ifelse(alive, n0 * Y1[, 2], 0)
  # Deaths by cause rescaled to sum exactly to n0 - survivors (the population balances).
  integrated <- Y1[, 3] + rowSums(Y1[, L$deaths, drop = FALSE])
  scale <- ifelse(alive & integrated > 0, (n0 - survivors) / (n0 * integrated), 0)
  other <- n0 * Y1[, 3] * scale
  residual <- other * p$residual_share[[y]][rows, , drop = FALSE]
  deaths <- cbind(n0 * Y1[, L$deaths, drop = FALSE] * scale, residual, other - rowSums(residual))
  end <- cbind(pmin(pmax(Y1[, L$prevalence, drop = FALSE], 0), 1),
               pmax(Y1[, L$shares, drop = FALSE], 0))
  end[!alive, ] <- state[!alive, ]
  list(survivors = survivors, person_years = person_years, deaths = deaths, state = end)
}

coale_demeny_a0 <- function(m0, sex) {
  female <- if (m0 >= 0.107) 0.350 else 0.053 + 2.800 * m0
  male <- if (m0 >= 0.107) 0.330 else 0.045 + 2.684 * m0
  switch(sex, female = female, male = male, total = (1.05 * male + female) / 2.05)
}

# Period life expectancy at birth on single years, 100+ open (the engine's life_table).
e0 <- function(deaths, person_years, sex) {
  m <- ifelse(person_years > 0, deaths / person_years, 0)
  a <- c(coale_demeny_a0(m[1], sex), rep(0.5, A - 1))
  q <- c(pmin(1, m / (1 + (1 - a) * m))[-A], 1)
  l <- c(1, cumprod(1 - q[-A]))
  L <- c(l[-1] + a[-A] * l[-A] * q[-A], l[A] / m[A])
  sum(L) / l[1]
}

project <- function(p) {
  L <- layout(p$D, p$K)
  rhs <- make_rhs(p, L)
  clock <- new.env(); clock$ode <- 0
  population <- p$population; state <- p$initial_state
  newborn_rows <- c(1L, A + 1L)  # age 0 of each sex
  out <- vector("list", length(p$years))
  for (y in seq_along(p$years)) {
    half <- 0.5 * p$net_migration[, y]
    n0 <- pmax(population + half, 0)  # never below zero
    co <- advance(p, L, rhs, y, seq_len(C), n0, state, 0, clock)
    surv <- pmax(co$survivors + half, 0)
    py <- co$person_years; deaths <- co$deaths; end <- co$state
    # Births from women's person-years; boys are srb / (1 + srb) of them.
    births <- sum(p$asfr[, y] * py[1:A])
    srb <- p$srb[y]
    born <- c(births / (1 + srb), births * srb / (1 + srb))
    nb <- advance(p, L, rhs, y, newborn_rows, born, p$newborn_state, p$newborn_entry, clock)
    py[newborn_rows] <- py[newborn_rows] + nb$person_years
    deaths[newborn_rows, ] <- deaths[newborn_rows, ] + nb$deaths
    # Ageing: a -> a + 1; the open group keeps its survivors and receives the 99-year-olds.
    nxt <- numeric(C); nxt_state <- matrix(0, nrow = C, ncol = ncol(state))
    for (s in 0:1) {
      rows <- s * A + seq_len(A)
      nxt[rows[2:(A - 1)]] <- surv[rows[1:(A - 2)]]
      nxt_state[rows[2:(A - 1)], ] <- end[rows[1:(A - 2)], ]
      w99 <- surv[rows[A - 1]]; w100 <- surv[rows[A]]
      nxt[rows[A]] <- w99 + w100
      nxt_state[rows[A], ] <- if (w99 + w100 > 0)
        (end[rows[A - 1], ] * w99 + end[rows[A], ] * w100) / (w99 + w100) else end[rows[A], ]
      nxt[rows[1]] <- nb$survivors[s + 1]
      nxt_state[rows[1], ] <- nb$state[s + 1, ]
    }
    d_age <- matrix(rowSums(deaths), nrow = A); py_age <- matrix(py, nrow = A)
    by_cause <- rbind(colSums(deaths[1:A, , drop = FALSE]), colSums(deaths[A + 1:A, , drop = FALSE]))
    pop_sex <- colSums(matrix(population, nrow = A))
    rows <- list()
    for (s in 1:3) {
      if (s == 3) {
        sex <- "total"; d <- rowSums(d_age); pyv <- rowSums(py_age); bc <- colSums(by_cause)
        b <- sum(born); nj <- sum(pop_sex)
      } else {
        sex <- SEXES[s]; d <- d_age[, s]; pyv <- py_age[, s]; bc <- by_cause[s, ]
        b <- born[s]; nj <- pop_sex[s]
      }
      rows[[s]] <- data.frame(
        year = p$years[y], sex = sex,
        quantity = c("life_expectancy", "deaths", "births", "population",
                     rep("deaths_by_cause", length(p$causes))),
        cause = c("", "", "", "", p$causes),
        value = c(e0(d, pyv, sex), sum(d), b, nj, bc))
    }
    out[[y]] <- do.call(rbind, rows)
    population <- nxt; state <- nxt_state
  }
  list(table = do.call(rbind, out), ode = clock$ode)
}

t0 <- proc.time()[["elapsed"]]
problem <- load_problem(folder)
read_s <- proc.time()[["elapsed"]] - t0
cpu <- function() { t <- proc.time(); t[["user.self"]] + t[["sys.self"]] }
for (run in seq_len(runs)) {
  t0 <- proc.time()[["elapsed"]]; c0 <- cpu()
  res <- project(problem)
  total <- proc.time()[["elapsed"]] - t0
  message(sprintf("timing r read_s=%.4f projection_s=%.4f cpu_s=%.4f ode_s=%.4f", read_s, total,
                  cpu() - c0, res$ode))
}
tab <- res$table
tab$value <- sprintf("%.17g", tab$value)
write.csv(tab, output, row.names = FALSE, quote = FALSE)
