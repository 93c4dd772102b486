# What R prints for the SYNTHETIC wudhikarn2021 OS witness (carbook.studies.wudhikarn2021.figure1).
# Run from the repository root:  Rscript tests/r/wudhikarn2021_os_witness.R
# Reads tests/fixtures/wudhikarn2021_os_witness.csv (written by os_witness()) and writes
# tests/fixtures/wudhikarn2021_os_witness_R.csv: each printed number with the R call that gives it.
suppressPackageStartupMessages(library(survival))
options(digits = 15)
w <- read.csv("tests/fixtures/wudhikarn2021_os_witness.csv")
fit <- survfit(Surv(time, dead) ~ 1, data = w)                      # conf.type = "log" (default)
tab <- summary(fit)$table                                           # as print(fit)
s36 <- summary(fit, times = 36)
rev <- survfit(Surv(time, 1 - dead) ~ 1, data = w)                  # reverse Kaplan-Meier
rtab <- summary(rev)$table
q <- quantile(rev, probs = c(0.25, 0.75), conf.int = FALSE)
out <- data.frame(
  claim = c("fig1_os_median", "fig1_os_median", "fig1_os_median",
            "fig1_os_3y", "fig1_os_3y", "fig1_os_3y",
            "res_followup_median", "res_followup_median", "res_followup_median"),
  part = rep(c("value", "low", "high"), 3),
  value = c(tab[["median"]], tab[["0.95LCL"]], tab[["0.95UCL"]],
            100 * s36$surv, 100 * s36$lower, 100 * s36$upper,
            rtab[["median"]], unname(q[1]), unname(q[2])),
  r_call = c(rep("summary(survfit(Surv(time, dead) ~ 1))$table (print(survfit))", 3),
             rep("100 * summary(survfit(Surv(time, dead) ~ 1), times = 36)", 3),
             "summary(survfit(Surv(time, 1 - dead) ~ 1))$table[['median']]",
             rep("quantile(survfit(Surv(time, 1 - dead) ~ 1), c(.25, .75))", 2)))
write.csv(out, "tests/fixtures/wudhikarn2021_os_witness_R.csv", row.names = FALSE)
