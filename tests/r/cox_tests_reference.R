# Reference values for the Cox fits' three tests and their edge cases
# (carbook.survival.cox_batch, cox_multi, cox_tests, cox_switch).
# Run from the repository root:  Rscript tests/r/cox_tests_reference.R
# Writes tests/fixtures/cox_tests.csv (long: case, term, quantity, value, r_call) and
# the hand-made data it fits (tests/fixtures/cox_edge_data.csv) and survival::veteran
# (data/validation/veteran.csv, also the methods chapter's second validation data set).
suppressPackageStartupMessages(library(survival))
options(digits = 15, warn = 1)
out <- "tests/fixtures"
lung2 <- read.csv("data/validation/lung.csv")
vet <- veteran[, c("time", "status", "trt", "karno", "age", "diagtime", "prior", "celltype")]
vet$trt <- vet$trt - 1
vet$prior <- as.integer(vet$prior == 10)
vet$celltype <- as.character(vet$celltype)
write.csv(vet, "data/validation/veteran.csv", row.names = FALSE)  # the book uses it too
vet$karno20000 <- vet$karno + 20000

# Hand-made edge data: a group without events (separation), a constant column,
# and the 15-row counting-process example where undamped Newton diverges.
edge <- data.frame(time = 1:10, event = c(1, 1, 1, 1, 0, 1, 0, 1, 0, 0),
                   g = c(0, 0, 0, 0, 1, 0, 1, 0, 1, 1), z = c(3, 1, 4, 1, 5, 9, 2, 6, 5, 3),
                   const = 5)
sw <- data.frame(time = c(1, 1, 25, 6, 10, 3, 10, 6, 17, 5, 43, 3, 39, 19, 6),
                 event = c(0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1),
                 switch = c(NA, NA, NA, 6, 9, NA, 10, 5, NA, 3, 32, 2, NA, NA, NA))
write.csv(edge, file.path(out, "cox_edge_data.csv"), row.names = FALSE)
write.csv(sw, file.path(out, "cox_switch15_data.csv"), row.names = FALSE)

counting <- function(td) {
  do.call(rbind, lapply(seq_len(nrow(td)), function(i) {
    s <- td$switch[i]; t <- td$time[i]; e <- td$event[i]
    if (is.na(s) || s >= t) return(data.frame(start = 0, stop = t, event = e, x = 0))
    if (s <= 0) return(data.frame(start = 0, stop = t, event = e, x = 1))
    data.frame(start = c(0, s), stop = c(s, t), event = c(0, e), x = c(0, 1))
  }))
}
long15 <- counting(sw)
longtd <- counting(read.csv(file.path(out, "survival_td.csv")))

rows <- list()
record <- function(case, call) {
  warn <- ""
  fit <- withCallingHandlers(eval(parse(text = call)), warning = function(w) {
    warn <<- paste(warn, conditionMessage(w)); invokeRestart("muffleWarning")
  })
  s <- summary(fit)
  cf <- s$coefficients
  terms <- rownames(cf)
  per_term <- do.call(rbind, lapply(seq_along(terms), function(j) data.frame(
    case = case, term = terms[j], quantity = c("coef", "se", "p"),
    value = unname(c(cf[j, "coef"], cf[j, "se(coef)"], cf[j, "Pr(>|z|)"])),
    r_call = paste0("summary(", call, ")$coefficients[", j, ", c('coef', 'se(coef)', 'Pr(>|z|)')]"))))
  glob <- data.frame(
    case = case, term = "(model)",
    quantity = c("loglik0", "loglik", "lr_chisq", "lr_df", "lr_p", "wald_chisq", "wald_p",
                 "score_chisq", "score_p", "infinite_warning"),
    value = c(fit$loglik[1], fit$loglik[2], s$logtest[["test"]], s$logtest[["df"]],
              s$logtest[["pvalue"]], fit$wald.test, s$waldtest[["pvalue"]],
              fit$score, s$sctest[["pvalue"]], as.numeric(grepl("infinite", warn))),
    r_call = c(paste0(call, "$loglik[1]"), paste0(call, "$loglik[2]"),
               paste0("summary(", call, ")$logtest[", c("'test'", "'df'", "'pvalue'"), "]"),
               paste0(call, "$wald.test"), paste0("summary(", call, ")$waldtest['pvalue']"),
               paste0(call, "$score"), paste0("summary(", call, ")$sctest['pvalue']"),
               paste0("grepl('infinite', warning of ", call, ")")))
  rows[[case]] <<- rbind(per_term, glob)
}

for (v in c("age", "female", "ph.ecog", "wt.loss")) {
  record(paste0("lung_", v), paste0("coxph(Surv(time, status) ~ ", v, ", data = lung2)"))
}
record("lung_multi", "coxph(Surv(time, status) ~ age + female + ph.ecog + wt.loss, data = lung2)")
record("veteran_karno20000", "coxph(Surv(time, status) ~ karno20000, data = vet)")
record("veteran_multi20000", "coxph(Surv(time, status) ~ trt + karno20000 + age, data = vet)")
record("edge_separation", "coxph(Surv(time, event) ~ g, data = edge)")
# R's default iter.max = 20 stops one step short here ("Ran out of iterations");
# carbook's max_iter is 30, so the reference uses the same.
record("edge_separation_multi",
       "coxph(Surv(time, event) ~ g + z, data = edge, control = coxph.control(iter.max = 30))")
record("edge_constant_multi", "coxph(Surv(time, event) ~ z + const, data = edge)")
lung2$age2 <- 2 * lung2$age
record("lung_collinear", "coxph(Surv(time, status) ~ age + age2 + female, data = lung2)")
record("switch15", "coxph(Surv(start, stop, event) ~ x, data = long15)")
record("switch_td", "coxph(Surv(start, stop, event) ~ x, data = longtd)")
res <- do.call(rbind, rows)
write.csv(res, file.path(out, "cox_tests.csv"), row.names = FALSE)
