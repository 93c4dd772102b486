# Reference values for the random-effects pooling of proportions on the logit scale
# (carbook.synthesis.meta.pool_proportions). metafor 3.8 is the reference:
#   escalc(measure = "PLO", xi, ni)        logit and its variance, adding 1/2 to both cells
#                                          only in a study with x = 0 or x = n (to = "only0")
#   rma(yi, vi, method = "DL" / "PM")      DerSimonian-Laird / Paule-Mandel tau^2
#   predict(fit)                           pooled CI and prediction interval (normal quantile,
#                                          mu +- z * sqrt(se^2 + tau^2))
# Run from the repository root:  Rscript tests/r/synthesis_reference.R
# Writes tests/fixtures/synthesis_meta.csv (case, x, n, method, quantity, value, r_call) and
# tests/fixtures/synthesis_R_version.txt.
suppressPackageStartupMessages(library(metafor))
options(digits = 15, warn = 1)
out <- "tests/fixtures"

# Hand-made cases: three second-CAR T sized studies; one with a 0/n and an n/n study
# (the continuity correction); two studies (smallest k); a homogeneous set (Q = 0) and
# one with 0 < Q < k - 1 (DL tau^2 truncated at 0: the fixed-effect weights).
cases <- list(
  three = data.frame(x = c(4, 14, 2), n = c(10, 26, 9)),
  zero_cells = data.frame(x = c(0, 5, 9, 3), n = c(10, 12, 9, 20)),
  two = data.frame(x = c(7, 2), n = c(12, 9)),
  homogeneous = data.frame(x = c(5, 10, 15), n = c(10, 20, 30)),
  below_df = data.frame(x = c(3, 9, 12), n = c(10, 20, 30)),
  wide = data.frame(x = c(4, 14, 2, 34, 64, 13), n = c(10, 26, 9, 43, 79, 30))
)

rows <- list()
for (case in names(cases)) {
  d <- cases[[case]]
  es <- escalc(measure = "PLO", xi = d$x, ni = d$n)
  for (method in c("DL", "PM")) {
    fit <- rma(yi, vi, data = es, method = method)
    p <- predict(fit)
    call <- sprintf("rma(escalc('PLO', xi, ni), method = '%s')", method)
    vals <- c(mu = fit$b[1], se = fit$se, ci_lb = fit$ci.lb, ci_ub = fit$ci.ub,
              tau2 = fit$tau2, i2 = fit$I2, q = fit$QE, q_p = fit$QEp,
              pi_lb = p$pi.lb, pi_ub = p$pi.ub)
    calls <- c(mu = "$b", se = "$se", ci_lb = "$ci.lb", ci_ub = "$ci.ub", tau2 = "$tau2",
               i2 = "$I2 (percent)", q = "$QE", q_p = "$QEp",
               pi_lb = "$pi.lb", pi_ub = "$pi.ub")
    for (q in names(vals)) {
      rows[[length(rows) + 1]] <- data.frame(
        case = case, x = paste(d$x, collapse = ";"), n = paste(d$n, collapse = ";"),
        method = tolower(method), quantity = q, value = unname(vals[q]),
        r_call = if (startsWith(q, "pi_")) paste0("predict(", call, ")", calls[q])
                 else paste0(call, calls[q]))
    }
  }
}
write.csv(do.call(rbind, rows), file.path(out, "synthesis_meta.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("metafor", packageVersion("metafor"))),
           file.path(out, "synthesis_R_version.txt"))
