# R parity suite: reference values on R datasets the other tests do not use
# (survival's veteran, ovarian, aml, colon, pbc, cgd, jasa, myeloid) and hand-made
# edge cases. Run from the repository root:  Rscript tests/r/parity_reference.R
# Writes tests/fixtures/parity/data_<case>.csv (the data each case fits) and
# tests/fixtures/parity_<area>.csv, long: case, key, quantity, value, r_call.
# The tests (tests/test_parity.py) never need R.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
options(digits = 15, warn = 1)
out <- "tests/fixtures"
dd <- file.path(out, "parity")
dir.create(dd, showWarnings = FALSE)
rows <- new.env()
add <- function(area, case, key, quantity, value, r_call) {
  df <- data.frame(case = case, key = key, quantity = quantity, value = as.numeric(value),
                   r_call = r_call)
  rows[[area]] <- rbind(rows[[area]], df)
}
save_data <- function(case, d) write.csv(d, file.path(dd, paste0("data_", case, ".csv")), row.names = FALSE)

# ---- survival cases: data (time, status 0/1, group, covariates) ------------------
cases <- list()
v <- veteran; cases$veteran <- data.frame(time = v$time, status = v$status, group = v$trt - 1,
                                          karno = v$karno, age = v$age, prior = as.integer(v$prior == 10))
o <- ovarian; cases$ovarian <- data.frame(time = o$futime, status = o$fustat, group = o$rx - 1,
                                          age = o$age, resid = o$resid.ds - 1, ecog = o$ecog.ps - 1)
a <- aml; cases$aml <- data.frame(time = a$time, status = a$status,
                                  group = as.integer(a$x == "Maintained"))
cl <- colon[colon$etype == 2 & complete.cases(colon[, c("nodes", "differ")]), ]
cases$colon <- data.frame(time = cl$time, status = cl$status, group = as.integer(cl$rx == "Lev+5FU"),
                          lev = as.integer(cl$rx == "Lev"), age = cl$age, sex = cl$sex, nodes = cl$nodes)
p <- pbc[1:312, ]
cases$pbc <- data.frame(time = p$time, status = as.integer(p$status == 2), group = p$trt - 1,
                        age = p$age, edema = p$edema, logbili = log(p$bili), albumin = p$albumin,
                        cr = p$status)
g <- cgd[cgd$enum == 1, ]
cases$cgd <- data.frame(time = g$tstop, status = g$status, group = as.integer(g$treat == "rIFN-g"),
                        age = g$age, inherit = as.integer(g$inherit == "autosomal"))
m <- myeloid
cases$myeloid <- data.frame(time = m$futime, status = m$death, group = as.integer(m$trt == "B"),
                            sex = as.integer(m$sex == "m"),
                            cr_time = ifelse(is.na(m$crtime), m$futime, m$crtime),
                            cr = ifelse(!is.na(m$crtime), 1, ifelse(m$death == 1, 2, 0)))
set.seed(11)
cases$ties <- data.frame(time = rep(1:5, each = 8), status = rbinom(40, 1, 0.6), group = rep(0:1, 20))
cases$all_censored <- data.frame(time = c(2, 4, 4, 7, 9), status = 0, group = c(0, 0, 1, 1, 1))
cases$one_event <- data.frame(time = c(2, 4, 5, 7, 9, 12), status = c(0, 0, 1, 0, 0, 0),
                              group = c(0, 1, 0, 1, 0, 1))
cases$zero_event_group <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8), status = c(1, 1, 0, 1, 0, 0, 1, 0),
                                     group = c(0, 0, 1, 0, 1, 1, 0, 1))
cases$n1 <- data.frame(time = 5, status = 1, group = 0)
cases$time0 <- data.frame(time = c(0, 0, 1, 2, 2, 3, 5, 8), status = c(1, 0, 1, 1, 0, 1, 0, 1),
                          group = c(0, 1, 0, 1, 0, 1, 0, 1))
cases$group_of_one <- data.frame(time = c(3, 5, 6, 8, 9, 11, 14), status = c(1, 1, 0, 1, 1, 0, 1),
                                 group = c(0, 0, 0, 1, 0, 0, 0))
cases$flat_end <- data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 0, 0), group = c(0, 0, 1, 1))
cases$flat_end_reverse <- data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 0, 1), group = c(0, 0, 1, 1))
for (nm in names(cases)) save_data(nm, cases[[nm]])

# ---- Kaplan-Meier, quantiles (both R rules), reverse-KM follow-up ----------------
for (nm in names(cases)) {
  d <- cases[[nm]]
  for (ct in c("log", "log-log", "plain")) {
    call <- sprintf('survfit(Surv(time, status) ~ 1, data = %s, conf.type = "%s")', nm, ct)
    fit <- survfit(Surv(time, status) ~ 1, data = d, conf.type = ct)
    for (i in unique(round(seq(1, length(fit$time), length.out = min(length(fit$time), 25))))) {
      key <- sprintf("conf_type=%s;time=%.10g", ct, fit$time[i])
      add("km", nm, key, c("surv", "std_err", "lower", "upper"),
          c(fit$surv[i], fit$std.err[i], fit$lower[i], fit$upper[i]),
          paste0(call, c("$surv", "$std.err", "$lower", "$upper"), "[", i, "]"))
    }
    q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
    for (j in 1:3) {
      key <- sprintf("conf_type=%s;p=%s;rule=quantile", ct, c(0.25, 0.5, 0.75)[j])
      add("quantile", nm, key, c("est", "lower", "upper"),
          c(q$quantile[j], q$lower[j], q$upper[j]),
          paste0("quantile(", call, ", c(.25, .5, .75))$", c("quantile", "lower", "upper"), "[", j, "]"))
    }
    tab <- summary(fit)$table
    add("quantile", nm, sprintf("conf_type=%s;p=0.5;rule=print", ct), c("est", "lower", "upper"),
        tab[c("median", "0.95LCL", "0.95UCL")],
        paste0("summary(", call, ")$table['", c("median", "0.95LCL", "0.95UCL"), "'] (as print)"))
  }
  rfit <- survfit(Surv(time, 1 - status) ~ 1, data = d)
  rq <- quantile(rfit, probs = c(0.25, 0.5, 0.75), conf.int = FALSE)
  rcall <- sprintf("survfit(Surv(time, 1 - status) ~ 1, data = %s)", nm)
  add("followup", nm, "rule=quantile", c("q25", "median", "q75"), rq,
      paste0("quantile(", rcall, ", c(.25, .5, .75))[", 1:3, "]"))
  add("followup", nm, "rule=print", "median", summary(rfit)$table["median"],
      paste0("summary(", rcall, ")$table['median']"))
}

# ---- log-rank: survdiff --------------------------------------------------------------
for (nm in names(cases)) {
  d <- cases[[nm]]
  if (length(unique(d$group)) < 2 || sum(d$status) == 0) next
  sd <- survdiff(Surv(time, status) ~ group, data = d)
  call <- sprintf("survdiff(Surv(time, status) ~ group, data = %s)", nm)
  add("logrank", nm, "group", c("chisq", "p"),
      c(sd$chisq, pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE)),
      c(paste0(call, "$chisq"), paste0("pchisq(", call, "$chisq, df, lower.tail = FALSE)")))
}
sd <- survdiff(Surv(time, status) ~ factor(p$stage), data = cases$pbc[!is.na(p$stage), ])
add("logrank", "pbc", "stage", c("chisq", "p"), c(sd$chisq, pchisq(sd$chisq, 3, lower.tail = FALSE)),
    c("survdiff(Surv(time, status) ~ stage, data = pbc[1:312, ])$chisq",
      "pchisq(survdiff(Surv(time, status) ~ stage, data = pbc[1:312, ])$chisq, 3, lower.tail = FALSE)"))
write.csv(data.frame(stage = p$stage), file.path(dd, "data_pbc_stage.csv"), row.names = FALSE)

# ---- Cox: univariate and multivariable, Efron; three tests -------------------------
cox_case <- function(nm, covs) {
  d <- cases[[nm]]
  f <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))
  # iter.max = 30 as carbook's max_iter: R's default 20 stops one or two steps short
  # on a separated (infinite) coefficient; finite fits converge long before either.
  call <- sprintf("coxph(%s, data = %s, control = coxph.control(iter.max = 30))",
                  paste(deparse(f), collapse = ""), nm)
  warn <- ""
  fit <- withCallingHandlers(coxph(f, data = d, control = coxph.control(iter.max = 30)), warning = function(w) {
    warn <<- paste(warn, conditionMessage(w)); invokeRestart("muffleWarning")})
  s <- summary(fit)
  key <- paste(covs, collapse = "+")
  for (j in seq_along(covs)) {
    add("cox", nm, key, paste0(covs[j], ":", c("coef", "se", "p")),
        s$coefficients[j, c("coef", "se(coef)", "Pr(>|z|)")],
        paste0("summary(", call, ")$coefficients[", j, ", c('coef', 'se(coef)', 'Pr(>|z|)')]"))
  }
  add("cox", nm, key, c("lr_p", "wald_p", "score_p", "infinite"),
      c(s$logtest[["pvalue"]], s$waldtest[["pvalue"]], s$sctest[["pvalue"]], grepl("infinite", warn)),
      c(paste0("summary(", call, ")$", c("logtest", "waldtest", "sctest"), "['pvalue']"),
        paste0("grepl('infinite', warning of ", call, ")")))
}
for (nm in names(cases)) {
  d <- cases[[nm]]
  if (length(unique(d$group)) > 1 && sum(d$status) > 0) cox_case(nm, "group")
}
cox_case("veteran", "karno"); cox_case("veteran", "age")
cox_case("veteran", c("group", "karno", "age", "prior"))
cox_case("ovarian", c("age", "resid", "ecog", "group"))
cox_case("colon", c("lev", "group", "age", "sex", "nodes"))
cox_case("pbc", c("age", "edema", "logbili", "albumin"))
cox_case("cgd", c("group", "age", "inherit"))
cox_case("myeloid", c("group", "sex"))

# ---- Time-dependent 0/1 covariate: jasa's transplant (cox_switch) -----------------
j <- jasa
jt <- data.frame(time = pmax(j$futime, 0.5), status = j$fustat,
                 switch = ifelse(j$transplant == 1, j$wait.time, NA))
save_data("jasa", jt)
long <- do.call(rbind, lapply(seq_len(nrow(jt)), function(i) {
  s <- jt$switch[i]; t <- jt$time[i]; e <- jt$status[i]
  if (is.na(s) || s >= t) return(data.frame(start = 0, stop = t, event = e, x = 0))
  if (s <= 0) return(data.frame(start = 0, stop = t, event = e, x = 1))
  data.frame(start = c(0, s), stop = c(s, t), event = c(0, e), x = c(0, 1))
}))
fit <- coxph(Surv(start, stop, event) ~ x, data = long)
s <- summary(fit)
call <- "coxph(Surv(start, stop, event) ~ transplant, data = jasa counting process)"
add("cox_td", "jasa", "transplant", c("coef", "se", "p", "lr_p", "score_p"),
    c(s$coefficients[1, c("coef", "se(coef)", "Pr(>|z|)")], s$logtest[["pvalue"]], s$sctest[["pvalue"]]),
    c(paste0("summary(", call, ")$coefficients[1, '", c("coef", "se(coef)", "Pr(>|z|)"), "']"),
      paste0("summary(", call, ")$", c("logtest", "sctest"), "['pvalue']")))

# ---- Competing risks: cmprsk::cuminc ---------------------------------------------
cr_case <- function(nm, time, status, times) {
  ci <- cuminc(time, status)
  tp <- timepoints(ci, times = times)
  for (k in rownames(tp$est)) {
    cause <- as.integer(sub("1 ", "", k))
    add("cuminc", nm, paste0("cause=", cause, ";time=", times), "est", tp$est[k, ],
        sprintf("timepoints(cuminc(%s), times)$est['%s', ]", nm, k))
    add("cuminc", nm, paste0("cause=", cause, ";time=", times), "var", tp$var[k, ],
        sprintf("timepoints(cuminc(%s), times)$var['%s', ]", nm, k))
  }
}
cr_case("pbc", cases$pbc$time, cases$pbc$cr, c(365, 1000, 2000, 3000))
cr_case("myeloid", cases$myeloid$cr_time, cases$myeloid$cr, c(30, 60, 100, 200))

# ---- Contingency tables 2x2 to 5x5 with zeros: fisher.test, chisq.test ------------
tabs <- list(
  ovarian_resid_rx = table(ovarian$resid.ds, ovarian$rx),
  veteran_celltype_trt = table(veteran$celltype, veteran$trt),
  pbc_edema_status = table(pbc$edema, pbc$status),
  pbc_stage_trt = table(pbc$stage, pbc$trt),
  cgd_inherit_treat = table(cgd$inherit[cgd$enum == 1], cgd$treat[cgd$enum == 1]),
  myeloid_sex_trt = table(myeloid$sex, myeloid$trt),
  zero_2x2 = matrix(c(0, 5, 7, 3), 2),
  zero_2x3 = matrix(c(0, 4, 6, 0, 2, 5), 2),
  zero_3x3 = matrix(c(0, 3, 5, 2, 0, 4, 6, 1, 0), 3),
  t4x4_n45 = matrix(c(5, 2, 3, 1, 1, 4, 2, 3, 2, 3, 5, 1, 3, 1, 2, 7), 4),
  zero_4x4 = matrix(c(0, 2, 1, 4, 3, 0, 2, 1, 1, 5, 0, 2, 2, 1, 3, 0), 4),
  t3x5 = matrix(c(4, 1, 0, 2, 6, 3, 1, 1, 5, 0, 3, 2, 2, 4, 1), 3),
  zero_5x5 = matrix(c(0, 1, 2, 0, 3, 1, 0, 2, 1, 1, 2, 1, 0, 3, 0, 0, 2, 1, 0, 2, 3, 0, 1, 2, 0), 5),
  t5x5_n60 = matrix(c(1, 4, 2, 2, 3, 3, 1, 2, 3, 3, 2, 2, 2, 3, 4, 4, 1, 3, 4, 1, 1, 0, 1, 2, 6), 5)
)
timing <- data.frame()
for (nm in names(tabs)) {
  t <- unclass(as.matrix(tabs[[nm]]))
  write.csv(t, file.path(dd, paste0("table_", nm, ".csv")), row.names = FALSE)
  secs <- system.time(for (i in 1:5) fp <- fisher.test(t)$p.value)[["elapsed"]] / 5
  timing <- rbind(timing, data.frame(table = nm, dim = paste(dim(t), collapse = "x"), n = sum(t),
                                     r_seconds = secs))
  c1 <- suppressWarnings(chisq.test(t)); c0 <- suppressWarnings(chisq.test(t, correct = FALSE))
  add("tables", nm, "", c("fisher_p", "chisq_p", "chisq_stat", "chisq_nocc_p"),
      c(fp, c1$p.value, c1$statistic, c0$p.value),
      sprintf(c("fisher.test(%s)$p.value", "chisq.test(%s)$p.value", "chisq.test(%s)$statistic",
                "chisq.test(%s, correct = FALSE)$p.value"), nm))
}
write.csv(timing, file.path(out, "parity_fisher_R_timing.csv"), row.names = FALSE)

# ---- Proportions: binom.test, prop.test, t.test, formulas -------------------------
z <- qnorm(0.975)
for (xn in list(c(0, 10), c(1, 10), c(10, 10), c(3, 26), c(27, 40), c(112, 312), c(1, 1), c(0, 3))) {
  x <- xn[1]; n <- xn[2]; key <- sprintf("x=%d;n=%d", x, n)
  b <- binom.test(x, n)$conf.int
  w <- suppressWarnings(prop.test(x, n, correct = FALSE))$conf.int
  wc <- suppressWarnings(prop.test(x, n))$conf.int
  nt <- n + z^2; pt <- (x + z^2 / 2) / nt; ac <- pt + c(-1, 1) * z * sqrt(pt * (1 - pt) / nt)
  je <- qbeta(c(0.025, 0.975), x + 0.5, n - x + 0.5)
  tt <- if (n >= 2) tryCatch(t.test(c(rep(1, x), rep(0, n - x)))$conf.int, error = function(e) c(NA, NA)) else c(NA, NA)
  add("props", "props", key, paste0(rep(c("clopper_pearson", "wilson", "wilson_cc", "agresti_coull",
                                          "jeffreys", "t_mean"), each = 2), c(":low", ":high")),
      c(b, w, wc, ac, je, tt),
      rep(sprintf(c("binom.test(%d, %d)$conf.int", "prop.test(%d, %d, correct = FALSE)$conf.int",
                    "prop.test(%d, %d)$conf.int", "Agresti-Coull formula (%d, %d): add z^2/2, Wald",
                    "qbeta(c(.025, .975), %d + .5, %d - x + .5)",
                    "t.test(c(rep(1, %d), rep(0, n - x)) with n = %d)$conf.int"), x, n), each = 2))
}

# ---- Wilcoxon ---------------------------------------------------------------------
wx <- list(
  veteran_karno_trt = list(veteran$karno[veteran$trt == 1], veteran$karno[veteran$trt == 2]),
  ovarian_age_rx = list(ovarian$age[ovarian$rx == 1], ovarian$age[ovarian$rx == 2]),
  aml_time = list(aml$time[aml$x == "Maintained"], aml$time[aml$x != "Maintained"]),
  small_exact = list(c(1.1, 2.5, 3.7), c(4.2, 5.9, 0.3, 7.7)),
  all_tied = list(c(2, 2, 2), c(2, 2))
)
for (nm in names(wx)) {
  x <- wx[[nm]][[1]]; y <- wx[[nm]][[2]]
  write.csv(data.frame(sample = rep(c("x", "y"), c(length(x), length(y))), value = c(x, y)),
            file.path(dd, paste0("wilcox_", nm, ".csv")), row.names = FALSE)
  r <- suppressWarnings(wilcox.test(x, y))
  add("wilcox", nm, "ranksum", c("W", "p"), c(r$statistic, r$p.value),
      sprintf(c("wilcox.test(x, y)$statistic [%s]", "wilcox.test(x, y)$p.value [%s]"), nm))
}
pr <- list(paired_ties = list(c(5, 7, 3, 9, 4, 6, 8), c(4, 7, 5, 6, 4, 3, 9)),
           paired_exact = list(c(1.2, 3.4, 2.2, 5.1, 4.4, 2.9), c(1.0, 3.9, 1.1, 4.0, 2.5, 3.3)))
for (nm in names(pr)) {
  x <- pr[[nm]][[1]]; y <- pr[[nm]][[2]]
  write.csv(data.frame(x = x, y = y), file.path(dd, paste0("paired_", nm, ".csv")), row.names = FALSE)
  r <- suppressWarnings(wilcox.test(x, y, paired = TRUE))
  add("wilcox", nm, "signed_rank", c("V", "p"), c(r$statistic, r$p.value),
      sprintf(c("wilcox.test(x, y, paired = TRUE)$statistic [%s]",
                "wilcox.test(x, y, paired = TRUE)$p.value [%s]"), nm))
}

for (area in ls(rows)) write.csv(rows[[area]], file.path(out, paste0("parity_", area, ".csv")),
                                 row.names = FALSE)
writeLines(c(R.version.string, paste("survival", packageVersion("survival")),
             paste("cmprsk", packageVersion("cmprsk"))), file.path(out, "parity_R_version.txt"))
