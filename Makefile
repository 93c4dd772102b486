# carbook: two commands on a fresh machine.
#   make book   create .venv, install, build the book into _build/html
#   make test   ruff, pytest (with doctests), every chapter under nbval, the book build
#   make lab    JupyterLab on the chapters (for workshops)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := build/notebooks
CHAPTERS := $(wildcard chapters/*.md)

.PHONY: book test lint unit nbval html-test lab scorecard snapshot bench clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "carbook needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build -W --keep-going .
	@echo "Book built: file://$(CURDIR)/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q -n 2

# nbval reads .ipynb: convert the MyST chapters first (build/ is not in git).
nbval: $(STAMP)
	rm -rf $(NOTEBOOKS) && mkdir -p $(NOTEBOOKS)
	for f in $(CHAPTERS); do \
	  $(BIN)/jupytext --quiet --to ipynb -o $(NOTEBOOKS)/$$(basename $${f%.md}).ipynb $$f; done
	cd $(NOTEBOOKS) && ../../$(BIN)/pytest -q --nbval-lax -n 2 --dist loadfile \
	  -o addopts="-p no:cacheprovider" -o testpaths="" *.ipynb

html-test: book
	$(BIN)/pytest -q -o addopts="" tests/html

test: lint unit nbval html-test

lab: $(STAMP)
	$(BIN)/jupyter lab chapters/

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_cox_screen.py
	$(BIN)/python benchmarks/bench_calibrate.py

scorecard: $(STAMP)
	$(BIN)/python -m carbook scorecard

# Rewrite the committed status of every published number (tests/test_snapshot.py).
snapshot: $(STAMP)
	$(BIN)/python -m carbook scorecard --csv | $(BIN)/python -c 'import sys, pandas as pd; \
	  pd.read_csv(sys.stdin, dtype=str, keep_default_na=False)[["study", "claim_id", "status"]] \
	  .to_csv("tests/snapshots/scorecard_status.csv", index=False, lineterminator="\n")'

clean:
	rm -rf _build build
