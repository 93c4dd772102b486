# fisher.test on tables whose probability is tied with other tables of the same
# margins (symmetric margins): R counts a table as "as or more extreme" when its
# probability is at most the observed one times (1 + 1e-7) for 2x2 (dhyper), or
# when its log path length is within FEXACT's tol = 3.45254e-7 for larger tables,
# so exact ties are counted. Run from the repository root:
#   Rscript tests/r/fisher_ties_reference.R
# Writes tests/fixtures/fisher_ties_R.csv (cells row by row, R call beside each P).
options(digits = 15)
tabs <- list(
  tie_2x2 = matrix(c(3, 1, 1, 3), 2, byrow = TRUE),
  tie_2x3 = matrix(c(2, 0, 1, 0, 2, 1), 2, byrow = TRUE),
  tie_3x3 = matrix(c(2, 1, 0, 0, 2, 1, 1, 0, 2), 3, byrow = TRUE),
  tie_4x4 = matrix(c(3, 1, 0, 0, 0, 3, 1, 0, 0, 0, 3, 1, 1, 0, 0, 3), 4, byrow = TRUE),
  tie_3x5 = matrix(c(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 3, byrow = TRUE)
)
out <- do.call(rbind, lapply(names(tabs), function(nm) {
  t <- tabs[[nm]]
  data.frame(table = nm, nrow = nrow(t), ncol = ncol(t),
             cells = paste(as.integer(t(t)), collapse = " "),
             p_value = fisher.test(t)$p.value,
             call = sprintf("fisher.test(matrix(c(%s), %d, byrow = TRUE))$p.value",
                            paste(as.integer(t(t)), collapse = ", "), nrow(t)))
}))
write.csv(out, "tests/fixtures/fisher_ties_R.csv", row.names = FALSE)
