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
# Widget JavaScript, vendored from the npm registry and served with the book
# (html_extra_path in _config.yml) so that widgets render offline.
EXTRA := build/extra
VENDOR := $(EXTRA)/_static/vendor
HTML_MANAGER := 1.0.15
REQUIREJS := 2.3.8
VENDOR_STAMP := build/.vendored
CHROMIUM ?= /usr/bin/chromium
# numpy's AVX-512 exp and log round differently from the C library's: off, so that a
# seed's cohort is the same bytes on every CPU (carbook/_cpu.py; tests, book and bench)
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR

.PHONY: book vendor test lint unit nbval html-test lab scorecard snapshot bench clean

$(STAMP): requirements.txt constraints.txt pyproject.toml lab/overrides.json
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "carbook needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null
	# JupyterLab opens .md chapters as notebooks (jupytext) on a double click
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

# npm only downloads two tarballs (npm pack: no dependencies, no install scripts).
$(VENDOR_STAMP): Makefile images/favicon.ico
	@command -v npm > /dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q npm > /dev/null; } \
	  || { echo "npm is needed to vendor the widget JavaScript: apt-get install npm"; exit 1; }
	rm -rf build/npm $(EXTRA) && mkdir -p build/npm $(VENDOR)/html-manager
	cd build/npm && npm pack --silent @jupyter-widgets/html-manager@$(HTML_MANAGER) requirejs@$(REQUIREJS) > /dev/null
	tar -xzf build/npm/jupyter-widgets-html-manager-$(HTML_MANAGER).tgz -C build/npm
	cp build/npm/package/dist/embed-amd.js build/npm/package/dist/*.{woff,woff2,ttf,eot,svg} \
	  $(VENDOR)/html-manager/
	# the manager's icon fonts are fetched relative to the page (pages are in chapters/)
	mkdir -p $(EXTRA)/chapters/@jupyter-widgets/html-manager/dist
	cp build/npm/package/dist/*.{woff,woff2,ttf,eot,svg} $(EXTRA)/chapters/@jupyter-widgets/
	cp build/npm/package/dist/*.{woff,woff2,ttf,eot,svg} \
	  $(EXTRA)/chapters/@jupyter-widgets/html-manager/dist/
	rm -rf build/npm/package && tar -xzf build/npm/requirejs-$(REQUIREJS).tgz -C build/npm
	cp build/npm/package/require.js $(VENDOR)/require.js
	# the root index.html only redirects, so browsers ask for /favicon.ico: serve it there
	cp images/favicon.ico $(EXTRA)/favicon.ico
	touch $@

vendor: $(VENDOR_STAMP)

# `jupyter-book build`, reading and executing BOOK_JOBS chapters at a time (default: all
# cores); its command line cannot pass Sphinx -j, see _ext/build_book.py.
book: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/python _ext/build_book.py build -W --keep-going .
	@echo "Book built: file://$(CURDIR)/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q -n 2

# nbval reads .ipynb: convert the MyST chapters first (build/ is not in git); a chapter
# with widgets gets a last cell that moves every control and fails if one redraws nothing.
nbval: $(STAMP)
	rm -rf $(NOTEBOOKS) && mkdir -p $(NOTEBOOKS)
	$(BIN)/python -m carbook notebooks $(CHAPTERS) --out $(NOTEBOOKS) > /dev/null
	cp tests/nbval/conftest.py $(NOTEBOOKS)/conftest.py  # retries a failed kernel start
	cd $(NOTEBOOKS) && ../../$(BIN)/pytest -q --nbval-lax -n 2 --dist loadfile \
	  -o addopts="-p no:cacheprovider" -o testpaths="" *.ipynb

# Browser tests drive Debian's chromium (playwright cannot download a browser here).
$(CHROMIUM):
	@[ "$$(id -u)" = 0 ] || { echo "$(CHROMIUM) missing: run as root, or apt-get install chromium"; exit 1; }
	apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium > /dev/null

# Checks of the built HTML, then every page in headless Chromium at 1366 and 390 px
# (screenshots in _build/screenshots/).
html-test: book $(CHROMIUM)
	$(BIN)/pytest -q -o addopts="-p no:cacheprovider" tests/html

test: lint unit nbval html-test

# JupyterLab refuses to run as root unless told (containers, CI)
lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) chapters/

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
