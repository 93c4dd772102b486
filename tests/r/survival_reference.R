# Reference values for carbook.survival, from R's survival and cmprsk packages.
# Run from the repository root:  Rscript tests/r/survival_reference.R
# Writes the datasets it uses (exported once from R's survival package) and the
# reference values to tests/fixtures/survival_*.csv; the tests never need R.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
options(digits = 15)
out <- "tests/fixtures"

# Data: survival::lung (complete cases of the columns used), status recoded 0/1 -----
lung2 <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog", "ph.karno",
                                      "wt.loss")]), c("time", "status", "age", "sex", "ph.ecog",
                                                      "ph.karno", "wt.loss")]
lung2$status <- lung2$status - 1
lung2$female <- as.integer(lung2$sex == 2)
lung2$old <- as.integer(lung2$age > 65)
write.csv(lung2, "data/validation/lung.csv", row.names = FALSE)  # the book uses it too

# Kaplan-Meier at landmarks and quantiles, three transforms -----------------------
rows <- list(); qrows <- list()
for (ct in c("log", "log-log", "plain")) {
  fit <- survfit(Surv(time, status) ~ 1, data = lung2, conf.type = ct)
  s <- summary(fit, times = c(90, 180, 365, 540, 730))
  rows[[ct]] <- data.frame(conf_type = ct, time = s$time, surv = s$surv, std_err = s$std.err / s$surv,
                           lower = s$lower, upper = s$upper)
  q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
  qrows[[ct]] <- data.frame(conf_type = ct, p = c(0.25, 0.5, 0.75), est = unname(q$quantile),
                            lower = unname(q$lower), upper = unname(q$upper))
}
write.csv(do.call(rbind, rows), file.path(out, "survival_km.csv"), row.names = FALSE)
write.csv(do.call(rbind, qrows), file.path(out, "survival_km_quantile.csv"), row.names = FALSE)

# The flat-at-0.5 median rule (R takes the midpoint) ---------------------------------
flat <- survfit(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ 1)
# Reverse Kaplan-Meier follow-up --------------------------------------------------
rev <- quantile(survfit(Surv(time, 1 - status) ~ 1, data = lung2), probs = c(0.25, 0.5, 0.75))
write.csv(data.frame(quantity = c("flat_median", "fu_q25", "fu_median", "fu_q75"),
                     value = c(unname(quantile(flat, 0.5)$quantile), unname(rev$quantile))),
          file.path(out, "survival_misc.csv"), row.names = FALSE)

# Univariate Cox, Efron ties ------------------------------------------------------
covs <- c("age", "female", "ph.ecog", "ph.karno", "wt.loss", "old")
rows <- list()
for (v in covs) {
  f <- coxph(as.formula(paste("Surv(time, status) ~", v)), data = lung2, ties = "efron")
  s <- summary(f)
  rows[[v]] <- data.frame(covariate = v, coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))),
                          lower = s$conf.int[, "lower .95"], upper = s$conf.int[, "upper .95"],
                          p = s$coefficients[, "Pr(>|z|)"], loglik = f$loglik[2])
}
write.csv(do.call(rbind, rows), file.path(out, "survival_cox.csv"), row.names = FALSE)

# Cumulative incidence: survival::mgus2, progression (1) vs death (2) ---------------
m <- head(mgus2[order(mgus2$id), ], 300)
m$etime <- with(m, ifelse(pstat == 0, futime, ptime))
m$event <- with(m, ifelse(pstat == 0, 2 * death, 1))
write.csv(m[, c("etime", "event")], file.path(out, "survival_mgus2.csv"), row.names = FALSE)
ci <- cuminc(m$etime, m$event)
tp <- timepoints(ci, times = c(12, 60, 120, 240))
rows <- list()
for (k in c("1 1", "1 2")) {
  rows[[k]] <- data.frame(cause = as.integer(substr(k, 3, 3)), time = c(12, 60, 120, 240),
                          est = unname(tp$est[k, ]), var = unname(tp$var[k, ]))
}
write.csv(do.call(rbind, rows), file.path(out, "survival_cuminc.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("survival", packageVersion("survival")),
             paste("cmprsk", packageVersion("cmprsk"))), file.path(out, "survival_R_version.txt"))

# Time-dependent 0/1 covariate switching on once (counting process, Efron) -----------
set.seed(2021)
n <- 60
td <- data.frame(time = round(rexp(n, 1 / 10), 1) + 0.1, event = rbinom(n, 1, 0.7))
td$switch <- ifelse(runif(n) < 0.6, round(td$time * runif(n), 1), NA)
write.csv(td, file.path(out, "survival_td.csv"), row.names = FALSE)
long <- do.call(rbind, lapply(seq_len(n), function(i) {
  s <- td$switch[i]; t <- td$time[i]; e <- td$event[i]
  if (is.na(s) || s >= t) return(data.frame(start = 0, stop = t, event = e, x = 0))
  if (s <= 0) return(data.frame(start = 0, stop = t, event = e, x = 1))
  data.frame(start = c(0, s), stop = c(s, t), event = c(0, e), x = c(0, 1))
}))
f <- coxph(Surv(start, stop, event) ~ x, data = long, ties = "efron")
write.csv(data.frame(coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f))))),
          file.path(out, "survival_td_cox.csv"), row.names = FALSE)

# Multivariable Cox, Efron ties (carbook.survival.cox_multi) -----------------------
f <- coxph(Surv(time, status) ~ age + female + ph.ecog + wt.loss, data = lung2, ties = "efron")
s <- summary(f)
write.csv(data.frame(covariate = names(coef(f)), coef = unname(coef(f)),
                     se = unname(sqrt(diag(vcov(f)))), p = s$coefficients[, "Pr(>|z|)"]),
          file.path(out, "survival_cox_multi.csv"), row.names = FALSE)
