# laserskin: make demo | make test | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test bench bench-sweep clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: venv
	$(BIN)/python -m laserskin.tools.demo --out out

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/transport.py
	$(BIN)/python benchmarks/thermal.py
	$(BIN)/python benchmarks/simulation.py
	$(BIN)/python benchmarks/planner.py

# Dask sweeps: cases/s on 1 vs 2 workers and a 200-person population plan (~10 min)
bench-sweep: venv
	$(BIN)/python benchmarks/sweep.py

clean:
	rm -rf $(VENV) out .cache
