# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SCALE ?=
SCALE_ARG := $(if $(SCALE),--scale $(SCALE),)

.PHONY: setup browser run test test-fast fuzz bench lint format clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,peers]'
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned dependencies

browser:  ## Debian's chromium for the browser tests (installed with apt as root, only if missing)
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium is missing (apt-get install chromium): browser tests will skip (fail on CI)"; fi; }

run: $(STAMP)  ## run the default Venezuela scenario, print a summary, write its HTML report
	$(VENV)/bin/trocha run venezuela --seed 1 $(SCALE_ARG) --out runs
	$(VENV)/bin/trocha report runs --latest

test: $(STAMP) browser  ## the full test suite (what CI runs; installs chromium if missing)
	$(PY) -m pytest -n auto --dist loadscope -q

test-fast: $(STAMP)  ## skip the slow statistical checks
	$(PY) -m pytest -n auto --dist loadscope -q -m "not slow"

fuzz: $(STAMP)  ## the fuzz suite with the long Hypothesis profile (minutes, not seconds)
	HYPOTHESIS_PROFILE=long $(PY) -m pytest -n auto -q tests/fuzz

bench: $(STAMP)  ## full-scale benchmark -> benchmarks/results/*.json and docs/benchmarks.md
	$(PY) benchmarks/run_benchmarks.py
	$(PY) benchmarks/flee_benchmarks.py
	$(PY) benchmarks/startup.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/ruff format --check src tests benchmarks tools

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks tools
	$(VENV)/bin/ruff check --fix src tests benchmarks tools

clean:
	rm -rf $(VENV) runs .pytest_cache
