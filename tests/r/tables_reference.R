# Reference values for carbook.tables, produced with base R (stats).
# Run from the repository root:  Rscript tests/r/tables_reference.R
# Output: tests/fixtures/tables_*.csv (committed; the tests read them, never R).
options(digits = 15)
out <- "tests/fixtures"

# Proportion CIs ------------------------------------------------------------
props <- data.frame(x = c(34, 38, 9, 7, 0, 1, 14, 2, 64, 13, 43),
                    n = c(43, 43, 43, 12, 10, 10, 26, 9, 79, 30, 43))
rows <- list()
for (i in seq_len(nrow(props))) {
  x <- props$x[i]; n <- props$n[i]; p <- x / n; z <- qnorm(0.975)
  add <- function(method, ci) rows[[length(rows) + 1]] <<- data.frame(
    x = x, n = n, method = method, low = ci[1], high = ci[2])
  add("clopper_pearson", binom.test(x, n)$conf.int)
  add("wilson", suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int)
  add("wilson_cc", suppressWarnings(prop.test(x, n, correct = TRUE))$conf.int)
  add("wald", p + c(-1, 1) * z * sqrt(p * (1 - p) / n))
  add("wald_cc", p + c(-1, 1) * (z * sqrt(p * (1 - p) / n) + 1 / (2 * n)))
  add("jeffreys", qbeta(c(0.025, 0.975), x + 0.5, n - x + 0.5))
  if (x > 0 && x < n) add("t_mean", t.test(c(rep(1, x), rep(0, n - x)))$conf.int)
}
write.csv(do.call(rbind, rows), file.path(out, "tables_proportion_ci.csv"), row.names = FALSE)

# Contingency tables ---------------------------------------------------------
# Each table as "a,b,c;d,e,f" (rows separated by ';'). Includes Table 1 rows of
# Wudhikarn 2021 (progressed vs not) and generic cases with small cells.
tabs <- c("17,21;3,15", "10,7,21;10,1,7", "26,11,1;5,6,6", "28,10;14,4",
          "6,32;9,9", "13,25;4,14", "5,0;0,5", "3,1,1;1,3,1;1,1,3",
          "20,15,5,2;8,12,10,9", "12,5;3,9", "2,8;7,3")
parse_tab <- function(s) {
  r <- lapply(strsplit(strsplit(s, ";")[[1]], ","), as.numeric)
  matrix(unlist(r), nrow = length(r), byrow = TRUE)
}
rows <- list()
for (s in tabs) {
  m <- parse_tab(s)
  f <- fisher.test(m)
  c0 <- suppressWarnings(chisq.test(m, correct = FALSE))
  c1 <- suppressWarnings(chisq.test(m, correct = TRUE))
  rows[[length(rows) + 1]] <- data.frame(
    table = s, test = c("fisher.test", "chisq.test(correct = FALSE)", "chisq.test"),
    statistic = c(NA, unname(c0$statistic), unname(c1$statistic)),
    pvalue = c(f$p.value, c0$p.value, c1$p.value))
}
write.csv(do.call(rbind, rows), file.path(out, "tables_contingency.csv"), row.names = FALSE)

# Wilcoxon rank-sum ----------------------------------------------------------
samples <- list(
  c("1.1,2.2,3.3,4.4", "5.5,6.6,7.7"),
  c("42.5,23,74,51,38,60,29", "55,23,68,70,49"),
  c("3,2,7,3,4,2,5", "2,1,7,2,3"),
  c("0.72,1.37,2.58,1.2,1.6", "0.79,1.54,6.75,2.2"))
rows <- list()
for (s in samples) {
  x <- as.numeric(strsplit(s[1], ",")[[1]]); y <- as.numeric(strsplit(s[2], ",")[[1]])
  w <- suppressWarnings(wilcox.test(x, y))
  rows[[length(rows) + 1]] <- data.frame(x = s[1], y = s[2],
    statistic = unname(w$statistic), pvalue = w$p.value)
}
write.csv(do.call(rbind, rows), file.path(out, "tables_wilcoxon.csv"), row.names = FALSE)
writeLines(c(R.version.string, paste("written", Sys.Date())), file.path(out, "tables_R_version.txt"))

# Wilcoxon signed-rank (paired) -----------------------------------------------
pairs <- list(
  c("62719,2320302,197262,26210,20400", "13353,746,200363,35800,18900"),
  c("62719,5208,2320302,0,197262,34183,26210,0,129980,20400",
    "13353,0,746,0,200363,0,35800,177758,0,18900"),
  c("1.83,0.50,1.62,2.48,1.68,1.88,1.55,3.06,1.30", "0.878,0.647,0.598,2.05,1.06,1.29,1.06,3.14,1.29"),
  c("1,2,3,4,5,6", "1.5,2.5,2.5,5,4,7.5"))
rows <- list()
for (s in pairs) {
  x <- as.numeric(strsplit(s[1], ",")[[1]]); y <- as.numeric(strsplit(s[2], ",")[[1]])
  w <- suppressWarnings(wilcox.test(x, y, paired = TRUE))
  rows[[length(rows) + 1]] <- data.frame(x = s[1], y = s[2],
    statistic = unname(w$statistic), pvalue = w$p.value)
}
write.csv(do.call(rbind, rows), file.path(out, "tables_signed_rank.csv"), row.names = FALSE)
