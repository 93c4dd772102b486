# Reference values for the methods part (chapters/methods_*.md) and for
# carbook.survival.finegray, .graytest, .ph and .coxtests.
# Run from the repository root, after `make .venv/.installed`:
#   Rscript tests/r/methods_reference.R
# The data are lifelines' shipped CSV files (read from the venv, so R and Python see
# the same bytes) and survival::mgus2, which R writes to data/validation/mgus2.csv.
# Output: tests/fixtures/methods_*.csv, one expected number per row with the R call
# that produced it (column r_call). The tests never need R.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
options(digits = 15)
out <- "tests/fixtures"
lib <- Sys.glob(".venv/lib/python3*/site-packages/lifelines/datasets")[1]
stopifnot(!is.na(lib))
rows <- list()
add <- function(file, dataset, term, quantity, value, call) {
  rows[[length(rows) + 1]] <<- data.frame(file = file, dataset = dataset, term = term,
                                          quantity = quantity, value = unname(value),
                                          r_call = call)
}

# 1. Kaplan-Meier and the log-rank test: leukemia (Freireich 6-MP trial, lifelines' anderson)
leuk <- read.table(file.path(lib, "anderson.csv"), header = TRUE)
call <- "survdiff(Surv(t, status) ~ Rx, data = leuk)"
sd <- survdiff(Surv(t, status) ~ Rx, data = leuk)
add("km", "leukemia", "Rx", "chisq", sd$chisq, call)
add("km", "leukemia", "Rx", "p", pchisq(sd$chisq, 1, lower.tail = FALSE), call)
add("km", "leukemia", "Rx=0", "observed", sd$obs[1], call)
add("km", "leukemia", "Rx=0", "expected", sd$exp[1], call)
call <- "survdiff(Surv(t, status) ~ Rx + strata(sex), data = leuk)"
sd <- survdiff(Surv(t, status) ~ Rx + strata(sex), data = leuk)
add("km", "leukemia", "Rx|sex", "chisq", sd$chisq, call)
call <- "survdiff(Surv(t, status) ~ Rx, data = leuk, rho = 1)"
sd <- survdiff(Surv(t, status) ~ Rx, data = leuk, rho = 1)
add("km", "leukemia", "Rx", "chisq_rho1", sd$chisq, call)
for (g in 0:1) {
  call <- sprintf("quantile(survfit(Surv(t, status) ~ 1, data = subset(leuk, Rx == %d)), 0.5)", g)
  q <- quantile(survfit(Surv(t, status) ~ 1, data = subset(leuk, Rx == g)), 0.5)
  add("km", "leukemia", sprintf("Rx=%d", g), "median", q$quantile, call)
  add("km", "leukemia", sprintf("Rx=%d", g), "median_lower", q$lower, call)
  add("km", "leukemia", sprintf("Rx=%d", g), "median_upper", q$upper, call)
}

# 2. Cox models: rossi (recidivism), Wald vs likelihood-ratio vs score -----------------
rossi <- read.csv(file.path(lib, "rossi.csv"))
form <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
fit <- coxph(form, data = rossi)
s <- summary(fit)
call <- "summary(coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi))"
for (v in names(coef(fit))) {
  add("cox", "rossi", v, "coef", coef(fit)[v], call)
  add("cox", "rossi", v, "se", sqrt(diag(vcov(fit)))[v], call)
  add("cox", "rossi", v, "p", s$coefficients[v, "Pr(>|z|)"], call)
}
add("cox", "rossi", "global", "lr", s$logtest["test"], paste0(call, "$logtest"))
add("cox", "rossi", "global", "wald", fit$wald.test, sub("summary(", "", sub("))", ")$wald.test", call, fixed = TRUE), fixed = TRUE))  # summary() rounds it
add("cox", "rossi", "global", "score", s$sctest["test"], paste0(call, "$sctest"))
fit1 <- coxph(Surv(week, arrest) ~ fin, data = rossi)
s1 <- summary(fit1)
call <- "summary(coxph(Surv(week, arrest) ~ fin, data = rossi))"
add("cox", "rossi", "fin_only", "lr", s1$logtest["test"], paste0(call, "$logtest"))
add("cox", "rossi", "fin_only", "wald", fit1$wald.test, "coxph(Surv(week, arrest) ~ fin, data = rossi)$wald.test")
add("cox", "rossi", "fin_only", "score", s1$sctest["test"], paste0(call, "$sctest"))

# 3. Proportional hazards: cox.zph (survival >= 3 score test), two transforms, two data sets
for (tr in c("km", "identity", "rank")) {
  z <- cox.zph(fit, transform = tr)
  call <- sprintf("cox.zph(coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = rossi), transform = \"%s\")", tr)
  for (v in rownames(z$table)) {
    add("zph", "rossi", v, paste0("chisq_", tr), z$table[v, "chisq"], call)
    add("zph", "rossi", v, paste0("p_", tr), z$table[v, "p"], call)
  }
}
lung <- read.csv(file.path(lib, "lung.csv"))
lung <- lung[complete.cases(lung[, c("time", "status", "age", "sex", "ph.ecog")]), ]
lfit <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung,
              control = coxph.control(eps = 1e-12, toler.chol = 1e-14, iter.max = 50))
z <- cox.zph(lfit)
call <- "cox.zph(coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung, control = coxph.control(eps = 1e-12)))"
for (v in rownames(z$table)) add("zph", "lung", v, "chisq_km", z$table[v, "chisq"], call)

# 4. Competing risks: survival::mgus2, progression (1) vs death without progression (2)
m <- mgus2
m$etime <- with(m, ifelse(pstat == 0, futime, ptime))
m$event <- with(m, ifelse(pstat == 0, 2 * death, 1))
m$female <- as.integer(m$sex == "F")
m <- m[, c("id", "age", "female", "etime", "event")]
write.csv(m, "data/validation/mgus2.csv", row.names = FALSE)
ci <- cuminc(m$etime, m$event, group = m$female)
call <- "cuminc(etime, event, group = female)$Tests"
for (k in 1:2) {
  add("competing", "mgus2", sprintf("cause%d", k), "gray_stat", ci$Tests[k, "stat"], call)
  add("competing", "mgus2", sprintf("cause%d", k), "gray_p", ci$Tests[k, "pv"], call)
}
agegrp <- cut(m$age, c(0, 60, 70, 80, Inf))
ci3 <- cuminc(m$etime, m$event, group = agegrp)
call <- "cuminc(etime, event, group = cut(age, c(0, 60, 70, 80, Inf)))$Tests"
for (k in 1:2) add("competing", "mgus2", sprintf("cause%d_age4", k), "gray_stat", ci3$Tests[k, "stat"], call)
ci1 <- cuminc(m$etime, m$event, group = m$female, rho = 1)
call <- "cuminc(etime, event, group = female, rho = 1)$Tests"
add("competing", "mgus2", "cause1", "gray_stat_rho1", ci1$Tests[1, "stat"], call)

fg <- finegray(Surv(etime, factor(event, 0:2)) ~ ., data = m, etype = "1")
call <- "coxph(Surv(fgstart, fgstop, fgstatus) ~ age + female, weights = fgwt, data = finegray(Surv(etime, factor(event, 0:2)) ~ ., data = m, etype = \"1\"))"
ffit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + female, weights = fgwt, data = fg)
for (v in names(coef(ffit))) {
  add("competing", "mgus2", v, "fg_coef", coef(ffit)[v], call)
  # with non-integer weights coxph's default variance is a robust one (per row);
  # naive.var is the model-based variance, which does not depend on how rows are cut
  add("competing", "mgus2", v, "fg_naive_se", sqrt(diag(ffit$naive.var))[match(v, names(coef(ffit)))], paste0(call, "$naive.var"))
  add("competing", "mgus2", v, "fg_default_se", sqrt(diag(vcov(ffit)))[v], call)
}
add("competing", "mgus2", "all", "fg_rows", nrow(fg), "nrow(finegray(...))")
call2 <- sub("fgwt,", "fgwt, cluster = id,", call, fixed = TRUE)
rfit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ age + female, weights = fgwt, cluster = id, data = fg)
for (v in names(coef(rfit))) add("competing", "mgus2", v, "fg_robust_se", sqrt(diag(vcov(rfit)))[v], call2)
cr <- crr(m$etime, m$event, cov1 = as.matrix(m[, c("age", "female")]), failcode = 1, cencode = 0)
call <- "crr(etime, event, cov1 = cbind(age, female), failcode = 1, cencode = 0)"
for (j in 1:2) {
  v <- c("age", "female")[j]
  add("competing", "mgus2", v, "crr_coef", cr$coef[j], call)
  add("competing", "mgus2", v, "crr_se", sqrt(cr$var[j, j]), call)
}
for (k in 1:2) {
  cs <- coxph(Surv(etime, event == k) ~ age + female, data = m)
  call <- sprintf("coxph(Surv(etime, event == %d) ~ age + female, data = m)", k)
  for (v in names(coef(cs))) add("competing", "mgus2", v, sprintf("cs%d_coef", k), coef(cs)[v], call)
}

# 5. Time-dependent covariates and landmarks: Stanford heart transplant (jasa1) -------
heart <- read.csv(file.path(lib, "stanford_heart.csv"))
call <- "coxph(Surv(start, stop, event) ~ transplant + age + surgery, data = heart)"
tfit <- coxph(Surv(start, stop, event) ~ transplant + age + surgery, data = heart)
for (v in names(coef(tfit))) {
  add("timedep", "stanford", v, "td_coef", coef(tfit)[v], call)
  add("timedep", "stanford", v, "td_se", sqrt(diag(vcov(tfit)))[v], call)
}
one <- do.call(rbind, lapply(split(heart, heart$id), function(d) {
  data.frame(id = d$id[1], time = max(d$stop), event = max(d$event), ever = max(d$transplant),
             age = d$age[1], surgery = d$surgery[1],
             wait = if (any(d$transplant == 1)) min(d$start[d$transplant == 1]) else NA)
}))
call <- "coxph(Surv(time, event) ~ ever + age + surgery, data = one)  # transplant ever, at baseline"
nfit <- coxph(Surv(time, event) ~ ever + age + surgery, data = one)
for (v in names(coef(nfit))) {
  add("timedep", "stanford", sub("ever", "transplant", v), "naive_coef", coef(nfit)[v], call)
  add("timedep", "stanford", sub("ever", "transplant", v), "naive_se", sqrt(diag(vcov(nfit)))[v], call)
}
for (L in c(30, 60, 90, 180)) {
  lm <- subset(one, time > L)
  lm$tx <- as.integer(!is.na(lm$wait) & lm$wait <= L)
  lm$t <- lm$time - L
  call <- sprintf("coxph(Surv(time - %d, event) ~ tx + age + surgery, data = subset(one, time > %d))  # tx = transplanted by day %d", L, L, L)
  f <- coxph(Surv(t, event) ~ tx + age + surgery, data = lm)
  add("timedep", "stanford", "transplant", sprintf("landmark%d_coef", L), coef(f)["tx"], call)
  add("timedep", "stanford", "transplant", sprintf("landmark%d_se", L), sqrt(vcov(f)["tx", "tx"]), call)
  add("timedep", "stanford", "transplant", sprintf("landmark%d_n", L), nrow(lm), call)
}

res <- do.call(rbind, rows)
for (f in unique(res$file)) {
  write.csv(res[res$file == f, -1], file.path(out, sprintf("methods_%s.csv", f)), row.names = FALSE)
}
writeLines(c(R.version.string, paste("survival", packageVersion("survival")),
             paste("cmprsk", packageVersion("cmprsk"))), file.path(out, "methods_R_version.txt"))
