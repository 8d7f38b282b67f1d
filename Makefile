# laserskin: make demo | make test | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint browser bench bench-sweep clean

venv: $(STAMP)

# A venv needs ensurepip, which Debian and Ubuntu ship apart from python3 (python3.X-venv): when
# `$(PYTHON) -m venv` fails, running as root with apt-get, the version-matched package is installed
# and the venv made again; otherwise a message says what to install. A venv left without pip by a
# failed attempt is completed the same way (venv over an existing folder keeps what is there).
$(STAMP): pyproject.toml
	@if ! { test -x $(BIN)/python && $(BIN)/python -m pip --version >/dev/null 2>&1; }; then \
	  echo "$(PYTHON) -m venv $(VENV)"; \
	  $(PYTHON) -m venv $(VENV) || { \
	    pkg="python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "$(PYTHON) cannot make a venv (no ensurepip): installing Debian's $$pkg"; \
	      apt-get update -qq || true; \
	      apt-cache show "$$pkg" >/dev/null 2>&1 || pkg=python3-venv; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$pkg" >/dev/null || { \
	        echo "error: could not install $$pkg; install it (apt-get install $$pkg) and run make again" >&2; \
	        exit 1; }; \
	      $(PYTHON) -m venv $(VENV); \
	    else \
	      echo "error: $(PYTHON) cannot make a venv (ensurepip is missing): install it with" \
	        "'sudo apt-get install $$pkg' (Debian/Ubuntu; or python3-venv), or set PYTHON= to a Python" \
	        "that has venv, and run make again" >&2; \
	      exit 1; \
	    fi; }; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: venv
	$(BIN)/python -m laserskin.tools.demo --out out

# The browser tests drive Debian's chromium (never a downloaded browser build): installed
# here when missing and running as root; otherwise (or when the install fails) a message says
# what to run and tests/web/test_browser.py skips with that reason, so make test still passes.
# LASERSKIN_REQUIRE_BROWSER=1 makes a missing browser a test failure instead.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	      echo "could not install chromium: the browser tests will be skipped" >&2; \
	  else \
	    echo "no chromium: the browser tests will be skipped (run 'sudo apt-get install chromium' to run them)" >&2; \
	  fi; }

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# Two pytest workers (pytest-xdist), one test file per worker at a time (--dist loadfile: a file's module-scoped
# fixtures, e.g. a plan shared by its tests, are computed once), the long files first (tests/conftest.py
# LONG_FILES_S: the 40 slowest durations printed at the end keep that table current); TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2
test: venv browser lint
	$(BIN)/python -m pytest --durations=40 $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

bench: venv
	$(BIN)/python benchmarks/transport.py
	$(BIN)/python benchmarks/thermal.py
	$(BIN)/python benchmarks/simulation.py
	$(BIN)/python benchmarks/nonlinear.py
	$(BIN)/python benchmarks/voxel.py
	$(BIN)/python benchmarks/planner.py

# Dask sweeps: cases/s on 1 vs 2 workers and a 200-person population plan (~10 min)
bench-sweep: venv
	$(BIN)/python benchmarks/sweep.py

clean:
	rm -rf $(VENV) out .cache
