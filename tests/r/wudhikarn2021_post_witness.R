# What R prints for the SYNTHETIC wudhikarn2021 post-progression witnesses
# (carbook.studies.wudhikarn2021.postwitness and .poststart). Run from the repository root:
#   Rscript tests/r/wudhikarn2021_post_witness.R
# Reads data/wudhikarn2021/post_witness.csv and post_start.csv and writes
# tests/fixtures/wudhikarn2021_post_witness_R.csv and wudhikarn2021_post_start_R.csv (each
# number with the R call that gives it) and the R version beside them.
suppressPackageStartupMessages(library(survival))
options(digits = 15)
fixture <- function(input, output) {
w <- read.csv(input)
med <- function(d) summary(survfit(Surv(t_post, dead) ~ 1, data = d))$table  # as print(survfit)
all <- med(w)
cr <- med(w[w$group == "cr", ])
no <- med(w[w$group == "no_cr", ])
s12 <- summary(survfit(Surv(t_post, dead) ~ 1, data = w), times = 12)
fup <- summary(survfit(Surv(t_post, 1 - dead) ~ 1, data = w))$table
salv <- w[w$group != "none", ]
salv$cr <- as.integer(salv$group == "cr")
fcr <- summary(coxph(Surv(t_post, dead) ~ cr, data = salv))                     # Efron ties
w$id <- seq_len(nrow(w))
w$sw <- ifelse(w$group == "none", NA, w$t_salvage)
long <- tmerge(w[, c("id", "t_post", "dead")], w, id = id, death = event(t_post, dead))
long <- tmerge(long, w[!is.na(w$sw), ], id = id, salvaged = tdc(sw))
long$salvaged[is.na(long$salvaged)] <- 0
ftd <- summary(coxph(Surv(tstart, tstop, death) ~ salvaged, data = long))
fttr <- summary(coxph(Surv(t_post, dead) ~ t_rr, data = w))                      # Table 3
ci <- function(f) c(f$conf.int[1, "exp(coef)"], f$conf.int[1, "lower .95"], f$conf.int[1, "upper .95"])
km3 <- function(t) c(t[["median"]], t[["0.95LCL"]], t[["0.95UCL"]])
out <- data.frame(
  claim = c(rep("os_post_prog_median_ci", 3), rep("os_post_prog_1y", 3),
            "followup_post_prog_median", rep("os_cr_salvage_median", 3),
            rep("os_nocr_salvage_median", 3), rep("cr_salvage_hr", 3), "cr_salvage_p",
            rep("t3_salvage_hr", 3), "t3_salvage_p", rep("t3_ttr_hr", 3), "t3_ttr_p"),
  part = c(rep(c("value", "low", "high"), 2), "value", rep(c("value", "low", "high"), 3),
           "value", c("value", "low", "high"), "value", c("value", "low", "high"), "value"),
  value = c(km3(all), 100 * c(s12$surv, s12$lower, s12$upper), fup[["median"]],
            km3(cr), km3(no), ci(fcr), fcr$coefficients[1, "Pr(>|z|)"],
            ci(ftd), ftd$coefficients[1, "Pr(>|z|)"], ci(fttr), fttr$logtest[["pvalue"]]),
  r_call = c(rep("summary(survfit(Surv(t_post, dead) ~ 1))$table (print(survfit))", 3),
             rep("100 * summary(survfit(Surv(t_post, dead) ~ 1), times = 12)", 3),
             "summary(survfit(Surv(t_post, 1 - dead) ~ 1))$table[['median']]",
             rep("summary(survfit(...), subset group == 'cr')$table", 3),
             rep("summary(survfit(...), subset group == 'no_cr')$table", 3),
             rep("summary(coxph(Surv(t_post, dead) ~ cr, salvaged))$conf.int", 3),
             "summary(coxph(Surv(t_post, dead) ~ cr, salvaged))$coefficients Pr(>|z|)",
             rep("summary(coxph(Surv(tstart, tstop, death) ~ salvaged)) on tmerge(tdc(t_salvage))", 3),
             "summary(coxph(Surv(tstart, tstop, death) ~ salvaged))$coefficients Pr(>|z|)",
             rep("summary(coxph(Surv(t_post, dead) ~ t_rr))$conf.int", 3),
             "summary(coxph(Surv(t_post, dead) ~ t_rr))$logtest[['pvalue']] (likelihood ratio)"))
write.csv(out, output, row.names = FALSE)
}
fixture("data/wudhikarn2021/post_witness.csv", "tests/fixtures/wudhikarn2021_post_witness_R.csv")
fixture("data/wudhikarn2021/post_start.csv", "tests/fixtures/wudhikarn2021_post_start_R.csv")
writeLines(R.version.string, "tests/fixtures/wudhikarn2021_post_witness_R_version.txt")
