# R's reach on the Fisher sweep: fisher.test on every table of
# tests/fixtures/fisher_sweep_tables.csv (written by benchmarks/bench_fisher.py
# --write-tables), at the default workspace (200000) and at workspace = 2e8.
# Run from the repository root:  Rscript tests/r/fisher_sweep_reference.R
# Writes tests/fixtures/fisher_sweep_R.csv, one row per (table, workspace):
# outcome "ok" (p_value set), "error" (R's message) or "timeout" (no answer
# within LIMIT seconds of elapsed time), elapsed seconds, and the R call.
# setTimeLimit cannot stop fisher.test: FEXACT is C code that never checks for
# interrupts, so each call runs in a forked child (parallel::mcparallel) that is
# killed after LIMIT seconds. The tests never need R.
library(parallel)
options(digits = 15, warn = 1)
LIMIT <- 60
fix <- "tests/fixtures"
tabs <- read.csv(file.path(fix, "fisher_sweep_tables.csv"), stringsAsFactors = FALSE)

as_table <- function(r) {
  matrix(as.integer(strsplit(r$cells, " ")[[1]]), nrow = r$nrow, ncol = r$ncol, byrow = TRUE)
}

# One fisher.test in a child; short runs are repeated (mean of 5) for a stable time.
run_one <- function(t, ws) {
  job <- mcparallel({
    secs <- system.time(res <- tryCatch(fisher.test(t, workspace = ws)$p.value,
                                        error = function(e) conditionMessage(e)))[["elapsed"]]
    if (is.numeric(res) && secs < 0.1) {
      secs <- system.time(for (i in 1:5) fisher.test(t, workspace = ws))[["elapsed"]] / 5
    }
    list(res = res, secs = secs)
  })
  start <- proc.time()[["elapsed"]]
  got <- mccollect(job, wait = FALSE, timeout = LIMIT)
  if (is.null(got)) {
    tools::pskill(job$pid)
    mccollect(job, wait = TRUE)
    return(list(outcome = "timeout", p = NA, msg = sprintf("no answer within %d s", LIMIT),
                secs = proc.time()[["elapsed"]] - start))
  }
  r <- got[[1]]
  if (is.numeric(r$res)) return(list(outcome = "ok", p = r$res, msg = "", secs = r$secs))
  list(outcome = "error", p = NA, msg = gsub("\\s+", " ", r$res), secs = r$secs)
}

out <- NULL
for (i in seq_len(nrow(tabs))) {
  t <- as_table(tabs[i, ])
  for (ws in c(200000, 2e8)) {
    r <- run_one(t, ws)
    call <- sprintf("fisher.test(%s, workspace = %s)$p.value", tabs$table[i],
                    format(ws, scientific = ws >= 1e6))
    out <- rbind(out, data.frame(table = tabs$table[i], workspace = ws, outcome = r$outcome,
                                 p_value = r$p, r_seconds = round(r$secs, 4), message = r$msg,
                                 call = call))
    cat(sprintf("%-28s ws=%-6g %-7s %8.3f s %s\n", tabs$table[i], ws, r$outcome, r$secs, r$msg))
  }
}
write.csv(out, file.path(fix, "fisher_sweep_R.csv"), row.names = FALSE)
writeLines(c(R.version.string, sprintf("time limit per call: %d s elapsed", LIMIT)),
           file.path(fix, "fisher_sweep_R_version.txt"))
