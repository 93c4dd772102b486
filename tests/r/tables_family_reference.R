# Reference values for the test families of carbook.tables (issue 13), base R only.
# Run from the repository root:  Rscript tests/r/tables_family_reference.R
# Output: tests/fixtures/tables_family.csv (committed; the tests read it, never R).
# Each row names the R call that produced the P value.
options(digits = 15)
out <- "tests/fixtures"
num <- function(s) as.numeric(strsplit(s, ",")[[1]])
rows <- list()
add <- function(kind, x, y, call, p) rows[[length(rows) + 1]] <<- data.frame(
  kind = kind, x = x, y = y, call = call, pvalue = p)

# mid-P of a 2x2 table, as epitools::ormidp.test: 2 * min(one-sided mid-P) -------------
midp <- function(a, b, c, d) {
  m <- a + c; n <- b + d; k <- a + b
  lower <- phyper(a - 1, m, n, k) + dhyper(a, m, n, k) / 2
  upper <- phyper(a, m, n, k, lower.tail = FALSE) + dhyper(a, m, n, k) / 2
  min(1, 2 * min(lower, upper))
}
for (s in c("17,21;3,15", "6,32;9,9", "26,12;5,13", "28,10;14,4", "2,8;7,3", "5,0;0,5")) {
  v <- num(gsub(";", ",", s))
  add("contingency", s, "", "midp", midp(v[1], v[2], v[3], v[4]))
}

# Two samples (Figure 4 of Wudhikarn 2021 and generic cases) ----------------------------
two <- list(
  c("62719,5208,2320302,197262,34183,26210,129980,20400", "13353,746,200363,35800,177758,18900"),
  c("62719,5208,2320302,197262,34183,26210,129980,20400", "13353,0,746,0,200363,0,35800,177758,0,18900"),
  c("62719,5208,2320302,0,197262,34183,26210,129980,20400", "13353,0,746,0,200363,0,35800,177758,0,18900"),
  c("1.1,2.2,3.3,4.4", "5.5,6.6,7.7"),
  c("3,2,7,3,4,2,5", "2,1,7,2,3"))
medsplit <- function(x, y) {
  g <- median(c(x, y))
  matrix(c(sum(x > g), sum(x <= g), sum(y > g), sum(y <= g)), 2, byrow = TRUE)
}
for (s in two) {
  x <- num(s[1]); y <- num(s[2])
  w <- function(...) suppressWarnings(wilcox.test(x, y, ...))$p.value
  add("two-sample", s[1], s[2], "wilcox.test", w())
  add("two-sample", s[1], s[2], "wilcox.test(exact = FALSE)", w(exact = FALSE))
  add("two-sample", s[1], s[2], "wilcox.test(exact = FALSE, correct = FALSE)",
      w(exact = FALSE, correct = FALSE))
  m <- medsplit(x, y)
  add("two-sample", s[1], s[2], "median test (chisq.test)", suppressWarnings(chisq.test(m))$p.value)
  add("two-sample", s[1], s[2], "median test (chisq.test(correct = FALSE))",
      suppressWarnings(chisq.test(m, correct = FALSE))$p.value)
  add("two-sample", s[1], s[2], "median test (fisher.test)", fisher.test(m)$p.value)
}

# Paired samples ---------------------------------------------------------------------------
paired <- list(
  c("62719,2320302,197262,26210,20400", "13353,746,200363,35800,18900"),
  c("62719,5208,2320302,197262,34183,26210,129980,20400", "13353,0,746,200363,0,35800,0,18900"),
  c("1,2,3,4,5,6", "1.5,2.5,2.5,5,4,7.5"))
for (s in paired) {
  x <- num(s[1]); y <- num(s[2])
  w <- function(...) suppressWarnings(wilcox.test(x, y, paired = TRUE, ...))$p.value
  add("paired", s[1], s[2], "wilcox.test(paired = TRUE)", w())
  add("paired", s[1], s[2], "wilcox.test(paired = TRUE, exact = FALSE)", w(exact = FALSE))
  add("paired", s[1], s[2], "wilcox.test(paired = TRUE, exact = FALSE, correct = FALSE)",
      w(exact = FALSE, correct = FALSE))
  d <- x - y
  add("paired", s[1], s[2], "sign test (binom.test)", binom.test(sum(d > 0), sum(d != 0))$p.value)
}
write.csv(do.call(rbind, rows), file.path(out, "tables_family.csv"), row.names = FALSE)
