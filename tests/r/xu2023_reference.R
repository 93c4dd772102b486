# Reference values for carbook.studies.xu2023 and the log-rank target kind.
# Run from the repository root:  Rscript tests/r/xu2023_reference.R
# Writes tests/fixtures/xu2023_reference.csv (one row per number, with the R call).
library(survival)
rows <- list()
add <- function(case, quantity, value, r_call) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, quantity = quantity, value = value,
                                          r_call = r_call)
}
# the two CART2 vs CART1 tables (rows CART2, CART1; columns event, no event)
tabs <- list(cr_cart2_vs_cart1_p = rbind(c(14, 12), c(64, 15)),
             severe_crs_p = rbind(c(2, 24), c(24, 55)))
for (nm in names(tabs)) {
  x <- tabs[[nm]]
  lit <- sprintf("rbind(c(%d, %d), c(%d, %d))", x[1, 1], x[1, 2], x[2, 1], x[2, 2])
  add(nm, "chisq.test(correct = FALSE)", suppressWarnings(chisq.test(x, correct = FALSE)$p.value),
      sprintf("chisq.test(%s, correct = FALSE)$p.value", lit))
  add(nm, "chisq.test", suppressWarnings(chisq.test(x)$p.value),
      sprintf("chisq.test(%s)$p.value", lit))
  add(nm, "fisher.test", fisher.test(x)$p.value, sprintf("fisher.test(%s)$p.value", lit))
}
three <- rbind(c(6, 1), c(2, 5), c(2, 13))
lit3 <- "rbind(c(6, 1), c(2, 5), c(2, 13))"
add("three_group", "fisher.test", fisher.test(three)$p.value, sprintf("fisher.test(%s)$p.value", lit3))
add("three_group", "chisq.test", suppressWarnings(chisq.test(three)$p.value),
    sprintf("chisq.test(%s)$p.value", lit3))
# exact intervals of every printed proportion
props <- list(crs_cart2_pct = c(17, 26), crs_g1_pct = c(11, 26), crs_g2_pct = c(4, 26),
              crs_g3_pct = c(2, 26), neurotox_pct = c(1, 26), cr_cart2_pct = c(14, 26),
              cr_cart1_pct = c(64, 79), severe_crs_cart1_pct = c(24, 79),
              cr_postallo_pct = c(8, 10), cr_adj_postallo_pct = c(6, 7),
              cr_adj_noallo_cart2_pct = c(2, 7), cr_adj_noallo_other_pct = c(2, 15))
for (nm in names(props)) {
  xn <- props[[nm]]
  ci <- binom.test(xn[1], xn[2])$conf.int
  call <- sprintf("binom.test(%d, %d)$conf.int", xn[1], xn[2])
  add(nm, "low", 100 * ci[1], paste0("100 * ", call, "[1]"))
  add(nm, "high", 100 * ci[2], paste0("100 * ", call, "[2]"))
}
# the log-rank P values on the committed SYNTHETIC cohort (seed 1), groups as targets.yaml
d <- read.csv("data/xu2023/synthetic_cohort_seed1.csv")
for (ref in c("noallo_adj", "other")) {
  s <- d[d$group %in% c("allo_adj", ref), ]
  s$allo <- as.integer(s$group == "allo_adj")
  sd <- survdiff(Surv(time, event) ~ allo, data = s)
  add(paste0("synthetic_os_allo_adj_vs_", ref), "p", pchisq(sd$chisq, 1, lower.tail = FALSE),
      sprintf("survdiff(Surv(time, event) ~ allo, data = subset(seed1, group %%in%% c('allo_adj', '%s')))", ref))
}
out <- do.call(rbind, rows)
write.csv(out, "tests/fixtures/xu2023_reference.csv", row.names = FALSE)
writeLines(R.version.string, "tests/fixtures/xu2023_R_version.txt")
